"""The working-day calendar: Chinese public holidays and make-up working days (调休).

Plugins use it for deadlines ("5 working days") and opening days. The ``chinesecalendar`` tables cover
only the years the State Council has announced; beyond them a day is a working day when it is Monday to
Friday. Staff add or override days in config (``[calendar] extra_holidays / extra_workdays``), which win
over both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class WorkCalendar:
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls, settings) -> "WorkCalendar":
        return cls(frozenset(settings.extra_holidays), frozenset(settings.extra_workdays))

    def is_known_year(self, day: date) -> bool:
        """True when the official holiday table covers ``day``'s year."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's English name (e.g. "Spring Festival") or None."""
        if day in self.extra_holidays:
            return "Holiday"
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        return name if on_holiday and name else None

    def is_makeup_workday(self, day: date) -> bool:
        """A weekend day that is a working day (调休)."""
        return day.weekday() >= 5 and self.is_workday(day)

    def next_workday(self, day: date, include_today: bool = True) -> date:
        current = day if include_today else day + timedelta(days=1)
        for _ in range(400):
            if self.is_workday(current):
                return current
            current += timedelta(days=1)
        raise ValueError(f"no working day within 400 days after {day}")

    def add_workdays(self, day: date, count: int) -> date:
        """The date ``count`` working days after ``day`` (``day`` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        current = day
        remaining = count
        while remaining:
            current += timedelta(days=1)
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed since ``start``."""
        if end <= start:
            return 0
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=i)))
