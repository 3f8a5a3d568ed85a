"""The queue's tables: services, counters, tickets, the per-day number counter, and the event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.api import utcnow
from kiosk.api.storage import Base, UTCDateTime


class QueueHall(Base):
    """A hall (服务大厅, 便民服务室…) of the installation: its own kiosks, counters, display and services.

    One PostgreSQL may serve several halls; every terminal says in its config which hall it stands in.
    The hall ``main`` always exists, so a single-hall center never has to think about halls.
    """

    __tablename__ = "queue_hall"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)


class QueueService(Base):
    """A service of a hall (社保医保 A…): its letter, hours, daily cap, numbering and materials list.

    Letters are unique across the installation (numbers like A023 must never be ambiguous).
    """

    __tablename__ = "queue_service"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)  # the ticket letter
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)  # 材料清单
    hours: Mapped[str] = mapped_column(String(80), default="08:30-12:00,13:30-17:00")
    daily_cap: Mapped[int] = mapped_column(Integer, default=200)
    minutes_per_person: Mapped[int] = mapped_column(Integer, default=8)  # estimate when data is thin
    target_minutes: Mapped[int] = mapped_column(Integer, default=30)  # waiting longer than this misses the target
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    # Numbering (Novo SGA's numeroInicial/numeroFinal/incremento): from first_number in steps of
    # number_step, back to first_number past last_number (≤ 999: the display stays letter + 3 digits).
    first_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_number: Mapped[int] = mapped_column(Integer, default=999, server_default="999")
    number_step: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # TheQ #969: at the daily reset, tickets still waiting move into the new day keeping their place.
    carry_over: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hall: Mapped[str] = mapped_column(String(16), ForeignKey("queue_hall.code"), default="main", server_default="main")


class QueueCounter(Base):
    """A counter (窗口), its hall and which of the hall's services it serves."""

    __tablename__ = "queue_counter"

    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Normal calls since this counter last called the priority lane; starts "due" so a 绿色通道 ticket
    # in an empty hall is called first.
    normal_since_priority: Mapped[int] = mapped_column(Integer, default=1000)
    # Walk-in calls since this counter last called an appointment (预约); starts "due" like the above.
    normal_since_appointment: Mapped[int] = mapped_column(Integer, default=1000, server_default="1000")
    hall: Mapped[str] = mapped_column(String(16), ForeignKey("queue_hall.code"), default="main", server_default="main")


class DayNumber(Base):
    """The last number issued per (business day, letter): the one row every taker increments."""

    __tablename__ = "queue_day_number"

    business_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    letter: Mapped[str] = mapped_column(String(1), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """A queue ticket. Its letter and number never change, even when it is transferred (一票到底)."""

    __tablename__ = "queue_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_day: Mapped[str] = mapped_column(String(10))
    letter: Mapped[str] = mapped_column(String(1))
    number: Mapped[int] = mapped_column(Integer)
    service_code: Mapped[str] = mapped_column(ForeignKey("queue_service.code"))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default="waiting")  # waiting called served missed cancelled
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # kept through transfers
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    estimate_min: Mapped[int] = mapped_column(Integer, default=0)
    estimate_max: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)
    receipt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    token_sealed: Mapped[str | None] = mapped_column(String(64), nullable=True)  # for an idempotent retry only
    terminal: Mapped[str] = mapped_column(String(64), default="")
    # walkin (kiosk/CLI), appt (预约签到) or remote (网上取号, "pending" until activated in the hall)
    source: Mapped[str] = mapped_column(String(8), default="walkin", server_default="walkin")
    activation_code: Mapped[str | None] = mapped_column(String(8), nullable=True)  # remote: typed at the kiosk
    pushbacks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # remote: times moved back
    return_to: Mapped[str | None] = mapped_column(String(1), nullable=True)  # chained visit: service to go back to

    __table_args__ = (
        UniqueConstraint("business_day", "letter", "number", name="uq_queue_ticket_day_letter_number"),
        UniqueConstraint("business_day", "activation_code", name="uq_queue_ticket_day_activation_code"),
        Index("ix_queue_ticket_waiting", "business_day", "state", "service_code", "priority", "arrived_at"),
        # the recent service times behind every wait estimate (found by scripts/bench_scale.py: without it
        # each ticket taken read the whole history, 48 ms at 200,000 tickets and growing)
        Index("ix_queue_ticket_served", "service_code", "state", "finished_at"),
    )

    @property
    def display(self) -> str:
        return f"{self.letter}{self.number:03d}"


class QueueEvent(Base):
    """Every call, recall, no-show, transfer and finish: the audit trail, the display feed, the statistics."""

    __tablename__ = "queue_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("queue_ticket.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # take call recall missed restore transfer finish cancel
    counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class QueueRating(Base):
    """好差评: the resident's rating of a served ticket, from the ticket's QR (once per ticket)."""

    __tablename__ = "queue_rating"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("queue_ticket.id"), unique=True)
    level: Mapped[int] = mapped_column(Integer)  # 5 非常满意 … 1 非常不满意
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A bad rating is an alert on the counters page until a member of staff marks it handled.
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handled_by: Mapped[str] = mapped_column(String(64), default="", server_default="")


class QueueAppointment(Base):
    """预约: a slot booked by staff for a service, checked in at the kiosk with a short code.

    No personal data is needed; a phone number, when staff store one, is shown masked and erased by the
    daily tick once the appointment's day is over.
    """

    __tablename__ = "queue_appointment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_day: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(8))
    service_code: Mapped[str] = mapped_column(ForeignKey("queue_service.code"))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phone: Mapped[str] = mapped_column(String(20), default="")
    state: Mapped[str] = mapped_column(String(12), default="booked")  # booked checked_in no_show cancelled
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("queue_ticket.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("business_day", "code", name="uq_queue_appointment_day_code"),)
