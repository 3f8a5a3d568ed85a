"""/staff/privacy (admin): a resident's copy of their data, and its erasure, from the staff area.

The same :mod:`kiosk.privacy` functions as ``kiosk privacy export|erase``, audited the same way. The
phone travels only in POST bodies (never in a URL, so no access log or browser history keeps it), every
form carries the CSRF token, and erasure takes two steps: the page first lists what would go, then a
second form with a confirmation box erases it.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from kiosk import privacy
from kiosk.i18n import translator
from kiosk.phone import PhoneError
from kiosk.web.auth import StaffIdentity, client_ip, require_admin
from kiosk.web.templating import render, request_lang, text_for

router = APIRouter()
TEMPLATE = "staff_privacy.html"


def _page(request: Request, status: int = 200, **values):
    def t(zh: str, en: str) -> str:
        return text_for(request, zh, en)

    values.setdefault("phone", "")
    values.setdefault("error", "")
    values.setdefault("report", None)
    values.setdefault("step", "")
    return render(request, TEMPLATE, status, title=t("个人信息查询与删除", "Personal data: copy and erasure"), t=t,
                  en=request_lang(request) == "en", **values)


def _number(request: Request, raw: str) -> tuple[str | None, str]:
    """The stored form of ``raw``, or None and the message saying what is wrong (in the page's language)."""
    try:
        return privacy.normalized(raw), ""
    except PhoneError as exc:
        lang = request_lang(request)
        return None, translator("en" if lang == "en" else "zh_CN", "shell")(exc.msgid)


def _actor(user: StaffIdentity) -> str:
    return f"web:{user.username}"


@router.get("/staff/privacy")
def privacy_page(request: Request, user: StaffIdentity = Depends(require_admin)):
    return _page(request)


@router.post("/staff/privacy")
def privacy_lookup(request: Request, phone: str = Form(""), user: StaffIdentity = Depends(require_admin)):
    """Show everything held about the phone (audited as ``privacy.export``)."""
    number, error = _number(request, phone)
    if number is None:
        return _page(request, 400, phone=phone, error=error)
    report = privacy.export(request.app.state.ctx, number, actor=_actor(user), ip=client_ip(request))
    return _page(request, phone=phone, report=report, step="export")


@router.post("/staff/privacy/export.json")
def privacy_download(request: Request, phone: str = Form(""), user: StaffIdentity = Depends(require_admin)):
    """The same export as a JSON file to hand to the resident."""
    number, error = _number(request, phone)
    if number is None:
        return _page(request, 400, phone=phone, error=error)
    report = privacy.export(request.app.state.ctx, number, actor=_actor(user), ip=client_ip(request))
    body = json.dumps(report.as_json(), ensure_ascii=False, indent=2, default=str)
    digits = report.masked.replace("*", "x").replace("-", "")
    return Response(body, media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="personal-data-{digits}.json"',
                             "Cache-Control": "no-store"})


@router.post("/staff/privacy/erase")
def privacy_erase(request: Request, phone: str = Form(""), confirm: str = Form(""),
                  user: StaffIdentity = Depends(require_admin)):
    """Without ``confirm``: what would go (audited as ``privacy.preview``). With it: erase (``privacy.erase``)."""
    number, error = _number(request, phone)
    if number is None:
        return _page(request, 400, phone=phone, error=error)
    ctx = request.app.state.ctx
    yes = confirm == "yes"
    report = privacy.erase(ctx, number, actor=_actor(user), ip=client_ip(request), confirm=yes)
    return _page(request, phone="" if yes else phone, report=report, step="erased" if yes else "preview")
