"""「扫码带走」: a receipt whose QR opens the same notice on a phone, and its tracking page.

The receipt row holds only the notice's id, title and board: no personal data, nothing about who
tapped. The tracking page shows the notice only while it shows on the boards; after its end time or a
withdrawal the link says so instead of keeping a withdrawn text alive.
"""

from __future__ import annotations

from markupsafe import Markup

from kiosk.api import KioskContext, IssuedReceipt, TrackingView

from . import boards, entries, markup
from .service import PLUGIN, NoticeError


def slip_text(text: str) -> str:
    """Text a thermal printer's Chinese font can print: characters in GBK (emoji and rare symbols left out)."""
    kept = []
    for ch in text:
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            continue
        kept.append(ch)
    return " ".join("".join(kept).split())


def issue(ctx: KioskContext, key: str, lang: str = "zh_CN") -> IssuedReceipt:
    """Issue the take-away receipt of entry ``key`` (a notice id or ``o/<plugin>/<id>``)."""
    entry = entries.find(ctx, key, lang)
    if entry is None:
        raise NoticeError("gone", "这条通知已下架", "this notice is no longer shown")
    board = boards.BY_CODE[entry.board]
    if entry.notice_id is not None:
        kind, subject, number = "notice", str(entry.notice_id), f"N{entry.notice_id}"
    else:
        kind, subject = "outcome", entry.key[2:]
        number = entry.key.rsplit("/", 1)[1][:16] or "公示"
    lines = [f"栏目：{board.name}", f"发布日期：{entries.when_text(entry.date)}", "扫描二维码，在手机上阅读全文"]
    with ctx.transaction() as s:
        return ctx.issue_receipt(s, plugin=PLUGIN, kind=kind, subject=subject[:128], number=slip_text(number) or "N",
                                 title=slip_text(entry.title) or board.name, lines=lines)


def _key(receipt) -> str | None:
    if receipt.kind == "notice":
        return receipt.subject
    if receipt.kind == "outcome":
        return "o/" + receipt.subject
    return None


def tracking_view(ctx: KioskContext, receipt, lang: str) -> TrackingView | None:
    key = _key(receipt)
    if key is None:
        return None
    en = lang == "en"
    entry = entries.find(ctx, key, lang)
    if entry is None:
        text = "This notice has ended or was taken down." if en else "这条通知已到期或已撤下。"
        return TrackingView(title=receipt.title, status="Ended" if en else "已下架",
                            html=str(Markup('<p class="message">{}</p>').format(text)), data={"showing": False})
    board = boards.BY_CODE[entry.board]
    suffix = "?lang=en" if en else ""
    # The picture (if any) is on the notice's own page: the tracking page has no stylesheet of ours to size it.
    html = Markup('<div class="n-body">{}</div>').format(markup.to_html(entry.blocks))
    if entry.link:
        html += Markup('<p><a href="{}">{}</a></p>').format(entry.link, "Details" if en else "查看办理详情")
    html += Markup('<p><a class="button" href="{}{}">{}</a></p>').format(
        entry.path, suffix, "Open on the notice board" if en else "在公告栏中查看")
    return TrackingView(
        title=entry.title, status="On the board" if en else "公告中",
        rows=[("Board" if en else "栏目", board.title(lang)), ("Date" if en else "发布日期", entries.when_text(entry.date))],
        html=str(html), data={"showing": True, "board": entry.board, "path": entry.path},
    )
