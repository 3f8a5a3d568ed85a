"""The one clock of the product.

Every command honours ``KIOSK_NOW`` (an ISO-8601 time with an offset) so that demos, screenshots,
training and checks see a pinned time: opening hours, seasons, daily resets and deadlines all ask
this module, never :func:`datetime.now` directly.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

from kiosk.refusal import Refusal

DEFAULT_TIMEZONE = "Asia/Shanghai"


class ClockError(ValueError):
    """KIOSK_NOW is set but is not a usable time."""


#: The years of every date the product accepts from a person (forms, CLI options, query strings, APIs).
#: Python's dates end at 0001 and 9999: a typed 9999-12-31 plus a working day, a week before 0001-W01 or a
#: UTC conversion of 0001-01-01 08:00+08:00 overflows (an unhandled error, a 500). Nothing a service
#: center does reaches outside these years, so a date outside them is refused where it is typed.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class DateOutOfRange(Refusal, ValueError):
    """A date outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`, with the refusal in both languages.

    Still a ``ValueError``, so code that reads any bad date with one ``except ValueError`` refuses it too.
    """

    def __init__(self, value: object):
        self.value = str(value)[:40]
        super().__init__("date_out_of_range",
                         f"日期超出范围：{self.value}（请填写 {FIRST_YEAR}–{LAST_YEAR} 年之间的日期）",
                         f"{self.value} is out of range: use a date between the years {FIRST_YEAR} and {LAST_YEAR}")


def usable(value: date | datetime) -> date | datetime:
    """``value`` itself when its year is one the product handles, else :class:`DateOutOfRange`.

    Call it on every date or time that came from a person before computing with it.
    """
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DateOutOfRange(value.isoformat())
    return value


def parse_day(text: str) -> date:
    """An ISO date (``2026-11-30``) a person typed: ValueError when it is not one, DateOutOfRange when it
    is one the product cannot handle."""
    value = date.fromisoformat((text or "").strip())
    return usable(value)


def parse_time(text: str) -> datetime:
    """An ISO date-time (``2026-11-30T09:15:00+08:00``, ``Z`` for UTC; naive stays naive): ValueError when
    it is not one, DateOutOfRange when its year is outside the product's range."""
    value = datetime.fromisoformat((text or "").strip())
    return usable(value)


def pinned_now() -> datetime | None:
    """The time pinned by ``KIOSK_NOW``, or None when the clock runs freely."""
    raw = os.environ.get("KIOSK_NOW", "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ClockError(f"KIOSK_NOW={raw!r} is not an ISO-8601 time (example: 2026-11-30T09:15:00+08:00)") from exc
    if value.tzinfo is None:
        raise ClockError(f"KIOSK_NOW={raw!r} has no UTC offset (example: 2026-11-30T09:15:00+08:00)")
    return value


def now(tz: tzinfo | str | None = None) -> datetime:
    """The current time as an aware datetime in ``tz`` (the center's zone by default)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else (tz or ZoneInfo(DEFAULT_TIMEZONE))
    value = pinned_now() or datetime.now(timezone.utc)
    return value.astimezone(zone)


def today(tz: tzinfo | str | None = None) -> date:
    """The local calendar date in ``tz`` (business days follow the center's zone, not UTC)."""
    return now(tz).date()


def utcnow() -> datetime:
    """Aware UTC time, for storing in the database."""
    return now(timezone.utc)
