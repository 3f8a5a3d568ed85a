"""The public notice pages for phones: ``/notices`` (boards as tabs), ``/notices/{id}``, outcomes, Atom feeds.

Chinese by default, English chrome with ``?lang=en`` (the notices themselves are written in Chinese).
Every page is built from escaped fragments (markupsafe) inside the site's layout; a notice body is
rendered by :mod:`.markup`, which escapes everything it does not itself produce. Only entries that show
now are served: after its end time a notice's page answers 404 like one that never existed.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from markupsafe import Markup

from kiosk.api.web import PathId, link as url, text_for as t, message, page, request_lang
from kiosk.api import KioskContext

from . import boards, entries, feed, markup
from .entries import Entry
from .images import image_of

CSS = Path(__file__).with_name("static") / "notices.css"
STYLES = ("/notices/static/notices.css",)


def flags(request: Request, entry: Entry) -> Markup:
    out = Markup("")
    if entry.urgent:
        out += Markup('<span class="n-flag n-urgent">{}</span>').format(t(request, "紧急", "Urgent"))
    if entry.pinned:
        out += Markup('<span class="n-flag n-pinned">{}</span>').format(t(request, "置顶", "Pinned"))
    return out


def tabs(request: Request, current: str, base: str = "/notices") -> Markup:
    links = Markup("").join(
        Markup('<a class="n-tab{}" href="{}"{}>{}</a>').format(
            " current" if b.code == current else "", url(request, base, board=b.code),
            Markup(' aria-current="page"') if b.code == current else "", b.title(request_lang(request)))
        for b in boards.BOARDS)
    return Markup('<nav class="n-tabs" aria-label="{}">{}</nav>').format(t(request, "栏目", "Boards"), links)


def entry_list(request: Request, items: list[Entry]) -> Markup:
    if not items:
        return Markup('<p class="hint">{}</p>').format(t(request, "这个栏目暂时没有内容", "Nothing on this board at the moment"))
    rows = Markup("").join(
        Markup('<li class="n-item{}"><a href="{}">{}<span class="n-title">{}</span><span class="n-date">{}</span></a></li>').format(
            " n-item-urgent" if e.urgent else "", url(request, e.path), flags(request, e), e.title, entries.when_text(e.date))
        for e in items)
    return Markup('<ul class="n-list">{}</ul>').format(rows)


def article(request: Request, entry: Entry) -> Markup:
    """A notice's reading view: board, date, flags, picture, body, the outcome's own link."""
    board = boards.BY_CODE[entry.board]
    out = Markup('<p class="n-meta"><a href="{}">{}</a> · {} {}</p>').format(
        url(request, "/notices", board=board.code), board.title(request_lang(request)), entries.when_text(entry.date), flags(request, entry))
    if entry.image:
        out += Markup('<p class="n-picture"><img src="/notices/{}/image" alt="{}"></p>').format(entry.notice_id, t(request, "配图", "Picture"))
    out += Markup('<article class="n-body">{}</article>').format(markup.to_html(entry.blocks))
    if entry.link:
        out += Markup('<p><a class="button" href="{}">{}</a></p>').format(entry.link, t(request, "查看办理详情", "See the case"))
    return out


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    @router.get("/notices/static/notices.css", include_in_schema=False)
    def css():
        return FileResponse(CSS, media_type="text/css")

    @router.get("/notices")
    def boards_page(request: Request, board: str = "notice"):
        lang = request_lang(request)
        current = boards.board(board) or boards.BOARDS[0]
        body = tabs(request, current.code) + entry_list(request, entries.board_entries(ctx, current.code, lang))
        body += Markup('<p class="n-feed"><a href="{}">{}</a></p>').format(
            url(request, f"/notices/feed/{current.code}.atom"), t(request, "订阅本栏目（Atom 订阅源）", "Follow this board (Atom feed)"))
        return page(request, t(request, "通知公告", "Notices"), body, stylesheets=STYLES)

    @router.get("/notices/{notice_id:int}")
    def notice_page(request: Request, notice_id: PathId):
        entry = entries.find(ctx, str(notice_id), request_lang(request))
        if entry is None:
            return _gone(request)
        return page(request, entry.title, article(request, entry), stylesheets=STYLES)

    @router.get("/notices/{notice_id:int}/image")
    def notice_image(request: Request, notice_id: PathId):
        from kiosk.api.web import current_user

        visible = entries.find(ctx, str(notice_id)) is not None or current_user(request) is not None  # staff preview
        row = image_of(ctx, notice_id) if visible else None
        if row is None:
            return Response(status_code=404)
        return Response(row.data, media_type=row.mime, headers={"Cache-Control": "private, max-age=300", "ETag": f'"{row.digest}"'})

    @router.get("/notices/outcome/{plugin}/{outcome_id:path}")
    def outcome_page(request: Request, plugin: str, outcome_id: str):
        entry = entries.find(ctx, f"o/{plugin}/{outcome_id}", request_lang(request))
        if entry is None:
            return _gone(request)
        return page(request, entry.title, article(request, entry), stylesheets=STYLES)

    @router.get("/notices/feed/{name}")
    def atom_feed(request: Request, name: str):
        board = boards.board(name.removesuffix(".atom")) if name.endswith(".atom") else None
        if board is None:
            return _gone(request)
        lang = request_lang(request)
        body = feed.atom(ctx, board, entries.board_entries(ctx, board.code, lang), lang)
        return Response(body, media_type="application/atom+xml; charset=utf-8")  # never cached: an ended notice leaves at once

    return router


def _gone(request: Request):
    return message(request, t(request, "没有找到这条通知", "Notice not found"),
                   t(request, "这条通知不存在、已到期或已撤下。", "This notice does not exist, has ended or was taken down."), 404)
