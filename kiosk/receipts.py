"""The one receipt mechanism every plugin uses: a committed row, an unguessable token, a QR, a layout.

Issuing commits the row first; rendering and printing come after and can fail without losing it.
The QR encodes ``{base_url}/t/{token}``: a normal QR code (never Micro QR), error correction M.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.clock import utcnow
from kiosk.config import Settings
from kiosk.models import Receipt, ReceiptToken
from kiosk.publicguard import mask_personal_data
from kiosk.security import new_token, token_hash

QR_ERROR_CORRECTION_LEVEL = "M"  # qrcode.constants.ERROR_CORRECT_M; qrcode is imported when a QR is made
MAX_LINES = 12
MAX_LINE_CHARS = 80


class ReceiptError(ValueError):
    """A plugin asked for a receipt that cannot be issued (empty number, too many lines…)."""


def tracking_url(settings: Settings, token: str) -> str:
    """The one place that builds tracking URLs."""
    return f"{settings.base_url}/t/{token}"


@dataclass(frozen=True)
class SlipLayout:
    """What a slip shows, whatever it is rendered to: screen, PNG or thermal paper.

    No personal data: plugins pass only what is safe to leave on a counter.
    """

    title: str
    number: str
    lines: tuple[str, ...]
    url: str
    center: str
    issued: str  # local time, e.g. "2026-11-30 09:15"
    footer: str = ""

    def qr_matrix(self) -> list[list[bool]]:
        return qr_matrix(self.url)


@dataclass
class IssuedReceipt:
    receipt: Receipt
    token: str
    url: str
    layout: SlipLayout
    print_status: str = "pending"  # pending | printed | failed | disabled
    print_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _clean_line(text: Any) -> str:
    """A slip line as printable text, with any phone, ID or bank card number masked (a slip is left on counters)."""
    value = "".join(ch if ch.isprintable() else " " for ch in str(text)).strip()
    return mask_personal_data(value)[:MAX_LINE_CHARS]


def layout_for(receipt: Receipt, url: str, settings: Settings) -> SlipLayout:
    issued = receipt.created_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    return SlipLayout(
        title=receipt.title,
        number=receipt.number,
        lines=tuple(receipt.lines or ()),
        url=url,
        center=settings.center_name,
        issued=issued,
        footer="扫码查看进度 · Scan to follow",
    )


def issue_receipt(
    session: Session,
    settings: Settings,
    *,
    plugin: str,
    kind: str,
    subject: str,
    number: str,
    title: str,
    lines: list[str] | tuple[str, ...] = (),
    valid_days: int | None = None,
    terminal: str = "",
) -> IssuedReceipt:
    """Add a receipt and its token in ``session`` (the caller's transaction commits it).

    Call this inside the same transaction that creates the ticket or case, so both exist or neither.
    """
    number = _clean_line(number)
    title = _clean_line(title)
    if not number or not title:
        raise ReceiptError("a receipt needs a number and a title")
    if len(lines) > MAX_LINES:
        raise ReceiptError(f"a receipt holds at most {MAX_LINES} lines")
    created = utcnow()
    days = settings.receipt_days if valid_days is None else valid_days
    receipt = Receipt(
        plugin=plugin,
        kind=kind,
        subject=str(subject),
        number=number,
        title=title,
        lines=[_clean_line(line) for line in lines],
        created_at=created,
        expires_at=created + timedelta(days=days) if days else None,
        terminal=terminal,
    )
    session.add(receipt)
    session.flush()
    token = new_token()
    session.add(ReceiptToken(receipt_id=receipt.id, token_hash=token_hash(token), created_at=created))
    session.flush()
    url = tracking_url(settings, token)
    return IssuedReceipt(receipt=receipt, token=token, url=url, layout=layout_for(receipt, url, settings))


def add_token(session: Session, settings: Settings, receipt: Receipt) -> IssuedReceipt:
    """A fresh token for an existing receipt (staff reprint when no one knows the old token)."""
    token = new_token()
    session.add(ReceiptToken(receipt_id=receipt.id, token_hash=token_hash(token)))
    session.flush()
    url = tracking_url(settings, token)
    return IssuedReceipt(receipt=receipt, token=token, url=url, layout=layout_for(receipt, url, settings))


def reissued(ctx, receipt_id: int, url: str) -> IssuedReceipt:
    """The receipt of something a repeated tap found already issued: the same row and the same QR as the first.

    Plugins' idempotent retries (a double tap on 取号 or 提交) get their first result back without a new token;
    this rebuilds what the shell needs to show and print it again.
    """
    with ctx.sessions() as s:
        receipt = s.get(Receipt, receipt_id)
    token = url.rsplit("/t/", 1)[-1]
    return IssuedReceipt(receipt=receipt, token=token, url=url, layout=layout_for(receipt, url, ctx.settings))


def scoped_key(client: str, key: str) -> str:
    """The stored idempotency key of ``key`` sent by ``client`` ("kiosk:<terminal>", "web:<browser id>", "api:<key id>").

    Why: a retry with the same key returns the first ticket or case *with its tracking token*, so a key
    must only ever find what the same client filed. The client is part of the stored value, hashed with
    the key (the column holds 80 characters; client and key together may not fit), behind a short
    readable prefix. Client-supplied keys are letters, digits and ``._:-`` only, so a raw key (one a
    trusted in-process caller stores as it is) never contains ``|`` and cannot equal a scoped one.
    """
    kind = re.sub(r"[^a-z0-9]", "", client.split(":", 1)[0].lower())[:12] or "client"
    digest = hashlib.sha256(f"{client}\0{key}".encode()).hexdigest()
    return f"{kind}|{digest}"


def find_receipt(session: Session, token: str) -> Receipt | None:
    """The receipt of ``token`` (one indexed look-up by hash), or None. Says nothing about validity."""
    if not token or len(token) > 64:
        return None
    return session.scalar(
        select(Receipt).join(ReceiptToken, ReceiptToken.receipt_id == Receipt.id).where(
            ReceiptToken.token_hash == token_hash(token)
        )
    )


def receipt_state(receipt: Receipt, at: datetime | None = None) -> str:
    """valid | expired | revoked."""
    at = at or utcnow()
    if receipt.revoked_at is not None:
        return "revoked"
    if receipt.expires_at is not None and receipt.expires_at <= at:
        return "expired"
    return "valid"


def revoke(receipt: Receipt) -> None:
    receipt.revoked_at = utcnow()


def make_qr(url: str):
    """A normal QR code (never Micro QR), error correction M, the standard 4-module quiet zone."""
    import qrcode
    import qrcode.constants

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules including the quiet zone, True for dark."""
    return make_qr(url).get_matrix()


def mark_printed(receipt: Receipt, error: str | None) -> None:
    if error:
        receipt.print_error = error[:500]
    else:
        receipt.printed_at = utcnow()
        receipt.print_error = None


def receipt_json(receipt: Receipt, settings: Settings, at: datetime | None = None) -> dict[str, Any]:
    """The public JSON of a receipt (no personal data; no token, no internal id)."""
    return {
        "plugin": receipt.plugin,
        "kind": receipt.kind,
        "number": receipt.number,
        "title": receipt.title,
        "lines": [mask_personal_data(str(line)) for line in receipt.lines or []],
        "created_at": receipt.created_at.astimezone(settings.tz).isoformat(),
        "expires_at": receipt.expires_at.astimezone(settings.tz).isoformat() if receipt.expires_at else None,
        "state": receipt_state(receipt, at),
    }
