"""The JSON shapes of the queue's actions, shared by ``kiosk queue … --json`` and the REST API.

Why one place: an integrator moving from the CLI on a counter PC to the REST API (or back) reads the
same keys, and a change to one cannot drift from the other.
"""

from __future__ import annotations

from .models import QueueCounter, Ticket
from .service import TakeResult


def taken(r: TakeResult) -> dict:
    return {"number": r.ticket.display, "service": r.service.name, "code": r.service.code, "priority": r.ticket.priority,
            "ahead": r.ahead, "wait_min": r.wait.low, "wait_max": r.wait.high, "tracking_url": r.url, "repeated": r.repeated}


def called(t: Ticket | None, counter: int) -> dict:
    """``number`` is None when nobody is waiting."""
    return {"number": t.display if t else None, "counter": counter, "service": t.service_code if t else None}


def at_counter(t: Ticket, counter: int) -> dict:
    """After a recall, no-show or park."""
    return {"number": t.display, "counter": counter, "state": t.state}


def finished(t: Ticket, counter: int, outcome: str) -> dict:
    return {"number": t.display, "counter": counter, "outcome": outcome}


def transferred(t: Ticket) -> dict:
    return {"number": t.display, "service": t.service_code, "return_to": t.return_to}


def restored(t: Ticket) -> dict:
    return {"number": t.display, "state": t.state}


def counter_state(desk: QueueCounter) -> dict:
    return {"counter": desk.number, "paused": desk.paused}
