"""The queue's web pages: the public hall board, the counter page and the statistics page for staff.

Pages are built from escaped fragments and rendered inside the site layout (kiosk.web.templating.page);
every form posts back with the session's CSRF field; every action goes through kiosk.plugins.queue.service,
exactly as the CLI does.
"""

from __future__ import annotations


from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy import func, select

from kiosk.api import KioskContext, parse_day
from kiosk.api.web import (
    client_ip, csrf_input, form_body, limit_lookups, link as _url, page, PathId, request_lang, require_admin, require_staff, StaffIdentity, static_url, text_for as t,
)

from . import alert as call_alert
from . import board as board_mod
from . import service, stats, voice
from .models import QueueCounter, QueueHall, QueueService, Ticket
from .service import OUTCOMES, QueueError
from .stats_web import OUTCOME_NAMES, distribution_tables

STYLES = (static_url("queue", "queue.css"),)
BOARD_REFRESH = 5  # seconds: the board reloads itself (no scripts: the site's CSP allows none)


def _who(request: Request, user: StaffIdentity) -> dict[str, str]:
    """Who changed the setup, for the audit log."""
    return {"by": f"web:{user.username}", "ip": client_ip(request)}


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    def refused(request: Request, exc: QueueError, keep: dict):
        """A refused setup form: the page again, the reason on top, the refused form keeping what was typed."""
        return page(request, t(request, "业务与窗口设置", "Services and counters"),
                    Markup('<p class="error" role="alert">{}</p>').format(exc.text(request_lang(request))) + _setup_body(request, ctx, keep=keep),
                    400, stylesheets=STYLES)

    # -- public ---------------------------------------------------------------------------------
    @router.get("/queue/board")
    def public_board(request: Request, hall: str = ""):
        """The live hall board for phones and a TV browser: current calls, recent calls, waiting.

        ``?hall=CODE`` shows one hall (the TV in that hall); without it, every hall. A call newer than
        one reload flashes its cell (CSS only, steady under prefers-reduced-motion), and stays
        highlighted with a full-width caption while it is fresh.
        """
        chosen = _hall_param(ctx, hall)
        if chosen is False:
            return _unknown_hall_page(request, ctx, hall)
        b = board_mod.board(ctx, hall=chosen)
        en = request_lang(request) == "en"
        settings = service.QueueSettings.of(ctx)
        now = ctx.now()
        parts = [_hall_links(request, ctx, chosen)]
        fresh = [c for c in b.current if settings.call_flash and (now - c.at).total_seconds() < settings.call_fresh_seconds]
        if fresh:
            newest = max(fresh, key=lambda c: c.at)
            parts.append(Markup('<p class="q-caption" role="status">{}</p>').format(
                voice.caption(newest.number, newest.counter, "en" if en else "zh_CN")))
        parts.append('<section class="q-calls">')
        if b.current:
            for call in b.current:
                parts.append(Markup('<div class="{}"><span class="q-num">{}</span><span class="q-desk">{}</span></div>').format(
                    board_cell_class(call, now, settings), call.number, t(request, f"{call.counter} 号窗口", f"Counter {call.counter}")))
        else:
            parts.append(Markup('<p class="hint">{}</p>').format(t(request, "暂无叫号", "No calls yet")))
        parts.append("</section>")
        parts.append(Markup("<h2>{}</h2><ul class=\"q-waiting\">").format(t(request, "等候人数与预计等候", "Waiting and expected wait")))
        waits = {x.code: x for x in service.services_overview(ctx, chosen)}
        for code, name, name_en, count in b.waiting:
            status = waits.get(code)
            wait = (status.wait.text("en" if en else "zh_CN") if status.open else t(request, "暂停取号", "closed")) if status else ""
            parts.append(Markup("<li><b>{}</b> {} <span>{}</span><small>{}</small></li>").format(
                code, name_en if en else name, f"{count}" if en else f"{count} 人", wait))
        parts.append("</ul>")
        parts.append(Markup('<p><a class="button" href="{}">{}</a></p>').format(_url(request, "/queue/remote"), t(request, "网上取号", "Take a number online")))
        if b.recent:
            parts.append(Markup("<h2>{}</h2><p class=\"q-recent\">").format(t(request, "最近叫号", "Recent calls")))
            parts.append(Markup(" · ").join(Markup("{} → {}").format(c.number, c.counter) for c in b.recent))
            parts.append("</p>")
        title = t(request, "叫号大厅", "Service hall")
        if chosen is not None:
            found = service.find_hall(ctx, chosen)
            title = t(request, f"叫号大厅 · {found.name}", f"Service hall · {found.name_en or found.name}")
        return page(request, title, Markup("").join(Markup(p) if isinstance(p, str) else p for p in parts),
                    refresh=BOARD_REFRESH, stylesheets=STYLES, body_class="q-board")

    # -- 好差评: rating a served ticket from its QR --------------------------------------------------
    @router.get("/queue/rate/{token}", dependencies=[Depends(limit_lookups)])
    def rate_form(request: Request, token: str):
        ticket_id = _ticket_of(ctx, token)
        if ticket_id is None:
            return page(request, t(request, "未找到这张号", "Ticket not found"),
                        Markup('<p class="notice">{}</p>').format(t(request, "请检查二维码，或到前台咨询。", "Please check the QR code.")), 404)
        return page(request, t(request, "评价本次服务", "Rate this visit"), _rating_form(request, token), stylesheets=STYLES)

    @router.post("/queue/rate/{token}", dependencies=[Depends(limit_lookups)])
    def rate_submit(request: Request, token: str, level: int = Form(0), reason: str = Form("")):
        ticket_id = _ticket_of(ctx, token)
        if ticket_id is None:
            return page(request, t(request, "未找到这张号", "Ticket not found"), Markup(""), 404)
        try:
            service.rate(ctx, ticket_id, level, reason)
        except QueueError as exc:
            error = exc.text(request_lang(request))
            return page(request, t(request, "评价本次服务", "Rate this visit"), _rating_form(request, token, error, reason), 400,
                        stylesheets=STYLES)
        body = Markup('<p class="flash">{}</p><p><a href="{}">{}</a></p>').format(
            t(request, "谢谢您的评价！", "Thank you for your rating!"), _url(request, f"/t/{token}"), t(request, "返回查看进度", "Back to the ticket"))
        return page(request, t(request, "评价本次服务", "Rate this visit"), body)

    @router.get("/api/queue/services")
    def api_services(hall: str = ""):
        chosen = _hall_param(ctx, hall)
        if chosen is False:
            return JSONResponse({"error": "unknown_hall"}, 404)
        return [{"code": x.code, "name": x.name, "name_en": x.name_en, "waiting": x.waiting, "open": x.open,
                 "opens_at": x.opens_at.isoformat() if x.opens_at else None, "wait_min": x.wait.low, "wait_max": x.wait.high,
                 "materials": x.materials, "hall": x.hall} for x in service.services_overview(ctx, chosen)]

    @router.get("/api/queue/board")
    def api_board(hall: str = ""):
        chosen = _hall_param(ctx, hall)
        if chosen is False:
            return JSONResponse({"error": "unknown_hall"}, 404)
        b = board_mod.board(ctx, hall=chosen)
        as_dict = lambda c: {"number": c.number, "counter": c.counter, "at": c.at.isoformat(), "recall": c.recall}  # noqa: E731
        return {"current": [as_dict(c) for c in b.current], "recent": [as_dict(c) for c in b.recent],
                "waiting": [{"code": c, "name": n, "waiting": w} for c, n, _en, w in b.waiting]}

    # -- staff: counters --------------------------------------------------------------------------
    @router.get("/staff/queue")
    def counters_page(request: Request, hall: str = "", user: StaffIdentity = Depends(require_staff)):
        chosen = _hall_param(ctx, hall)
        if chosen is False:
            return _unknown_hall_page(request, ctx, hall, "/staff/queue")
        with ctx.sessions() as s:
            listed = select(QueueCounter).order_by(QueueCounter.number)
            desks = list(s.scalars(listed if chosen is None else listed.where(QueueCounter.hall == chosen)))
            day = service.business_day(ctx)
            current = {t_.counter: t_.display for t_ in s.scalars(select(Ticket).where(Ticket.business_day == day, Ticket.state == "called"))}
        items = Markup("").join(
            Markup('<li><a class="button" href="{}">{} · {} {}</a></li>').format(
                _url(request, f"/staff/queue/counter/{d.number}"), d.name or d.number, current.get(d.number, "—"),
                t(request, "（暂停）", "(paused)") if d.paused else "")
            for d in desks)
        links = Markup('<p><a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a></p>').format(
            _url(request, "/staff/queue/stats", hall=chosen), t(request, "统计", "Statistics"),
            _url(request, "/queue/board", hall=chosen), t(request, "大厅叫号屏", "Hall board"),
            _url(request, "/staff/queue/appointments"), t(request, "预约管理", "Appointments"),
            _url(request, "/staff/queue/setup"), t(request, "业务与窗口设置", "Services and counters"))
        alerts = Markup("").join(
            Markup('<p class="notice" role="status">{}</p>').format(t(
                request, f"{x.name} 等候较长（{x.wait.text()}），建议临时增开窗口", f"{x.name_en}: long wait ({x.wait.text('en')}), consider opening another counter"))
            for x in service.busy_services(ctx, chosen))
        for rating_id, number, desk, level, reason in service.bad_ratings(ctx):
            alerts += Markup('<div class="error q-alert" role="alert"><p>{}</p><form method="post" action="{}" class="q-form">{}'
                             '<button type="submit" class="button">{}</button></form></div>').format(
                t(request, f"差评提醒：{number}（{desk} 号窗口）评价“{service.RATING_LEVELS[level][0]}”：{reason}",
                  f"Bad rating: {number} (counter {desk}) rated “{service.RATING_LEVELS[level][1]}”: {reason}"),
                _url(request, f"/staff/queue/ratings/{rating_id}/handled"), csrf_input(request), t(request, "已处理", "Handled"))
        return page(request, t(request, "窗口叫号", "Counters"),
                    _hall_links(request, ctx, chosen, "/staff/queue") + alerts + Markup('<ul class="nav">') + items + Markup("</ul>") + links,
                    stylesheets=STYLES)

    @router.get("/staff/queue/setup")
    def setup_page(request: Request, user: StaffIdentity = Depends(require_admin)):
        return page(request, t(request, "业务与窗口设置", "Services and counters"), _setup_body(request, ctx), stylesheets=STYLES)

    @router.post("/staff/queue/setup/service/{code}")
    def setup_service(request: Request, code: str, name: str = Form(""), name_en: str = Form(""), hours: str = Form(""),
                      daily_cap: int = Form(0), minutes_per_person: int = Form(0), target_minutes: int = Form(0),
                      materials: str = Form(""), active: str = Form(""), first_number: str = Form("1"), last_number: str = Form("999"),
                      number_step: str = Form("1"), carry_over: str = Form(""), hall: str = Form(""),
                      user: StaffIdentity = Depends(require_admin)):
        typed = {"name": name, "name_en": name_en, "hours": hours, "daily_cap": daily_cap, "minutes_per_person": minutes_per_person,
                 "target_minutes": target_minutes, "first_number": first_number, "last_number": last_number, "number_step": number_step}
        try:
            service.update_service(ctx, code, **typed, materials=materials.splitlines(), active=bool(active),
                                   carry_over=bool(carry_over), hall=hall.strip() or None, **_who(request, user))
            request.session["queue_flash"] = t(request, f"{code.upper()} 类业务已保存", f"Service {code.upper()} saved")
        except QueueError as exc:
            return refused(request, exc, {code.upper(): typed | {"materials": materials, "carry_over": bool(carry_over), "hall": hall}})
        return RedirectResponse(_url(request, "/staff/queue/setup"), status_code=303)

    @router.post("/staff/queue/setup/counter/{number}", openapi_extra=form_body("name", "hall", arrays=("services",)))
    async def setup_counter(request: Request, number: PathId, user: StaffIdentity = Depends(require_admin)):
        form = await request.form()
        try:
            service.update_counter(ctx, number, name=str(form.get("name", "")), services=[str(v) for v in form.getlist("services")],
                                   hall=str(form.get("hall", "")).strip() or None, **_who(request, user))
            request.session["queue_flash"] = t(request, f"{number} 号窗口已保存", f"Counter {number} saved")
        except QueueError as exc:
            request.session["queue_flash"] = exc.text(request_lang(request))
        return RedirectResponse(_url(request, "/staff/queue/setup"), status_code=303)

    @router.post("/staff/queue/setup/new-service")
    def setup_new_service(request: Request, code: str = Form(""), name: str = Form(""), name_en: str = Form(""), hours: str = Form(""),
                          daily_cap: int = Form(0), minutes_per_person: int = Form(0), target_minutes: int = Form(0),
                          materials: str = Form(""), first_number: str = Form("1"), last_number: str = Form("999"),
                          number_step: str = Form("1"), carry_over: str = Form(""), hall: str = Form(service.DEFAULT_HALL),
                          user: StaffIdentity = Depends(require_admin)):
        typed = {"name": name, "name_en": name_en, "hours": hours, "daily_cap": daily_cap, "minutes_per_person": minutes_per_person,
                 "target_minutes": target_minutes, "first_number": first_number, "last_number": last_number, "number_step": number_step}
        try:
            svc = service.create_service(ctx, code, **typed, materials=materials.splitlines(), carry_over=bool(carry_over),
                                         hall=hall.strip() or service.DEFAULT_HALL, **_who(request, user))
            request.session["queue_flash"] = t(request, f"已新增 {svc.code} 类业务，别忘了给窗口勾选它", f"Service {svc.code} added: tick it on a counter")
        except QueueError as exc:
            return refused(request, exc, {"_new": typed | {"code": code, "materials": materials, "carry_over": bool(carry_over), "hall": hall}})
        return RedirectResponse(_url(request, "/staff/queue/setup"), status_code=303)

    @router.post("/staff/queue/setup/new-hall")
    def setup_new_hall(request: Request, code: str = Form(""), name: str = Form(""), name_en: str = Form(""),
                       user: StaffIdentity = Depends(require_admin)):
        try:
            hall = service.create_hall(ctx, code, name=name, name_en=name_en, **_who(request, user))
            request.session["queue_flash"] = t(
                request, f"已新增大厅“{hall.name}”（{hall.code}）：给它新增业务和窗口，并在该大厅取号机和叫号屏的配置中写 hall = \"{hall.code}\"",
                f"Hall “{hall.name}” ({hall.code}) added: give it services and counters, and set hall = \"{hall.code}\" in its kiosk's and display's config")
        except QueueError as exc:
            return refused(request, exc, {"_hall": {"code": code, "name": name, "name_en": name_en}})
        return RedirectResponse(_url(request, "/staff/queue/setup"), status_code=303)

    @router.post("/staff/queue/setup/new-counter")
    async def setup_new_counter(request: Request, user: StaffIdentity = Depends(require_admin)):
        form = await request.form()
        raw = str(form.get("number", "")).strip()
        try:
            if not raw.isdigit():
                raise QueueError("bad_counter", "窗口号应在 1–99 之间", "the counter number must be 1–99")
            desk = service.create_counter(ctx, int(raw), name=str(form.get("name", "")), services=[str(v) for v in form.getlist("services")],
                                          hall=str(form.get("hall", "")).strip() or service.DEFAULT_HALL,
                                          **_who(request, user))
            request.session["queue_flash"] = t(request, f"已新增 {desk.number} 号窗口", f"Counter {desk.number} added")
        except QueueError as exc:
            keep = {"_counter": {"number": raw, "name": str(form.get("name", "")), "services": [str(v) for v in form.getlist("services")],
                                 "hall": str(form.get("hall", ""))}}
            return refused(request, exc, keep)
        return RedirectResponse(_url(request, "/staff/queue/setup"), status_code=303)

    @router.get("/staff/queue/counter/{number}")
    def counter_page(request: Request, number: PathId, user: StaffIdentity = Depends(require_staff)):
        return page(request, t(request, f"{number} 号窗口", f"Counter {number}"), _counter_body(request, ctx, number),
                    stylesheets=STYLES, refresh=0)

    @router.post("/staff/queue/counter/{number}")
    def counter_action(request: Request, number: PathId, action: str = Form(...), service_code: str = Form(""),
                       outcome: str = Form("done"), ticket: str = Form(""), return_after: str = Form(""),
                       user: StaffIdentity = Depends(require_staff)):
        by = f"web:{user.username}"
        en = request_lang(request) == "en"
        try:
            if action == "call":
                called = service.call_next(ctx, number, service_code or None, by=by)
                flash = (f"Called {called.display}" if en else f"已叫 {called.display}") if called else t(request, "没有人在等候", "Nobody is waiting")
            elif action == "call_number":
                called = service.call_number(ctx, number, ticket, by=by)
                flash = f"Called {called.display}" if en else f"已叫 {called.display}"
            elif action == "recall":
                flash = t(request, "已重呼 ", "Called again: ") + service.recall(ctx, number, by=by).display
            elif action == "no_show":
                flash = t(request, "已过号 ", "Marked missed: ") + service.no_show(ctx, number, by=by).display
            elif action == "park":
                flash = t(request, "已暂存 ", "Set aside: ") + service.park(ctx, number, by=by).display
            elif action == "finish":
                flash = t(request, "已办结 ", "Done: ") + service.finish(ctx, number, outcome, by=by).display
            elif action == "transfer":
                moved = service.transfer(ctx, number, service_code, by=by, return_after=bool(return_after))
                flash = t(request, f"{moved.display} 已转到 {moved.service_code} 类业务", f"{moved.display} moved to {moved.service_code}")
                if moved.return_to:
                    flash += t(request, f"，办完后回到 {moved.return_to} 类业务优先办理", f", then back to {moved.return_to} in the priority lane")
            elif action == "restore":
                flash = t(request, "已恢复排队 ", "Back in line: ") + service.restore(ctx, ticket, by=by).display
            elif action in ("pause", "resume"):
                service.set_paused(ctx, number, action == "pause", by=by)
                flash = t(request, "窗口已暂停", "Counter paused") if action == "pause" else t(request, "窗口已恢复", "Counter open")
            elif action == "reprint":
                flash = _reprint(request, ctx, ticket)
            else:
                flash = t(request, "未知操作", "Unknown action")
        except QueueError as exc:
            flash = exc.text("en" if en else "zh_CN")
        request.session["queue_flash"] = flash
        return RedirectResponse(_url(request, f"/staff/queue/counter/{number}"), status_code=303)

    @router.get("/staff/queue/stats")
    def stats_page(request: Request, day: str = "", hall: str = "", user: StaffIdentity = Depends(require_staff)):
        try:
            d = parse_day(day) if day else None
        except ValueError:  # not a date, or outside the years the product handles: today's
            d = None
        chosen = _hall_param(ctx, hall)
        if chosen is False:
            return _unknown_hall_page(request, ctx, hall, "/staff/queue/stats")
        return page(request, t(request, "排队统计", "Queue statistics"),
                    _hall_links(request, ctx, chosen, "/staff/queue/stats") + _stats_body(request, stats.day_stats(ctx, d, hall=chosen)),
                    stylesheets=STYLES)

    @router.get("/api/queue/stats")
    def api_stats(day: str = "", hall: str = "", user: StaffIdentity = Depends(require_staff)):
        try:
            d = parse_day(day) if day else None
        except ValueError:
            return JSONResponse({"error": "invalid_day"}, 400)
        chosen = _hall_param(ctx, hall)
        if chosen is False:
            return JSONResponse({"error": "unknown_hall"}, 404)
        return stats.day_stats(ctx, d, hall=chosen)

    return router


def board_cell_class(call, now, settings) -> str:
    """The board cell's classes: ``q-flash`` for a call newer than one reload (so every call flashes on
    exactly one load of the page), ``q-fresh`` (the steady highlight) while it is fresh."""
    if not settings.call_flash:
        return "q-call"
    age = (now - call.at).total_seconds()
    if age < 0 or age >= max(settings.call_fresh_seconds, call_alert.FLASH_SECONDS):
        return "q-call"
    return "q-call q-fresh q-flash" if age < BOARD_REFRESH else "q-call q-fresh"


def _hall_param(ctx: KioskContext, hall: str):
    """``?hall=``: None for every hall (empty), the code of an existing hall, or False (no such hall)."""
    hall = (hall or "").strip().lower()
    if not hall:
        return None
    return hall if service.find_hall(ctx, hall) is not None else False


def _hall_links(request: Request, ctx: KioskContext, chosen: str | None, path: str = "/queue/board") -> Markup:
    """With several halls: a link per hall (and one for all), the chosen one marked; nothing with one hall."""
    halls = service.halls(ctx)
    if len(halls) < 2:
        return Markup("")
    en = request_lang(request) == "en"
    links = [(None, t(request, "全部大厅", "All halls"))] + [(h.code, (h.name_en or h.name) if en else h.name) for h in halls]
    return Markup('<nav class="q-halls" aria-label="{}">{}</nav>').format(
        t(request, "大厅", "Halls"),
        Markup(" ").join(Markup('<a class="button{}" href="{}"{}>{}</a>').format(
            " primary" if code == chosen else "", _url(request, path, hall=code),
            Markup(' aria-current="page"') if code == chosen else "", label) for code, label in links))


def _unknown_hall_page(request: Request, ctx: KioskContext, hall: str, path: str = "/queue/board"):
    body = Markup('<p class="error" role="alert">{}</p>').format(
        t(request, f"没有代码为 {hall} 的大厅，请选择：", f"There is no hall {hall!r}. Choose one:"))
    body += Markup('<ul class="nav">{}</ul>').format(Markup("").join(
        Markup('<li><a class="button" href="{}">{}</a></li>').format(_url(request, path, hall=h.code), h.name)
        for h in service.halls(ctx)))
    return page(request, t(request, "没有这个大厅", "No such hall"), body, 404, stylesheets=STYLES)


def _setup_body(request: Request, ctx: KioskContext, keep: dict | None = None) -> Markup:
    """One form per service and per counter; a refused form shows again with what was typed (``keep``)."""
    flash = request.session.pop("queue_flash", "")
    with ctx.sessions() as s:
        services = list(s.scalars(select(QueueService).order_by(QueueService.sort, QueueService.code)))
        desks = list(s.scalars(select(QueueCounter).order_by(QueueCounter.number)))
        halls = list(s.scalars(select(QueueHall).order_by(QueueHall.sort, QueueHall.code)))
    names = {h.code: h.name for h in halls}
    several = len(halls) > 1
    out = Markup('<p class="flash" role="status">{}</p>').format(flash) if flash else Markup("")
    field = lambda label, name, value, kind="text": Markup(  # noqa: E731
        '<label>{} <input type="{}" name="{}" value="{}" required></label>').format(label, kind, name, value)
    out += _new_forms(request, services, halls, field, keep or {})  # first: adding is what the page is opened for most
    for svc in services:
        v = {"name": svc.name, "name_en": svc.name_en, "hours": svc.hours, "daily_cap": svc.daily_cap,
             "minutes_per_person": svc.minutes_per_person, "target_minutes": svc.target_minutes,
             "materials": "\n".join(svc.materials or []), "first_number": svc.first_number, "last_number": svc.last_number,
             "number_step": svc.number_step, "carry_over": svc.carry_over} | (keep or {}).get(svc.code, {})
        out += Markup('<section class="card"><h2>{} {}{}</h2><form method="post" action="{}" class="stack">{}').format(
            svc.code, svc.name, f" · {names.get(svc.hall, svc.hall)}" if several else "",
            _url(request, f"/staff/queue/setup/service/{svc.code}"), csrf_input(request))
        out += _hall_select(request, halls, v.get("hall") or svc.hall)
        out += field(t(request, "名称", "Name"), "name", v["name"]) + Markup('<label>{} <input name="name_en" value="{}"></label>').format(
            t(request, "英文名称", "English name"), v["name_en"])
        out += field(t(request, "办理时间（如 08:30-12:00,13:30-17:00）", "Hours (e.g. 08:30-12:00,13:30-17:00)"), "hours", v["hours"])
        out += field(t(request, "每日上限", "Daily cap"), "daily_cap", v["daily_cap"], "number")
        out += _numbering_fields(request, v)
        out += field(t(request, "每人预计分钟（数据不足时使用）", "Minutes per person (when data is thin)"), "minutes_per_person", v["minutes_per_person"], "number")
        out += field(t(request, "目标等候分钟", "Target wait (minutes)"), "target_minutes", v["target_minutes"], "number")
        out += Markup('<label>{} <textarea name="materials" rows="4">{}</textarea></label>').format(
            t(request, "材料清单（每行一项）", "Materials (one per line)"), v["materials"])
        out += Markup('<label><input type="checkbox" name="active" value="1"{}> {}</label>').format(
            Markup(" checked") if svc.active else "", t(request, "提供此业务", "Offered"))
        out += Markup('<button type="submit" class="button">{}</button></form></section>').format(t(request, "保存", "Save"))
    for desk in desks:
        boxes = Markup("").join(Markup('<label><input type="checkbox" name="services" value="{}"{}> {} {}{}</label>').format(
            svc.code, Markup(" checked") if svc.code in (desk.services or []) else "", svc.code, svc.name,
            f"（{names.get(svc.hall, svc.hall)}）" if several else "") for svc in services)
        out += Markup('<section class="card"><h2>{}{}</h2><form method="post" action="{}" class="stack">{}{}{}{}'
                      '<button type="submit" class="button">{}</button></form></section>').format(
            desk.name, f" · {names.get(desk.hall, desk.hall)}" if several else "",
            _url(request, f"/staff/queue/setup/counter/{desk.number}"), csrf_input(request),
            field(t(request, "名称", "Name"), "name", desk.name), _hall_select(request, halls, desk.hall), boxes, t(request, "保存", "Save"))
    return out


def _numbering_fields(request: Request, v: dict) -> Markup:
    """起始号 / 结束号 / 间隔 of a service form; text inputs, so a refused value shows again as it was typed."""
    box = Markup('<label>{} <input name="{}" value="{}" inputmode="numeric" required></label>')
    return Markup('<fieldset><legend>{}</legend>{}{}{}</fieldset>').format(
        t(request, "号码（超过结束号后从起始号重新开始）", "Numbering (after the last number it starts again at the first)"),
        box.format(t(request, "起始号（1–999）", "First number (1–999)"), "first_number", v["first_number"]),
        box.format(t(request, "结束号（不超过 999）", "Last number (at most 999)"), "last_number", v["last_number"]),
        box.format(t(request, "号码间隔（通常为 1）", "Increment (usually 1)"), "number_step", v["number_step"])) + Markup(
        '<label><input type="checkbox" name="carry_over" value="1"{}> {}</label>').format(
        Markup(" checked") if v["carry_over"] else "",
        t(request, "跨日保留：下班时仍在等候的号，次日继续排在前面（号码不变）",
          "Carry over: tickets still waiting at closing keep their number and place the next day"))


def _hall_select(request: Request, halls: list[QueueHall], chosen: str) -> Markup:
    """Which hall a service or counter belongs to (a plain hidden field while there is only one hall)."""
    if len(halls) < 2:
        return Markup('<input type="hidden" name="hall" value="{}">').format(chosen or service.DEFAULT_HALL)
    options = Markup("").join(Markup('<option value="{}"{}>{}</option>').format(h.code, Markup(" selected") if h.code == chosen else "", h.name)
                              for h in halls)
    return Markup('<label>{} <select name="hall">{}</select></label>').format(t(request, "所属大厅", "Hall"), options)


def _new_forms(request: Request, services: list[QueueService], halls: list[QueueHall], field, keep: dict) -> Markup:
    """Adding a service (a free letter), a counter (a free number) and a hall, with what was typed kept on a refusal."""
    v = {"code": "", "name": "", "name_en": "", "hours": "08:30-12:00,13:30-17:00", "daily_cap": 100, "minutes_per_person": 8,
         "target_minutes": 30, "materials": "", "first_number": 1, "last_number": 999, "number_step": 1,
         "carry_over": False} | keep.get("_new", {})
    out = Markup('<section class="card"><h2>{}</h2><form method="post" action="{}" class="stack">{}').format(
        t(request, "新增业务", "Add a service"), _url(request, "/staff/queue/setup/new-service"), csrf_input(request))
    out += Markup('<label>{} <input name="code" value="{}" maxlength="1" pattern="[A-Za-z]" required></label>').format(
        t(request, "号码字母（A–Z，各大厅都未使用）", "Ticket letter (A–Z, unused in every hall)"), v["code"])
    out += _hall_select(request, halls, v.get("hall") or service.DEFAULT_HALL)
    out += field(t(request, "名称", "Name"), "name", v["name"]) + Markup('<label>{} <input name="name_en" value="{}"></label>').format(
        t(request, "英文名称", "English name"), v["name_en"])
    out += field(t(request, "办理时间（如 08:30-12:00,13:30-17:00）", "Hours (e.g. 08:30-12:00,13:30-17:00)"), "hours", v["hours"])
    out += field(t(request, "每日上限", "Daily cap"), "daily_cap", v["daily_cap"], "number")
    out += _numbering_fields(request, v)
    out += field(t(request, "每人预计分钟（数据不足时使用）", "Minutes per person (when data is thin)"), "minutes_per_person", v["minutes_per_person"], "number")
    out += field(t(request, "目标等候分钟", "Target wait (minutes)"), "target_minutes", v["target_minutes"], "number")
    out += Markup('<label>{} <textarea name="materials" rows="3">{}</textarea></label>').format(
        t(request, "材料清单（每行一项）", "Materials (one per line)"), v["materials"])
    out += Markup('<button type="submit" class="button primary">{}</button></form></section>').format(t(request, "新增业务", "Add the service"))
    c = {"number": "", "name": "", "services": [], "hall": ""} | keep.get("_counter", {})
    names = {h.code: h.name for h in halls}
    boxes = Markup("").join(Markup('<label><input type="checkbox" name="services" value="{}"{}> {} {}{}</label>').format(
        svc.code, Markup(" checked") if svc.code in c["services"] else "", svc.code, svc.name,
        f"（{names.get(svc.hall, svc.hall)}）" if len(halls) > 1 else "") for svc in services)
    out += Markup('<section class="card"><h2>{}</h2><form method="post" action="{}" class="stack">{}'
                  '<label>{} <input type="number" name="number" min="1" max="99" value="{}" required></label>{}{}{}'
                  '<button type="submit" class="button primary">{}</button></form></section>').format(
        t(request, "新增窗口", "Add a counter"), _url(request, "/staff/queue/setup/new-counter"), csrf_input(request),
        t(request, "窗口号（1–99，各大厅不重复）", "Counter number (1–99, unique across halls)"), c["number"],
        Markup('<label>{} <input name="name" value="{}"></label>').format(t(request, "名称（可不填）", "Name (optional)"), c["name"]),
        _hall_select(request, halls, c["hall"] or service.DEFAULT_HALL), boxes, t(request, "新增窗口", "Add the counter"))
    h = {"code": "", "name": "", "name_en": ""} | keep.get("_hall", {})
    out += Markup('<section class="card"><h2>{}</h2><p class="hint">{}</p><form method="post" action="{}" class="stack">{}'
                  '<label>{} <input name="code" value="{}" maxlength="16" pattern="[a-z0-9][a-z0-9_-]*" required></label>{}'
                  '<label>{} <input name="name_en" value="{}"></label>'
                  '<button type="submit" class="button primary">{}</button></form></section>').format(
        t(request, "新增大厅", "Add a hall"),
        t(request, "一个中心有几个大厅（如便民服务室）时使用：每个大厅有自己的业务（用别的字母）、窗口、取号机和叫号屏。",
          "For a center with several halls (e.g. a neighbourhood service room): each has its own services (other letters), "
          "counters, kiosk and display."),
        _url(request, "/staff/queue/setup/new-hall"), csrf_input(request),
        t(request, "大厅代码（小写字母或数字，如 bm）", "Hall code (lowercase letters or digits, e.g. bm)"), h["code"],
        field(t(request, "名称", "Name"), "name", h["name"]), t(request, "英文名称", "English name"), h["name_en"],
        t(request, "新增大厅", "Add the hall"))
    return out


def _ticket_of(ctx: KioskContext, token: str) -> int | None:
    """The ticket behind a tracking token (one hashed look-up), or None."""
    from kiosk.api import find_receipt, receipt_state

    with ctx.sessions() as s:
        receipt = find_receipt(s, token)
    if receipt is None or receipt.plugin != service.PLUGIN or receipt.kind != "ticket" or receipt_state(receipt) != "valid":
        return None
    return int(receipt.subject)


def _rating_form(request: Request, token: str, error: str = "", reason: str = "") -> Markup:
    """Five big buttons, 非常满意 … 非常不满意, and an optional reason (needed for the two unsatisfied ones)."""
    en = request_lang(request) == "en"
    buttons = Markup("").join(
        Markup('<button type="submit" name="level" value="{}" class="button q-rate-{}">{}</button>').format(level, level, names[1 if en else 0])
        for level, names in sorted(service.RATING_LEVELS.items(), reverse=True))
    return Markup(
        '{}<form method="post" action="{}" class="stack q-rating">{}'
        '<label for="reason">{}</label><textarea id="reason" name="reason" maxlength="{}" rows="3">{}</textarea>{}</form>'
    ).format(
        Markup('<p class="error" role="alert">{}</p>').format(error) if error else "",
        _url(request, f"/queue/rate/{token}"), csrf_input(request),
        t(request, "原因或建议（选“不满意”时请填写）", "Reason or suggestion (needed for an unsatisfied rating)"),
        service.REASON_MAX, reason, buttons)


def _reprint(request: Request, ctx: KioskContext, number: str) -> str:
    """Staff reprint of a ticket's slip (a new token is added; the old slip's QR keeps working)."""
    from kiosk.api import Receipt, add_token

    with ctx.transaction() as s:
        ticket = service.find_ticket(s, service.business_day(ctx), number)
        receipt = s.get(Receipt, ticket.receipt_id) if ticket.receipt_id else None
        if receipt is None:
            return t(request, "这张号没有凭条", "This ticket has no slip")
        issued = add_token(s, ctx.settings, receipt)
    result = ctx.print_receipt(receipt.id, issued.layout)
    if result.ok:
        return t(request, f"{number.upper()} 已重新打印", f"{number.upper()} reprinted")
    return t(request, f"打印失败：{result.error}", f"Printing failed: {result.error}")


def _form(request: Request, number: int, action: str, label: str, extra: Markup = Markup(""), css: str = "button") -> Markup:
    return Markup('<form method="post" action="{}" class="q-form">{}<input type="hidden" name="action" value="{}">{}'
                  '<button type="submit" class="{}">{}</button></form>').format(
        _url(request, f"/staff/queue/counter/{number}"), csrf_input(request), action, extra, css, label)


def _service_select(request: Request, services: list[QueueService], allowed: list[str] | None, blank: str) -> Markup:
    en = request_lang(request) == "en"
    options = Markup('<option value="">{}</option>').format(blank) if blank else Markup("")
    for svc in services:
        if allowed is None or svc.code in allowed:
            options += Markup('<option value="{}">{} {}</option>').format(svc.code, svc.code, (svc.name_en if en else svc.name) or svc.name)
    return Markup('<select name="service_code">{}</select>').format(options)


def _counter_body(request: Request, ctx: KioskContext, number: int) -> Markup:
    from datetime import timedelta

    from kiosk.api import utcnow

    en = request_lang(request) == "en"
    flash = request.session.pop("queue_flash", "")
    day = service.business_day(ctx)
    window = timedelta(minutes=service.QueueSettings.of(ctx).missed_window_minutes)
    with ctx.sessions() as s:
        desk = s.get(QueueCounter, number)
        if desk is None:
            return Markup('<p class="error">{}</p>').format(t(request, f"没有 {number} 号窗口", f"No counter {number}"))
        # only this counter's hall: its selects, set-aside and missed lists never offer another hall's tickets
        services = list(s.scalars(select(QueueService).where(QueueService.hall == desk.hall).order_by(QueueService.sort, QueueService.code)))
        ours = [x.code for x in services]
        current = service.current_ticket(s, day, number)
        waiting = {code: s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.business_day == day, Ticket.state == "waiting", Ticket.service_code == code)) or 0 for code in desk.services or []}
        parked = list(s.scalars(select(Ticket).where(Ticket.business_day == day, Ticket.state == "parked", Ticket.service_code.in_(ours))
                                .order_by(Ticket.id)))
        missed = [x for x in s.scalars(select(Ticket).where(Ticket.business_day == day, Ticket.state == "missed", Ticket.service_code.in_(ours))
                                       .order_by(Ticket.missed_at.desc()))
                  if x.missed_at and utcnow() - x.missed_at <= window]
    out = Markup("")
    if flash:
        out += Markup('<p class="flash" role="status">{}</p>').format(flash)
    if desk.paused:
        out += Markup('<p class="notice">{}</p>').format(t(request, "本窗口已暂停叫号", "This counter is paused"))
    out += Markup('<section class="card q-current"><p class="number-label">{}</p><p class="number">{}</p>{}</section>').format(
        t(request, "当前号码", "Current ticket"), current.display if current else "—",
        Markup('<p>{} · {}</p>').format(current.service_code, t(request, f"第 {current.call_count} 次呼叫", f"called {current.call_count}×")) if current else "")
    out += Markup('<section class="card q-actions">')
    out += _form(request, number, "call", t(request, "叫下一位", "Call next"),
                 _service_select(request, services, desk.services, t(request, "本窗口全部业务", "All services of this counter")), "button primary")
    out += _form(request, number, "call_number", t(request, "指定叫号", "Call a number"),
                 Markup('<input name="ticket" placeholder="A023" maxlength="4" required aria-label="{}">').format(t(request, "号码", "Ticket")))
    if current:
        out += _form(request, number, "recall", t(request, "重呼", "Call again"))
        out += _form(request, number, "no_show", t(request, "过号", "Missed"))
        out += _form(request, number, "park", t(request, "暂存（去取材料）", "Set aside"))
        outcome_options = Markup("").join(Markup('<option value="{}">{}</option>').format(o, OUTCOME_NAMES[o][1 if en else 0]) for o in OUTCOMES)
        out += _form(request, number, "finish", t(request, "办结", "Done"), Markup('<select name="outcome">{}</select>').format(outcome_options))
        out += _form(request, number, "transfer", t(request, "转到其他业务", "Transfer"), _service_select(request, services, None, "")
                     + Markup('<label><input type="checkbox" name="return_after" value="1"> {}</label>').format(
                         t(request, "办完后转回本业务（优先）", "Come back here after (priority)")))
    out += _form(request, number, "resume" if desk.paused else "pause", t(request, "恢复叫号", "Resume") if desk.paused else t(request, "暂停窗口", "Pause"))
    out += Markup('<p><a href="{}">{}</a></p>').format(_url(request, f"/staff/queue/counter/{number}/pad"),
                                                       t(request, "在本设备启用评价器（窗口前的平板上打开）", "Use this device as the rating pad (on the tablet at the counter)"))
    out += Markup("</section>")
    out += Markup('<section class="card"><h2>{}</h2><ul>').format(t(request, "等候人数", "Waiting"))
    for code, count in waiting.items():
        out += Markup("<li>{}：{}</li>").format(code, count)
    out += Markup("</ul></section>")
    if parked:
        out += Markup('<section class="card"><h2>{}</h2>').format(t(request, "暂存的号", "Set aside"))
        for x in parked:
            out += _form(request, number, "call_number", t(request, f"叫回 {x.display}", f"Call {x.display} back"),
                         Markup('<input type="hidden" name="ticket" value="{}">').format(x.display))
        out += Markup("</section>")
    out += Markup('<section class="card"><h2>{}</h2>').format(t(request, "过号恢复", "Missed numbers"))
    if missed:
        for x in missed:
            out += _form(request, number, "restore", t(request, f"恢复 {x.display}", f"Put {x.display} back"),
                         Markup('<input type="hidden" name="ticket" value="{}">').format(x.display))
    else:
        out += Markup('<p class="hint">{}</p>').format(t(request, "暂无可恢复的过号", "No missed numbers to put back"))
    out += Markup("</section>")
    out += Markup('<section class="card"><h2>{}</h2>').format(t(request, "补打凭条", "Reprint a slip"))
    out += _form(request, number, "reprint", t(request, "补打", "Reprint"),
                 Markup('<input name="ticket" placeholder="A023" maxlength="4" required aria-label="{}">').format(t(request, "号码", "Ticket")))
    out += Markup("</section>")
    return out


def _stats_body(request: Request, data: dict) -> Markup:
    head = [t(request, "业务", "Service"), t(request, "取号", "Tickets"), t(request, "办结", "Served"), t(request, "过号", "Missed"),
            t(request, "平均等候", "Avg wait"), t(request, "P90 等候", "P90 wait"), t(request, "平均办理", "Avg service"),
            t(request, "超时占比", "Over target"), t(request, "预计误差", "Estimate MAE")]
    fmt = lambda v, unit="": "—" if v is None else f"{v}{unit}"  # noqa: E731
    rows = Markup("").join(
        Markup("<tr><th>{} {}</th>" + "<td>{}</td>" * 8 + "</tr>").format(
            r["code"], r["name"], r["tickets"], r["served"], r["no_shows"], fmt(r["avg_wait_min"], "′"), fmt(r["p90_wait_min"], "′"),
            fmt(r["avg_service_min"], "′"), "—" if r["over_target_share"] is None else f"{r['over_target_share'] * 100:.0f}%", fmt(r["estimate_mae_min"], "′"))
        for r in data["services"])
    table = Markup('<div class="table-wrap"><table class="q-stats"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>').format(
        Markup("").join(Markup("<th>{}</th>").format(h) for h in head), rows)
    head2 = [t(request, "业务", "Service"), t(request, "预约", "Appointments"), t(request, "已签到", "Checked in"),
             t(request, "预约未到", "Appointment no-shows"), t(request, "网上取号", "Remote"), t(request, "未激活", "Not active"),
             t(request, "评价数", "Ratings"), t(request, "满意率", "Satisfied")]
    rows2 = Markup("").join(
        Markup("<tr><th>{} {}</th>" + "<td>{}</td>" * 7 + "</tr>").format(
            r["code"], r["name"], r["appointments"], r["appointments_checked_in"], r["appointment_no_shows"], r["remote"], r["remote_pending"],
            r["ratings"], "—" if r["satisfied_share"] is None else f"{r['satisfied_share'] * 100:.0f}%")
        for r in data["services"])
    table2 = Markup('<h2>{}</h2><div class="table-wrap"><table class="q-stats"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>').format(
        t(request, "预约、网上取号与评价", "Appointments, remote tickets and ratings"), Markup("").join(Markup("<th>{}</th>").format(h) for h in head2), rows2)
    return (Markup("<p>{} {} · {} {}</p>").format(t(request, "日期", "Day"), data["day"], t(request, "共取号", "Tickets"), data["tickets"])
            + table + table2 + distribution_tables(request, data) + hour_chart(request, data["tickets_per_hour"]))


def hour_chart(request: Request, per_hour: list[int]) -> Markup:
    """Tickets per hour as an inline SVG bar chart (no script; readable text labels)."""
    hours = list(range(7, 19))
    top = max([per_hour[h] for h in hours] + [1])
    width, height, bar = 40 * len(hours), 220, 28
    bars = Markup("")
    for i, h in enumerate(hours):
        value = per_hour[h]
        bh = int(160 * value / top)
        x = i * 40 + 6
        bars += Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="#1f5fad"/><text x="{}" y="{}" text-anchor="middle">{}</text>'
                       '<text x="{}" y="{}" text-anchor="middle">{}</text>').format(
            x, 180 - bh, bar, bh, x + bar // 2, 175 - bh, value, x + bar // 2, 205, h)
    return Markup('<h2>{}</h2><svg class="q-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>').format(
        t(request, "每小时取号数", "Tickets per hour"), width, height, t(request, "每小时取号数", "Tickets per hour"), bars)
