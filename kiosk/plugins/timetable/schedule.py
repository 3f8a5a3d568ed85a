"""Concrete sessions from weekly slots: the one place that decides what happens on which day.

Why computed and not stored: a session follows from the term's dates, the course's weekly slots, the
working-day calendar (public holidays cancel, with the holiday named as the reason), the 调休 days staff
chose (a make-up working day holds the classes of the weekday it follows) and one-off changes (a session
cancelled or moved, with a reason). Computing them means a holiday table update or a staff decision is
seen at once by the kiosk, the web pages, the feeds and the CLI, and nothing needs regenerating.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.api import usable

from .models import Course, MakeupDay, Room, SessionChange, Slot, Teacher, Term

HOLIDAYS_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日", "Holiday": "假日",
}
WEEKDAYS_ZH = ("", "周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PERIODS = (("morning", "上午", "Morning"), ("afternoon", "下午", "Afternoon"), ("evening", "晚上", "Evening"))


def period_of(start: str) -> str:
    """上午 before 12:00, 下午 until 18:00, 晚上 after."""
    hour = int(start[:2])
    return "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"


@dataclass
class Occurrence:
    """One session of a course on one day, as residents see it."""

    course_id: int
    slot_id: int
    day: date  # the day it takes place (for a moved-away session: the day it was due)
    start: str
    end: str
    name: str
    name_en: str
    teacher: str
    room: str
    room_id: int
    organizer: str
    status: str = "scheduled"  # scheduled | cancelled | moved (this one moved away; see moved_to)
    reason: str = ""
    reason_en: str = ""
    kind: str = "regular"  # regular | makeup (a 调休 day) | moved (the moved-to session)
    due_day: date | None = None  # for kind "moved": the day it was originally due
    moved_to: tuple[date, str, str] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def weekday(self) -> int:
        return self.day.isoweekday()

    @property
    def period(self) -> str:
        return period_of(self.start)

    @property
    def happens(self) -> bool:
        return self.status == "scheduled"

    def starts_at(self, tz) -> datetime:
        return datetime.combine(self.day, time.fromisoformat(self.start), tz)

    def ends_at(self, tz) -> datetime:
        return datetime.combine(self.day, time.fromisoformat(self.end), tz)

    @property
    def key(self) -> str:
        """Stable identity of the session (slot and the day it was due): iCalendar UIDs, attendance."""
        return f"{self.slot_id}-{(self.due_day or self.day).isoformat()}"


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def parse_week(text: str) -> date:
    """``2026-W49`` → the Monday of that ISO week (ValueError otherwise; DateOutOfRange, a ValueError with
    the refusal in both languages, for a week outside the years the product handles)."""
    value = (text or "").strip().upper()
    try:
        year, week = value.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        raise ValueError(f"{text!r} is not an ISO week like 2026-W49") from None
    return usable(monday)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def holiday_reason(calendar, day: date) -> tuple[str, str] | None:
    """(zh, en) reason when ``day`` is a public holiday (a day off with a name), else None."""
    if calendar.is_workday(day):
        return None
    name = calendar.holiday_name(day)
    if not name:
        return None
    return f"{HOLIDAYS_ZH.get(name, name)}放假", f"{name} holiday"


def occurrences(s: Session, calendar, start: date, end: date, course_id: int | None = None,
                include_inactive: bool = False) -> list[Occurrence]:
    """Every session from ``start`` to ``end`` (inclusive), sorted by day and time, cancelled ones included."""
    terms = list(s.scalars(select(Term).where(Term.start <= end, Term.end >= start)))
    moved_in = list(s.scalars(select(SessionChange).where(SessionChange.action == "moved", SessionChange.new_day >= start,
                                                          SessionChange.new_day <= end)))
    term_ids = {t.id for t in terms}
    if moved_in:
        moved_slots = {c.slot_id for c in moved_in}
        term_ids |= set(s.scalars(select(Course.term_id).join(Slot, Slot.course_id == Course.id).where(Slot.id.in_(moved_slots))))
    if not term_ids:
        return []
    all_terms = {t.id: t for t in s.scalars(select(Term).where(Term.id.in_(term_ids)))}
    course_q = select(Course).where(Course.term_id.in_(term_ids))
    if course_id is not None:
        course_q = course_q.where(Course.id == course_id)
    if not include_inactive:
        course_q = course_q.where(Course.active.is_(True))
    courses = {c.id: c for c in s.scalars(course_q)}
    if not courses:
        return []
    slots = list(s.scalars(select(Slot).where(Slot.course_id.in_(courses)).order_by(Slot.weekday, Slot.start)))
    rooms = {r.id: r for r in s.scalars(select(Room))}
    teachers = {t.id: t for t in s.scalars(select(Teacher))}
    slot_ids = [x.id for x in slots]
    changes = {(c.slot_id, c.day): c for c in s.scalars(select(SessionChange).where(SessionChange.slot_id.in_(slot_ids)))} if slot_ids else {}
    makeups: dict[tuple[int, date], list[int]] = defaultdict(list)
    for m in s.scalars(select(MakeupDay).where(MakeupDay.term_id.in_(term_ids))):
        makeups[(m.term_id, m.day)].append(m.follows_weekday)
    by_term: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_term[courses[slot.course_id].term_id].append(slot)

    def make(slot: Slot, day: date, **kw) -> Occurrence:
        c = courses[slot.course_id]
        room = rooms.get(c.room_id)
        teacher = teachers.get(c.teacher_id) if c.teacher_id else None
        return Occurrence(course_id=c.id, slot_id=slot.id, day=day, start=slot.start, end=slot.end, name=c.name,
                          name_en=c.name_en or c.name, teacher=teacher.name if teacher else "", room=room.name if room else "",
                          room_id=c.room_id, organizer=c.organizer, **kw)

    out: list[Occurrence] = []
    for term_id, term_slots in by_term.items():
        term = all_terms[term_id]
        day = max(start, term.start)
        last = min(end, term.end)
        while day <= last:
            weekdays = {day.isoweekday(): "regular"}
            for follows in makeups.get((term_id, day), []):
                weekdays.setdefault(follows, "makeup")
            for slot in term_slots:
                kind = weekdays.get(slot.weekday)
                if kind is None:
                    continue
                occ = make(slot, day, kind=kind)
                change = changes.get((slot.id, day))
                holiday = holiday_reason(calendar, day)
                if change is not None and change.action == "moved" and change.new_day is not None:
                    occ.status, occ.reason = "moved", change.reason
                    occ.moved_to = (change.new_day, change.new_start or slot.start, change.new_end or slot.end)
                elif change is not None:
                    occ.status, occ.reason = "cancelled", change.reason
                elif holiday is not None:
                    occ.status, (occ.reason, occ.reason_en) = "cancelled", holiday
                out.append(occ)
            day += timedelta(days=1)
    for change in moved_in:
        slot = next((x for x in slots if x.id == change.slot_id), None)
        if slot is None:
            continue
        occ = make(slot, change.new_day, kind="moved", due_day=change.day, reason=change.reason)
        occ.start, occ.end = change.new_start or slot.start, change.new_end or slot.end
        out.append(occ)
    out.sort(key=lambda o: (o.day, o.start, o.name, o.slot_id))
    return out


def course_occurrences(s: Session, calendar, course: Course) -> list[Occurrence]:
    term = s.get(Term, course.term_id)
    return occurrences(s, calendar, term.start, term.end, course_id=course.id, include_inactive=True) + [
        o for o in occurrences(s, calendar, term.end + timedelta(days=1), term.end + timedelta(days=60), course_id=course.id,
                               include_inactive=True) if o.kind == "moved"]


def overlaps(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    return a_start < b_end and b_start < a_end
