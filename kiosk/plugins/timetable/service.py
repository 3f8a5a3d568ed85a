"""The timetable's domain: reading the week, signing up and cancelling, and the staff's changes.

Every function opens its own transaction through the context, so the kiosk screens, the web pages and
the CLI share one behaviour. Nothing here imports Kivy.

Sign-ups race safely: the course row is locked first (PostgreSQL ``SELECT … FOR UPDATE``; SQLite's
``BEGIN IMMEDIATE`` already serialises writers), then seats are counted and the course's ``last_seq`` is
incremented, so racing kiosks get one seat each until the class is full and then consecutive waiting
positions. ``UNIQUE(course_id, phone)`` and ``UNIQUE(course_id, seq)`` stand behind it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.api import KioskContext, utcnow, IssuedReceipt, find_receipt, Refusal

from .models import Attendance, Course, MakeupDay, Room, SessionChange, Signup, Slot, Teacher, Term
from .schedule import WEEKDAYS_EN, WEEKDAYS_ZH, Occurrence, course_occurrences, occurrences, overlaps, week_bounds

PLUGIN = "timetable"
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TimetableError(Refusal):
    """Something that cannot be done, said in both languages; ``code`` is for scripts and tests. A :class:`~kiosk.refusal.Refusal`: ``TimetableError(code, zh, en)``."""


# -- phone numbers (the one personal datum) ----------------------------------------------------------
def normalize_phone(raw: str) -> str:
    """The one stored form (kiosk.phone: 13812341234 or 0538-6201234), or a TimetableError in both languages."""
    from kiosk.api import translator, PhoneError, normalize_phone as _normalize

    try:
        return _normalize(raw)
    except PhoneError as err:
        raise TimetableError("bad_phone", translator("zh_CN", "shell")(err.msgid), err.msgid) from None


def mask_phone(phone: str | None) -> str:
    """138****5678: enough for staff to tell people apart on a list, not enough to call."""
    from kiosk.api import mask_phone as _mask

    return _mask(phone) if phone else "—"


def clean_surname(raw: str) -> str:
    value = "".join(ch for ch in (raw or "") if ch.isprintable()).strip()
    if len(value) > 4:
        raise TimetableError("bad_surname", "姓氏最多 4 个字", "the surname may have at most 4 characters")
    return value


# -- reading -------------------------------------------------------------------------------------------
def seats_taken(s: Session, course_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Signup).where(Signup.course_id == course_id, Signup.state == "enrolled")) or 0


def waiting_count(s: Session, course_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Signup).where(Signup.course_id == course_id, Signup.state == "waitlisted")) or 0


def seats_left(s: Session, course: Course) -> int:
    return max(0, course.capacity - seats_taken(s, course.id))


def week(ctx: KioskContext, monday: date | None = None) -> list[Occurrence]:
    """Every session of the ISO week starting ``monday`` (this week by default), with seats left."""
    monday = monday or week_bounds(ctx.today())[0]
    with ctx.sessions() as s:
        found = occurrences(s, ctx.calendar, monday, monday + timedelta(days=6))
        left = {}
        for occ in found:
            if occ.course_id not in left:
                left[occ.course_id] = seats_left(s, s.get(Course, occ.course_id))
            occ.extra["seats_left"] = left[occ.course_id]
        return found


def day_sessions(ctx: KioskContext, day: date | None = None) -> list[Occurrence]:
    day = day or ctx.today()
    return [o for o in week(ctx, week_bounds(day)[0]) if o.day == day]


def listing_json(occ: Occurrence) -> dict:
    """The ``kiosk classes list --json`` object (the contract's keys first)."""
    return {"id": occ.course_id, "name": occ.name, "teacher": occ.teacher, "room": occ.room, "weekday": occ.weekday,
            "start": occ.start, "end": occ.end, "seats_left": occ.extra.get("seats_left", 0),
            "date": occ.day.isoformat(), "status": occ.status, "reason": occ.reason, "slot_id": occ.slot_id}


@dataclass
class CourseInfo:
    course: Course
    term: Term
    teacher: str
    room: str
    place: str
    slots: list[Slot]
    seats_left: int
    waiting: int
    upcoming: list[Occurrence]

    def times_text(self, lang: str = "zh_CN") -> str:
        names = WEEKDAYS_EN if lang == "en" else WEEKDAYS_ZH
        return ", ".join(f"{names[x.weekday]} {x.start}–{x.end}" for x in self.slots) if lang == "en" else \
            "，".join(f"每{names[x.weekday]} {x.start}–{x.end}" for x in self.slots)

    @property
    def bring(self) -> list[str]:
        return [line.strip() for line in (self.course.bring or "").splitlines() if line.strip()]


def course_info(ctx: KioskContext, course_id: int) -> CourseInfo:
    today = ctx.today()
    with ctx.sessions() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise TimetableError("unknown_course", "没有这门课", f"no class with id {course_id}")
        term = s.get(Term, course.term_id)
        room = s.get(Room, course.room_id)
        teacher = s.get(Teacher, course.teacher_id) if course.teacher_id else None
        slots = list(s.scalars(select(Slot).where(Slot.course_id == course.id).order_by(Slot.weekday, Slot.start)))
        upcoming = [o for o in course_occurrences(s, ctx.calendar, course) if o.day >= today]
        s.expunge_all()
        info = CourseInfo(course, term, teacher.name if teacher else "", room.name if room else "", room.place if room else "",
                          slots, 0, 0, upcoming)
    with ctx.sessions() as s:
        info.seats_left = seats_left(s, s.get(Course, course_id))
        info.waiting = waiting_count(s, course_id)
    return info


def current_term(s: Session, day: date) -> Term | None:
    return s.scalar(select(Term).where(Term.start <= day, Term.end >= day).order_by(Term.start))


# -- signing up ------------------------------------------------------------------------------------------
@dataclass
class SignupResult:
    signup: Signup
    course: Course
    position: int | None  # on the waiting list, 1 = next in line
    issued: IssuedReceipt
    first_session: Occurrence | None

    @property
    def state(self) -> str:
        return self.signup.state

    @property
    def url(self) -> str:
        return self.issued.url


def _locked_course(s: Session, course_id: int) -> Course | None:
    stmt = select(Course).where(Course.id == course_id)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return s.scalar(stmt)


def waiting_position(s: Session, signup: Signup) -> int | None:
    if signup.state != "waitlisted":
        return None
    return (s.scalar(select(func.count()).select_from(Signup).where(
        Signup.course_id == signup.course_id, Signup.state == "waitlisted", Signup.seq < signup.seq)) or 0) + 1


def _first_session(s: Session, ctx: KioskContext, course: Course) -> Occurrence | None:
    today = ctx.today()
    return next((o for o in course_occurrences(s, ctx.calendar, course) if o.happens and o.day >= today), None)


def _slip_lines(course: Course, room: str, teacher: str, times: str, first: Occurrence | None, state: str, position: int | None) -> list[str]:
    lines = [f"课程：{course.name}"]
    if teacher:
        lines.append(f"老师：{teacher}")
    lines += [f"教室：{room}", f"时间：{times}"]
    if first is not None:
        lines.append(f"首次上课：{first.day.month}月{first.day.day}日 {WEEKDAYS_ZH[first.weekday]} {first.start}")
    lines.append("报名成功，已为您保留座位" if state == "enrolled" else f"候补第 {position} 位，有空位时自动转为正式报名")
    lines += [f"请带：{'、'.join(x.strip() for x in course.bring.splitlines() if x.strip())}"[:80]] if course.bring.strip() else []
    return lines[:12]


def _slip_facts(ctx: KioskContext, course_id: int):
    """What the slip says about the class (read before the locked transaction, which then stays short)."""
    today = ctx.today()
    with ctx.sessions() as s:
        course = s.get(Course, course_id)
        if course is None:
            return None
        room = s.get(Room, course.room_id)
        teacher = s.get(Teacher, course.teacher_id) if course.teacher_id else None
        slots = list(s.scalars(select(Slot).where(Slot.course_id == course.id).order_by(Slot.weekday, Slot.start)))
        times = "，".join(f"每{WEEKDAYS_ZH[x.weekday]} {x.start}–{x.end}" for x in slots)
        first = next((o for o in occurrences(s, ctx.calendar, today, today + timedelta(days=62), course_id=course.id) if o.happens), None)
        if first is None:  # a long break ahead: look through the rest of the term
            first = _first_session(s, ctx, course)
        return (room.name if room else "", teacher.name if teacher else "", times, first)


def sign_up(ctx: KioskContext, course_id: int, phone: str, surname: str = "") -> SignupResult:
    """报名: a seat while there is one, else the waiting list. One active sign-up per phone and class."""
    phone = normalize_phone(phone)
    surname = clean_surname(surname)
    today = ctx.today()
    facts = _slip_facts(ctx, course_id)
    if facts is None:
        raise TimetableError("unknown_course", "没有这门课，请重新选择", f"no class with id {course_id}")
    room, teacher, times, first = facts
    try:
        with ctx.transaction() as s:
            course = _locked_course(s, course_id)
            if course is None or not course.active:
                raise TimetableError("unknown_course", "没有这门课，请重新选择", f"no class with id {course_id}")
            term = s.get(Term, course.term_id)
            if term.end < today:
                raise TimetableError("term_over", f"{course.name}本学期已结课", f"{course.name_en or course.name}: the term is over")
            if s.scalar(select(Signup.id).where(Signup.course_id == course.id, Signup.phone == phone)) is not None:
                raise _already(course)
            state = "enrolled" if seats_taken(s, course.id) < course.capacity else "waitlisted"
            course.last_seq += 1
            signup = Signup(course_id=course.id, phone=phone, surname=surname, state=state, seq=course.last_seq,
                            terminal=ctx.terminal)
            s.add(signup)
            s.flush()
            position = waiting_position(s, signup)
            issued = ctx.issue_receipt(
                s, plugin=PLUGIN, kind="signup", subject=str(signup.id),
                number="已报名" if state == "enrolled" else f"候补 {position}",
                title=f"{course.name} 报名凭条",
                lines=_slip_lines(course, room, teacher, times, first, state, position),
                valid_days=max(1, (term.end - today).days + 30),
            )
            signup.receipt_id = issued.receipt.id
            return SignupResult(signup, course, position, issued, first)
    except IntegrityError:
        with ctx.sessions() as s:
            course = s.get(Course, course_id)
            if course is not None and s.scalar(select(Signup.id).where(Signup.course_id == course_id, Signup.phone == phone)):
                raise _already(course) from None
        raise


def check_not_signed_up(ctx: KioskContext, course_id: int, phone: str) -> None:
    """Tell the resident at once (on the keypad) that this phone is already signed up; sign_up checks again."""
    phone = normalize_phone(phone)
    with ctx.sessions() as s:
        course = s.get(Course, course_id)
        if course is not None and s.scalar(select(Signup.id).where(Signup.course_id == course_id, Signup.phone == phone)) is not None:
            raise _already(course)


def _already(course: Course) -> TimetableError:
    return TimetableError("already", f"这个电话号码已经报过{course.name}了，不用重复报名",
                          f"this phone number has already signed up for {course.name_en or course.name}")


def signup_of_token(s: Session, token_or_url: str) -> Signup | None:
    token = (token_or_url or "").strip().rstrip("/").rsplit("/", 1)[-1]
    token = token.split("?", 1)[0]
    receipt = find_receipt(s, token)
    if receipt is None or receipt.plugin != PLUGIN or receipt.kind != "signup":
        return None
    return s.get(Signup, int(receipt.subject))


@dataclass
class CancelResult:
    signup: Signup
    course: Course
    promoted: Signup | None


def cancel_signup(ctx: KioskContext, token_or_url: str, by: str = "resident") -> CancelResult:
    """取消报名 from the slip's token (or its URL): frees the seat for the first on the waiting list."""
    with ctx.transaction() as s:
        found = signup_of_token(s, token_or_url)
        if found is None:
            raise TimetableError("unknown_signup", "没有找到这个报名，请检查二维码", "no sign-up for that token or link")
        return _cancel(s, found.id)


def cancel_signup_by_id(ctx: KioskContext, signup_id: int) -> CancelResult:
    with ctx.transaction() as s:
        return _cancel(s, signup_id)


def _cancel(s: Session, signup_id: int) -> CancelResult:
    signup = s.get(Signup, signup_id)
    if signup is None:
        raise TimetableError("unknown_signup", "没有找到这个报名", f"no sign-up {signup_id}")
    course = _locked_course(s, signup.course_id)
    s.refresh(signup)
    if signup.state == "cancelled":
        raise TimetableError("already_cancelled", "这个报名已经取消了", "this sign-up is already cancelled")
    was_enrolled = signup.state == "enrolled"
    signup.state, signup.cancelled_at, signup.phone = "cancelled", utcnow(), None  # the phone is kept no longer than needed
    s.flush()
    promoted = _promote(s, course)[0] if was_enrolled else None
    return CancelResult(signup, course, promoted)


def _promote(s: Session, course: Course) -> list[Signup]:
    """Fill free seats from the front of the waiting list (after a cancellation or more seats)."""
    out = []
    free = course.capacity - seats_taken(s, course.id)
    while free > 0:
        nxt = s.scalar(select(Signup).where(Signup.course_id == course.id, Signup.state == "waitlisted").order_by(Signup.seq).limit(1))
        if nxt is None:
            break
        nxt.state, nxt.promoted_at = "enrolled", utcnow()
        s.flush()
        out.append(nxt)
        free -= 1
    return out or [None]


def signup_status(ctx: KioskContext, signup_id: int) -> tuple[Signup, CourseInfo, int | None] | None:
    with ctx.sessions() as s:
        signup = s.get(Signup, signup_id)
        if signup is None:
            return None
        position = waiting_position(s, signup)
        s.expunge(signup)
    return signup, course_info(ctx, signup.course_id), position


def signups(ctx: KioskContext, course_id: int) -> list[tuple[Signup, int | None]]:
    """The sign-up list of a class: enrolled first, then the waiting list in order, then cancelled."""
    order = {"enrolled": 0, "waitlisted": 1, "cancelled": 2}
    with ctx.sessions() as s:
        rows = list(s.scalars(select(Signup).where(Signup.course_id == course_id).order_by(Signup.seq)))
        out = [(x, waiting_position(s, x)) for x in rows]
        s.expunge_all()
    return sorted(out, key=lambda p: (order.get(p[0].state, 3), p[0].seq))


# -- staff: checks ----------------------------------------------------------------------------------------
def check_time(value: str) -> str:
    value = (value or "").strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    if not _TIME.match(value):
        raise TimetableError("bad_time", f"时间格式不对：{value or '空'}（例如 09:00）", f"{value!r} is not a time like 09:00")
    return value


def _check_span(start: str, end: str) -> tuple[str, str]:
    start, end = check_time(start), check_time(end)
    if end <= start:
        raise TimetableError("bad_span", "结束时间要晚于开始时间", "the end must be after the start")
    return start, end


def _weekday(value: int) -> int:
    if not 1 <= int(value) <= 7:
        raise TimetableError("bad_weekday", "星期应为 1（周一）到 7（周日）", "weekday must be 1 (Monday) … 7 (Sunday)")
    return int(value)


def _clash_error(other: Course, when: str) -> TimetableError:
    return TimetableError("room_clash", f"教室冲突：这个时间该教室已有「{other.name}」（{when}）",
                          f"room clash: the room already holds {other.name_en or other.name} ({when})")


def _weekly_clash(s: Session, room_id: int, term: Term, weekday: int, start: str, end: str, ignore_slot: int | None = None,
                  ignore_course: int | None = None) -> None:
    """A weekly slot must not overlap another weekly slot in the same room in a term whose dates overlap."""
    rows = s.execute(
        select(Slot, Course).join(Course, Course.id == Slot.course_id).join(Term, Term.id == Course.term_id)
        .where(Course.room_id == room_id, Course.active.is_(True), Slot.weekday == weekday, Term.start <= term.end, Term.end >= term.start)
    ).all()
    for slot, course in rows:
        if slot.id == ignore_slot or course.id == ignore_course:
            continue
        if overlaps(start, end, slot.start, slot.end):
            raise _clash_error(course, f"每{WEEKDAYS_ZH[weekday]} {slot.start}–{slot.end}")


def _day_clash(s: Session, ctx: KioskContext, room_id: int, day: date, start: str, end: str, ignore: tuple[int, date] | None = None,
               extra: list[Occurrence] = ()) -> None:
    """A concrete session must not overlap another session held that day in the same room."""
    for occ in occurrences(s, ctx.calendar, day, day) + list(extra):
        if occ.room_id != room_id or not occ.happens or occ.day != day:
            continue
        if ignore is not None and (occ.slot_id, occ.due_day or occ.day) == ignore:
            continue
        if overlaps(start, end, occ.start, occ.end):
            raise _clash_error(s.get(Course, occ.course_id), f"{day.month}月{day.day}日 {occ.start}–{occ.end}")


# -- staff: managing ------------------------------------------------------------------------------------------
def add_room(ctx: KioskContext, name: str, place: str = "") -> Room:
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise TimetableError("bad_name", "教室名称不能为空，且不超过 40 字", "the room name must be 1–40 characters")
    with ctx.transaction() as s:
        if s.scalar(select(Room).where(Room.name == name)) is not None:
            raise TimetableError("exists", f"已有教室「{name}」", f"there is already a room {name}")
        room = Room(name=name, place=(place or "").strip()[:40])
        s.add(room)
        s.flush()
        return room


def add_teacher(ctx: KioskContext, name: str, subject: str = "") -> Teacher:
    name = (name or "").strip()
    if not name or len(name) > 20:
        raise TimetableError("bad_name", "老师称呼不能为空，且不超过 20 字", "the teacher's name must be 1–20 characters")
    with ctx.transaction() as s:
        if s.scalar(select(Teacher).where(Teacher.name == name)) is not None:
            raise TimetableError("exists", f"已有老师「{name}」", f"there is already a teacher {name}")
        teacher = Teacher(name=name, subject=(subject or "").strip()[:40])
        s.add(teacher)
        s.flush()
        return teacher


def add_term(ctx: KioskContext, name: str, season: str, start: date, end: date) -> Term:
    """A term must lie inside the configured season it belongs to (so the plugin is on while it runs)."""
    name = (name or "").strip()
    found = ctx.settings.season(season)
    if not name or len(name) > 40:
        raise TimetableError("bad_name", "学期名称不能为空，且不超过 40 字", "the term name must be 1–40 characters")
    if found is None:
        known = ", ".join(x.name for x in ctx.settings.seasons)
        raise TimetableError("unknown_season", f"没有季节「{season}」（可选：{known}）", f"unknown season {season!r} (known: {known})")
    if end < start:
        raise TimetableError("bad_dates", "结束日期要晚于开始日期", "the end date must not be before the start")
    if not (found.contains(start) and found.contains(end)) or (end - start).days > 366:
        raise TimetableError("outside_season", f"学期日期要在「{found.title}」季节之内（{found.start}–{found.end}）",
                             f"the term must lie within the season {found.name} ({found.start}–{found.end})")
    with ctx.transaction() as s:
        if s.scalar(select(Term).where(Term.name == name)) is not None:
            raise TimetableError("exists", f"已有学期「{name}」", f"there is already a term {name}")
        term = Term(name=name, season=found.name, start=start, end=end)
        s.add(term)
        s.flush()
        return term


def _room_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise TimetableError("bad_name", "教室名称不能为空，且不超过 40 字", "the room name must be 1–40 characters")
    return name


def _teacher_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 20:
        raise TimetableError("bad_name", "老师称呼不能为空，且不超过 20 字", "the teacher's name must be 1–20 characters")
    return name


def _unique_name(s: Session, model, row, name: str, zh: str, en: str) -> None:
    other = s.scalar(select(model).where(model.name == name))
    if other is not None and other.id != row.id:
        raise TimetableError("exists", f"已有{zh}「{name}」", f"there is already a {en} {name}")


def _users(s: Session, column, row_id: int) -> list[str]:
    """The classes (with their term) that use a room or teacher: named when deleting it is refused."""
    rows = s.execute(select(Course.name, Term.name).join(Term, Term.id == Course.term_id).where(column == row_id).order_by(Course.id)).all()
    return [f"{course}（{term}）" for course, term in rows]


def edit_room(ctx: KioskContext, room, name: str | None = None, place: str | None = None) -> Room:
    """Rename a room or change the home it belongs to (``None`` keeps a field)."""
    with ctx.transaction() as s:
        row = _named(s, Room, room, "unknown_room", "教室", "room")
        if name is not None:
            name = _room_name(name)
            _unique_name(s, Room, row, name, "教室", "room")
            row.name = name
        if place is not None:
            row.place = place.strip()[:40]
        s.flush()
        return row


def edit_teacher(ctx: KioskContext, teacher, name: str | None = None, subject: str | None = None) -> Teacher:
    """Change a teacher's name or what they teach (``None`` keeps a field)."""
    with ctx.transaction() as s:
        row = _named(s, Teacher, teacher, "unknown_teacher", "老师", "teacher")
        if name is not None:
            name = _teacher_name(name)
            _unique_name(s, Teacher, row, name, "老师", "teacher")
            row.name = name
        if subject is not None:
            row.subject = subject.strip()[:40]
        s.flush()
        return row


def delete_room(ctx: KioskContext, room) -> None:
    """Only a room no class uses (else refused, naming the classes)."""
    with ctx.transaction() as s:
        row = _named(s, Room, room, "unknown_room", "教室", "room")
        used = _users(s, Course.room_id, row.id)
        if used:
            raise TimetableError("in_use", f"教室「{row.name}」还有课程在用：{'、'.join(used)}",
                                 f"room {row.name} is still used by: {', '.join(used)}")
        s.delete(row)


def delete_teacher(ctx: KioskContext, teacher) -> None:
    """Only a teacher no class names (else refused, naming the classes)."""
    with ctx.transaction() as s:
        row = _named(s, Teacher, teacher, "unknown_teacher", "老师", "teacher")
        used = _users(s, Course.teacher_id, row.id)
        if used:
            raise TimetableError("in_use", f"「{row.name}」还在教这些课程：{'、'.join(used)}",
                                 f"teacher {row.name} still teaches: {', '.join(used)}")
        s.delete(row)


def edit_term(ctx: KioskContext, term, name: str | None = None, start: date | None = None, end: date | None = None) -> Term:
    """Rename a term or change its dates, which must stay within its season; its 调休 days must stay inside,
    and longer dates must not make its classes clash with an overlapping term's in the same room."""
    with ctx.transaction() as s:
        row = _named(s, Term, term, "unknown_term", "学期", "term")
        if name is not None:
            name = name.strip()
            if not name or len(name) > 40:
                raise TimetableError("bad_name", "学期名称不能为空，且不超过 40 字", "the term name must be 1–40 characters")
            _unique_name(s, Term, row, name, "学期", "term")
            row.name = name
        new_start, new_end = start or row.start, end or row.end
        if (new_start, new_end) != (row.start, row.end):
            found = ctx.settings.season(row.season)
            if new_end < new_start:
                raise TimetableError("bad_dates", "结束日期要晚于开始日期", "the end date must not be before the start")
            if found is None or not (found.contains(new_start) and found.contains(new_end)) or (new_end - new_start).days > 366:
                where = f"（{found.start}–{found.end}）" if found else ""
                raise TimetableError("outside_season", f"学期日期要在「{found.title if found else row.season}」季节之内{where}",
                                     f"the term must lie within the season {row.season} {where}".strip())
            for makeup in s.scalars(select(MakeupDay).where(MakeupDay.term_id == row.id)):
                if not new_start <= makeup.day <= new_end:
                    raise TimetableError("outside_term", f"调休上课日 {makeup.day} 会在学期之外，请先删除它",
                                         f"the make-up day {makeup.day} would fall outside the term; remove it first")
            span = SimpleNamespace(start=new_start, end=new_end)  # the term as it would be, for the clash check
            for slot, course in s.execute(select(Slot, Course).join(Course, Course.id == Slot.course_id)
                                          .where(Course.term_id == row.id, Course.active.is_(True))).all():
                _weekly_clash(s, course.room_id, span, slot.weekday, slot.start, slot.end, ignore_course=course.id)
            row.start, row.end = new_start, new_end
        s.flush()
        return row


def _by_name_or_id(s: Session, model, value):
    if value in (None, ""):
        return None
    if isinstance(value, int) or str(value).isdigit():
        row = s.get(model, int(value))
    else:
        row = s.scalar(select(model).where(model.name == str(value).strip()))
    if row is None:
        raise TimetableError("unknown", f"没有找到「{value}」", f"not found: {value}")
    return row


def _named(s: Session, model, value, code: str, zh: str, en: str):
    """Like _by_name_or_id, but the refusal says which field was wrong (the edit form shows it there)."""
    try:
        return _by_name_or_id(s, model, value)
    except TimetableError:
        raise TimetableError(code, f"没有找到{zh}「{value}」", f"no {en} {value}") from None


def _course_name(name: str | None, name_en: str | None = "") -> tuple[str, str]:
    """The class's names, checked: 1–40 characters, no line break or other control character (a name is
    one line on the kiosk, the timetable and in calendar files: a CR/LF would split an .ics line)."""
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name or len(name) > 40:
        raise TimetableError("bad_name", "课程名称不能为空，且不超过 40 字", "the class name must be 1–40 characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name + name_en):
        raise TimetableError("bad_name", "课程名称不能含有换行、制表符等控制字符",
                             "the class name must not contain line breaks, tabs or other control characters")
    return name, name_en[:60]


def add_course(ctx: KioskContext, term, name: str, room, capacity: int, teacher=None, organizer: str = "夕阳美老年大学", name_en: str = "",
               bring: str = "", description: str = "") -> Course:
    name, name_en = _course_name(name, name_en)
    if not 1 <= int(capacity) <= 500:
        raise TimetableError("bad_capacity", "名额应在 1–500 之间", "seats must be 1–500")
    with ctx.transaction() as s:
        t = _by_name_or_id(s, Term, term)
        r = _by_name_or_id(s, Room, room)
        teach = _by_name_or_id(s, Teacher, teacher)
        if t is None or r is None:
            raise TimetableError("missing", "请选择学期和教室", "a class needs a term and a room")
        course = Course(term_id=t.id, name=name, name_en=name_en, organizer=(organizer or "").strip()[:40],
                        teacher_id=teach.id if teach else None, room_id=r.id, capacity=int(capacity), bring=(bring or "").strip(),
                        description=(description or "").strip(), active=True, last_seq=0)
        s.add(course)
        s.flush()
        return course


def update_course(ctx: KioskContext, course_id: int, *, capacity: int | None = None, room=None, teacher=None, bring: str | None = None,
                  active: bool | None = None, name: str | None = None) -> Course:
    """Staff change a class; more seats promote the waiting list, another room is checked for clashes.

    ``None`` (or an empty room/teacher) leaves a field as it is, so the seats form, the edit form and
    ``kiosk classes edit-course`` share this one function.
    """
    if name is not None:
        name = _course_name(name)[0]
    with ctx.transaction() as s:
        course = _locked_course(s, course_id)
        if course is None:
            raise TimetableError("unknown_course", "没有这门课", f"no class with id {course_id}")
        if name is not None:
            course.name = name
        if room not in (None, ""):
            r = _named(s, Room, room, "unknown_room", "教室", "room")
            term = s.get(Term, course.term_id)
            for slot in s.scalars(select(Slot).where(Slot.course_id == course.id)):
                _weekly_clash(s, r.id, term, slot.weekday, slot.start, slot.end, ignore_course=course.id)
            course.room_id = r.id
        if teacher not in (None, ""):
            course.teacher_id = _named(s, Teacher, teacher, "unknown_teacher", "老师", "teacher").id
        if bring is not None:
            course.bring = bring.strip()
        if active is not None:
            course.active = active
        if capacity is not None:
            if not 1 <= int(capacity) <= 500:
                raise TimetableError("bad_capacity", "名额应在 1–500 之间", "seats must be 1–500")
            course.capacity = int(capacity)
            _promote(s, course)
        return course


def add_slot(ctx: KioskContext, course_id: int, weekday: int, start: str, end: str) -> Slot:
    """A weekly slot; refused when the room already holds another class then (the clashing class named)."""
    weekday = _weekday(weekday)
    start, end = _check_span(start, end)
    with ctx.transaction() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise TimetableError("unknown_course", "没有这门课", f"no class with id {course_id}")
        _weekly_clash(s, course.room_id, s.get(Term, course.term_id), weekday, start, end)
        slot = Slot(course_id=course.id, weekday=weekday, start=start, end=end)
        s.add(slot)
        s.flush()
        return slot


def remove_slot(ctx: KioskContext, slot_id: int) -> None:
    with ctx.transaction() as s:
        slot = s.get(Slot, slot_id)
        if slot is None:
            raise TimetableError("unknown_slot", "没有这个时段", f"no slot {slot_id}")
        for change in s.scalars(select(SessionChange).where(SessionChange.slot_id == slot_id)):
            s.delete(change)
        if s.scalar(select(Attendance.id).where(Attendance.slot_id == slot_id)) is not None:
            raise TimetableError("has_attendance", "这个时段已有考勤记录，不能删除", "this slot has attendance records")
        s.delete(slot)


def _slot_on(s: Session, ctx: KioskContext, slot_id: int, day: date) -> Occurrence:
    slot = s.get(Slot, slot_id)
    if slot is None:
        raise TimetableError("unknown_slot", "没有这个时段", f"no slot {slot_id}")
    occ = next((o for o in occurrences(s, ctx.calendar, day, day, course_id=slot.course_id, include_inactive=True)
                if o.slot_id == slot_id and o.kind != "moved"), None)
    if occ is None:
        raise TimetableError("no_session", f"{day.month}月{day.day}日这个时段没有课", f"that slot has no session on {day.isoformat()}")
    return occ


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise TimetableError("reason_needed", "请写明原因（居民会看到）", "please give a reason (residents see it)")
    if len(reason) > 60:
        raise TimetableError("reason_too_long", "原因请不超过 60 字", "at most 60 characters, please")
    return reason


def cancel_session(ctx: KioskContext, slot_id: int, day: date, reason: str, by: str = "") -> SessionChange:
    """停课 one session with a reason (teacher ill …); it is shown struck through everywhere."""
    reason = _reason(reason)
    with ctx.transaction() as s:
        _slot_on(s, ctx, slot_id, day)
        change = s.scalar(select(SessionChange).where(SessionChange.slot_id == slot_id, SessionChange.day == day))
        if change is None:
            change = SessionChange(slot_id=slot_id, day=day)
            s.add(change)
        change.action, change.reason, change.by, change.at = "cancelled", reason, by, utcnow()
        change.new_day = change.new_start = change.new_end = None
        s.flush()
        return change


def move_session(ctx: KioskContext, slot_id: int, day: date, new_day: date, new_start: str, new_end: str, reason: str, by: str = "") -> SessionChange:
    """调课 one session to another day/time, refused when its room is taken then (the clashing class named)."""
    reason = _reason(reason)
    new_start, new_end = _check_span(new_start, new_end)
    with ctx.transaction() as s:
        _slot_on(s, ctx, slot_id, day)
        slot = s.get(Slot, slot_id)
        course = s.get(Course, slot.course_id)
        _day_clash(s, ctx, course.room_id, new_day, new_start, new_end, ignore=(slot_id, day))
        change = s.scalar(select(SessionChange).where(SessionChange.slot_id == slot_id, SessionChange.day == day))
        if change is None:
            change = SessionChange(slot_id=slot_id, day=day)
            s.add(change)
        change.action, change.new_day, change.new_start, change.new_end = "moved", new_day, new_start, new_end
        change.reason, change.by, change.at = reason, by, utcnow()
        s.flush()
        return change


def restore_session(ctx: KioskContext, slot_id: int, day: date) -> None:
    """Undo a cancellation or move."""
    with ctx.transaction() as s:
        change = s.scalar(select(SessionChange).where(SessionChange.slot_id == slot_id, SessionChange.day == day))
        if change is None:
            raise TimetableError("no_change", "这节课没有停课或调课", "that session was not changed")
        s.delete(change)


def add_makeup_day(ctx: KioskContext, term, day: date, follows_weekday: int, by: str = "") -> MakeupDay:
    """Hold classes on a 调休 working day, following the timetable of ``follows_weekday``.

    Only a day the working-day calendar calls a make-up working day (a weekend day that is worked) is
    accepted: the calendar decides which days are 调休, staff decide whether classes follow them.
    """
    follows_weekday = _weekday(follows_weekday)
    if not ctx.calendar.is_makeup_workday(day):
        raise TimetableError("not_makeup", f"{day.isoformat()} 不是调休上班日", f"{day.isoformat()} is not a make-up working day (调休)")
    with ctx.transaction() as s:
        t = _by_name_or_id(s, Term, term)
        if not t.start <= day <= t.end:
            raise TimetableError("outside_term", "这一天不在学期之内", "that day is outside the term")
        if s.scalar(select(MakeupDay).where(MakeupDay.term_id == t.id, MakeupDay.day == day)) is not None:
            raise TimetableError("exists", "这一天已经安排了调休上课", "that day is already a make-up day")
        # The weekday's classes join that day's own (weekend) sessions: their rooms must be free.
        extra = []
        for slot, course in s.execute(select(Slot, Course).join(Course, Course.id == Slot.course_id)
                                      .where(Course.term_id == t.id, Course.active.is_(True), Slot.weekday == follows_weekday)).all():
            _day_clash(s, ctx, course.room_id, day, slot.start, slot.end, extra=extra)
            extra.append(Occurrence(course_id=course.id, slot_id=slot.id, day=day, start=slot.start, end=slot.end, name=course.name,
                                    name_en=course.name_en, teacher="", room="", room_id=course.room_id, organizer=""))
        makeup = MakeupDay(term_id=t.id, day=day, follows_weekday=follows_weekday, by=by)
        s.add(makeup)
        s.flush()
        return makeup


def remove_makeup_day(ctx: KioskContext, term, day: date) -> None:
    with ctx.transaction() as s:
        t = _by_name_or_id(s, Term, term)
        row = s.scalar(select(MakeupDay).where(MakeupDay.term_id == t.id, MakeupDay.day == day))
        if row is None:
            raise TimetableError("unknown", "这一天没有调休上课", "no make-up day on that date")
        s.delete(row)


def mark_attendance(ctx: KioskContext, signup_id: int, slot_id: int, day: date, present: bool, by: str = "") -> Attendance:
    with ctx.transaction() as s:
        signup = s.get(Signup, signup_id)
        if signup is None or signup.state != "enrolled":
            raise TimetableError("not_enrolled", "只能给正式报名的学员记考勤", "attendance is for enrolled residents only")
        slot = s.get(Slot, slot_id)
        if slot is None or slot.course_id != signup.course_id:
            raise TimetableError("unknown_slot", "这门课没有这个时段", "that slot is not this class's")
        row = s.scalar(select(Attendance).where(Attendance.signup_id == signup_id, Attendance.slot_id == slot_id, Attendance.day == day))
        if row is None:
            row = Attendance(signup_id=signup_id, slot_id=slot_id, day=day)
            s.add(row)
        row.present, row.by, row.at = present, by, utcnow()
        s.flush()
        return row


def attendance(ctx: KioskContext, course_id: int) -> dict[tuple[int, int, date], bool]:
    with ctx.sessions() as s:
        rows = s.execute(select(Attendance.signup_id, Attendance.slot_id, Attendance.day, Attendance.present)
                         .join(Signup, Signup.id == Attendance.signup_id).where(Signup.course_id == course_id)).all()
    return {(a, b, c): d for a, b, c, d in rows}


def export_rows(ctx: KioskContext, course_id: int) -> list[list[str]]:
    """CSV rows of a class's sign-up list: position, state, surname, masked phone, signed up, sessions attended."""
    info = course_info(ctx, course_id)
    marks = attendance(ctx, course_id)
    out = [["序号", "状态", "候补位次", "姓氏", "电话（隐去中间）", "报名时间", "出勤次数", "课程", "学期"]]
    names = {"enrolled": "已报名", "waitlisted": "候补", "cancelled": "已取消"}
    tz = ctx.settings.tz
    for i, (signup, position) in enumerate(signups(ctx, course_id), start=1):
        present = sum(1 for (sid, _slot, _day), ok in marks.items() if sid == signup.id and ok)
        out.append([str(i), names.get(signup.state, signup.state), str(position or ""), signup.surname, mask_phone(signup.phone),
                    signup.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), str(present), info.course.name, info.term.name])
    return out


def erase_old_signups(ctx: KioskContext, today: date) -> int:
    """Daily housekeeping: sign-ups whose term ended more than 30 days ago lose their phone and surname
    (and their slip's lines), through the core's one erasure routine (:mod:`.personal` says what goes)."""
    from sqlalchemy import or_

    with ctx.transaction() as s:
        ended = [t.id for t in s.scalars(select(Term).where(Term.end < today - timedelta(days=30)))]
        if not ended:
            return 0
        ids = list(s.scalars(select(Signup.id).join(Course, Course.id == Signup.course_id)
                             .where(Course.term_id.in_(ended), or_(Signup.phone.is_not(None), Signup.surname != ""))))
        if ids:
            ctx.erase_personal_data(s, {"tt_signup": ids})
        return len(ids)
