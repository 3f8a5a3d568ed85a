"""The timetable's staff pages: terms, rooms, teachers, classes and weekly slots; cancelling or moving a
session with a reason; 调休 days; the sign-up list (phones masked), its print view and CSV; attendance.

Every form posts back with the session's CSRF field; a refused form (a room clash names the clashing
class) is shown again with what was typed. All changes go through kiosk.plugins.timetable.service.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from kiosk.api import DateOutOfRange, KioskContext, audit, csv_text, parse_day
from kiosk.api.web import (
    client_ip, link as _url, PathId, render_plugin, request_lang, require_staff, StaffIdentity, text_for as t,
)

from . import service
from .models import Course, MakeupDay, Room, Slot, Teacher, Term
from .schedule import WEEKDAYS_ZH
from .service import TimetableError
from .web import PLUGIN, STYLES

STATE_NAMES = {"enrolled": ("已报名", "Enrolled"), "waitlisted": ("候补", "Waiting"), "cancelled": ("已取消", "Cancelled")}


def _weekday_options() -> list[tuple[str, str]]:
    return [(str(i), WEEKDAYS_ZH[i]) for i in range(1, 8)]


def overview_view(request: Request, ctx, keep: dict | None = None, which: str = "") -> dict:
    """What templates/overview.html shows: terms with their classes, the options of the forms, and which form
    keeps what was typed (only the refused one, ``which``)."""
    keep = keep or {}
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
    term_views = [{
        "id": term.id, "name": term.name, "season": term.season, "start": term.start, "end": term.end,
        "makeups": "，".join(f"{m.day:%m-%d}→{WEEKDAYS_ZH[m.follows_weekday]}" for m in makeups if m.term_id == term.id),
        "courses": [{"id": c.id, "name": c.name, "active": c.active, "teacher": teacher_names.get(c.teacher_id, "—"),
                     "room": room_names.get(c.room_id, "—"), "capacity": c.capacity, "taken": counts[c.id][0], "waiting": counts[c.id][1],
                     "times": "，".join(f"{WEEKDAYS_ZH[x.weekday]} {x.start}–{x.end}" for x in slots[c.id]) or "—"}
                    for c in courses if c.term_id == term.id]} for term in terms]
    return {
        "terms": term_views, "rooms": rooms, "teachers": teachers, "keep_for": lambda form: keep if which == form else {},
        "term_options": [(str(x.id), x.name) for x in terms], "room_options": [(str(x.id), f"{x.name}（{x.place}）") for x in rooms],
        "teacher_options": [("", "—")] + [(str(x.id), x.name) for x in teachers], "weekday_options": _weekday_options(),
        "course_options": [(str(c.id), f"{c.name} · {next((x.name for x in terms if x.id == c.term_id), '')}") for c in courses],
        "season_options": [(x.name, f"{x.title}（{x.name}）") for x in ctx.settings.seasons],
    }


# Which field of the class form a refusal belongs to (the error is shown right after that field).
EDIT_FIELDS = {"bad_name": "name", "unknown_teacher": "teacher", "unknown_room": "room", "room_clash": "room",
               "bad_capacity": "capacity", "bad_seats": "capacity"}


def course_view(request: Request, ctx, course_id: int, day: str = "", keep: dict | None = None,
                error: tuple[str, str] | None = None) -> dict:
    """What templates/staff_course.html shows: the class's form (stored values or what was typed, ``error`` after
    its field), its slots, the coming sessions and the sign-up list (phones masked) with attendance."""
    en = request_lang(request) == "en"
    info = service.course_info(ctx, course_id)
    listing = service.signups(ctx, course_id)
    marks = service.attendance(ctx, course_id)
    c = info.course
    keep = keep if keep is not None else {"name": c.name, "teacher": str(c.teacher_id or ""), "room": str(c.room_id),
                                          "bring": "；".join(info.bring), "capacity": str(c.capacity)}
    with ctx.sessions() as s:
        rooms = [(str(x.id), f"{x.name}（{x.place}）") for x in s.scalars(select(Room).order_by(Room.id))]
        teachers = [(str(x.id), x.name) for x in s.scalars(select(Teacher).order_by(Teacher.id))]
    if not c.teacher_id:
        teachers.insert(0, ("", "—"))
    chosen = next((o for o in info.upcoming if o.key == day), None) or next((o for o in info.upcoming if o.happens), None)
    sessions = []
    for o in info.upcoming[:12]:
        if o.kind == "moved":
            label = t(request, f"{o.day} {o.start}（调课）", f"{o.day} {o.start} (moved)")
        else:
            label = f"{o.day} {WEEKDAYS_ZH[o.weekday]} {o.start}–{o.end}"
        state = ""
        if o.status == "cancelled":
            state = t(request, f"停课：{o.reason}", f"cancelled: {o.reason_en or o.reason}")
        elif o.status == "moved":
            state = t(request, f"已调至 {o.moved_to[0]} {o.moved_to[1]}：{o.reason}", f"moved to {o.moved_to[0]} {o.moved_to[1]}: {o.reason}")
        sessions.append({"label": label, "state": state, "start": o.start, "end": o.end,
                         "base": f"/staff/classes/session/{o.slot_id}/{(o.due_day or o.day).isoformat()}",
                         "can_change": o.kind != "moved" and o.status == "scheduled", "can_restore": o.kind != "moved" and o.status != "scheduled",
                         "attendance_href": _url(request, f"/staff/classes/course/{course_id}", day=o.key) if o.happens else ""})
    head = [t(request, "序号", "No."), t(request, "状态", "State"), t(request, "姓氏", "Surname"), t(request, "电话", "Phone"),
            t(request, "报名时间", "Signed up"), t(request, "出勤", "Attended")]
    if chosen is not None:
        head.append(t(request, f"{chosen.day.month}月{chosen.day.day}日 考勤", f"Attendance {chosen.day}"))
    rows = []
    for i, (signup, position) in enumerate(listing, start=1):
        attend, mark = "", ""
        if chosen is not None and signup.state == "enrolled":
            attend = f"/staff/classes/attend/{signup.id}/{chosen.slot_id}/{chosen.day.isoformat()}"
            found = marks.get((signup.id, chosen.slot_id, chosen.day))
            mark = " ✓" if found else " ✗" if found is False else ""
        rows.append({"no": i, "state": STATE_NAMES.get(signup.state, (signup.state, signup.state))[1 if en else 0] + (f" {position}" if position else ""),
                     "surname": signup.surname or "—", "phone": service.mask_phone(signup.phone),
                     "signed_up": signup.created_at.astimezone(ctx.settings.tz).strftime("%m-%d %H:%M"),
                     "came": sum(1 for (sid, _s, _d), ok in marks.items() if sid == signup.id and ok),
                     "attend": attend, "mark": mark, "blank_cell": chosen is not None})
    slots = [{"id": slot.id, "label": t(request, f"删除时段 {WEEKDAYS_ZH[slot.weekday]} {slot.start}", f"Remove slot {slot.weekday} {slot.start}")}
             for slot in info.slots]
    return {"info": info, "course": c, "keep": keep, "field_error": error, "teacher_options": teachers, "room_options": rooms,
            "slots": slots, "sessions": sessions, "head": head, "rows": rows}


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

    def overview_page(request: Request, status_code: int = 200, error: str = "", keep: dict | None = None, which: str = ""):
        return render_plugin(request, PLUGIN, "overview.html", status_code, title=t(request, "课程表管理", "Timetable"), error=error,
                             flash=request.session.pop("tt_flash", ""), stylesheets=STYLES, body_class="tt-wide",
                             **overview_view(request, ctx, keep, which))

    def refused(request: Request, exc: TimetableError, which: str, keep: dict):
        return overview_page(request, 400, exc.text(request_lang(request)), keep, which)

    def missing(request: Request, exc: TimetableError):
        return render_plugin(request, PLUGIN, "staff_error.html", 404, title=t(request, "没有这门课", "No such class"),
                             error=exc.text(request_lang(request)))

    def course_page_of(request: Request, course_id: int, day: str = "", status_code: int = 200, error: str = "",
                       keep: dict | None = None, field_error: tuple[str, str] | None = None):
        view = course_view(request, ctx, course_id, day, keep, field_error)
        return render_plugin(request, PLUGIN, "staff_course.html", status_code, title=f"{view['course'].name} · {view['info'].term.name}",
                             error=error, flash=request.session.pop("tt_flash", ""), stylesheets=STYLES, body_class="tt-wide", **view)

    @router.get("/staff/classes")
    def overview(request: Request, user: StaffIdentity = Depends(require_staff)):
        return overview_page(request)

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
            return missing(request, exc)
        return course_page_of(request, course_id, day)

    @router.get("/staff/classes/course/{course_id}/print")
    def print_page(request: Request, course_id: PathId, user: StaffIdentity = Depends(require_staff)):
        try:
            info = service.course_info(ctx, course_id)
        except TimetableError as exc:
            return missing(request, exc)
        return render_plugin(request, PLUGIN, "staff_print.html", title=t(request, f"{info.course.name} 报名名单", f"{info.course.name} sign-up list"),
                             info=info, rows=service.export_rows(ctx, course_id), stylesheets=STYLES)

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
            return missing(request, exc)
        try:
            cap = _seats(f, "bad_seats")
            bring = "\n".join(x.strip() for x in f.get("bring", "").replace("；", ";").split(";") if x.strip())
            service.update_course(ctx, course_id, name=f.get("name", ""), teacher=f.get("teacher") or None, room=f.get("room") or None,
                                  bring=bring, capacity=cap)
        except TimetableError as exc:
            if exc.code == "unknown_course":
                return missing(request, exc)
            text = exc.text(request_lang(request))
            field = EDIT_FIELDS.get(exc.code)
            return course_page_of(request, course_id, status_code=400, error="" if field else text, keep=f,
                                  field_error=(field, text) if field else None)
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
