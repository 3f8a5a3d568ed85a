"""The paper slip as an image (PNG): the same layout as the thermal print, at the printer's 576-dot width.

Used by ``kiosk receipt render``, by tests that decode the QR back, and as the picture of the slip in
the README. Text is drawn with the Chinese face from :mod:`kiosk.fonts`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.fonts import FontFaces
from kiosk.receipts import SlipLayout

WIDTH = 576
MARGIN = 24
QR_MODULE_PX = 8


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Break ``text`` into lines that fit ``width`` pixels (Chinese breaks anywhere; keep ASCII words)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        trial = current + ch
        if draw.textlength(trial, font=font) <= width:
            current = trial
            continue
        if " " in current and ch != " " and ch.isascii():
            head, _, tail = current.rpartition(" ")
            lines.append(head)
            current = tail + ch
        else:
            lines.append(current)
            current = ch.lstrip()
    if current:
        lines.append(current)
    return lines or [""]


def render_slip(layout: SlipLayout, faces: FontFaces) -> Image.Image:
    qr = layout.qr_matrix()
    modules = len(qr)
    qr_px = modules * QR_MODULE_PX
    regular = lambda size: ImageFont.truetype(str(faces.regular), size)  # noqa: E731
    bold = lambda size: ImageFont.truetype(str(faces.bold), size)  # noqa: E731
    blocks: list[tuple[str, ImageFont.FreeTypeFont, str]] = [
        (layout.center, bold(34), "center"),
        (layout.title, regular(30), "center"),
        (layout.number, bold(112), "center"),
    ] + [(line, regular(26), "left") for line in layout.lines]
    scratch = ImageDraw.Draw(Image.new("L", (WIDTH, 10)))
    rows: list[tuple[str, ImageFont.FreeTypeFont, str, int]] = []
    for text, font, align in blocks:
        for part in _wrap(scratch, text, font, WIDTH - 2 * MARGIN):
            ascent, descent = font.getmetrics()
            rows.append((part, font, align, ascent + descent + 8))
    footer = [(layout.footer, regular(24)), (layout.issued, regular(24))]
    height = MARGIN + sum(r[3] for r in rows) + 16 + qr_px + 16 + sum(f.getmetrics()[0] + f.getmetrics()[1] + 6 for _, f in footer) + MARGIN
    img = Image.new("L", (WIDTH, height), 255)
    draw = ImageDraw.Draw(img)
    y = MARGIN
    for text, font, align, h in rows:
        w = draw.textlength(text, font=font)
        x = (WIDTH - w) / 2 if align == "center" else MARGIN
        draw.text((x, y), text, font=font, fill=0)
        y += h
    y += 16
    x0 = (WIDTH - qr_px) // 2
    for r, row in enumerate(qr):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    [x0 + c * QR_MODULE_PX, y + r * QR_MODULE_PX, x0 + (c + 1) * QR_MODULE_PX - 1, y + (r + 1) * QR_MODULE_PX - 1],
                    fill=0,
                )
    y += qr_px + 16
    for text, font in footer:
        w = draw.textlength(text, font=font)
        draw.text(((WIDTH - w) / 2, y), text, font=font, fill=0)
        y += font.getmetrics()[0] + font.getmetrics()[1] + 6
    return img


def save_slip_png(layout: SlipLayout, faces: FontFaces, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    render_slip(layout, faces).save(out, format="PNG")
    return out
