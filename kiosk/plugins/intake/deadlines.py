"""Deadlines in working days (the core calendar: weekends, public holidays and 调休 working days).

A case is promised ``deadline_days`` working days after the day it is filed; waiting for the resident
pauses the clock (the due date moves by the working days paused); one extension is allowed.
The daily tick grades open cases: due soon (due today or on the next working day), overdue (督办,
past due) and long overdue (通报, at least :data:`LONG_OVERDUE_DAYS` working days past due).
"""

from __future__ import annotations

from datetime import date

from kiosk.api import WorkCalendar

LONG_OVERDUE_DAYS = 5
MAX_EXTENSION_DAYS = 10

LEVELS = {
    "": ("", ""),
    "due_soon": ("即将到期", "Due soon"),
    "overdue": ("已超期·督办", "Overdue"),
    "long_overdue": ("严重超期·通报", "Long overdue"),
}


def due_date(calendar: WorkCalendar, filed_on: date, deadline_days: int) -> date:
    """The promised date: ``deadline_days`` working days after the filing day.

    A case filed on a rest day counts from the next working day, so a resident filing on a Saturday
    of a holiday week is not promised less time than one filing on the Monday.
    """
    start = filed_on if calendar.is_workday(filed_on) else calendar.next_workday(filed_on)
    return calendar.add_workdays(start, max(0, deadline_days)) if deadline_days else start


def after_pause(calendar: WorkCalendar, due: date, paused_on: date, resumed_on: date) -> date:
    """The due date moved by the working days the case spent waiting for the resident."""
    paused = calendar.workdays_between(paused_on, resumed_on)
    return calendar.add_workdays(due, paused) if paused else due


def level(calendar: WorkCalendar, due: date, today: date) -> str:
    """"" | due_soon | overdue | long_overdue for an open case due on ``due``."""
    if today > due:
        late = calendar.workdays_between(due, today)
        return "long_overdue" if late >= LONG_OVERDUE_DAYS else "overdue"
    if today == due or calendar.next_workday(today, include_today=False) >= due:
        return "due_soon"
    return ""


def level_name(code: str, lang: str = "zh") -> str:
    zh, en = LEVELS.get(code, (code, code))
    return en if lang == "en" else zh
