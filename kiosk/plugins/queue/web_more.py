"""The queue's resident pages beyond the board, and the staff pages for appointments and rating alerts.

Public: 网上取号 (/queue/remote), arrival by the hall's rotating QR (/queue/here/{code}), the ticket's
own actions reached from its tracking page (activate, 推后, 重新排队), and the rating pad that stands
on a counter (/queue/counter/{n}/rate). Staff: appointments (/staff/queue/appointments) and marking a
bad rating handled. Every public endpoint counts against the site's look-up limit; taking a remote
ticket has its own, stricter limit per address and hour. Nothing here asks for personal data.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import select

from kiosk.api import KioskContext, audit
from kiosk.api.web import (
    client_ip, csrf_input, limit_lookups, link as _url, page, PathId, RateLimited, request_lang, require_staff, SlidingWindowLimiter, StaffIdentity, static_url, text_for as t,
)

from . import appointments, pad, remote, service
from .models import QueueService, Ticket
from .service import QueueError

STYLES = (static_url("queue", "queue.css"),)
COOKIE = "kq_remote"


def _error(request: Request, exc: QueueError) -> Markup:
    return Markup('<p class="error" role="alert">{}</p>').format(exc.text(request_lang(request)))


def _remote_limiter(request: Request) -> SlidingWindowLimiter:
    """Per address and hour, created with the app's own clock (tests move it forward)."""
    state = request.app.state
    if getattr(state, "queue_remote_limiter", None) is None:
        per_hour = service.QueueSettings.of(state.ctx).remote_per_client_per_hour
        state.queue_remote_limiter = SlidingWindowLimiter(state.ctx, "queue-remote", per_hour, 3600.0, state.token_limiter.clock)
    return state.queue_remote_limiter


def _browser(request: Request) -> str:
    """This browser's random id, kept in its (signed) session: the namespace of its idempotency keys, so a key
    typed into the form by hand (another phone's, the REST API's) can never return someone else's ticket."""
    browser = request.session.get("browser")
    if not isinstance(browser, str) or len(browser) < 16:
        browser = secrets.token_urlsafe(16)
        request.session["browser"] = browser
    return browser


def _ticket(ctx: KioskContext, token: str) -> Ticket | None:
    from .web import _ticket_of

    ticket_id = _ticket_of(ctx, token)
    if ticket_id is None:
        return None
    with ctx.sessions() as s:
        return s.get(Ticket, ticket_id)


def _not_found(request: Request):
    return page(request, t(request, "未找到这张号", "Ticket not found"),
                Markup('<p class="notice">{}</p>').format(t(request, "请检查链接或二维码，或到前台咨询。", "Please check the link or QR code, or ask at the desk.")),
                404, stylesheets=STYLES)


def _back(request: Request, token: str) -> RedirectResponse:
    return RedirectResponse(_url(request, f"/t/{token}"), status_code=303)


def build_more_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    # -- 网上取号 ---------------------------------------------------------------------------------
    @router.get("/queue/remote")
    def remote_page(request: Request):
        return page(request, t(request, "网上取号", "Take a number online"), _remote_body(request, ctx), stylesheets=STYLES)

    @router.post("/queue/remote", dependencies=[Depends(limit_lookups)])
    def remote_take(request: Request, service_code: str = Form(""), key: str = Form("")):
        wait = _remote_limiter(request).hit(client_ip(request))
        if wait:
            raise RateLimited(wait)
        try:
            result = remote.take_remote(ctx, service_code, key=key or None, client=f"web:{_browser(request)}")
        except QueueError as exc:
            return page(request, t(request, "网上取号", "Take a number online"), _error(request, exc) + _remote_body(request, ctx), 400,
                        stylesheets=STYLES)
        token = result.url.rsplit("/t/", 1)[1]
        response = _back(request, token)
        response.set_cookie(COOKIE, token, max_age=24 * 3600, httponly=True, samesite="lax", secure=pad.secure_cookies(request, ctx),
                            path="/queue")
        return response

    @router.get("/queue/here/{code}", dependencies=[Depends(limit_lookups)])
    def here(request: Request, code: str):
        """The hall QR: with this phone's remote ticket in its cookie, activation is one scan."""
        if not remote.here_code_valid(ctx, code):
            return page(request, t(request, "二维码已过期", "This QR code has expired"), Markup('<p class="notice">{}</p>').format(
                t(request, "请重新扫描大厅屏幕上最新的二维码。", "Please scan the latest QR code on the hall screen again.")), 400, stylesheets=STYLES)
        token = request.cookies.get(COOKIE, "")
        ticket = _ticket(ctx, token) if token else None
        if ticket is not None and ticket.state == "pending":
            try:
                remote.activate_with_hall_code(ctx, ticket.id, code)
            except QueueError as exc:
                return page(request, t(request, "激活网上取号", "Activate your ticket"), _error(request, exc), 400, stylesheets=STYLES)
            return _back(request, token)
        if ticket is not None:
            return _back(request, token)
        body = Markup('<p class="notice">{}</p><p class="number">{}</p><p><a class="button" href="{}">{}</a></p>').format(
            t(request, "没有在本手机上找到网上取号。请打开您取号时的页面，点“我已到达，激活”，输入下面的到场码：",
              "No remote ticket was found on this phone. Open the page of your ticket, tap “I am here” and enter this code:"),
            code, _url(request, "/queue/remote"), t(request, "网上取号", "Take a number online"))
        return page(request, t(request, "欢迎来到服务大厅", "Welcome to the service hall"), body, stylesheets=STYLES)

    # -- actions from a ticket's tracking page ----------------------------------------------------
    def action_page(request: Request, token: str, action: str, title: str, text: str, button: str, field: Markup = Markup(""),
                    error: str = "", status: int = 200):
        body = Markup("{}<p>{}</p><form method=\"post\" action=\"{}\" class=\"stack\">{}{}<button type=\"submit\" class=\"button\">{}</button></form>"
                      "<p><a href=\"{}\">{}</a></p>").format(
            Markup('<p class="error" role="alert">{}</p>').format(error) if error else "", text, _url(request, f"/queue/{action}/{token}"),
            csrf_input(request), field, button, _url(request, f"/t/{token}"), t(request, "返回查看进度", "Back to the ticket"))
        return page(request, title, body, status, stylesheets=STYLES)

    def activate_form(request: Request, token: str, typed: str = "", error: str = "", status: int = 200):
        field = Markup('<label for="code">{}</label><input id="code" name="code" value="{}" inputmode="numeric" maxlength="6" '
                       'autocomplete="off" required>').format(t(request, "大厅屏幕二维码下方的 6 位到场码", "The 6 digits under the QR on the hall screen"), typed)
        return action_page(request, token, "activate", t(request, "激活网上取号", "Activate your ticket"),
                           t(request, "到达大厅后激活，激活后开始排队。", "Activate when you are in the hall: you join the line then."),
                           t(request, "我已到达，激活", "I am here: activate"), field, error, status)

    @router.get("/queue/activate/{token}", dependencies=[Depends(limit_lookups)])
    def activate_get(request: Request, token: str):
        return activate_form(request, token) if _ticket(ctx, token) else _not_found(request)

    @router.post("/queue/activate/{token}", dependencies=[Depends(limit_lookups)])
    def activate_post(request: Request, token: str, code: str = Form("")):
        ticket = _ticket(ctx, token)
        if ticket is None:
            return _not_found(request)
        try:
            remote.activate_with_hall_code(ctx, ticket.id, code)
        except QueueError as exc:
            return activate_form(request, token, code[:6], exc.text(request_lang(request)), 400)
        return _back(request, token)

    simple = {
        "pushback": (remote.push_back, ("推后", "Move back"),
                     ("让后面几位先办理，您的号往后推几位。次数有限。", "Let the next few people go first; you move back a few places. Limited times.")),
        "rejoin": (service.rejoin, ("重新排队", "Rejoin the line"),
                   ("您的号已过号。重新排队后，您排在过号后到来的人前面。只能自助一次。",
                    "Your number was missed. Rejoining puts you ahead of everyone who came after you. Once only.")),
    }

    def make(action: str):
        fn, (zh, en), (text_zh, text_en) = simple[action]

        def get(request: Request, token: str):
            if _ticket(ctx, token) is None:
                return _not_found(request)
            return action_page(request, token, action, t(request, zh, en), t(request, text_zh, text_en), t(request, zh, en))

        def post(request: Request, token: str):
            ticket = _ticket(ctx, token)
            if ticket is None:
                return _not_found(request)
            try:
                fn(ctx, ticket.id)
            except QueueError as exc:
                return action_page(request, token, action, t(request, zh, en), t(request, text_zh, text_en), t(request, zh, en),
                                   error=exc.text(request_lang(request)), status=400)
            return _back(request, token)

        router.add_api_route(f"/queue/{action}/{{token}}", get, methods=["GET"], dependencies=[Depends(limit_lookups)])
        router.add_api_route(f"/queue/{action}/{{token}}", post, methods=["POST"], dependencies=[Depends(limit_lookups)])

    for name in simple:
        make(name)

    # -- 好差评 pad at the counter ----------------------------------------------------------------
    @router.get("/staff/queue/counter/{number}/pad")
    def pad_form(request: Request, number: PathId, user: StaffIdentity = Depends(require_staff)):
        """Staff confirm on the counter's tablet that this device becomes the rating pad (the POST below)."""
        try:
            service.rate_pad_ticket(ctx, number)  # the counter exists
        except QueueError as exc:
            return page(request, t(request, "服务评价", "Rate our service"), _error(request, exc), 404, stylesheets=STYLES)
        body = Markup('<p>{}</p><form method="post" action="{}" class="stack">{}<button type="submit" class="button primary">{}</button></form>').format(
            t(request, f"在这台设备上启用 {number} 号窗口的评价器？只在窗口前的平板上这样做。",
              f"Make this device the rating pad of counter {number}? Only do this on the tablet at the counter."),
            _url(request, f"/staff/queue/counter/{number}/pad"), csrf_input(request), t(request, "在本设备启用评价器", "Use this device as the rating pad"))
        return page(request, t(request, "启用评价器", "Enable the rating pad"), body, stylesheets=STYLES)

    @router.post("/staff/queue/counter/{number}/pad")
    def pad_enable(request: Request, number: PathId, user: StaffIdentity = Depends(require_staff)):
        """Staff turn this device into counter ``number``'s rating pad: a random, signed per-device cookie (see .pad)."""
        try:
            service.rate_pad_ticket(ctx, number)  # the counter exists
        except QueueError as exc:
            return page(request, t(request, "服务评价", "Rate our service"), _error(request, exc), 404, stylesheets=STYLES)
        with ctx.transaction() as s:
            audit.record(s, user.username, "queue.pad_pair", f"counter:{number}", {}, client_ip(request))
        response = RedirectResponse(_url(request, f"/queue/counter/{number}/rate"), status_code=303)
        response.set_cookie(pad.cookie_name(number), pad.new_pairing(ctx, number), max_age=pad.MAX_AGE_SECONDS, httponly=True,
                            samesite="lax", secure=pad.secure_cookies(request, ctx), path=f"/queue/counter/{number}")
        return response

    def paired(request: Request, number: int) -> bool:
        return pad.is_paired(ctx, number, request.cookies.get(pad.cookie_name(number), ""))

    def unpaired(request: Request):
        return page(request, t(request, "评价器未启用", "Rating pad not enabled"), Markup('<p class="notice">{}</p>').format(t(
            request, "这台设备还不是窗口评价器：请工作人员在本设备上登录后台，在窗口页面点“在本设备启用评价器”。",
            "This device is not a counter's rating pad yet: a member of staff logs in on it and taps “Use this device as the rating pad” on the counter page.")),
            403, stylesheets=STYLES)

    @router.get("/queue/counter/{number}/rate", dependencies=[Depends(limit_lookups)])
    def rate_pad(request: Request, number: PathId):
        if not paired(request, number):
            return unpaired(request)
        return _rate_pad(request, ctx, number)

    @router.post("/queue/counter/{number}/rate", dependencies=[Depends(limit_lookups)])
    def rate_pad_post(request: Request, number: PathId, ticket_id: int = Form(0), level: int = Form(0), reason: str = Form("")):
        if not paired(request, number):
            return unpaired(request)
        try:
            service.rate_at_counter(ctx, number, ticket_id, level, reason)
        except QueueError as exc:
            return _rate_pad(request, ctx, number, exc.text(request_lang(request)), reason, level, 400)
        body = Markup('<p class="flash q-pad-thanks">{}</p>').format(t(request, "谢谢您的评价！", "Thank you for your rating!"))
        return page(request, t(request, "服务评价", "Rate our service"), body, refresh=5, stylesheets=STYLES, body_class="q-pad")

    # -- staff: appointments and rating alerts ----------------------------------------------------
    @router.get("/staff/queue/appointments")
    def appointments_page(request: Request, user: StaffIdentity = Depends(require_staff)):
        return page(request, t(request, "预约管理", "Appointments"), _appointments_body(request, ctx), stylesheets=STYLES)

    @router.post("/staff/queue/appointments")
    def appointments_add(request: Request, service_code: str = Form(""), day: str = Form(""), time: str = Form(""),
                         phone: str = Form(""), user: StaffIdentity = Depends(require_staff)):
        try:
            try:
                slot = datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ctx.settings.tz)
            except ValueError:
                raise QueueError("bad_time", "请填写日期和时间", "please give a date and a time") from None
            a = appointments.book(ctx, service_code, slot, phone=phone, by=f"web:{user.username}")
        except QueueError as exc:
            keep = {"service_code": service_code, "day": day, "time": time, "phone": phone}
            return page(request, t(request, "预约管理", "Appointments"), _error(request, exc) + _appointments_body(request, ctx, keep), 400,
                        stylesheets=STYLES)
        local = a.slot_at.astimezone(ctx.settings.tz)
        request.session["queue_flash"] = t(request, f"已预约 {local:%m-%d %H:%M} {a.service_code} 类业务，预约码 {a.code}",
                                           f"Booked {a.service_code} at {local:%Y-%m-%d %H:%M}: code {a.code}")
        request.session["queue_code"] = a.code
        return RedirectResponse(_url(request, "/staff/queue/appointments"), status_code=303)

    @router.post("/staff/queue/appointments/{code}/cancel")
    def appointments_cancel(request: Request, code: str, day: str = Form(""), user: StaffIdentity = Depends(require_staff)):
        try:
            appointments.cancel(ctx, code, day or None)
            request.session["queue_flash"] = t(request, f"预约 {code} 已取消", f"Appointment {code} cancelled")
        except QueueError as exc:
            request.session["queue_flash"] = exc.text(request_lang(request))
        return RedirectResponse(_url(request, "/staff/queue/appointments" + (f"?day={day}" if day else "")), status_code=303)

    @router.post("/staff/queue/ratings/{rating_id}/handled")
    def rating_handled(request: Request, rating_id: PathId, user: StaffIdentity = Depends(require_staff)):
        try:
            service.handle_rating(ctx, rating_id, by=f"web:{user.username}")
        except QueueError:
            pass  # already gone: the page shows what is left
        return RedirectResponse(_url(request, "/staff/queue"), status_code=303)

    return router


def _remote_body(request: Request, ctx: KioskContext) -> Markup:
    """One big button per open service, with the wait and the remote tickets left today."""
    en = request_lang(request) == "en"
    if not remote.enabled(ctx):
        return Markup('<p class="notice">{}</p>').format(t(request, "本中心暂未开通网上取号，请到大厅取号机取号。",
                                                             "Taking a number online is not offered here: please use the kiosk in the hall."))
    left = remote.remote_left(ctx)
    out = Markup('<p>{}</p>').format(t(
        request, "网上取号后，请在到达大厅时扫描大厅屏幕上的二维码激活（或在取号机输入激活码）。激活时才开始排队，先取号不会排在前面。",
        "After taking a number online, activate it when you arrive by scanning the QR code on the hall screen (or typing the "
        "activation code at the kiosk). You join the line when you activate; taking it early gives no earlier place."))
    for x in service.services_overview(ctx):
        title = Markup("<b>{}</b> {}").format(x.code, x.name_en if en else x.name)
        if not x.open or left.get(x.code, 0) <= 0:
            reason = (t(request, "今天的网上名额已满，请到大厅取号", "No remote tickets left today: take one in the hall")
                      if x.open else t(request, "现在不办理", "Closed now"))
            out += Markup('<section class="card"><h2>{}</h2><p class="hint">{}</p></section>').format(title, reason)
            continue
        out += Markup('<section class="card"><h2>{}</h2><p>{}</p><form method="post" action="{}" class="stack">{}'
                      '<input type="hidden" name="service_code" value="{}"><input type="hidden" name="key" value="{}">'
                      '<button type="submit" class="button primary">{}</button></form></section>').format(
            title, t(request, f"等候 {x.waiting} 人 · {x.wait.text()} · 网上余号 {left[x.code]}",
                     f"{x.waiting} waiting · {x.wait.text('en')} · {left[x.code]} online tickets left"),
            _url(request, "/queue/remote"), csrf_input(request), x.code, f"web-{uuid.uuid4().hex}", t(request, "网上取号", "Take a number"))
    return out


FACES = {5: "😄", 4: "😊", 3: "😐", 2: "😞", 1: "😣"}  # Unicode 6.0 faces: present in common fonts


def _rate_pad(request: Request, ctx: KioskContext, number: int, error: str = "", reason: str = "", level: int = 0, status: int = 200):
    """Five big faces for the ticket this counter has just finished; otherwise a quiet "thank you"."""
    try:
        ticket = service.rate_pad_ticket(ctx, number)
    except QueueError as exc:
        return page(request, t(request, "服务评价", "Rate our service"), _error(request, exc), 404, stylesheets=STYLES)
    title = t(request, f"{number} 号窗口 服务评价", f"Counter {number}: rate our service")
    if ticket is None:
        body = Markup('<p class="hint q-pad-idle">{}</p>').format(t(request, "欢迎办理业务。办结后可在这里评价。", "Welcome. You can rate the service here when it is done."))
        return page(request, title, body, status if error else 200, refresh=5, stylesheets=STYLES, body_class="q-pad")
    en = request_lang(request) == "en"
    buttons = Markup("").join(
        Markup('<button type="submit" name="level" value="{}" class="button q-face q-rate-{}"><span class="q-emoji" aria-hidden="true">{}</span>{}</button>').format(
            lv, lv, FACES[lv], names[1 if en else 0]) for lv, names in sorted(service.RATING_LEVELS.items(), reverse=True))
    need_reason = level in (1, 2)
    body = Markup('{}<p class="q-pad-ticket">{}</p><form method="post" action="{}" class="q-pad-form">{}'
                  '<input type="hidden" name="ticket_id" value="{}"><div class="q-faces">{}</div>'
                  '<label for="reason">{}</label><textarea id="reason" name="reason" maxlength="{}" rows="2"{}>{}</textarea></form>').format(
        Markup('<p class="error" role="alert">{}</p>').format(error) if error else "",
        t(request, f"请为 {ticket.display} 号的服务打分", f"Please rate the service for ticket {ticket.display}"),
        _url(request, f"/queue/counter/{number}/rate"), csrf_input(request), ticket.id, buttons,
        t(request, "不满意的原因（选“不满意”时请填写，再点一次表情）", "What was wrong (needed for an unsatisfied rating; then tap the face again)"),
        service.REASON_MAX, Markup(" autofocus") if need_reason else "", reason)
    return page(request, title, body, status, stylesheets=STYLES, body_class="q-pad")


def _appointments_body(request: Request, ctx: KioskContext, keep: dict | None = None) -> Markup:
    flash = request.session.pop("queue_flash", "")
    code = request.session.pop("queue_code", "")
    day = request.query_params.get("day") or service.business_day(ctx)
    keep = keep or {}
    with ctx.sessions() as s:
        services = list(s.scalars(select(QueueService).where(QueueService.active.is_(True)).order_by(QueueService.sort, QueueService.code)))
    out = Markup("")
    if flash:
        out += Markup('<p class="flash" role="status">{}</p>').format(flash)
    if code:
        out += Markup('<section class="card receipt"><p class="number-label">{}</p><p class="number">{}</p><p>{}</p></section>').format(
            t(request, "预约码", "Appointment code"), code,
            t(request, "请告诉群众：到达后在取号机点“预约签到”，输入这 6 位数字。", "Tell the resident: at the kiosk tap 预约签到 and enter these 6 digits."))
    options = Markup("").join(Markup('<option value="{}"{}>{} {}</option>').format(
        x.code, Markup(" selected") if keep.get("service_code", "").upper() == x.code else "", x.code, x.name) for x in services)
    out += Markup('<section class="card"><h2>{}</h2><form method="post" action="{}" class="stack">{}'
                  '<label>{} <select name="service_code">{}</select></label>'
                  '<label>{} <input type="date" name="day" value="{}" required></label>'
                  '<label>{} <input type="time" name="time" value="{}" required></label>'
                  '<label>{} <input name="phone" value="{}" inputmode="tel" maxlength="20"></label>'
                  '<button type="submit" class="button primary">{}</button></form></section>').format(
        t(request, "新建预约", "New appointment"), _url(request, "/staff/queue/appointments"), csrf_input(request),
        t(request, "业务", "Service"), options, t(request, "日期", "Date"), keep.get("day", day),
        t(request, "时间", "Time"), keep.get("time", ""), t(request, "电话（可不填，页面只显示部分号码）", "Phone (optional, shown masked)"),
        keep.get("phone", ""), t(request, "预约并生成预约码", "Book and get a code"))
    states = {"booked": ("待签到", "Booked"), "checked_in": ("已签到", "Checked in"), "no_show": ("未到", "No-show"), "cancelled": ("已取消", "Cancelled")}
    en = request_lang(request) == "en"
    rows = Markup("")
    for r in appointments.day_list(ctx, day):
        cancel = Markup("")
        if r.state == "booked":
            cancel = Markup('<form method="post" action="{}" class="q-form">{}<input type="hidden" name="day" value="{}">'
                            '<button type="submit" class="button">{}</button></form>').format(
                _url(request, f"/staff/queue/appointments/{r.code}/cancel"), csrf_input(request), day, t(request, "取消", "Cancel"))
        rows += Markup("<tr><td>{:%H:%M}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            r.slot_at, r.service_code, r.service_name, r.code, states.get(r.state, (r.state, r.state))[1 if en else 0], r.number or "—",
            r.phone_masked or "—", cancel)
    head = [t(request, "时间", "Time"), t(request, "业务", "Service"), t(request, "预约码", "Code"), t(request, "状态", "State"),
            t(request, "号码", "Ticket"), t(request, "电话", "Phone"), ""]
    out += Markup('<h2>{} {}</h2>').format(t(request, "预约列表", "Appointments of"), day)
    if rows:
        out += Markup('<div class="table-wrap"><table class="q-appts"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>').format(
            Markup("").join(Markup("<th>{}</th>").format(h) for h in head), rows)
    else:
        out += Markup('<p class="hint">{}</p>').format(t(request, "这一天还没有预约", "No appointments that day"))
    return out
