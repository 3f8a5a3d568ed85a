"""The one clock of the product.

Every command honours ``KIOSK_NOW`` (an ISO-8601 time with an offset) so that demos, screenshots,
training and checks see a pinned time: opening hours, seasons, daily resets and deadlines all ask
this module, never :func:`datetime.now` directly.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


class ClockError(ValueError):
    """KIOSK_NOW is set but is not a usable time."""


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
