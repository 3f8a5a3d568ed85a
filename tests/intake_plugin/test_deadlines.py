"""Deadlines in working days across the 2026 National Day holiday and its 调休 Saturday (10 Oct)."""

from __future__ import annotations

from datetime import date

from kiosk.config import load_settings
from kiosk.plugins.intake import deadlines, service, upkeep
from kiosk.workdays import WorkCalendar

from intake_forms import form


def calendar() -> WorkCalendar:
    return WorkCalendar.from_settings(load_settings())


def test_due_date_skips_the_holiday_and_counts_the_makeup_saturday():
    cal = calendar()
    # Filed Wed 30 Sep, 5 working days: 8, 9, 10 (Sat, 调休), 12, 13 Oct.
    assert deadlines.due_date(cal, date(2026, 9, 30), 5) == date(2026, 10, 13)
    # Filed during the holiday: counting starts on the first working day (8 Oct).
    assert deadlines.due_date(cal, date(2026, 10, 3), 5) == date(2026, 10, 14)
    # Filed on a normal Friday: the weekend does not count.
    assert deadlines.due_date(cal, date(2026, 11, 27), 3) == date(2026, 12, 2)


def test_pause_moves_the_due_date_by_the_working_days_waited():
    cal = calendar()
    # Paused Tue 29 Sep, resumed Fri 9 Oct: 30 Sep, 8 Oct, 9 Oct = 3 working days.
    assert deadlines.after_pause(cal, date(2026, 10, 13), date(2026, 9, 29), date(2026, 10, 9)) == date(2026, 10, 16)


def test_levels():
    cal = calendar()
    due = date(2026, 12, 2)  # a Wednesday
    assert deadlines.level(cal, due, date(2026, 11, 30)) == ""
    assert deadlines.level(cal, due, date(2026, 12, 1)) == "due_soon"
    assert deadlines.level(cal, due, date(2026, 12, 2)) == "due_soon"
    assert deadlines.level(cal, due, date(2026, 12, 3)) == "overdue"
    assert deadlines.level(cal, due, date(2026, 12, 8)) == "overdue"  # 4 working days late
    assert deadlines.level(cal, due, date(2026, 12, 9)) == "long_overdue"  # 5 working days late
    # Before a holiday the next working day is days away: due on 8 Oct is "soon" on 30 Sep.
    assert deadlines.level(cal, date(2026, 10, 8), date(2026, 9, 30)) == "due_soon"


def test_filed_case_gets_the_category_deadline(ictx, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", "2026-09-30T15:00:00+08:00")
    r = service.file_case(ictx, form())  # repair: 5 working days
    assert r.case.due_date == date(2026, 10, 13)
    r = service.file_case(ictx, form(category="env", problem="垃圾未清运"))  # sanitation: 3
    assert r.case.due_date == date(2026, 10, 10)  # the 调休 Saturday is a working day


def test_daily_tick_grades_and_writes_the_timeline_once(ictx, monkeypatch):
    r = service.file_case(ictx, form(category="env", problem="垃圾未清运"))  # Mon 30 Nov, due Thu 3 Dec
    service.transition(ictx, r.case.case_no, "accept", by="t", kind="promised")
    assert upkeep.grade_cases(ictx, date(2026, 12, 2))["due_soon"] == 1
    monkeypatch.setenv("KIOSK_NOW", "2026-12-04T09:00:00+08:00")
    assert upkeep.grade_cases(ictx, date(2026, 12, 4))["overdue"] == 1
    upkeep.grade_cases(ictx, date(2026, 12, 4))  # the same day again: no second row
    card = service.card(ictx, r.case.case_no)
    assert [e.action for e in card.events].count("supervise") == 1 and card.case.supervision == "overdue"
    assert [c.case.case_no for c in service.list_cases(ictx, overdue=True)] == [r.case.case_no]
    assert upkeep.grade_cases(ictx, date(2026, 12, 10))["long_overdue"] == 1
    card = service.card(ictx, r.case.case_no)
    assert [e.action for e in card.events].count("supervise") == 2 and card.case.supervision == "long_overdue"
