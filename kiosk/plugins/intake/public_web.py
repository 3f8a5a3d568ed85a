"""The intake's public pages: the 公示 list, looking a case up by its number, and the resident's rating.

Every form carries the session's CSRF field; look-ups and ratings count against the client's look-up
limit, and five wrong tries of a case number lock that case and that client for 15 minutes. The pages are
this plugin's templates (``templates/``); the rating form is the tracking page's own (:func:`.tracking.rating_form`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from kiosk.api import KioskContext
from kiosk.api.web import client_ip, csrf_input, FailureLock, limit_lookups, link as _url, render_plugin, text_for as t

from . import public, service, workflow
from .tracking import rating_form
from .validation import Invalid
from .web_parts import PLUGIN, STYLES, lang_of

LOOKUP_FAILURES = 5
LOOKUP_LOCK_SECONDS = 15 * 60


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()
    lookups = FailureLock(ctx, "case-lookup", LOOKUP_FAILURES, LOOKUP_LOCK_SECONDS)  # in the database: shared by all workers

    @router.get("/cases/public")
    def public_list(request: Request):
        """公示反馈: published outcomes (the same projection the notices board and Open311 use)."""
        return render_plugin(request, PLUGIN, "outcomes.html", title=t(request, "民生诉求公示反馈", "Published outcomes"),
                             items=public.outcomes(ctx, lang_of(request)), stylesheets=STYLES)

    def _lookup_form(request: Request, error: str = "", case_no: str = "", status: int = 200):
        return render_plugin(request, PLUGIN, "lookup.html", status, title=t(request, "查询诉求进度", "Follow a request"), error=error,
                             case_no=case_no, stylesheets=STYLES)

    @router.get("/cases/lookup")
    def lookup_form(request: Request):
        return _lookup_form(request)

    @router.post("/cases/lookup", dependencies=[Depends(limit_lookups)])
    def lookup_submit(request: Request, case_no: str = Form(""), last4: str = Form("")):
        from kiosk.api import Receipt, add_token

        case_no = case_no.strip().upper()[:20]
        key = f"case:{case_no}"
        wait = lookups.locked_for(key) or lookups.locked_for(f"ip:{client_ip(request)}")
        if wait:
            return _lookup_form(request, t(request, f"尝试次数过多，请 {wait // 60 + 1} 分钟后再试", f"Too many tries: try again in {wait // 60 + 1} minutes"),
                                case_no, 429)
        try:
            c = service.card(ctx, case_no)
        except service.NotFound:
            c = None
        phone = (c.case.phone or "") if c else ""
        digits = "".join(ch for ch in phone if ch.isdigit())
        if c is None or len(last4) != 4 or not digits.endswith(last4) or c.case.receipt_id is None:
            lookups.failed(key)
            lookups.failed(f"ip:{client_ip(request)}")
            return _lookup_form(request, t(request, "编号或手机号后四位不对，请核对后再试", "The number or the digits do not match"), case_no, 404)
        lookups.succeeded(key)
        with ctx.transaction() as s:
            receipt = s.get(Receipt, c.case.receipt_id)
            issued = add_token(s, ctx.settings, receipt)
        return RedirectResponse(_url(request, f"/t/{issued.token}"), status_code=303)

    def _case_of_token(token: str):
        from kiosk.api import find_receipt

        with ctx.sessions() as s:
            r = find_receipt(s, token)
            if r is None or r.plugin != service.PLUGIN or r.kind != "case":
                return None
            return int(r.subject)

    def _rate_page(request: Request, status_code: int = 200, **values):
        values = {"response": None, "text": "", "text_class": "notice", "back_href": "", "back_label": "", "form": None} | values
        return render_plugin(request, PLUGIN, "rate.html", status_code, title=t(request, "评价办理结果", "Rate the outcome"), **values)

    def _not_found(request: Request):
        return render_plugin(request, PLUGIN, "rate.html", 404, title=t(request, "未找到这件诉求", "Request not found"), response=None,
                             text="", back_href="", form=None)

    @router.get("/cases/rate/{token}", dependencies=[Depends(limit_lookups)])
    def rate_page(request: Request, token: str):
        case_id = _case_of_token(token)
        if case_id is None:
            return _not_found(request)
        c = service.card(ctx, case_id=case_id)
        if c.case.state not in workflow.RATEABLE:
            return _rate_page(request, text=t(request, "这件诉求现在不能评价：办结后才能评价。", "This request can be rated once it is resolved."),
                              back_href=_url(request, f"/t/{token}"), back_label=t(request, "返回查看进度", "Back"))
        return _rate_page(request, response=c.case.public_response, form=rating_form(token, lang_of(request), csrf=csrf_input(request)),
                          stylesheets=STYLES)

    @router.post("/cases/rate/{token}", dependencies=[Depends(limit_lookups)])
    def rate_submit(request: Request, token: str, level: str = Form(""), comment: str = Form("")):
        case_id = _case_of_token(token)
        if case_id is None:
            return _not_found(request)
        lang = lang_of(request)
        try:
            case = service.rate(ctx, case_id, level, comment, channel="web", by="resident")
        except Invalid as exc:
            return _rate_page(request, 400, form=rating_form(token, lang, exc.errors[0].text(lang), comment, csrf_input(request)),
                              stylesheets=STYLES)
        except workflow.Refused as exc:
            return _rate_page(request, 409, text=exc.en if lang == "en" else exc.zh, stylesheets=STYLES)
        text = (t(request, "谢谢您的评价。我们会重新办理，并尽快与您联系。", "Thank you. We will work on it again and contact you.")
                if case.state == "reopened" else t(request, "谢谢您的评价！", "Thank you for your rating!"))
        return _rate_page(request, text=text, text_class="flash", back_href=_url(request, f"/t/{token}"),
                          back_label=t(request, "返回查看进度", "Back to the request"), stylesheets=STYLES)

    return router
