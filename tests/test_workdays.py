"""The working-day calendar: public holidays, make-up days (调休), staff overrides, unknown years."""

from __future__ import annotations

from datetime import date

from kiosk.workdays import WorkCalendar

cal = WorkCalendar()


def test_public_holidays_and_weekends():
    assert not cal.is_workday(date(2026, 10, 1))  # National Day
    assert cal.holiday_name(date(2026, 10, 1)) == "National Day"
    assert not cal.is_workday(date(2026, 2, 17))  # Spring Festival
    assert not cal.is_workday(date(2026, 11, 29))  # a Sunday
    assert cal.is_workday(date(2026, 11, 30))  # a Monday


def test_makeup_working_days():
    # Sunday 2026-09-20 and Saturday 2026-10-10 are 调休 working days around National Day.
    assert cal.is_workday(date(2026, 9, 20))
    assert cal.is_makeup_workday(date(2026, 10, 10))
    assert not cal.is_makeup_workday(date(2026, 10, 12))


def test_add_workdays_skips_the_golden_week():
    # Filed on Wednesday 2026-09-30: days off 10-01..10-07, 10-10 (Saturday) is worked.
    due = cal.add_workdays(date(2026, 9, 30), 5)
    assert due == date(2026, 10, 13)
    assert cal.workdays_between(date(2026, 9, 30), due) == 5
    assert cal.add_workdays(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_next_workday():
    assert cal.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.next_workday(date(2026, 11, 30)) == date(2026, 11, 30)
    assert cal.next_workday(date(2026, 11, 30), include_today=False) == date(2026, 12, 1)


def test_staff_overrides_win():
    custom = WorkCalendar(extra_holidays=frozenset({date(2026, 12, 1)}), extra_workdays=frozenset({date(2026, 10, 2)}))
    assert not custom.is_workday(date(2026, 12, 1))
    assert custom.holiday_name(date(2026, 12, 1)) == "Holiday"
    assert custom.is_workday(date(2026, 10, 2))


def test_years_beyond_the_published_tables_use_weekdays():
    far = date(2040, 1, 2)  # a Monday
    assert not cal.is_known_year(far)
    assert cal.is_workday(far)
    assert not cal.is_workday(date(2040, 1, 1))  # a Sunday
    assert cal.holiday_name(far) is None
