"""The public side: the tracking page a receipt's QR code opens, and the same data as JSON.

The page is built from the receipt row first and the issuing plugin's :class:`TrackingView` second:
if the plugin is gone or fails, the resident still sees the number, title and lines of their slip.
Look-ups are rate-limited per client before the database is touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from markupsafe import Markup

from kiosk.models import Receipt
from kiosk.publicguard import mask_personal_data
from kiosk.receipts import find_receipt, receipt_json, receipt_state
from kiosk.types import TrackingView
from kiosk.web.auth import client_ip
from kiosk.web.templating import gettext_for, message, render, request_lang

log = logging.getLogger(__name__)

#: Token pages must not leak the token (Referer), be cached by a shared proxy, or be indexed.
TOKEN_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
MIN_REFRESH, MAX_REFRESH = 10, 3600

router = APIRouter()


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def limit_lookups(request: Request) -> None:
    """Dependency: count one token look-up for this client; raise :class:`RateLimited` past the limit."""
    wait = request.app.state.token_limiter.hit(client_ip(request))
    if wait:
        raise RateLimited(wait)


def rate_limited_response(request: Request, exc: RateLimited):
    headers = {"Retry-After": str(exc.retry_after), **TOKEN_HEADERS}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "rate_limited", "retry_after": exc.retry_after}, 429, headers)
    _ = gettext_for(request)
    text = _("Please wait {seconds} seconds and try again.").format(seconds=exc.retry_after)
    return message(request, _("Too many look-ups"), text, 429, headers)


def _lookup(request: Request, token: str) -> Receipt | None:
    with request.app.state.ctx.sessions() as session:
        return find_receipt(session, token)


@dataclass
class SafeView:
    """A plugin's view checked for shape, so a malformed one degrades to the receipt's own lines."""

    title: str
    status: str
    rows: list[tuple[str, str]]
    html: Markup
    refresh: int
    number: str = ""  # the plugin's current number, when it changed since the slip (候补 3 → 已报名)


def plugin_view(request: Request, receipt: Receipt, lang: str, token: str = "") -> SafeView | None:
    ctx = request.app.state.ctx
    view = ctx.tracking_view(receipt, lang, token)
    if not isinstance(view, TrackingView):
        return None
    try:
        rows = [(str(label), str(value)) for label, value in view.rows]
        refresh = min(max(int(view.refresh), MIN_REFRESH), MAX_REFRESH) if view.refresh else 0
        number = view.data.get("number") if isinstance(view.data, dict) else None
        return SafeView(str(view.title), str(view.status or ""), rows, Markup(view.html or ""), refresh,
                        number if isinstance(number, str) else "")
    except (TypeError, ValueError) as exc:
        ctx.host.record_error(receipt.plugin, "kiosk_tracking_view", f"malformed TrackingView: {exc}")
        return None


def _gone(request: Request, state: str):
    _ = gettext_for(request)
    if state == "revoked":
        title = _("This receipt has been cancelled")
        text = _("The service center cancelled this receipt. Please ask at the front desk.")
    else:
        title = _("This receipt has expired")
        text = _("This tracking link is no longer valid. If you still need help, please ask at the front desk.")
    return message(request, title, text, 410, TOKEN_HEADERS)


@router.get("/t/{token}", dependencies=[Depends(limit_lookups)])
def tracking_page(request: Request, token: str):
    _ = gettext_for(request)
    receipt = _lookup(request, token)
    if receipt is None:
        text = _("Please check the QR code or link, or ask at the front desk.")
        return message(request, _("Receipt not found"), text, 404, TOKEN_HEADERS)
    state = receipt_state(receipt)
    if state != "valid":
        return _gone(request, state)
    view = plugin_view(request, receipt, request_lang(request), token)
    tz = request.app.state.ctx.settings.tz
    return render(
        request,
        "tracking.html",
        headers=TOKEN_HEADERS,
        title=view.title if view else receipt.title,
        receipt=receipt,
        lines=[mask_personal_data(str(line)) for line in receipt.lines or []],  # slips issued before the guard
        view=view,
        refresh=view.refresh if view else 0,
        issued=receipt.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        expires=receipt.expires_at.astimezone(tz).strftime("%Y-%m-%d") if receipt.expires_at else "",
    )


@router.get("/api/receipts/{token}", dependencies=[Depends(limit_lookups)])
def receipt_api(request: Request, token: str):
    receipt = _lookup(request, token)
    if receipt is None:
        return JSONResponse({"error": "not_found"}, 404, TOKEN_HEADERS)
    state = receipt_state(receipt)
    if state != "valid":
        return JSONResponse({"error": state}, 410, TOKEN_HEADERS)
    data = receipt_json(receipt, request.app.state.ctx.settings)
    view = plugin_view(request, receipt, request_lang(request), token)
    data["tracking"] = {"title": view.title, "status": view.status, "rows": [list(r) for r in view.rows]} if view else None
    return JSONResponse(data, headers=TOKEN_HEADERS)
