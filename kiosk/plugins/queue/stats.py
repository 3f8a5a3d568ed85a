"""Statistics per service and business day, from the tickets themselves.

Wait = first call − arrival (the first call: a resident who missed the call did wait that long);
service time = finish − last call. Estimate accuracy is the mean absolute error between the middle of
the range the resident was shown and the real wait, over tickets that were called.

Distributions (Qmatic BI style) count tickets per minute range, each range [from, to) and the last
open-ended. Service time uses Qmatic's transaction-time buckets 0–3, 3–6, 6–9, 9–12, 12–15, 15+.
Waiting time uses 0–5, 5–10, 10–15, 15–20, 20–30, 30+: waits in a hall run several times longer
than a service, so 3-minute steps would pile most tickets into "15+"; 5-minute steps up to 20 then
20–30 and 30+ keep every bucket informative and make the 30-minute default target a bucket edge.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, time

from sqlalchemy import select

from kiosk.api import KioskContext

from .models import QueueAppointment, QueueRating, QueueService, Ticket


def _minutes(delta) -> float:
    return delta.total_seconds() / 60


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


SERVICE_EDGES = (0, 3, 6, 9, 12, 15)
WAIT_EDGES = (0, 5, 10, 15, 20, 30)
RESET_OUTCOME = "reset"  # closed by the daily reset (close_previous_days)


def buckets(minutes: list[float], edges: tuple[int, ...]) -> list[dict]:
    """How many values fall in each [edge, next edge) range; the last range is open-ended.

    A value below the first edge (a clock set back) counts in the first range, so the counts always
    add up to the number of values.
    """
    out = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        count = sum(1 for v in minutes if (i == 0 or v >= low) and (high is None or v < high))
        out.append({"label": f"{low}-{high}" if high is not None else f"{low}+", "from_min": low, "to_min": high, "count": count})
    return out


def _opening(ctx: KioskContext, svc: QueueService, day: date) -> datetime:
    """When ``svc`` opened on ``day``: a ticket carried over from the day before (carry-over) waits from here,
    not from its arrival yesterday, so one carried ticket does not turn the day's average wait into hours."""
    from .hours import next_opening

    midnight = datetime.combine(day, time(0), tzinfo=ctx.settings.tz)
    try:
        opening = next_opening(svc.hours, ctx.calendar, midnight)
    except Exception:  # noqa: BLE001 - hours unreadable: the day's start is the honest fallback
        opening = None
    return opening if opening is not None and opening.date() == day else midnight


def day_stats(ctx: KioskContext, day: date | None = None, hall: str | None = None) -> dict:
    """The day's figures per service; with ``hall`` only that hall's services and their tickets."""
    day = day or ctx.today()
    iso = day.isoformat()
    tz = ctx.settings.tz
    with ctx.sessions() as s:
        listed = select(QueueService).order_by(QueueService.sort, QueueService.code)
        services = {x.code: x for x in s.scalars(listed if hall is None else listed.where(QueueService.hall == hall))}
        tickets = [t for t in s.scalars(select(Ticket).where(Ticket.business_day == iso)) if hall is None or t.letter in services]
        appointments = list(s.scalars(select(QueueAppointment).where(QueueAppointment.business_day == iso)))
        ratings = dict(s.execute(select(QueueRating.ticket_id, QueueRating.level).join(Ticket, Ticket.id == QueueRating.ticket_id)
                                 .where(Ticket.business_day == iso)).all())
    per_hour = [0] * 24
    rows = []
    by_letter: dict[str, list[Ticket]] = {}
    for t in tickets:
        by_letter.setdefault(t.letter, []).append(t)
        per_hour[t.arrived_at.astimezone(tz).hour] += 1
    from datetime import timedelta

    from kiosk.api import utcnow

    from .service import OUTCOMES, QueueSettings

    late = timedelta(minutes=QueueSettings.of(ctx).appointment_late_minutes)
    now = utcnow()
    for code, svc in services.items():
        group = by_letter.get(code, [])
        booked = [a for a in appointments if a.service_code == code and a.state != "cancelled"]
        opened = _opening(ctx, svc, day)
        waits = [_minutes(t.first_called_at - max(t.arrived_at, opened)) for t in group if t.first_called_at]
        service_times = [_minutes(t.finished_at - t.called_at) for t in group if t.state == "served" and t.finished_at and t.called_at]
        levels = [ratings[t.id] for t in group if t.id in ratings]
        errors = [abs((t.estimate_min + t.estimate_max) / 2 - w) for t, w in
                  ((t, _minutes(t.first_called_at - max(t.arrived_at, opened))) for t in group if t.first_called_at)]
        rows.append({
            "code": code,
            "name": svc.name,
            "hall": svc.hall,
            "tickets": len(group),
            "priority": sum(1 for t in group if t.priority),
            "served": sum(1 for t in group if t.state == "served"),
            "no_shows": sum(1 for t in group if t.state == "missed"),
            "waiting": sum(1 for t in group if t.state == "waiting"),
            "avg_wait_min": _r(statistics.fmean(waits)) if waits else None,
            "p90_wait_min": _r(_p90(waits)),
            "avg_service_min": _r(statistics.fmean(service_times)) if service_times else None,
            "target_min": svc.target_minutes,
            "over_target_share": round(sum(1 for w in waits if w > svc.target_minutes) / len(waits), 3) if waits else None,
            "estimate_mae_min": _r(statistics.fmean(errors)) if errors else None,
            "ratings": len(levels),
            "satisfied_share": round(sum(1 for v in levels if v >= 3) / len(levels), 3) if levels else None,
            "appointments": len(booked),
            "appointments_checked_in": sum(1 for a in booked if a.state == "checked_in"),
            "appointment_no_shows": sum(1 for a in booked if a.state == "no_show" or (a.state == "booked" and a.slot_at + late < now)),
            "remote": sum(1 for t in group if t.source == "remote"),
            "remote_pending": sum(1 for t in group if t.state == "pending"),
            "wait_buckets": buckets(waits, WAIT_EDGES),
            "service_buckets": buckets(service_times, SERVICE_EDGES),
            "outcomes": {code: sum(1 for t in group if t.outcome == code) for code in (*OUTCOMES, RESET_OUTCOME)},
        })
    return {"day": iso, "services": rows, "tickets_per_hour": per_hour, "tickets": len(tickets), "hall": hall}
