"""What the hall shows: the latest call per counter, the last few calls, waiting counts.

Shared by the Kivy hall display, the public web board and its JSON, so all three always agree. With
``hall`` only that hall's counters, calls and services are shown (None: the whole installation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from kiosk.api import KioskContext

from .models import QueueCounter, QueueEvent, QueueService, Ticket
from .service import business_day


@dataclass(frozen=True)
class Call:
    event_id: int
    number: str
    counter: int
    at: datetime
    recall: bool


@dataclass(frozen=True)
class Board:
    current: list[Call]  # latest call per open counter, newest first
    recent: list[Call]  # the last calls of the day, newest first
    waiting: list[tuple[str, str, str, int]]  # (code, name, name_en, waiting)


def _in_hall(stmt, hall: str | None):
    """Only the events of the hall's counters (a ticket is called at a counter of its own hall)."""
    if hall is None:
        return stmt
    return stmt.where(QueueEvent.counter.in_(select(QueueCounter.number).where(QueueCounter.hall == hall)))


def calls_since(ctx: KioskContext, after_event_id: int, limit: int = 50, hall: str | None = None) -> list[Call]:
    """Calls and recalls after ``after_event_id`` (oldest first): the display's announcement feed."""
    with ctx.sessions() as s:
        rows = s.execute(_in_hall(
            select(QueueEvent.id, QueueEvent.counter, QueueEvent.at, QueueEvent.action, Ticket.letter, Ticket.number)
            .join(Ticket, Ticket.id == QueueEvent.ticket_id)
            .where(QueueEvent.id > after_event_id, QueueEvent.action.in_(("call", "recall"))), hall)
            .order_by(QueueEvent.id)
            .limit(limit)
        ).all()
    return [Call(r.id, f"{r.letter}{r.number:03d}", r.counter, r.at, r.action == "recall") for r in rows]


def last_event_id(ctx: KioskContext) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.coalesce(func.max(QueueEvent.id), 0))) or 0


def board(ctx: KioskContext, recent: int = 8, hall: str | None = None) -> Board:
    day = business_day(ctx)
    start = datetime.fromisoformat(day).replace(tzinfo=ctx.settings.tz)
    with ctx.sessions() as s:
        rows = s.execute(_in_hall(
            select(QueueEvent.id, QueueEvent.counter, QueueEvent.at, QueueEvent.action, Ticket.letter, Ticket.number, Ticket.state, Ticket.counter)
            .join(Ticket, Ticket.id == QueueEvent.ticket_id)
            .where(QueueEvent.action.in_(("call", "recall")), QueueEvent.at >= start, Ticket.business_day == day), hall)
            .order_by(QueueEvent.id.desc())
            .limit(200)
        ).all()
        counters = {c.number: c for c in s.scalars(select(QueueCounter))}
        listed = select(QueueService).where(QueueService.active.is_(True)).order_by(QueueService.sort, QueueService.code)
        services = list(s.scalars(listed if hall is None else listed.where(QueueService.hall == hall)))
        waiting = dict(
            s.execute(
                select(Ticket.service_code, func.count()).where(Ticket.business_day == day, Ticket.state == "waiting").group_by(Ticket.service_code)
            ).all()
        )
    calls = [Call(r[0], f"{r[4]}{r[5]:03d}", r[1], r[2], r[3] == "recall") for r in rows]
    current, seen = [], set()
    for call, row in zip(calls, rows):
        ticket_state, ticket_counter = row[6], row[7]
        desk = counters.get(call.counter)
        if call.counter in seen or desk is None or desk.paused:
            continue
        seen.add(call.counter)
        if ticket_state == "called" and ticket_counter == call.counter:
            current.append(call)
    unique_recent, shown = [], set()
    for call in calls:
        if call.number not in shown:
            shown.add(call.number)
            unique_recent.append(call)
    return Board(current=current, recent=unique_recent[:recent], waiting=[(x.code, x.name, x.name_en or x.name, waiting.get(x.code, 0)) for x in services])
