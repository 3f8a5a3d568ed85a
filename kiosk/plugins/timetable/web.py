"""The timetable's public web pages: the week, a class, the iCalendar feeds, and a sign-up's own
actions (its .ics, and cancelling with a confirmation page whose form carries the session's CSRF field).

Pages are built from escaped fragments inside the site layout (kiosk.web.templating.page); every action
goes through kiosk.plugins.timetable.service, exactly as the CLI and the kiosk do. Token pages are
rate-limited like the tracking pages and sent with the same no-store / no-referrer headers.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from kiosk.api import KioskContext, DateOutOfRange
from kiosk.api.web import (
    error_response, PathId, csrf_input, link as _url, page, request_lang, text_for as t, TOKEN_HEADERS,
    limit_lookups,
)

from . import ics, service
from .models import Course, Term
from .schedule import PERIODS, WEEKDAYS_EN, WEEKDAYS_ZH, course_occurrences, iso_week, occurrences, parse_week, week_bounds
from .service import TimetableError
from .tracking import session_items

CSS = Path(__file__).with_name("static") / "timetable.css"
STYLES = ("/classes/static/timetable.css",)
ICS_TYPE = "text/calendar; charset=utf-8"


def _monday(ctx: KioskContext, week: str) -> date:
    """The Monday of ``?week=`` (this week when it is empty); ValueError for a week that is not one, or one
    outside the years the product handles (DateOutOfRange): the caller answers 400 with :func:`_week_refusal`."""
    return parse_week(week) if week else week_bounds(ctx.today())[0]


def _week_refusal(week: str, exc: ValueError) -> tuple[str, str]:
    """(zh, en) of a refused ``?week=``."""
    if isinstance(exc, DateOutOfRange):
        return exc.zh, exc.en
    shown = week[:20]
    return f"没有这一周：{shown}（请写成 2026-W49 这样的年份和周数）", f"{shown!r} is not a week like 2026-W49"


def session_cell(request: Request, occ, en: bool) -> Markup:
    name = (occ.name_en if en else occ.name) or occ.name
    link = Markup('<a href="{}">{}</a>').format(_url(request, f"/classes/course/{occ.course_id}"), name)
    when = f"{occ.start}–{occ.end}"
    if occ.status == "cancelled":
        reason = (occ.reason_en or occ.reason) if en else occ.reason
        return Markup('<span class="tt-session tt-cancelled"><s>{} {} {}</s><span class="tt-reason">{}：{}</span></span>').format(
            link, when, occ.room, "Cancelled" if en else "停课", reason)
    if occ.status == "moved":
        to_day, to_start, _ = occ.moved_to
        moved = f"moved to {to_day:%m-%d} {to_start}" if en else f"调至 {to_day.month}月{to_day.day}日 {to_start}"
        return Markup('<span class="tt-session tt-cancelled"><s>{} {} {}</s><span class="tt-reason">{}（{}）</span></span>').format(
            link, when, occ.room, moved, occ.reason)
    note = ""
    if occ.kind == "makeup":
        note = " · make-up day" if en else " · 调休补课"
    elif occ.kind == "moved":
        note = " · moved here" if en else " · 调课"
    return Markup('<span class="tt-session">{} {} · {}{}</span>').format(link, when, occ.room, note)


def week_table(request: Request, ctx: KioskContext, monday: date) -> Markup:
    en = request_lang(request) == "en"
    today = ctx.today()
    found = service.week(ctx, monday)
    names = WEEKDAYS_EN if en else WEEKDAYS_ZH
    days = [monday + timedelta(days=i) for i in range(7)]
    head = Markup("").join(
        Markup('<th scope="col" class="{}">{}<br>{}</th>').format("tt-today" if d == today else "", names[d.isoweekday()],
                                                                  f"{d:%m-%d}" if en else f"{d.month}月{d.day}日") for d in days)
    body = Markup("")
    for key, zh, english in PERIODS:
        cells = Markup("")
        for d in days:
            items = Markup("").join(session_cell(request, o, en) for o in found if o.day == d and o.period == key)
            cells += Markup('<td class="{}">{}</td>').format("tt-today" if d == today else "", items)
        body += Markup('<tr><th scope="row">{}</th>{}</tr>').format(english if en else zh, cells)
    grid = Markup('<div class="table-wrap tt-wide-only"><table class="tt-grid"><thead><tr><th></th>{}</tr></thead><tbody>{}</tbody></table></div>').format(head, body)
    # On a phone the seven columns do not fit: the same week as a list of days.
    days_list = Markup("")
    for d in days:
        items = Markup("").join(Markup("<li>{}</li>").format(session_cell(request, o, en)) for o in found if o.day == d)
        days_list += Markup('<section class="card{}"><h2>{} {}</h2><ul class="tt-dates">{}</ul></section>').format(
            " tt-today" if d == today else "", names[d.isoweekday()], f"{d:%m-%d}" if en else f"{d.month}月{d.day}日",
            items or Markup("<li>{}</li>").format(t(request, "无", "Nothing")))
    return grid + Markup('<div class="tt-narrow-only">{}</div>').format(days_list)


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    @router.get("/classes/static/timetable.css", include_in_schema=False)
    def css():
        return FileResponse(CSS, media_type="text/css")

    @router.get("/classes")
    def timetable_page(request: Request, week: str = ""):
        """The public week: Monday–Sunday × morning/afternoon/evening, today highlighted."""
        try:
            monday = _monday(ctx, week)
        except ValueError as exc:
            text = t(request, *_week_refusal(week, exc))
            back = Markup('<p class="notice">{}</p><p><a class="button" href="{}">{}</a></p>').format(
                text, _url(request, "/classes"), t(request, "看本周课程表", "This week's timetable"))
            return page(request, t(request, "课程表", "Timetable"), back, 400, stylesheets=STYLES)
        this = week_bounds(ctx.today())[0]
        nav = Markup('<p class="tt-weeknav"><a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a> '
                     '<a class="button" href="{}">{}</a> <a href="{}">{}</a></p>').format(
            _url(request, "/classes", week=iso_week(monday - timedelta(days=7))), t(request, "上一周", "Previous week"),
            _url(request, "/classes", week=iso_week(this)), t(request, "本周", "This week"),
            _url(request, "/classes", week=iso_week(monday + timedelta(days=7))), t(request, "下一周", "Next week"),
            "/classes/ics/all.ics", t(request, "订阅全部课程（iCalendar）", "Subscribe to the whole timetable (iCalendar)"))
        title = t(request, f"课程表 · {monday.month}月{monday.day}日起的一周", f"Timetable · week of {monday:%Y-%m-%d}")
        return page(request, title, nav + week_table(request, ctx, monday), stylesheets=STYLES, body_class="tt-wide")

    @router.get("/classes/course/{course_id}")
    def course_page(request: Request, course_id: PathId):
        en = request_lang(request) == "en"
        try:
            info = service.course_info(ctx, course_id)
        except TimetableError as exc:
            return page(request, t(request, "没有这门课", "No such class"), Markup('<p class="notice">{}</p>').format(exc.text(request_lang(request))), 404)
        c = info.course
        rows = [(t(request, "老师", "Teacher"), info.teacher), (t(request, "教室", "Room"), f"{info.room} · {info.place}"),
                (t(request, "时间", "When"), info.times_text(request_lang(request))),
                (t(request, "学期", "Term"), f"{info.term.name} {info.term.start:%Y-%m-%d} – {info.term.end:%Y-%m-%d}"),
                (t(request, "剩余名额", "Seats left"), str(info.seats_left) + (t(request, f"（候补 {info.waiting} 人）", f" ({info.waiting} waiting)") if info.waiting else "")),
                (t(request, "请带", "Bring"), "、".join(info.bring) if info.bring else t(request, "无", "Nothing"))]
        dl = Markup('<dl class="rows">{}</dl>').format(Markup("").join(Markup("<div><dt>{}</dt><dd>{}</dd></div>").format(a, b) for a, b in rows))
        with ctx.sessions() as s:
            every = course_occurrences(s, ctx.calendar, s.get(Course, course_id))
        body = Markup('<section class="card"><p>{}</p>{}<p class="tt-actions"><a class="button" href="/classes/ics/course/{}.ics">{}</a></p>'
                      '<p class="hint">{}</p></section><section class="card"><h2>{}</h2><ul class="tt-dates">{}</ul></section>').format(
            c.description, dl, c.id, t(request, "加入手机日历（.ics）", "Add to my calendar (.ics)"),
            t(request, "报名请到社区服务中心大厅的自助机，点「课程表」。", "Sign up at the kiosk in the center's lobby: tap 课程表."),
            t(request, "全部上课日期", "All sessions"), session_items(every, en, ctx.today()))
        return page(request, (c.name_en if en else c.name) or c.name, body, stylesheets=STYLES)

    @router.get("/classes/ics/all.ics")
    def all_ics():
        with ctx.sessions() as s:
            terms = list(s.scalars(select(Term).where(Term.end >= ctx.today() - timedelta(days=60))))
            found = []
            for term in terms:
                found += occurrences(s, ctx.calendar, term.start, term.end)
        body = ics.calendar_for(found, ctx.settings.tz, f"{ctx.settings.center_name} 课程表")
        return Response(body, media_type=ICS_TYPE, headers={"Content-Disposition": 'inline; filename="timetable.ics"'})

    @router.get("/classes/ics/course/{course_id}.ics")
    def course_ics(course_id: PathId):
        with ctx.sessions() as s:
            course = s.get(Course, course_id)
            if course is None:
                return Response("no such class", status_code=404)
            found = course_occurrences(s, ctx.calendar, course)
            name = course.name
        body = ics.calendar_for(found, ctx.settings.tz, f"{name} · {ctx.settings.center_name}")
        return Response(body, media_type=ICS_TYPE, headers={"Content-Disposition": f'inline; filename="class-{course_id}.ics"'})

    # -- a sign-up's own actions (behind its token) -------------------------------------------------------
    def _signup(token: str):
        with ctx.sessions() as s:
            found = service.signup_of_token(s, token)
            if found is not None:
                s.expunge(found)
            return found

    @router.get("/classes/signup/{token}.ics", dependencies=[Depends(limit_lookups)])
    def signup_ics(token: str):
        found = _signup(token)
        if found is None:
            return Response("not found", status_code=404, headers=TOKEN_HEADERS)
        with ctx.sessions() as s:
            course = s.get(Course, found.course_id)
            every = course_occurrences(s, ctx.calendar, course)
            name = course.name
        body = ics.calendar_for(every, ctx.settings.tz, f"{name} · {ctx.settings.center_name}")
        return Response(body, media_type=ICS_TYPE, headers={**TOKEN_HEADERS, "Content-Disposition": 'attachment; filename="my-class.ics"'})

    @router.get("/classes/cancel/{token}", dependencies=[Depends(limit_lookups)])
    def cancel_form(request: Request, token: str):
        found = _signup(token)
        title = t(request, "取消报名", "Cancel my sign-up")
        if found is None:
            return page(request, title, Markup('<p class="notice">{}</p>').format(t(request, "没有找到这个报名，请检查二维码。", "Sign-up not found.")), 404)
        if found.state == "cancelled":
            return page(request, title, _back(request, token, t(request, "这个报名已经取消了。", "This sign-up is already cancelled.")))
        info = service.course_info(ctx, found.course_id)
        body = Markup('<section class="card"><p class="message">{}</p><form method="post" action="{}" class="stack">{}'
                      '<button type="submit" class="button danger">{}</button></form><p><a href="{}">{}</a></p></section>').format(
            t(request, f"确定要取消「{info.course.name}」的报名吗？取消后座位会让给候补的居民。",
              f"Cancel your sign-up for {info.course.name_en or info.course.name}? Your seat goes to the waiting list."),
            _url(request, f"/classes/cancel/{token}"), csrf_input(request), t(request, "确定取消报名", "Yes, cancel it"),
            _url(request, f"/t/{token}"), t(request, "不取消，返回", "No, go back"))
        return Response(page(request, title, body, stylesheets=STYLES).body, media_type="text/html", headers=TOKEN_HEADERS)

    @router.post("/classes/cancel/{token}", dependencies=[Depends(limit_lookups)])
    def cancel_submit(request: Request, token: str):
        title = t(request, "取消报名", "Cancel my sign-up")
        try:
            service.cancel_signup(ctx, token)
        except TimetableError as exc:
            return page(request, title, _back(request, token, exc.text(request_lang(request))), 400)
        return RedirectResponse(_url(request, f"/t/{token}"), status_code=303, headers=TOKEN_HEADERS)

    @router.get("/api/classes")
    def api_week(week: str = ""):
        try:
            monday = _monday(ctx, week)
        except ValueError as exc:
            return error_response(400, "bad_week", *_week_refusal(week, exc))
        return [service.listing_json(o) for o in service.week(ctx, monday)]

    return router


def _back(request: Request, token: str, text: str) -> Markup:
    return Markup('<p class="notice">{}</p><p><a href="{}">{}</a></p>').format(text, _url(request, f"/t/{token}"), t(request, "返回报名页", "Back"))
