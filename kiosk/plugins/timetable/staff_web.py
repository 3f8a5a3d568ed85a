"""The timetable's staff pages: terms, rooms, teachers, classes and weekly slots; cancelling or moving a
session with a reason; 调休 days; the sign-up list (phones masked), its print view and CSV; attendance.

Every form posts back with the session's CSRF field; a refused form (a room clash names the clashing
class) is shown again with what was typed. All changes go through kiosk.plugins.timetable.service.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from kiosk.api import KioskContext, audit, DateOutOfRange, parse_day, csv_text
from kiosk.api.web import (
    PathId, StaffIdentity, client_ip, csrf_input, require_staff, link as _url, page, request_lang, text_for as t,
)

from . import service
from .models import Course, MakeupDay, Room, Slot, Teacher, Term
from .schedule import WEEKDAYS_ZH
from .service import TimetableError
from .web import STYLES

STATE_NAMES = {"enrolled": ("已报名", "Enrolled"), "waitlisted": ("候补", "Waiting"), "cancelled": ("已取消", "Cancelled")}


def _field(label: str, name: str, keep: dict, kind: str = "text", required: bool = True, extra: str = "") -> Markup:
    return Markup('<label>{} <input type="{}" name="{}" value="{}"{}{}></label>').format(
        label, kind, name, keep.get(name, ""), Markup(" required") if required else "", Markup(extra))


def _select(label: str, name: str, options: list[tuple[str, str]], keep: dict) -> Markup:
    chosen = str(keep.get(name, ""))
    opts = Markup("").join(Markup('<option value="{}"{}>{}</option>').format(v, Markup(" selected") if v == chosen else "", text)
                           for v, text in options)
    return Markup('<label>{} <select name="{}">{}</select></label>').format(label, name, opts)


def _form(request: Request, action: str, inner: Markup, button: str) -> Markup:
    return Markup('<form method="post" action="{}" class="tt-form">{}{}<button type="submit" class="button">{}</button></form>').format(
        _url(request, action), csrf_input(request), inner, button)


def _weekday_options() -> list[tuple[str, str]]:
    return [(str(i), WEEKDAYS_ZH[i]) for i in range(1, 8)]


def _flash(request: Request) -> Markup:
    text = request.session.pop("tt_flash", "")
    return Markup('<p class="flash" role="status">{}</p>').format(text) if text else Markup("")


def _error(text: str) -> Markup:
    return Markup('<p class="error" role="alert">{}</p>').format(text)


def overview_body(request: Request, ctx: KioskContext, keep: dict | None = None, which: str = "") -> Markup:
    keep = keep or {}
    k = lambda form: keep if which == form else {}  # noqa: E731 - only the refused form keeps its values
    with ctx.sessions() as s:
        terms = list(s.scalars(select(Term).order_by(Term.start)))
        rooms = list(s.scalars(select(Room).order_by(Room.id)))
        teachers = list(s.scalars(select(Teacher).order_by(Teacher.id)))
        courses = list(s.scalars(select(Course).order_by(Course.term_id, Course.id)))
        counts = {c.id: (service.seats_taken(s, c.id), service.waiting_count(s, c.id)) for c in courses}
        slots = {c.id: list(s.scalars(select(Slot).where(Slot.course_id == c.id).order_by(Slot.weekday, Slot.start))) for c in courses}
        makeups = list(s.scalars(select(MakeupDay).order_by(MakeupDay.day)))
        s.expunge_all()
    room_names = {r.id: r.name for r in rooms}
    teacher_names = {x.id: x.name for x in teachers}
    out = _flash(request)
    out += Markup('<p class="tt-noprint"><a href="{}">{}</a></p>').format(_url(request, "/classes"), t(request, "查看公开课程表", "Public timetable"))
    for term in terms:
        rows = Markup("")
        for c in (x for x in courses if x.term_id == term.id):
            taken, waiting = counts[c.id]
            times = "，".join(f"{WEEKDAYS_ZH[x.weekday]} {x.start}–{x.end}" for x in slots[c.id]) or "—"
            rows += Markup('<tr><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>').format(
                _url(request, f"/staff/classes/course/{c.id}"), c.name, "" if c.active else t(request, "（停用）", " (inactive)"),
                teacher_names.get(c.teacher_id, "—"), room_names.get(c.room_id, "—"), times, taken, c.capacity, waiting)
        md = "，".join(f"{m.day:%m-%d}→{WEEKDAYS_ZH[m.follows_weekday]}" for m in makeups if m.term_id == term.id)
        out += Markup('<section class="card"><h2>{} <small>（{} · {} – {}）</small></h2><p>{}{}</p><div class="table-wrap"><table class="tt-list">'
                      '<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></div></section>').format(
            term.name, term.season, term.start, term.end, t(request, "调休上课：", "Make-up days: "), md or "—",
            t(request, "课程", "Class"), t(request, "老师", "Teacher"), t(request, "教室", "Room"), t(request, "每周时间", "Weekly"),
            t(request, "已报/名额", "Taken/seats"), t(request, "候补", "Waiting"), rows)
    term_opts = [(str(x.id), x.name) for x in terms]
    room_opts = [(str(x.id), f"{x.name}（{x.place}）") for x in rooms]
    teacher_opts = [("", "—")] + [(str(x.id), x.name) for x in teachers]
    course_opts = [(str(c.id), f"{c.name} · {next((x.name for x in terms if x.id == c.term_id), '')}") for c in courses]
    forms = Markup("")
    forms += Markup("<h3>{}</h3>").format(t(request, "添加一周的上课时段（同一教室同一时间只能有一门课）", "Add a weekly slot (a room holds one class at a time)"))
    forms += _form(request, "/staff/classes/slot", _select(t(request, "课程", "Class"), "course_id", course_opts, k("slot"))
                   + _select(t(request, "星期", "Weekday"), "weekday", _weekday_options(), k("slot"))
                   + _field(t(request, "开始", "Start"), "start", k("slot"), "time") + _field(t(request, "结束", "End"), "end", k("slot"), "time"),
                   t(request, "添加时段", "Add slot"))
    forms += Markup("<h3>{}</h3>").format(t(request, "添加课程", "Add a class"))
    forms += _form(request, "/staff/classes/course", _select(t(request, "学期", "Term"), "term", term_opts, k("course"))
                   + _field(t(request, "名称", "Name"), "name", k("course")) + _select(t(request, "教室", "Room"), "room", room_opts, k("course"))
                   + _select(t(request, "老师", "Teacher"), "teacher", teacher_opts, k("course"))
                   + _field(t(request, "名额", "Seats"), "capacity", k("course"), "number")
                   + _field(t(request, "主办", "Organizer"), "organizer", k("course") or {"organizer": "夕阳美老年大学"})
                   + _field(t(request, "请带（用；分隔）", "Bring (separate with ;)"), "bring", k("course"), required=False),
                   t(request, "添加课程", "Add class"))
    forms += Markup("<h3>{}</h3>").format(t(request, "添加学期（要在所属季节之内）", "Add a term (within its season)"))
    season_opts = [(x.name, f"{x.title}（{x.name}）") for x in ctx.settings.seasons]
    forms += _form(request, "/staff/classes/term", _field(t(request, "名称", "Name"), "name", k("term"))
                   + _select(t(request, "季节", "Season"), "season", season_opts, k("term"))
                   + _field(t(request, "开始", "Start"), "start", k("term"), "date") + _field(t(request, "结束", "End"), "end", k("term"), "date"),
                   t(request, "添加学期", "Add term"))
    forms += Markup("<h3>{}</h3>").format(t(request, "调休上班日上课（由工作人员决定）", "Hold classes on a 调休 working day (staff decide)"))
    forms += _form(request, "/staff/classes/makeup", _select(t(request, "学期", "Term"), "term", term_opts, k("makeup"))
                   + _field(t(request, "日期", "Day"), "day", k("makeup"), "date")
                   + _select(t(request, "按星期几的课表", "Follows"), "follows", _weekday_options(), k("makeup")), t(request, "添加", "Add"))
    forms += Markup("<h3>{}</h3>").format(t(request, "教室与老师", "Rooms and teachers"))
    forms += _form(request, "/staff/classes/room", _field(t(request, "教室名称", "Room"), "name", k("room"))
                   + _field(t(request, "所属", "Place"), "place", k("room"), required=False), t(request, "添加教室", "Add room"))
    forms += _form(request, "/staff/classes/teacher", _field(t(request, "老师称呼", "Teacher"), "name", k("teacher"))
                   + _field(t(request, "教什么", "Subject"), "subject", k("teacher"), required=False), t(request, "添加老师", "Add teacher"))
    out += Markup('<section class="card tt-noprint">{}</section>').format(forms)
    return out + manage_section(request, terms, rooms, teachers, k)


def manage_section(request: Request, terms, rooms, teachers, k) -> Markup:
    """Edit a term, room or teacher in place; delete a room or teacher (refused while a class uses it)."""
    out = Markup("<h3>{}</h3>").format(t(request, "修改学期（日期要在所属季节之内）", "Edit a term (dates within its season)"))
    for x in terms:
        keep = k(f"term-{x.id}") or {"name": x.name, "start": x.start.isoformat(), "end": x.end.isoformat()}
        out += _form(request, f"/staff/classes/term/{x.id}/edit", _field(t(request, "名称", "Name"), "name", keep)
                     + _field(t(request, "开始", "Start"), "start", keep, "date") + _field(t(request, "结束", "End"), "end", keep, "date"),
                     t(request, "保存学期", "Save term"))
    out += Markup("<h3>{}</h3>").format(t(request, "修改或删除教室（有课程在用时不能删除）", "Edit or delete a room (not while a class uses it)"))
    for x in rooms:
        keep = k(f"room-{x.id}") or {"name": x.name, "place": x.place}
        out += _form(request, f"/staff/classes/room/{x.id}/edit", _field(t(request, "教室名称", "Room"), "name", keep)
                     + _field(t(request, "所属", "Place"), "place", keep, required=False), t(request, "保存教室", "Save room"))
        out += _form(request, f"/staff/classes/room/{x.id}/delete", Markup(""), t(request, f"删除教室「{x.name}」", f"Delete room {x.name}"))
    out += Markup("<h3>{}</h3>").format(t(request, "修改或删除老师（还在教课时不能删除）", "Edit or delete a teacher (not while teaching a class)"))
    for x in teachers:
        keep = k(f"teacher-{x.id}") or {"name": x.name, "subject": x.subject}
        out += _form(request, f"/staff/classes/teacher/{x.id}/edit", _field(t(request, "老师称呼", "Teacher"), "name", keep)
                     + _field(t(request, "教什么", "Subject"), "subject", keep, required=False), t(request, "保存老师", "Save teacher"))
        out += _form(request, f"/staff/classes/teacher/{x.id}/delete", Markup(""), t(request, f"删除「{x.name}」", f"Delete {x.name}"))
    return Markup('<section class="card tt-noprint">{}</section>').format(out)


# Which field of the class form a refusal belongs to (the error is shown right after that field).
EDIT_FIELDS = {"bad_name": "name", "unknown_teacher": "teacher", "unknown_room": "room", "room_clash": "room",
               "bad_capacity": "capacity", "bad_seats": "capacity"}


def _with_error(field: Markup, name: str, error: tuple[str, str] | None) -> Markup:
    if error is None or error[0] != name:
        return field
    return field + Markup('<span class="error" role="alert">{}</span>').format(error[1])


def edit_course_form(request: Request, ctx: KioskContext, info, keep: dict | None = None, error: tuple[str, str] | None = None) -> Markup:
    """The class's own form: name, teacher, room, what to bring and seats, filled with what is stored or was typed."""
    c = info.course
    keep = keep if keep is not None else {"name": c.name, "teacher": str(c.teacher_id or ""), "room": str(c.room_id),
                                          "bring": "；".join(info.bring), "capacity": str(c.capacity)}
    with ctx.sessions() as s:
        rooms = [(str(x.id), f"{x.name}（{x.place}）") for x in s.scalars(select(Room).order_by(Room.id))]
        teachers = [(str(x.id), x.name) for x in s.scalars(select(Teacher).order_by(Teacher.id))]
    if not c.teacher_id:
        teachers.insert(0, ("", "—"))
    inner = (_with_error(_field(t(request, "名称", "Name"), "name", keep, extra=' maxlength="40"'), "name", error)
             + _with_error(_select(t(request, "老师", "Teacher"), "teacher", teachers, keep), "teacher", error)
             + _with_error(_select(t(request, "教室", "Room"), "room", rooms, keep), "room", error)
             + _field(t(request, "请带（用；分隔）", "Bring (separate with ;)"), "bring", keep, required=False)
             + _with_error(_field(t(request, "名额（增加会让候补自动转正）", "Seats (more seats move the waiting list up)"), "capacity", keep, "number"),
                           "capacity", error))
    return Markup("<h3>{}</h3>").format(t(request, "修改课程", "Edit the class")) + _form(
        request, f"/staff/classes/course/{c.id}/edit", inner, t(request, "保存修改", "Save changes"))


def course_body(request: Request, ctx: KioskContext, course_id: int, day: str = "", keep: dict | None = None,
                error: tuple[str, str] | None = None) -> Markup:
    en = request_lang(request) == "en"
    info = service.course_info(ctx, course_id)
    listing = service.signups(ctx, course_id)
    marks = service.attendance(ctx, course_id)
    c = info.course
    out = _flash(request)
    out += Markup('<p class="tt-noprint"><a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a></p>').format(
        _url(request, "/staff/classes"), t(request, "全部课程", "All classes"),
        _url(request, f"/staff/classes/course/{course_id}/print"), t(request, "打印名单", "Print the list"),
        _url(request, f"/staff/classes/course/{course_id}/signups.csv"), t(request, "导出 CSV", "Export CSV"))
    out += Markup("<p>{} · {} · {} · {}</p>").format(info.teacher or "—", f"{info.room}（{info.place}）", info.times_text(request_lang(request)),
                                                     t(request, f"名额 {c.capacity}，剩余 {info.seats_left}，候补 {info.waiting}",
                                                       f"{c.capacity} seats, {info.seats_left} left, {info.waiting} waiting"))
    out += Markup('<div class="tt-noprint">') + edit_course_form(request, ctx, info, keep, error)
    for slot in info.slots:
        out += _form(request, f"/staff/classes/slot/{slot.id}/delete", Markup(""),
                     t(request, f"删除时段 {WEEKDAYS_ZH[slot.weekday]} {slot.start}", f"Remove slot {slot.weekday} {slot.start}"))
    out += Markup("</div>")
    # sessions: cancel / move with a reason, and the session whose attendance is marked
    upcoming = info.upcoming[:12]
    chosen = next((o for o in info.upcoming if o.key == day), None) or next((o for o in info.upcoming if o.happens), None)
    sess = Markup("")
    for o in upcoming:
        if o.kind == "moved":
            label = t(request, f"{o.day} {o.start}（调课）", f"{o.day} {o.start} (moved)")
        else:
            label = f"{o.day} {WEEKDAYS_ZH[o.weekday]} {o.start}–{o.end}"
        state = ""
        if o.status == "cancelled":
            state = t(request, f"停课：{o.reason}", f"cancelled: {o.reason_en or o.reason}")
        elif o.status == "moved":
            state = t(request, f"已调至 {o.moved_to[0]} {o.moved_to[1]}：{o.reason}", f"moved to {o.moved_to[0]} {o.moved_to[1]}: {o.reason}")
        due = (o.due_day or o.day).isoformat()
        actions = Markup("")
        if o.kind != "moved" and o.status == "scheduled":
            actions += _form(request, f"/staff/classes/session/{o.slot_id}/{due}/cancel",
                             _field(t(request, "原因", "Reason"), "reason", {}, extra=' maxlength="60"'), t(request, "停课", "Cancel"))
            actions += _form(request, f"/staff/classes/session/{o.slot_id}/{due}/move",
                             _field(t(request, "改到", "To"), "new_day", {}, "date") + _field(t(request, "开始", "Start"), "new_start", {"new_start": o.start}, "time")
                             + _field(t(request, "结束", "End"), "new_end", {"new_end": o.end}, "time")
                             + _field(t(request, "原因", "Reason"), "reason", {}, extra=' maxlength="60"'), t(request, "调课", "Move"))
        elif o.kind != "moved":
            actions += _form(request, f"/staff/classes/session/{o.slot_id}/{due}/restore", Markup(""), t(request, "恢复", "Restore"))
        if o.happens:
            actions += Markup(' <a href="{}">{}</a>').format(_url(request, f"/staff/classes/course/{course_id}", day=o.key), t(request, "记考勤", "Attendance"))
        sess += Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(label, state, actions)
    out += Markup('<section class="card tt-noprint"><h2>{}</h2><div class="table-wrap"><table class="tt-list tt-sessions"><tbody>{}</tbody></table></div></section>').format(
        t(request, "近期上课（停课、调课要写原因）", "Coming sessions (cancel or move with a reason)"), sess)
    # the sign-up list with attendance for the chosen session
    head = [t(request, "序号", "No."), t(request, "状态", "State"), t(request, "姓氏", "Surname"), t(request, "电话", "Phone"),
            t(request, "报名时间", "Signed up"), t(request, "出勤", "Attended")]
    if chosen is not None:
        head.append(t(request, f"{chosen.day.month}月{chosen.day.day}日 考勤", f"Attendance {chosen.day}"))
    rows = Markup("")
    tz = ctx.settings.tz
    for i, (signup, position) in enumerate(listing, start=1):
        state = STATE_NAMES.get(signup.state, (signup.state, signup.state))[1 if en else 0] + (f" {position}" if position else "")
        came = sum(1 for (sid, _s, _d), ok in marks.items() if sid == signup.id and ok)
        cell = Markup("")
        if chosen is not None and signup.state == "enrolled":
            mark = marks.get((signup.id, chosen.slot_id, chosen.day))
            here = Markup(" ✓") if mark else Markup(" ✗") if mark is False else Markup("")
            cell = Markup("<td>{}{}{}</td>").format(
                _form(request, f"/staff/classes/attend/{signup.id}/{chosen.slot_id}/{chosen.day.isoformat()}",
                      Markup('<input type="hidden" name="present" value="1">'), t(request, "到", "Present")),
                _form(request, f"/staff/classes/attend/{signup.id}/{chosen.slot_id}/{chosen.day.isoformat()}",
                      Markup('<input type="hidden" name="present" value="0">'), t(request, "缺", "Absent")), here)
        elif chosen is not None:
            cell = Markup("<td></td>")
        rows += Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>").format(
            i, state, signup.surname or "—", service.mask_phone(signup.phone), signup.created_at.astimezone(tz).strftime("%m-%d %H:%M"), came, cell)
    out += Markup('<section class="card"><h2>{}</h2><div class="table-wrap"><table class="tt-list"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div></section>').format(
        t(request, "报名名单", "Sign-up list"), Markup("").join(Markup("<th>{}</th>").format(h) for h in head), rows)
    return out


def print_body(request: Request, ctx: KioskContext, course_id: int) -> Markup:
    info = service.course_info(ctx, course_id)
    rows = service.export_rows(ctx, course_id)
    table = Markup('<table class="tt-list"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
        Markup("").join(Markup("<th>{}</th>").format(h) for h in rows[0][:7]),
        Markup("").join(Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(v) for v in r[:7])) for r in rows[1:]))
    return Markup("<p>{} · {} · {} · {}</p>{}").format(info.term.name, info.teacher, info.room, info.times_text(), table)


def _date(form: dict, name: str, zh: str, en: str) -> date:
    """A date field of a form, or the refusal staff see beside the form (browsers without a date picker send text)."""
    try:
        return parse_day(form.get(name, ""))
    except DateOutOfRange as exc:
        raise TimetableError("bad_dates", exc.zh, exc.en) from None
    except ValueError:
        raise TimetableError("bad_dates", zh, en) from None


def _term_dates(form: dict) -> tuple[date, date]:
    return (_date(form, "start", "请填写开始和结束日期", "enter the start and end dates"),
            _date(form, "end", "请填写开始和结束日期", "enter the start and end dates"))


def _number(form: dict, name: str) -> int:
    """A choice sent as a number (a select's value); anything else is 0, which the service refuses by name."""
    value = form.get(name) or "0"
    return int(value) if value.isascii() and value.isdigit() else 0


def _seats(form: dict, code: str, empty: str = "") -> int:
    try:
        return int(form.get("capacity") or empty)
    except ValueError:
        raise TimetableError(code, "名额要填数字", "seats must be a number") from None


def build_staff_router(ctx: KioskContext) -> APIRouter:
    router = APIRouter()

    def back(request: Request, path: str, flash: str):
        request.session["tt_flash"] = flash
        return RedirectResponse(_url(request, path), status_code=303)

    def refused(request: Request, exc: TimetableError, which: str, keep: dict):
        return page(request, t(request, "课程表管理", "Timetable"), _error(exc.text(request_lang(request))) + overview_body(request, ctx, keep, which),
                    400, stylesheets=STYLES, body_class="tt-wide")

    @router.get("/staff/classes")
    def overview(request: Request, user: StaffIdentity = Depends(require_staff)):
        return page(request, t(request, "课程表管理", "Timetable"), overview_body(request, ctx), stylesheets=STYLES, body_class="tt-wide")

    async def form_of(request: Request) -> dict:
        return {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}

    async def overview_form(request: Request, which: str, done: tuple[str, str], act) -> Response:
        """One form of the overview page: `act(form)` changes the timetable through the service; a refusal shows
        the page again with the message on top and only this form (`which`) keeping what was typed."""
        f = await form_of(request)
        try:
            act(f)
        except TimetableError as exc:
            return refused(request, exc, which, f if which else {})
        return back(request, "/staff/classes", t(request, *done))

    @router.post("/staff/classes/slot")
    async def add_slot(request: Request, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "slot", ("时段已添加", "Slot added"), lambda f: service.add_slot(
            ctx, _number(f, "course_id"), _number(f, "weekday"), f.get("start", ""), f.get("end", "")))

    @router.post("/staff/classes/course")
    async def add_course(request: Request, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "course", ("课程已添加", "Class added"), lambda f: service.add_course(
            ctx, f.get("term"), f.get("name", ""), f.get("room"), _seats(f, "bad", empty="0"), f.get("teacher") or None, f.get("organizer", ""),
            bring="\n".join(x.strip() for x in f.get("bring", "").replace("；", ";").split(";"))))

    @router.post("/staff/classes/term")
    async def add_term(request: Request, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "term", ("学期已添加", "Term added"), lambda f: service.add_term(
            ctx, f.get("name", ""), f.get("season", ""), *_term_dates(f)))

    @router.post("/staff/classes/makeup")
    async def add_makeup(request: Request, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "makeup", ("调休上课已安排", "Make-up day added"), lambda f: service.add_makeup_day(
            ctx, f.get("term"), _date(f, "day", "请填写日期", "enter the day"), _number(f, "follows"), by=f"web:{user.username}"))

    @router.post("/staff/classes/room")
    async def add_room(request: Request, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "room", ("教室已添加", "Room added"),
                                   lambda f: service.add_room(ctx, f.get("name", ""), f.get("place", "")))

    @router.post("/staff/classes/teacher")
    async def add_teacher(request: Request, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "teacher", ("老师已添加", "Teacher added"),
                                   lambda f: service.add_teacher(ctx, f.get("name", ""), f.get("subject", "")))

    @router.post("/staff/classes/term/{term_id}/edit")
    async def edit_term(request: Request, term_id: PathId, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, f"term-{term_id}", ("学期已修改", "Term changed"),
                                   lambda f: service.edit_term(ctx, term_id, f.get("name", ""), *_term_dates(f)))

    @router.post("/staff/classes/room/{room_id}/edit")
    async def edit_room(request: Request, room_id: PathId, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, f"room-{room_id}", ("教室已修改", "Room changed"),
                                   lambda f: service.edit_room(ctx, room_id, f.get("name", ""), f.get("place", "")))

    @router.post("/staff/classes/teacher/{teacher_id}/edit")
    async def edit_teacher(request: Request, teacher_id: PathId, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, f"teacher-{teacher_id}", ("老师已修改", "Teacher changed"),
                                   lambda f: service.edit_teacher(ctx, teacher_id, f.get("name", ""), f.get("subject", "")))

    @router.post("/staff/classes/room/{room_id}/delete")
    async def delete_room(request: Request, room_id: PathId, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "", ("教室已删除", "Room deleted"), lambda f: service.delete_room(ctx, room_id))

    @router.post("/staff/classes/teacher/{teacher_id}/delete")
    async def delete_teacher(request: Request, teacher_id: PathId, user: StaffIdentity = Depends(require_staff)):
        return await overview_form(request, "", ("老师已删除", "Teacher deleted"), lambda f: service.delete_teacher(ctx, teacher_id))

    @router.get("/staff/classes/course/{course_id}")
    def course_page(request: Request, course_id: PathId, day: str = "", user: StaffIdentity = Depends(require_staff)):
        try:
            info = service.course_info(ctx, course_id)
        except TimetableError as exc:
            return page(request, t(request, "没有这门课", "No such class"), _error(exc.text(request_lang(request))), 404)
        return page(request, f"{info.course.name} · {info.term.name}", course_body(request, ctx, course_id, day), stylesheets=STYLES, body_class="tt-wide")

    @router.get("/staff/classes/course/{course_id}/print")
    def print_page(request: Request, course_id: PathId, user: StaffIdentity = Depends(require_staff)):
        try:
            info = service.course_info(ctx, course_id)
        except TimetableError as exc:
            return page(request, t(request, "没有这门课", "No such class"), _error(exc.text(request_lang(request))), 404)
        return page(request, t(request, f"{info.course.name} 报名名单", f"{info.course.name} sign-up list"), print_body(request, ctx, course_id),
                    stylesheets=STYLES)

    @router.get("/staff/classes/course/{course_id}/signups.csv")
    def export(request: Request, course_id: PathId, user: StaffIdentity = Depends(require_staff)):
        try:
            rows = service.export_rows(ctx, course_id)
        except TimetableError:
            return Response("no such class", status_code=404)
        with ctx.transaction() as s:  # who took the sign-up list (surnames, masked phones) out of the building
            audit.record(s, f"web:{user.username}", "export.signups", f"course:{course_id}", {"rows": max(len(rows) - 1, 0)},
                         client_ip(request))
        return Response(csv_text(rows, bom=True), media_type="text/csv; charset=utf-8",  # BOM: Excel opens UTF-8 Chinese correctly
                        headers={"Content-Disposition": f'attachment; filename="class-{course_id}.csv"', "Cache-Control": "no-store"})

    @router.post("/staff/classes/course/{course_id}/seats")
    async def seats(request: Request, course_id: PathId, user: StaffIdentity = Depends(require_staff)):
        f = await form_of(request)
        try:
            service.update_course(ctx, course_id, capacity=int(f.get("capacity") or 0))
            flash = t(request, "名额已修改", "Seats changed")
        except (TimetableError, ValueError) as exc:
            flash = exc.text(request_lang(request)) if isinstance(exc, TimetableError) else t(request, "名额要填数字", "seats must be a number")
        return back(request, f"/staff/classes/course/{course_id}", flash)

    @router.post("/staff/classes/course/{course_id}/edit")
    async def edit_course(request: Request, course_id: PathId, user: StaffIdentity = Depends(require_staff)):
        f = await form_of(request)
        try:  # an unknown class is a 404 whatever else the form got wrong (found by the fuzzer)
            service.course_info(ctx, course_id)
        except TimetableError as exc:
            return page(request, t(request, "没有这门课", "No such class"), _error(exc.text(request_lang(request))), 404)
        try:
            cap = _seats(f, "bad_seats")
            bring = "\n".join(x.strip() for x in f.get("bring", "").replace("；", ";").split(";") if x.strip())
            service.update_course(ctx, course_id, name=f.get("name", ""), teacher=f.get("teacher") or None, room=f.get("room") or None,
                                  bring=bring, capacity=cap)
        except TimetableError as exc:
            if exc.code == "unknown_course":
                return page(request, t(request, "没有这门课", "No such class"), _error(exc.text(request_lang(request))), 404)
            text = exc.text(request_lang(request))
            field = EDIT_FIELDS.get(exc.code)
            body = (Markup("") if field else _error(text)) + course_body(request, ctx, course_id, keep=f, error=(field, text) if field else None)
            info = service.course_info(ctx, course_id)
            return page(request, f"{info.course.name} · {info.term.name}", body, 400, stylesheets=STYLES, body_class="tt-wide")
        return back(request, f"/staff/classes/course/{course_id}", t(request, "课程已修改", "Class changed"))

    @router.post("/staff/classes/slot/{slot_id}/delete")
    def delete_slot(request: Request, slot_id: PathId, user: StaffIdentity = Depends(require_staff)):
        with ctx.sessions() as s:
            slot = s.get(Slot, slot_id)
            course_id = slot.course_id if slot else 0
        try:
            service.remove_slot(ctx, slot_id)
            flash = t(request, "时段已删除", "Slot removed")
        except TimetableError as exc:
            flash = exc.text(request_lang(request))
        return back(request, f"/staff/classes/course/{course_id}" if course_id else "/staff/classes", flash)

    def _course_of_slot(slot_id: int) -> int:
        with ctx.sessions() as s:
            slot = s.get(Slot, slot_id)
            return slot.course_id if slot else 0

    @router.post("/staff/classes/session/{slot_id}/{day}/{action}")
    async def session_action(request: Request, slot_id: PathId, day: str, action: str, user: StaffIdentity = Depends(require_staff)):
        f = await form_of(request)
        by = f"web:{user.username}"
        course_id = _course_of_slot(slot_id)
        try:
            due = parse_day(day)
            if action == "cancel":
                service.cancel_session(ctx, slot_id, due, f.get("reason", ""), by=by)
                flash = t(request, "已停课，课程表上会显示原因", "Session cancelled; the reason is shown on the timetable")
            elif action == "move":
                new_day = _date(f, "new_day", "请填写新的日期", "enter the new day")
                service.move_session(ctx, slot_id, due, new_day, f.get("new_start", ""), f.get("new_end", ""), f.get("reason", ""), by=by)
                flash = t(request, "已调课", "Session moved")
            elif action == "restore":
                service.restore_session(ctx, slot_id, due)
                flash = t(request, "已恢复", "Restored")
            else:
                flash = t(request, "未知操作", "Unknown action")
        except (TimetableError, DateOutOfRange) as exc:
            flash = exc.text(request_lang(request))
        except ValueError:
            flash = t(request, "日期不对", "Bad date")
        return back(request, f"/staff/classes/course/{course_id}", flash)

    @router.post("/staff/classes/attend/{signup_id}/{slot_id}/{day}")
    async def attend(request: Request, signup_id: PathId, slot_id: PathId, day: str, user: StaffIdentity = Depends(require_staff)):
        f = await form_of(request)
        course_id = _course_of_slot(slot_id)
        try:
            due = parse_day(day)
            service.mark_attendance(ctx, signup_id, slot_id, due, f.get("present") == "1", by=f"web:{user.username}")
            flash = t(request, "考勤已记录", "Attendance saved")
        except (TimetableError, DateOutOfRange) as exc:
            flash = exc.text(request_lang(request))
        except ValueError:
            flash = t(request, "日期不对", "Bad date")
        return back(request, f"/staff/classes/course/{course_id}?day={slot_id}-{day}", flash)

    return router
