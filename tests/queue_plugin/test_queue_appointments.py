"""Appointments, remote tickets, self-rejoin and auto-recall, chained return, the rating pad, new services."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from kiosk.plugins.queue import appointments, remote, service, stats
from kiosk.plugins.queue.models import QueueAppointment, QueueEvent, Ticket
from kiosk.plugins.queue.service import QueueError


def at(qctx, hhmm: str, day: str = "2026-11-30") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=qctx.settings.tz)


def now(monkeypatch, hhmm: str, day: str = "2026-11-30") -> None:
    monkeypatch.setenv("KIOSK_NOW", f"{day}T{hhmm}:00+08:00")


def settings(qctx, **values) -> None:
    qctx.settings.plugin_settings.setdefault("queue", {}).update(values)


# -- 预约签到 -----------------------------------------------------------------------------------------
def test_appointment_check_in_window_and_lane(qctx, monkeypatch):
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

    now(monkeypatch, "09:50")
    walk_ins = [service.take_ticket(qctx, "A").ticket for _ in range(2)]
    result = appointments.check_in(qctx, a.code)
    assert result.ticket.source == "appt" and result.ahead == 0  # ahead of the two walk-ins
    assert "预约签到（优先叫号）" in result.issued.layout.lines
    again = appointments.check_in(qctx, a.code)  # a double tap or a second visit: the same ticket
    assert again.ticket.id == result.ticket.id and again.repeated
    assert service.ticket_status(qctx, walk_ins[0].id)[2] == 1  # the walk-in now has the appointment ahead
    now(monkeypatch, "09:55")
    assert service.call_next(qctx, 2).display == result.ticket.display  # counter 2 serves A
    assert service.call_next(qctx, 2).display == walk_ins[0].display
    assert appointments.day_list(qctx)[0].state == "checked_in" and appointments.day_list(qctx)[0].number == result.ticket.display


def test_appointment_weight_lets_walk_ins_through(qctx, monkeypatch):
    settings(qctx, walkins_per_appointment=1)
    codes = [appointments.book(qctx, "A", at(qctx, "09:00")).code for _ in range(2)]
    walk = [service.take_ticket(qctx, "A").ticket.display for _ in range(2)]
    appt = [appointments.check_in(qctx, c).ticket.display for c in codes]
    called = [service.call_next(qctx, 2).display for _ in range(4)]
    assert called == [appt[0], walk[0], appt[1], walk[1]]


def test_appointment_too_late_no_show_stats_and_phone_erased(qctx, monkeypatch):
    late = appointments.book(qctx, "B", at(qctx, "09:30"), phone="13900001111")
    kept = appointments.book(qctx, "B", at(qctx, "10:00"))
    cancelled = appointments.book(qctx, "B", at(qctx, "10:30"))
    appointments.cancel(qctx, cancelled.code)
    with pytest.raises(QueueError):
        appointments.cancel(qctx, cancelled.code)
    now(monkeypatch, "09:50")
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, late.code)
    assert err.value.code == "too_late" and "请取普通号" in err.value.zh
    appointments.check_in(qctx, kept.code)
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, cancelled.code)
    assert err.value.code == "cancelled"
    row = next(r for r in stats.day_stats(qctx)["services"] if r["code"] == "B")
    assert (row["appointments"], row["appointments_checked_in"], row["appointment_no_shows"]) == (2, 1, 1)
    now(monkeypatch, "09:00", "2026-12-01")
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


# -- 网上取号 ---------------------------------------------------------------------------------------
def test_remote_ticket_waits_pending_until_activated_and_joins_at_activation(qctx, monkeypatch):
    r = remote.take_remote(qctx, "A", key="phone-1")
    assert r.ticket.state == "pending" and r.ticket.source == "remote" and len(r.ticket.activation_code) == 6
    assert remote.take_remote(qctx, "A", key="phone-1").ticket.id == r.ticket.id
    now(monkeypatch, "09:05")
    walk = service.take_ticket(qctx, "A").ticket
    assert service.call_next(qctx, 2).display == walk.display  # the pending ticket is in nobody's way
    assert service.call_next(qctx, 2) is None
    now(monkeypatch, "09:10")
    later = service.take_ticket(qctx, "A").ticket
    now(monkeypatch, "09:20")
    with pytest.raises(QueueError) as err:
        remote.activate_with_hall_code(qctx, r.ticket.id, "123456" if remote.here_code(qctx) != "123456" else "654321")
    assert err.value.code == "bad_here_code"
    ticket = remote.activate_with_hall_code(qctx, r.ticket.id, remote.here_code(qctx))
    assert ticket.state == "waiting"
    with pytest.raises(QueueError) as err:
        remote.activate_with_hall_code(qctx, r.ticket.id, remote.here_code(qctx))
    assert err.value.code == "not_pending"
    # Activated at 09:20, behind the walk-in of 09:10 (the order rule: a place from activation).
    assert [service.call_next(qctx, 2).display for _ in range(2)] == [later.display, r.ticket.display]


def test_hall_code_rotates_and_the_previous_one_still_counts(qctx, monkeypatch):
    settings(qctx, here_code_seconds=60)
    now(monkeypatch, "09:00")
    first = remote.here_code(qctx)
    now(monkeypatch, "09:01")
    assert remote.here_code(qctx) != first and remote.here_code_valid(qctx, first)
    now(monkeypatch, "09:03")
    assert not remote.here_code_valid(qctx, first)
    assert not remote.here_code_valid(qctx, "abc")


def test_remote_activation_at_the_kiosk_share_cap_and_push_back(qctx, monkeypatch):
    from kiosk.plugins.queue.models import QueueService

    with qctx.transaction() as s:
        s.get(QueueService, "C").daily_cap = 10  # 30 % → 3 remote tickets
    tickets = [remote.take_remote(qctx, "C").ticket for _ in range(3)]
    with pytest.raises(QueueError) as err:
        remote.take_remote(qctx, "C")
    assert err.value.code == "remote_full" and "取号机" in err.value.zh
    assert service.take_ticket(qctx, "C").ticket.display  # the kiosk still issues
    assert remote.remote_left(qctx)["C"] == 0
    with pytest.raises(QueueError) as err:
        remote.activate_with_ticket_code(qctx, "999999" if tickets[0].activation_code != "999999" else "999998")
    assert err.value.code == "unknown_code"
    now(monkeypatch, "09:10")
    ticket, ahead = remote.activate_with_ticket_code(qctx, tickets[0].activation_code)
    assert ticket.state == "waiting" and ahead == 1
    behind = []
    for minute in (11, 12, 13, 14):
        now(monkeypatch, f"09:{minute}")
        behind.append(service.take_ticket(qctx, "C").ticket.display)
    settings(qctx, remote_pushback_limit=1, remote_pushback_places=3)
    remote.push_back(qctx, ticket.id)
    with pytest.raises(QueueError) as err:
        remote.push_back(qctx, ticket.id)
    assert err.value.code == "pushback_limit"
    order = [service.call_next(qctx, 4).display for _ in range(6)]  # counter 4 serves C
    assert order[1:5] == behind[:3] + [ticket.display]
    with pytest.raises(QueueError) as err:
        remote.push_back(qctx, tickets[1].id)  # still pending
    assert err.value.code == "not_waiting"


def test_unactivated_remote_tickets_close_with_the_day(qctx, monkeypatch):
    remote.take_remote(qctx, "A")
    now(monkeypatch, "09:00", "2026-12-01")
    assert service.close_previous_days(qctx, qctx.today()) == 1


# -- 过号: self-rejoin and auto-recall --------------------------------------------------------------
def test_self_rejoin_once_within_the_window(qctx, monkeypatch):
    first = service.take_ticket(qctx, "A").ticket
    service.take_ticket(qctx, "A")
    service.call_next(qctx, 2)
    missed = service.no_show(qctx, 2)
    assert missed.display == first.display and service.rejoin_deadline(qctx, missed) is not None
    now(monkeypatch, "09:05")
    back = service.rejoin(qctx, first.id)
    assert back.state == "waiting" and service.call_next(qctx, 2).display == first.display  # ahead of A002
    service.no_show(qctx, 2)
    with pytest.raises(QueueError) as err:
        service.rejoin(qctx, first.id)
    assert err.value.code == "rejoined"
    second = service.call_next(qctx, 2)
    service.no_show(qctx, 2)
    now(monkeypatch, "09:20")  # 15 minutes later: past the 10-minute window
    with pytest.raises(QueueError) as err:
        service.rejoin(qctx, second.id)
    assert err.value.code == "too_late"


def test_auto_recall_after_n_other_calls(qctx, monkeypatch):
    settings(qctx, auto_recall_after=2)
    tickets = [service.take_ticket(qctx, "A").ticket.display for _ in range(5)]
    assert service.call_next(qctx, 2).display == tickets[0]
    service.no_show(qctx, 2)
    now(monkeypatch, "09:01")
    called = [service.call_next(qctx, 2).display for _ in range(4)]
    # two other calls (A002, A003), then A001 is back at the front, once.
    assert called == [tickets[1], tickets[2], tickets[0], tickets[3]]
    with qctx.sessions() as s:
        assert s.scalar(select(QueueEvent).where(QueueEvent.action == "auto_restore")) is not None


# -- 一票到底 auto-return ---------------------------------------------------------------------------
def test_transfer_with_return_comes_back_in_the_priority_lane(qctx):
    first = service.take_ticket(qctx, "A").ticket
    others = [service.take_ticket(qctx, "A").ticket.display for _ in range(2)]
    service.call_next(qctx, 2)
    moved = service.transfer(qctx, 2, "C", return_after=True)
    assert moved.return_to == "A" and moved.service_code == "C"
    assert service.call_next(qctx, 4).display == first.display
    back = service.finish(qctx, 4)
    assert back.state == "waiting" and back.service_code == "A" and back.priority and back.return_to is None
    assert service.ticket_status(qctx, first.id)[2] == 0  # back first in line, before A002 and A003
    assert service.call_next(qctx, 2).display == first.display
    assert service.finish(qctx, 2).state == "served"  # done for good: it returns only once
    assert service.call_next(qctx, 2).display == others[0]
    with qctx.sessions() as s:
        assert s.scalar(select(QueueEvent).where(QueueEvent.action == "return")).detail["to"] == "A"


# -- 好差评 at the counter -------------------------------------------------------------------------
def test_rating_pad_offers_the_last_served_ticket_once(qctx, monkeypatch):
    service.take_ticket(qctx, "A")
    assert service.rate_pad_ticket(qctx, 2) is None
    service.call_next(qctx, 2)
    done = service.finish(qctx, 2)
    offered = service.rate_pad_ticket(qctx, 2)
    assert offered.id == done.id
    with pytest.raises(QueueError) as err:
        service.rate_at_counter(qctx, 2, done.id, 1)
    assert err.value.code == "reason_needed"
    service.rate_at_counter(qctx, 2, done.id, 1, "等了很久没人解释")
    assert service.rate_pad_ticket(qctx, 2) is None
    with pytest.raises(QueueError):
        service.rate_at_counter(qctx, 2, done.id, 5)
    alerts = service.bad_ratings(qctx)
    assert [(a[1], a[2], a[3]) for a in alerts] == [(done.display, 2, 1)]
    service.handle_rating(qctx, alerts[0][0], by="web:admin")
    assert service.bad_ratings(qctx) == []
    service.take_ticket(qctx, "A")
    service.call_next(qctx, 2)
    service.finish(qctx, 2)
    now(monkeypatch, "09:30")  # past the pad's five minutes
    assert service.rate_pad_ticket(qctx, 2) is None


# -- adding services and counters -----------------------------------------------------------------
def test_create_service_and_counter(qctx):
    svc = service.create_service(qctx, "h", name="不动产登记", name_en="Property", daily_cap=50, materials=["房产证", " "])
    assert svc.code == "H" and svc.materials == ["房产证"]
    with pytest.raises(QueueError) as err:
        service.create_service(qctx, "H", name="重复")
    assert err.value.code == "code_taken"
    with pytest.raises(QueueError) as err:
        service.create_service(qctx, "1", name="x")
    assert err.value.code == "bad_code"
    with pytest.raises(QueueError) as err:
        service.create_service(qctx, "J", name="x", hours="9-5")
    assert err.value.code == "bad_hours"
    desk = service.create_counter(qctx, 9, name="临时窗口", services=["h", "A"])
    assert desk.services == ["A", "H"]
    with pytest.raises(QueueError) as err:
        service.create_counter(qctx, 9, services=["A"])
    assert err.value.code == "counter_taken"
    with pytest.raises(QueueError) as err:
        service.create_counter(qctx, 10, services=["Q"])
    assert err.value.code == "unknown_service"
    assert service.take_ticket(qctx, "H").ticket.display == "H001"
    assert service.call_next(qctx, 9).display == "H001"
    assert "H" in {x.code for x in service.services_overview(qctx)}


def test_remote_tickets_switched_off(qctx):
    settings(qctx, remote_share_percent=0)
    assert not remote.enabled(qctx) and remote.here_url(qctx) == ""
    with pytest.raises(QueueError) as err:
        remote.take_remote(qctx, "A")
    assert err.value.code == "remote_full"


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

    os.environ.update(KIOSK_DATABASE_URL=url, KIOSK_DATA_DIR=data_dir, KIOSK_NOW="2026-11-30T09:00:00+08:00")
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False), run_migrations=False)
    try:
        queue_out.put(appointments.check_in(ctx, code).ticket.display)
    except Exception as exc:  # reported, so the assertion shows what went wrong
        queue_out.put(f"error: {exc!r}")


def test_home_wait_board_line_stays_short(qctx):
    from kiosk.plugins.queue import wait_board_line

    assert wait_board_line(service.services_overview(qctx), "zh_CN") == "取号：现在无需排队"
    for code, count in (("A", 4), ("B", 1), ("C", 3), ("D", 2), ("E", 1)):
        for _ in range(count):
            service.take_ticket(qctx, code)
    line = wait_board_line(service.services_overview(qctx), "zh_CN")
    assert line.startswith("排队等候：社保医保 4人") and "劳动就业 3人" in line and "计划生育 2人" in line
    assert line.endswith("等另 2 项") and "低保救助" not in line
    assert wait_board_line(service.services_overview(qctx), "en").startswith("Waiting: ")
