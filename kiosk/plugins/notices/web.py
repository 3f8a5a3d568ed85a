"""The public notice pages for phones: ``/notices`` (boards as tabs), ``/notices/{id}``, outcomes, Atom feeds.

Chinese by default, English chrome with ``?lang=en`` (the notices themselves are written in Chinese).
Every page is a template of this plugin (``templates/``) inside the site's layout; a notice body is
rendered by :mod:`.markup`, which escapes everything it does not itself produce. Only entries that show
now are served: after its end time a notice's page answers 404 like one that never existed.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kiosk.api import KioskContext
from kiosk.api.web import message, PathId, render_plugin, request_lang, static_url, text_for as t

from . import boards, entries, feed, markup
from .entries import Entry
from .images import image_of

PLUGIN = "notices"
STYLES = (static_url(PLUGIN, "notices.css"),)


def notice_page(request: Request, entry: Entry):
    """A notice's reading view (templates/notice.html); the body is :mod:`.markup`'s escaped HTML."""
    return render_plugin(request, PLUGIN, "notice.html", title=entry.title, entry=entry, board=boards.BY_CODE[entry.board],
                         body=markup.to_html(entry.blocks), when_text=entries.when_text, stylesheets=STYLES)


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    @router.get("/notices")
    def boards_page(request: Request, board: str = "notice"):
        current = boards.board(board) or boards.BOARDS[0]
        return render_plugin(request, PLUGIN, "board.html", title=t(request, "通知公告", "Notices"), boards=boards.BOARDS,
                             current=current, items=entries.board_entries(ctx, current.code, request_lang(request)),
                             when_text=entries.when_text, stylesheets=STYLES)

    @router.get("/notices/{notice_id:int}")
    def one_notice(request: Request, notice_id: PathId):
        entry = entries.find(ctx, str(notice_id), request_lang(request))
        if entry is None:
            return _gone(request)
        return notice_page(request, entry)

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
        return notice_page(request, entry)

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
