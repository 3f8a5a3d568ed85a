"""The timetable's tables: rooms, teachers, terms (tied to seasons), courses and their weekly slots,
one-off changes to a session (cancelled or moved, with a reason), staff-chosen 调休 days, sign-ups and
attendance.

Sessions themselves are not rows: they follow from a term's dates, the weekly slots, the working-day
calendar and the changes (:mod:`kiosk.plugins.timetable.schedule`), so a holiday or a staff decision
changes every surface at once. A sign-up keeps the phone only while it is active (the one personal
datum, needed to keep one sign-up per phone and class); a cancellation erases it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.api import utcnow
from kiosk.api.storage import Base, UTCDateTime


class Room(Base):
    """A named room (书法教室, 多功能厅 …) and the home it belongs to (老年大学, 银龄幸福之家, 妇女儿童家园)."""

    __tablename__ = "tt_room"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    place: Mapped[str] = mapped_column(String(40), default="")


class Teacher(Base):
    """A volunteer teacher, shown by the name they chose to give (e.g. 王老师); no contact details."""

    __tablename__ = "tt_teacher"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    subject: Mapped[str] = mapped_column(String(40), default="")


class Term(Base):
    """A term (学期) within one configured season (spring-term, autumn-term, summer …)."""

    __tablename__ = "tt_term"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    season: Mapped[str] = mapped_column(String(40))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class MakeupDay(Base):
    """A 调休 working day on which staff chose to hold classes, following one weekday's timetable."""

    __tablename__ = "tt_makeup_day"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("tt_term.id"))
    day: Mapped[date] = mapped_column(Date)
    follows_weekday: Mapped[int] = mapped_column(Integer)  # 1 = Monday … 7 = Sunday
    by: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (UniqueConstraint("term_id", "day", name="uq_tt_makeup_term_day"),)


class Course(Base):
    """A class of a term: who teaches, where, how many seats, what to bring."""

    __tablename__ = "tt_course"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("tt_term.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    organizer: Mapped[str] = mapped_column(String(40), default="")  # 夕阳美老年大学, 银龄幸福之家 …
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("tt_teacher.id"), nullable=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("tt_room.id"))
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    bring: Mapped[str] = mapped_column(Text, default="")  # what to bring, one item per line
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # sign-up order, incremented under the row lock


class Slot(Base):
    """A weekly slot of a course: weekday and local start/end time (HH:MM)."""

    __tablename__ = "tt_slot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("tt_course.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 1 = Monday … 7 = Sunday
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))


class SessionChange(Base):
    """One session of a slot cancelled, or moved to another day/time, with the reason residents see."""

    __tablename__ = "tt_session_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("tt_slot.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # the day the session was due
    action: Mapped[str] = mapped_column(String(10))  # cancelled | moved
    new_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    new_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("slot_id", "day", name="uq_tt_change_slot_day"),)


class Signup(Base):
    """报名: enrolled, waitlisted (候补, in ``seq`` order) or cancelled. One active sign-up per phone and course."""

    __tablename__ = "tt_signup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("tt_course.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # erased on cancellation
    surname: Mapped[str] = mapped_column(String(8), default="")
    state: Mapped[str] = mapped_column(String(12))  # enrolled | waitlisted | cancelled
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    receipt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    terminal: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        UniqueConstraint("course_id", "phone", name="uq_tt_signup_course_phone"),
        UniqueConstraint("course_id", "seq", name="uq_tt_signup_course_seq"),
    )


class Attendance(Base):
    """Whether an enrolled resident came to one session (marked by staff)."""

    __tablename__ = "tt_attendance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("tt_signup.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("tt_slot.id"))
    day: Mapped[date] = mapped_column(Date)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    by: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("signup_id", "slot_id", "day", name="uq_tt_attendance"),)


ALL = [Room, Teacher, Term, MakeupDay, Course, Slot, SessionChange, Signup, Attendance]
