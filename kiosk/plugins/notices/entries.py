"""What a reader sees on a board: notices and other plugins' published outcomes, as one kind of entry.

The kiosk screens, the public web pages, the Atom feeds, the CLI listing and the receipts all read
entries from here, so a notice that ends at 18:00 leaves every surface at the same instant, and an
outcome another plugin publishes appears on the 公示反馈 board everywhere at once.

Outcomes come from ``kiosk_public_outcomes`` through ``ctx.host.call``: each plugin is called on its own,
so one that fails or answers nonsense is recorded as that plugin's error and the board still shows
the others. Outcomes are listed from every installed plugin, enabled this season or not: a published
result stays public for the residents who supervise it. Each outcome passes the public guard
(``ctx.find_personal_data``) on its way to the board, the outcome pages and the Atom feed: one that
holds a phone, an ID or a bank card number is left out and recorded as its plugin's error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select

from kiosk.api import KioskContext, PublicOutcome

from . import boards, markup, service
from .models import Notice, NoticeImage

MAX_OUTCOMES = 200  # per board listing; the newest first


@dataclass(frozen=True)
class Entry:
    """One readable item. ``key`` is the notice id, or ``o/<plugin>/<outcome id>`` for an outcome."""

    key: str
    board: str
    title: str
    blocks: tuple[markup.Block, ...]
    date: datetime  # local time of the center: when it went up
    updated: datetime  # local time of the last change (Atom's <updated>)
    urgent: bool = False
    pinned: bool = False
    notice_id: int | None = None
    image: bool = False
    link: str | None = None  # an outcome's own page (its tracking page), when it has one

    @property
    def path(self) -> str:
        """The public page of this entry on the web host."""
        if self.notice_id is not None:
            return f"/notices/{self.notice_id}"
        _o, plugin, oid = self.key.split("/", 2)
        return f"/notices/outcome/{quote(plugin, safe='')}/{quote(oid, safe='')}"

    def summary(self, limit: int = 80) -> str:
        return markup.summary(self.blocks, limit)


def notice_entry(ctx: KioskContext, notice: Notice, image: bool = False) -> Entry:
    tz = ctx.settings.tz
    return Entry(
        key=str(notice.id), board=notice.board, title=notice.title, blocks=tuple(markup.parse(notice.body)),
        date=notice.start_at.astimezone(tz), updated=max(notice.start_at, notice.updated_at).astimezone(tz),
        urgent=notice.urgent, pinned=notice.pinned, notice_id=notice.id, image=image,
    )


def _with_images(ctx: KioskContext, notices: list[Notice]) -> list[Entry]:
    ids = [n.id for n in notices]
    with ctx.sessions() as s:
        pictured = set(s.scalars(select(NoticeImage.notice_id).where(NoticeImage.notice_id.in_(ids)))) if ids else set()
    return [notice_entry(ctx, n, n.id in pictured) for n in notices]


def _outcome_entry(ctx: KioskContext, plugin: str, item: PublicOutcome) -> Entry:
    tz = ctx.settings.tz
    when = item.published_at.astimezone(tz)
    link = item.url if isinstance(item.url, str) and item.url.startswith(("https://", "http://", "/")) else None
    return Entry(key=f"o/{plugin}/{item.id}", board=boards.OUTCOMES, title=markup.clean(item.title, single_line=True)[:markup.MAX_TITLE],
                 blocks=tuple(markup.plain_blocks(str(item.body)[: markup.MAX_BODY])), date=when, updated=when, link=link)


def outcome_entries(ctx: KioskContext, lang: str = "zh_CN", only: list[str] | None = None) -> list[Entry]:
    """Every plugin's public outcomes dated up to now, newest first; malformed ones are recorded and skipped."""
    now = ctx.now()
    out: list[Entry] = []
    for plugin, result in ctx.host.call("kiosk_public_outcomes", only=only, ctx=ctx, lang=lang):
        for item in result if isinstance(result, (list, tuple)) else [result]:
            ok = (isinstance(item, PublicOutcome) and isinstance(item.id, str) and item.id and len(item.id) <= 100
                  and isinstance(item.published_at, datetime) and item.published_at.tzinfo is not None)
            if not ok:
                ctx.host.record_error(plugin, "kiosk_public_outcomes", f"not a PublicOutcome with a string id and an aware time: {item!r}"[:300])
                continue
            found = ctx.find_personal_data(f"{item.title}\n{item.body}")
            if found:  # the public guard: never shown, and the plugin's error names what (not the number itself)
                ctx.host.record_error(plugin, "kiosk_public_outcomes", f"outcome {item.id[:40]!r} not shown: it holds "
                                      + ", ".join(f.label("en") for f in found)[:200])
                continue
            if item.published_at <= now:
                out.append(_outcome_entry(ctx, plugin, item))
    out.sort(key=lambda e: e.date, reverse=True)
    return out[:MAX_OUTCOMES]


def board_entries(ctx: KioskContext, board: str, lang: str = "zh_CN") -> list[Entry]:
    """What ``board`` shows now, in its order (urgent, pinned, newest)."""
    if board == boards.OUTCOMES:
        return outcome_entries(ctx, lang)
    return _with_images(ctx, service.showing(ctx, board))


def showing_entries(ctx: KioskContext, lang: str = "zh_CN") -> list[Entry]:
    """Everything the kiosk shows now, board by board."""
    notices = _with_images(ctx, service.showing(ctx))
    order = {b.code: i for i, b in enumerate(boards.BOARDS)}
    notices.sort(key=lambda e: order.get(e.board, 99))  # stable: keeps the urgent/pinned/newest order
    return notices + outcome_entries(ctx, lang)


def find(ctx: KioskContext, key: str, lang: str = "zh_CN") -> Entry | None:
    """The entry ``key`` if it shows now (a notice id or ``o/<plugin>/<id>``), else None."""
    key = str(key or "")
    if key.isdigit():
        notice = service.showing_notice(ctx, key)
        return _with_images(ctx, [notice])[0] if notice else None
    if key.startswith("o/") and key.count("/") >= 2:
        plugin = key.split("/", 2)[1]
        return next((e for e in outcome_entries(ctx, lang, only=[plugin]) if e.key == key), None)
    return None


def when_text(entry_date: datetime) -> str:
    return entry_date.strftime("%Y-%m-%d")
