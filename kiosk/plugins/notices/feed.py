"""The Atom feed of one board, so a resident or a WeChat group's admin can follow it in a feed reader.

Built with ElementTree, which escapes every text and attribute; bodies are cleaned of control
characters when they are stored, so the document is always well-formed XML. Times carry the center's
offset (+08:00), as residents read them.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from kiosk.api import KioskContext

from . import boards, markup
from .entries import Entry

ATOM = "http://www.w3.org/2005/Atom"


def _time(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def atom(ctx: KioskContext, board: boards.Board, items: list[Entry], lang: str = "zh_CN") -> bytes:
    base = ctx.settings.base_url
    center = ctx.settings.center_name_en if lang == "en" else ctx.settings.center_name
    suffix = "&lang=en" if lang == "en" else ""
    feed = Element("feed", {"xmlns": ATOM, "xml:lang": "en" if lang == "en" else "zh-CN"})
    SubElement(feed, "id").text = f"{base}/notices/feed/{board.code}.atom"
    SubElement(feed, "title").text = f"{center} · {board.title(lang)}"
    newest = max((e.updated for e in items), default=None) or ctx.now()
    SubElement(feed, "updated").text = _time(newest)
    SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": f"{base}/notices/feed/{board.code}.atom"})
    SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": f"{base}/notices?board={board.code}{suffix}"})
    SubElement(SubElement(feed, "author"), "name").text = center
    for item in items:
        entry = SubElement(feed, "entry")
        url = f"{base}{item.path}"
        SubElement(entry, "id").text = url
        SubElement(entry, "title").text = ("【紧急】" if item.urgent else "") + item.title
        SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
        SubElement(entry, "published").text = _time(item.date)
        SubElement(entry, "updated").text = _time(item.updated)
        SubElement(entry, "summary").text = item.summary(140)
        SubElement(entry, "content", {"type": "html"}).text = str(markup.to_html(item.blocks))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(feed, encoding="unicode").encode("utf-8")
