"""The intake tables: cases, their timeline, ratings and the building → team map (Open311's API keys are the core's
:class:`kiosk.models.ApiKey`, scope ``open311``).

Personal data: a case's ``phone``, ``surname``, ``flat`` and the resident's own words (``description``), and
free text that may repeat them (``problem`` as typed, the public texts, timeline notes, rating comments).
:mod:`.personal` declares every such column; the retention job and ``kiosk privacy erase`` blank them all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.api import utcnow
from kiosk.api.storage import Base, UTCDateTime


class Team(Base):
    """A 先锋队 building team: handles the cases of its buildings."""

    __tablename__ = "intake_team"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    leader: Mapped[str] = mapped_column(String(40), default="")  # a role or staff name, shown to staff only
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Building(Base):
    """A residential building (楼) of the community, its number of entrances, and its team."""

    __tablename__ = "intake_building"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # "12"
    name: Mapped[str] = mapped_column(String(40))  # "12号楼"
    units: Mapped[int] = mapped_column(Integer, default=3)  # entrances (单元) 1..units
    team_code: Mapped[str | None] = mapped_column(ForeignKey("intake_team.code"), nullable=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)


class DayCounter(Base):
    """The last case number given per day: the one row every filer increments (as queue numbers do)."""

    __tablename__ = "intake_day_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYMMDD
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """A resident's request (民生诉求) and where it is in the 民生流水线."""

    __tablename__ = "intake_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    problem: Mapped[str] = mapped_column(String(60), default="")  # the common problem picked, or 其他
    building: Mapped[str] = mapped_column(String(16), index=True)
    unit: Mapped[str] = mapped_column(String(8), default="")
    channel: Mapped[str] = mapped_column(String(12), default="kiosk")
    state: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    kind: Mapped[str | None] = mapped_column(String(12), nullable=True)  # 即办 承诺 补办 上报 建议
    team_code: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filed_on: Mapped[date] = mapped_column(Date)  # local day, for reports and deadlines
    due_date: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # waiting for the resident since
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    supervision: Mapped[str] = mapped_column(String(12), default="")  # "" due_soon overdue long_overdue (set by the tick)
    merged_into: Mapped[str | None] = mapped_column(String(20), nullable=True)
    public_summary: Mapped[str] = mapped_column(Text, default="")  # staff-written, shown when published
    public_response: Mapped[str] = mapped_column(Text, default="")
    # personal data (with problem, the public texts, notes and comments): see personal.py
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    surname: Mapped[str | None] = mapped_column(String(8), nullable=True)
    title: Mapped[str] = mapped_column(String(4), default="")  # 先生 / 女士
    name_public: Mapped[bool] = mapped_column(Boolean, default=False)  # consent to show the masked surname
    flat: Mapped[str | None] = mapped_column(String(12), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    receipt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)
    token_sealed: Mapped[str | None] = mapped_column(String(64), nullable=True)
    terminal: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        Index("ix_intake_case_open", "state", "due_date"),
        # found by scripts/bench_scale.py: without these the report, the 公示 list and the supervisor's
        # "reopened twice" list read the whole table, which grows by ~25,000 cases a year
        Index("ix_intake_case_filed_on", "filed_on"),
        Index("ix_intake_case_published_at", "published_at"),
        Index("ix_intake_case_reopen_count", "reopen_count"),
    )


class CaseEvent(Base):
    """One row of a case's timeline: who did what, when, with which note (every transition writes one)."""

    __tablename__ = "intake_case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("intake_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseRating(Base):
    """跟踪监督: the resident's rating of an outcome (from the tracking page or a staff phone follow-up)."""

    __tablename__ = "intake_case_rating"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("intake_case.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))  # satisfied basic unsatisfied
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(12), default="web")  # web or phone (staff entered)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(64), default="")

