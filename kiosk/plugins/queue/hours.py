"""Opening hours of a service: "08:30-12:00,13:30-17:00" on working days of the core calendar."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from kiosk.api import Refusal, WorkCalendar

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(Refusal, ValueError):
    """Opening hours that cannot work; ``str()`` is the English reason the service quotes in its QueueError."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__("bad_hours", zh, en, field="hours")


def parse_hours(text: str) -> list[tuple[time, time]]:
    ranges = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        m = _RANGE.match(part)
        if not m:
            raise HoursError(f"办理时间“{part.strip()[:20]}”应写成 08:30-12:00", f"opening hours {part.strip()!r} must look like 08:30-12:00")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise HoursError(f"办理时间“{part.strip()[:20]}”不是有效的时间", f"opening hours {part.strip()!r}: {exc}") from None
        if end <= start:
            raise HoursError(f"办理时间“{part.strip()[:20]}”的结束早于开始", f"opening hours {part.strip()!r} end before they start")
        ranges.append((start, end))
    if not ranges:
        raise HoursError("至少需要一段办理时间", "a service needs at least one opening range")
    return sorted(ranges)


def is_open(hours: str, calendar: WorkCalendar, at: datetime) -> bool:
    """Open at local time ``at`` (aware, in the center's zone)."""
    if not calendar.is_workday(at.date()):
        return False
    now = at.time()
    return any(start <= now < end for start, end in parse_hours(hours))


def next_opening(hours: str, calendar: WorkCalendar, at: datetime) -> datetime:
    """The next moment the service opens after ``at`` (``at`` itself when open now)."""
    ranges = parse_hours(hours)
    day = at.date()
    for offset in range(0, 60):
        current = day + timedelta(days=offset)
        if not calendar.is_workday(current):
            continue
        for start, end in ranges:
            opening = datetime.combine(current, start, tzinfo=at.tzinfo)
            closing = datetime.combine(current, end, tzinfo=at.tzinfo)
            if closing > at:
                return max(opening, at)
    raise HoursError("这项业务 60 天内都不办理", "the service does not open within 60 days")
