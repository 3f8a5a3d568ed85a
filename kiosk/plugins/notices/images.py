"""A notice's optional picture: checked, re-encoded and stored in the database.

Why re-encode: a phone photo carries EXIF (GPS position, the phone's owner) that must not reach a public
board, and an upload may not be the image it claims to be. Pillow opens it (refusing decompression
bombs), turns it upright, shrinks it to at most 1600 px, and writes a fresh JPEG (PNG when it has
transparency) without metadata. Changing the picture counts as a content change (new approval on 党务公开).
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from kiosk.api import KioskContext, utcnow

from . import service
from .models import NoticeImage
from .service import NoticeError

MAX_UPLOAD = 8 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP"}


def normalise(data: bytes) -> tuple[str, bytes, int, int]:
    """(mime, bytes, width, height) of the cleaned picture, or :class:`NoticeError`."""
    bad = NoticeError("bad_image", "图片无法识别，请上传 JPG 或 PNG 图片", "the picture is not a JPEG, PNG, GIF, WebP or BMP image")
    if not data:
        raise bad
    if len(data) > MAX_UPLOAD:
        raise NoticeError("big_image", "图片太大（不超过 8 MB）", "the picture is larger than 8 MB")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise bad
            probe.seek(0)
            img = ImageOps.exif_transpose(probe)
            img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise bad from None
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    out = BytesIO()
    if alpha:
        img.convert("RGBA").save(out, "PNG", optimize=True)
        mime = "image/png"
    else:
        img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        mime = "image/jpeg"
    return mime, out.getvalue(), img.width, img.height


def set_image(ctx: KioskContext, notice_id: int, data: bytes, by: str = "") -> NoticeImage:
    mime, clean, width, height = normalise(data)
    digest = hashlib.sha256(clean).hexdigest()
    with ctx.transaction() as s:
        notice = service.get_for_update(s, notice_id)
        row = s.get(NoticeImage, notice.id)
        old = row.digest if row else None
        if row is None:
            row = NoticeImage(notice_id=notice.id, mime=mime, data=clean, width=width, height=height, digest=digest)
            s.add(row)
        else:
            row.mime, row.data, row.width, row.height, row.digest = mime, clean, width, height, digest
        if old != digest:
            diff = {"image": (old, digest)}
            service.content_changed(notice, by, diff)
            notice.updated_by, notice.updated_at = by[:64], utcnow()
            service.record(s, notice, "image", by, diff)
    return row


def remove_image(ctx: KioskContext, notice_id: int, by: str = "") -> None:
    with ctx.transaction() as s:
        notice = service.get_for_update(s, notice_id)
        row = s.get(NoticeImage, notice.id)
        if row is not None:
            diff = {"image": (row.digest, None)}
            s.delete(row)
            service.content_changed(notice, by, diff)
            notice.updated_by, notice.updated_at = by[:64], utcnow()
            service.record(s, notice, "image", by, diff)


def image_of(ctx: KioskContext, notice_id: int) -> NoticeImage | None:
    with ctx.sessions() as s:
        return s.scalar(select(NoticeImage).where(NoticeImage.notice_id == notice_id))
