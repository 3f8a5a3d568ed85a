"""The staff side of the kiosk's "请工作人员帮助" button: the open requests and 已处理.

Why every staff page shows a banner (``help_banner`` in :func:`kiosk.web.templating.base_context`):
staff keep whatever page they work on open, and a resident waiting at a kiosk must not depend on
someone opening this list. The staff home and this page reload themselves (the site runs no scripts),
so a request shows up within half a minute there.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from kiosk.helpdesk import UnknownHelpRequest, mark_done, open_requests, recent_done
from kiosk.web.auth import StaffIdentity, require_staff
from kiosk.web.openapi import PathId, form_body
from kiosk.web.staff import _ago, plugin_title
from kiosk.web.templating import gettext_for, lang_url, message, render, request_lang

router = APIRouter()

REFRESH_SECONDS = 15


def _screen_name(request: Request, screen: str) -> str:
    """"取号 · queue.services": staff know the plugins by their titles (screen names start with the plugin's)."""
    plugin = screen.split(".", 1)[0]
    if plugin and plugin in request.app.state.ctx.host.plugins:
        return f"{plugin_title(request, plugin)} · {screen}"
    return screen or "-"


def _rows(request: Request, calls) -> list[dict]:
    _ = gettext_for(request)
    tz = request.app.state.ctx.settings.tz
    return [{"id": c.id, "terminal": c.terminal, "screen": _screen_name(request, c.screen), "ago": _ago(_, c.age_seconds),
             "at": c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "done_by": c.done_by,
             "done_at": c.done_at.astimezone(tz).strftime("%H:%M") if c.done_at else ""} for c in calls]


@router.get("/staff/help")
def help_page(request: Request, user: StaffIdentity = Depends(require_staff)):
    """Open help requests, the longest waiting first, each with 已处理; the last handled ones below."""
    ctx = request.app.state.ctx
    _ = gettext_for(request)
    return render(request, "staff_help.html", title=_("Help requests"), rows=_rows(request, open_requests(ctx)),
                  done=_rows(request, recent_done(ctx, 10)), refresh=REFRESH_SECONDS,
                  flash=request.session.pop("flash", ""))


@router.post("/staff/help/{request_id}/done", openapi_extra=form_body())
def help_done(request: Request, request_id: PathId, user: StaffIdentity = Depends(require_staff)):
    ctx = request.app.state.ctx
    _ = gettext_for(request)
    try:
        call, closed = mark_done(ctx, request_id, f"web:{user.username}")
    except UnknownHelpRequest:
        return message(request, _("No such help request"), _("It may have been removed. Please go back to the list."), 404)
    text = _("The request from {terminal} is marked as handled.") if closed else _("The request from {terminal} was already handled.")
    request.session["flash"] = text.format(terminal=call.terminal)
    return RedirectResponse(lang_url(request_lang(request), "/staff/help"), status_code=303)
