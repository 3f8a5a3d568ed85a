"""The small, safe markup of notice bodies, parsed once and rendered for the web and for the kiosk.

Why a parser of our own: staff type notices the way they would on paper, and the same source must look
the same on the touch screen (Kivy markup) and on a phone (HTML). The language is deliberately tiny:

* paragraphs are separated by blank lines; a single line break inside a paragraph is kept;
* ``# 标题`` and ``## 小标题`` are headings;
* lines starting with ``- `` (or ``* ``, ``• ``) are list items;
* ``**粗体**`` is bold. An unclosed ``**`` stays as typed.

Nothing else has a meaning: ``<script>``, HTML tags and Kivy's ``[b]`` tags are text, escaped by each
renderer. Control characters are removed before parsing (newlines are kept), so a body is always
valid in HTML, XML (the Atom feed) and Kivy markup. This module imports neither Kivy nor a web framework.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_BODY = 20_000
MAX_TITLE = 100

# C0/C1 controls except \n, DEL, bidi overrides/isolates (text that reads differently than it is stored),
# BOM, non-characters and lone surrogates (which cannot be encoded as UTF-8).
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
_ITEM = re.compile(r"^(?:[-*•])\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def clean(text: str | None, single_line: bool = False) -> str:
    """Text without control characters; line ends normalised to ``\\n`` (or spaces for ``single_line``)."""
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = value.replace("\t", "    ")
    value = _CONTROL.sub("", value)
    if single_line:
        value = " ".join(value.split())
    return value.strip()


@dataclass(frozen=True)
class Span:
    """A run of text, bold or not."""

    text: str
    bold: bool = False


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Block:
    """One block of a body. ``kind`` is h1, h2, p or ul; ``lines`` are a paragraph's lines or a list's items."""

    kind: str
    lines: tuple[Line, ...]

    def text(self) -> str:
        return "\n".join("".join(s.text for s in line) for line in self.lines)


def inline(text: str) -> Line:
    """Split ``**bold**`` runs. An odd number of markers leaves the last one as literal text."""
    parts = text.split("**")
    if len(parts) % 2 == 0:  # an unclosed marker: glue it back
        parts[-2:] = [parts[-2] + "**" + parts[-1]]
    return tuple(Span(p, i % 2 == 1) for i, p in enumerate(parts) if p)


def parse(source: str) -> list[Block]:
    """The blocks of a body (cleaned first, so callers may pass raw input)."""
    blocks: list[Block] = []
    para: list[Line] = []
    items: list[Line] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", tuple(para)))
            para.clear()
        if items:
            blocks.append(Block("ul", tuple(items)))
            items.clear()

    for raw in clean(source).split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _HEADING.match(line)
        item = _ITEM.match(line)
        if heading and heading.group(2).strip():
            flush()
            blocks.append(Block("h1" if len(heading.group(1)) == 1 else "h2", (inline(heading.group(2).strip()),)))
        elif item and item.group(1).strip():
            if para:
                flush()
            items.append(inline(item.group(1).strip()))
        else:
            if items:
                flush()
            para.append(inline(line))
    flush()
    return blocks


def plain_blocks(text: str) -> list[Block]:
    """Blocks of plain text (an outcome's body): paragraphs only, no markup at all."""
    out = []
    for chunk in re.split(r"\n\s*\n", clean(text)):
        lines = tuple((Span(line.strip()),) for line in chunk.split("\n") if line.strip())
        if lines:
            out.append(Block("p", lines))
    return out


def plain_text(blocks: Iterable[Block]) -> str:
    """The words of a body without markup, for summaries, feeds and slips."""
    return "\n".join(b.text() for b in blocks)


def summary(blocks: Iterable[Block], limit: int = 80) -> str:
    words = " ".join(plain_text(blocks).split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


# -- HTML ------------------------------------------------------------------------------------------
def _html_line(line: Line) -> Markup:
    return Markup("").join(Markup("<strong>{}</strong>").format(s.text) if s.bold else escape(s.text) for s in line)


def to_html(blocks: Iterable[Block], heading_level: int = 2) -> Markup:
    """Escaped HTML. Headings start at ``<h2>`` because the page's ``<h1>`` is the notice's title."""
    out = []
    for b in blocks:
        if b.kind in ("h1", "h2"):
            level = heading_level + (b.kind == "h2")
            out.append(Markup("<h{0}>{1}</h{0}>").format(level, _html_line(b.lines[0])))
        elif b.kind == "ul":
            out.append(Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(_html_line(i)) for i in b.lines)))
        else:
            out.append(Markup("<p>{}</p>").format(Markup("<br>").join(_html_line(line) for line in b.lines)))
    return Markup("\n").join(out)


# -- Kivy markup -------------------------------------------------------------------------------------
def kivy_escape(text: str) -> str:
    """What ``kivy.utils.escape_markup`` does, without importing Kivy: ``&``, ``[`` and ``]`` as entities."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


@dataclass(frozen=True)
class KivyRow:
    """One label's worth of a body on the kiosk: small enough for one texture, whatever the body's size."""

    kind: str  # h1 h2 p li
    markup: str
    starts_block: bool


def _split_line(line: Line, limit: int) -> list[Line]:
    """Cut a long line into pieces of at most ``limit`` characters, keeping each span's boldness."""
    pieces: list[Line] = []
    current: list[Span] = []
    size = 0
    for span in line:
        text = span.text
        while text:
            room = limit - size
            part, text = text[:room], text[room:]
            current.append(Span(part, span.bold))
            size += len(part)
            if size >= limit:
                pieces.append(tuple(current))
                current, size = [], 0
    if current:
        pieces.append(tuple(current))
    return pieces or [()]


#: Where Kivy may wrap a line of Chinese. Kivy breaks lines at spaces and at markup tags only, so a long
#: run of hanzi after a bold phrase would jump to the next line whole. An empty tag after each CJK
#: character is a break opportunity that draws nothing; none goes before closing punctuation (。，、…
#: never start a line) and none inside Latin words.
BREAK = "[i][/i]"
_NO_LINE_START = set("，。、：；！？）」』】〉》”’…—·％,.;:!?)")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF


def _breakable(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if nxt and _is_cjk(ch) and nxt not in _NO_LINE_START:
            out.append(BREAK)
    return "".join(out)


def _kivy_line(line: Line, keep: Callable[[str], bool] | None, breaks: bool) -> str:
    out = []
    for span in line:
        text = "".join(ch for ch in span.text if keep(ch)) if keep else span.text
        text = kivy_escape(text)  # entities are ASCII: no break lands inside one
        if breaks:
            text = _breakable(text)
        out.append(f"[b]{text}[/b]" if span.bold and text else text)
    return "".join(out)


def kivy_rows(blocks: Iterable[Block], max_chars: int = 240, keep: Callable[[str], bool] | None = None,
              breaks: bool = True) -> list[KivyRow]:
    """Kivy markup for the reader screen, one row per line, long lines cut at ``max_chars``.

    ``keep(ch)`` filters characters the kiosk's font cannot draw (emoji), decided by the screen that
    knows the font; ``breaks`` adds the line-break opportunities Kivy needs for Chinese (:data:`BREAK`).
    Sizes and colours are left to the screen (per row kind).
    """
    rows: list[KivyRow] = []
    for b in blocks:
        first = True
        for line in b.lines:
            kind = "li" if b.kind == "ul" else b.kind
            for i, piece in enumerate(_split_line(line, max_chars)):
                text = _kivy_line(piece, keep, breaks)
                if kind == "li":
                    text = ("•  " if i == 0 else "    ") + text
                rows.append(KivyRow(kind, text, first))
                first = False
    return rows
