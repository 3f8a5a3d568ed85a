"""The timetable's public web pages: the week, a class, the iCalendar feeds, and a sign-up's own
actions (its .ics, and cancelling with a confirmation page whose form carries the session's CSRF field).

Pages are this plugin's templates (``templates/``) inside the site layout; every action
goes through kiosk.plugins.timetable.service, exactly as the CLI and the kiosk do. Token pages are
rate-limited like the tracking pages and sent with the same no-store / no-referrer headers.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from kiosk.api import DateOutOfRange, KioskContext
from kiosk.api.web import (
    error_response, limit_lookups, link as _url, PathId, render_plugin, request_lang, static_url, text_for as t, TOKEN_HEADERS,
)

from . import ics, service
from .models import Course, Term
from .schedule import PERIODS, WEEKDAYS_EN, WEEKDAYS_ZH, course_occurrences, iso_week, occurrences, parse_week, week_bounds
from .service import TimetableError
from .tracking import session_items

PLUGIN = "timetable"
STYLES = (static_url(PLUGIN, "timetable.css"),)
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


def session_view(occ, en: bool) -> dict:
    """What templates/_parts.html shows of one session of the week."""
    view = {"course_id": occ.course_id, "name": (occ.name_en if en else occ.name) or occ.name, "when": f"{occ.start}–{occ.end}",
            "room": occ.room, "struck": occ.status in ("cancelled", "moved"), "note": "", "reason": ""}
    if occ.status == "cancelled":
        view["reason"] = f"{'Cancelled' if en else '停课'}：{(occ.reason_en or occ.reason) if en else occ.reason}"
    elif occ.status == "moved":
        to_day, to_start, _ = occ.moved_to
        moved = f"moved to {to_day:%m-%d} {to_start}" if en else f"调至 {to_day.month}月{to_day.day}日 {to_start}"
        view["reason"] = f"{moved}（{occ.reason}）"
    elif occ.kind == "makeup":
        view["note"] = " · make-up day" if en else " · 调休补课"
    elif occ.kind == "moved":
        view["note"] = " · moved here" if en else " · 调课"
    return view


def week_view(request: Request, ctx, monday: date) -> dict:
    """The week as templates/week.html shows it: days (for the phone list) and periods × days (for the grid)."""
    en = request_lang(request) == "en"
    today = ctx.today()
    found = service.week(ctx, monday)
    names = WEEKDAYS_EN if en else WEEKDAYS_ZH
    dates = [monday + timedelta(days=i) for i in range(7)]
    days = [{"today": d == today, "name": names[d.isoweekday()], "date": f"{d:%m-%d}" if en else f"{d.month}月{d.day}日",
             "sessions": [session_view(o, en) for o in found if o.day == d]} for d in dates]
    periods = [{"name": english if en else zh,
                "cells": [{"today": d == today, "sessions": [session_view(o, en) for o in found if o.day == d and o.period == key]}
                          for d in dates]}
               for key, zh, english in PERIODS]
    return {"days": days, "periods": periods}


def _message(request: Request, title: str, text: str, status_code: int = 200, back_href: str = "", back_label: str = "",
             back_button: bool = False, stylesheets: tuple[str, ...] = ()):
    return render_plugin(request, PLUGIN, "message.html", status_code, title=title, text=text, back_href=back_href,
                         back_label=back_label, back_button=back_button, stylesheets=stylesheets)


def build_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    @router.get("/classes")
    def timetable_page(request: Request, week: str = ""):
        """The public week: Monday–Sunday × morning/afternoon/evening, today highlighted."""
        try:
            monday = _monday(ctx, week)
        except ValueError as exc:
            return _message(request, t(request, "课程表", "Timetable"), t(request, *_week_refusal(week, exc)), 400, _url(request, "/classes"),
                            t(request, "看本周课程表", "This week's timetable"), back_button=True, stylesheets=STYLES)
        title = t(request, f"课程表 · {monday.month}月{monday.day}日起的一周", f"Timetable · week of {monday:%Y-%m-%d}")
        return render_plugin(request, PLUGIN, "week.html", title=title, stylesheets=STYLES, body_class="tt-wide",
                             previous=iso_week(monday - timedelta(days=7)), this=iso_week(week_bounds(ctx.today())[0]),
                             next=iso_week(monday + timedelta(days=7)), **week_view(request, ctx, monday))

    @router.get("/classes/course/{course_id}")
    def course_page(request: Request, course_id: PathId):
        en = request_lang(request) == "en"
        try:
            info = service.course_info(ctx, course_id)
        except TimetableError as exc:
            return _message(request, t(request, "没有这门课", "No such class"), exc.text(request_lang(request)), 404)
        c = info.course
        rows = [(t(request, "老师", "Teacher"), info.teacher), (t(request, "教室", "Room"), f"{info.room} · {info.place}"),
                (t(request, "时间", "When"), info.times_text(request_lang(request))),
                (t(request, "学期", "Term"), f"{info.term.name} {info.term.start:%Y-%m-%d} – {info.term.end:%Y-%m-%d}"),
                (t(request, "剩余名额", "Seats left"), str(info.seats_left) + (t(request, f"（候补 {info.waiting} 人）", f" ({info.waiting} waiting)") if info.waiting else "")),
                (t(request, "请带", "Bring"), "、".join(info.bring) if info.bring else t(request, "无", "Nothing"))]
        with ctx.sessions() as s:
            every = course_occurrences(s, ctx.calendar, s.get(Course, course_id))
        return render_plugin(request, PLUGIN, "course.html", title=(c.name_en if en else c.name) or c.name, stylesheets=STYLES,
                             course=c, rows=rows, dates=session_items(every, en, ctx.today()))

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
            return _message(request, title, t(request, "没有找到这个报名，请检查二维码。", "Sign-up not found."), 404)
        if found.state == "cancelled":
            return _back(request, token, title, t(request, "这个报名已经取消了。", "This sign-up is already cancelled."))
        info = service.course_info(ctx, found.course_id)
        question = t(request, f"确定要取消「{info.course.name}」的报名吗？取消后座位会让给候补的居民。",
                     f"Cancel your sign-up for {info.course.name_en or info.course.name}? Your seat goes to the waiting list.")
        return render_plugin(request, PLUGIN, "cancel.html", headers=TOKEN_HEADERS, title=title, stylesheets=STYLES, question=question,
                             token=token)

    @router.post("/classes/cancel/{token}", dependencies=[Depends(limit_lookups)])
    def cancel_submit(request: Request, token: str):
        title = t(request, "取消报名", "Cancel my sign-up")
        try:
            service.cancel_signup(ctx, token)
        except TimetableError as exc:
            return _back(request, token, title, exc.text(request_lang(request)), 400)
        return RedirectResponse(_url(request, f"/t/{token}"), status_code=303, headers=TOKEN_HEADERS)

    @router.get("/api/classes")
    def api_week(week: str = ""):
        try:
            monday = _monday(ctx, week)
        except ValueError as exc:
            return error_response(400, "bad_week", *_week_refusal(week, exc))
        return [service.listing_json(o) for o in service.week(ctx, monday)]

    return router


def _back(request: Request, token: str, title: str, text: str, status_code: int = 200):
    return _message(request, title, text, status_code, _url(request, f"/t/{token}"), t(request, "返回报名页", "Back"))
