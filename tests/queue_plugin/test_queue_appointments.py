"""Appointments (预约签到): the check-in window and lane, their weight against walk-ins, no-shows and erasure,
booking checks, and check-in races between kiosks."""

from __future__ import annotations

import pytest
from kit import MONDAY_9AM
from queuehelpers import at, settings
from sqlalchemy import select

from kiosk.plugins.queue import appointments, service, stats
from kiosk.plugins.queue.models import QueueAppointment, Ticket
from kiosk.plugins.queue.service import QueueError


# -- 预约签到 -----------------------------------------------------------------------------------------
def test_appointment_check_in_window_and_lane(qctx, kiosk_now):
    a = appointments.book(qctx, "A", at(qctx, "10:00"), phone="138 0013 8000", by="test")
    assert len(a.code) == 6 and a.code.isdigit()
    row = appointments.day_list(qctx)[0]
    assert row.phone_masked == "138****8000" and row.state == "booked"
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, a.code)  # 09:00: an hour early
    assert err.value.code == "too_early" and "09:45 以后" in err.value.zh
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, "000000")
    assert err.value.code == "unknown_code"
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, "12ab")
    assert err.value.code == "bad_code"

    kiosk_now.at("09:50")
    walk_ins = [service.take_ticket(qctx, "A").ticket for _ in range(2)]
    result = appointments.check_in(qctx, a.code)
    assert result.ticket.source == "appt" and result.ahead == 0  # ahead of the two walk-ins
    assert "预约签到（优先叫号）" in result.issued.layout.lines
    again = appointments.check_in(qctx, a.code)  # a double tap or a second visit: the same ticket
    assert again.ticket.id == result.ticket.id and again.repeated
    assert service.ticket_status(qctx, walk_ins[0].id)[2] == 1  # the walk-in now has the appointment ahead
    kiosk_now.at("09:55")
    assert service.call_next(qctx, 2).display == result.ticket.display  # counter 2 serves A
    assert service.call_next(qctx, 2).display == walk_ins[0].display
    assert appointments.day_list(qctx)[0].state == "checked_in" and appointments.day_list(qctx)[0].number == result.ticket.display


def test_appointment_weight_lets_walk_ins_through(qctx, kiosk_now):
    settings(qctx, walkins_per_appointment=1)
    codes = [appointments.book(qctx, "A", at(qctx, "09:00")).code for _ in range(2)]
    walk = [service.take_ticket(qctx, "A").ticket.display for _ in range(2)]
    appt = [appointments.check_in(qctx, c).ticket.display for c in codes]
    called = [service.call_next(qctx, 2).display for _ in range(4)]
    assert called == [appt[0], walk[0], appt[1], walk[1]]


def test_appointment_too_late_no_show_stats_and_phone_erased(qctx, kiosk_now):
    late = appointments.book(qctx, "B", at(qctx, "09:30"), phone="13900001111")
    kept = appointments.book(qctx, "B", at(qctx, "10:00"))
    cancelled = appointments.book(qctx, "B", at(qctx, "10:30"))
    appointments.cancel(qctx, cancelled.code)
    with pytest.raises(QueueError):
        appointments.cancel(qctx, cancelled.code)
    kiosk_now.at("09:50")
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, late.code)
    assert err.value.code == "too_late" and "请取普通号" in err.value.zh
    appointments.check_in(qctx, kept.code)
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, cancelled.code)
    assert err.value.code == "cancelled"
    row = next(r for r in stats.day_stats(qctx)["services"] if r["code"] == "B")
    assert (row["appointments"], row["appointments_checked_in"], row["appointment_no_shows"]) == (2, 1, 1)
    kiosk_now.at("09:00", "2026-12-01")
    assert appointments.close_previous_days(qctx, qctx.today()) == 1
    with qctx.sessions() as s:
        rows = {a.code: a for a in s.scalars(select(QueueAppointment))}
    assert rows[late.code].state == "no_show" and rows[late.code].phone == ""


def test_appointment_booking_is_checked(qctx):
    with pytest.raises(QueueError) as err:
        appointments.book(qctx, "A", at(qctx, "12:30"))  # lunch break
    assert err.value.code == "closed"
    with pytest.raises(QueueError) as err:
        appointments.book(qctx, "A", at(qctx, "08:00"))  # before now (09:00) and its window
    assert err.value.code == "past"
    with pytest.raises(QueueError) as err:
        appointments.book(qctx, "A", at(qctx, "10:00"), phone="call me")
    assert err.value.code == "bad_phone" and "也可以不填" in err.value.zh
    local = appointments.book(qctx, "A", at(qctx, "10:00"), phone="6201234")  # the shell's rule: Tai'an's area code
    assert local.phone == "0538-6201234" and appointments.mask_phone(local.phone) == "0538-***1234"
    with pytest.raises(QueueError):
        appointments.book(qctx, "Z", at(qctx, "10:00"))


def test_a_double_check_in_race_returns_the_same_ticket(qctx):
    a = appointments.book(qctx, "A", at(qctx, "09:05"))
    first = appointments.check_in(qctx, a.code)
    # A second kiosk that read "booked" before the first committed: its ticket insert hits the
    # appointment's idempotency key, and it returns the first ticket instead of failing.
    with qctx.transaction() as s:
        s.scalar(select(QueueAppointment).where(QueueAppointment.code == a.code)).state = "booked"
    again = appointments.check_in(qctx, a.code)
    assert again.ticket.id == first.ticket.id and again.repeated
    with qctx.sessions() as s:
        assert len(list(s.scalars(select(Ticket).where(Ticket.source == "appt")))) == 1


def test_six_kiosks_checking_in_one_code_at_once_make_one_ticket(qctx, db_url, isolated_env):
    import multiprocessing

    code = appointments.book(qctx, "A", at(qctx, "09:05")).code
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    procs = [spawn.Process(target=_check_in_once, args=(db_url, str(isolated_env), code, out)) for _ in range(6)]
    for p in procs:
        p.start()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert len(set(results)) == 1 and results[0].startswith("A")  # every kiosk shows the same ticket
    with qctx.sessions() as s:
        assert len(list(s.scalars(select(Ticket).where(Ticket.source == "appt")))) == 1


def _check_in_once(url: str, data_dir: str, code: str, queue_out) -> None:
    import os

    os.environ.update(KIOSK_DATABASE_URL=url, KIOSK_DATA_DIR=data_dir, KIOSK_NOW=MONDAY_9AM)
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False), run_migrations=False)
    try:
        queue_out.put(appointments.check_in(ctx, code).ticket.display)
    except Exception as exc:  # reported, so the assertion shows what went wrong
        queue_out.put(f"error: {exc!r}")
