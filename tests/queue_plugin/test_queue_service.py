"""The queue's rules: numbering, idempotency, hours and caps, weighted calls, missed numbers, transfers."""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from kiosk.plugins.queue import service
from kiosk.plugins.queue.models import QueueCounter, QueueService, Ticket
from kiosk.plugins.queue.service import QueueError


def test_numbers_are_letter_and_three_digits(qctx):
    first = service.take_ticket(qctx, "A")
    second = service.take_ticket(qctx, "a")
    other = service.take_ticket(qctx, "B")
    assert [first.ticket.display, second.ticket.display, other.ticket.display] == ["A001", "A002", "B001"]
    assert second.ahead == 1 and other.ahead == 0
    assert first.issued.receipt.number == "A001"
    assert "前面还有 0 人" in first.issued.layout.lines
    assert any("身份证" in line for line in first.issued.layout.lines)  # the materials list is on the slip


def test_same_key_returns_the_same_ticket(qctx):
    a = service.take_ticket(qctx, "A", key="tap-1")
    b = service.take_ticket(qctx, "A", key="tap-1")
    assert a.ticket.id == b.ticket.id and b.repeated and a.url == b.url
    assert service.take_ticket(qctx, "A", key="tap-2").ticket.display == "A002"
    with pytest.raises(QueueError):
        service.take_ticket(qctx, "A", key="bad key with spaces")


def test_a_repeated_tap_shows_and_prints_the_first_slip_again(qctx):
    from kiosk.receipts import reissued

    first = service.take_ticket(qctx, "A", key="tap-r")
    again = service.take_ticket(qctx, "A", key="tap-r")
    assert again.issued is None  # the retry made no new receipt or token
    slip = reissued(qctx, again.ticket.receipt_id, again.url)
    assert slip.token == first.issued.token and slip.url == first.url
    assert slip.receipt.id == first.issued.receipt.id and slip.layout.lines == first.issued.layout.lines


def test_numbering_resets_at_local_midnight_and_keeps_history(qctx, monkeypatch):
    service.take_ticket(qctx, "A")
    service.take_ticket(qctx, "A")
    monkeypatch.setenv("KIOSK_NOW", "2026-12-01T09:00:00+08:00")
    assert service.take_ticket(qctx, "A").ticket.display == "A001"
    with qctx.sessions() as s:
        days = sorted(t.business_day for t in s.scalars(select(Ticket)))
    assert days == ["2026-11-30", "2026-11-30", "2026-12-01"]
    # The daily tick closes yesterday's unfinished tickets as history.
    assert service.close_previous_days(qctx, qctx.today()) == 2
    with qctx.sessions() as s:
        assert {t.state for t in s.scalars(select(Ticket).where(Ticket.business_day == "2026-11-30"))} == {"closed"}


def test_closed_hours_holidays_and_caps(qctx, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T12:30:00+08:00")  # lunch break
    with pytest.raises(QueueError) as err:
        service.take_ticket(qctx, "A")
    assert err.value.code == "closed" and "今天 13:30" in err.value.zh
    monkeypatch.setenv("KIOSK_NOW", "2026-10-01T09:00:00+08:00")  # National Day
    with pytest.raises(QueueError) as err:
        service.take_ticket(qctx, "A")
    assert "10月8日 08:30" in err.value.zh
    monkeypatch.setenv("KIOSK_NOW", "2026-10-10T09:00:00+08:00")  # a Saturday that is a 调休 working day
    assert service.take_ticket(qctx, "A").ticket.display == "A001"
    with qctx.transaction() as s:
        s.get(QueueService, "B").daily_cap = 1
    service.take_ticket(qctx, "B")
    with pytest.raises(QueueError) as err:
        service.take_ticket(qctx, "B")
    assert err.value.code == "full"
    overview = {x.code: x for x in service.services_overview(qctx)}
    assert overview["B"].full and not overview["B"].open and overview["A"].open


def test_calls_respect_priority_weight_and_counter_services(qctx):
    # Counter 2 serves only A; counter 4 serves only C.
    for code, prio in [("A", False), ("A", False), ("A", False), ("A", True), ("A", True), ("C", False)]:
        service.take_ticket(qctx, code, priority=prio)
    called = [service.call_next(qctx, 2).display for _ in range(5)]
    # A priority ticket is called first (the counter starts "due"), then two normal calls per priority call.
    assert called == ["A004", "A001", "A002", "A005", "A003"]
    assert service.call_next(qctx, 2) is None  # C001 is not for counter 2
    assert service.call_next(qctx, 4).display == "C001"
    with pytest.raises(QueueError) as err:
        service.call_next(qctx, 4, service="A")
    assert err.value.code == "not_served"
    with pytest.raises(QueueError):
        service.call_next(qctx, 99)


def test_calling_next_finishes_the_current_ticket(qctx):
    service.take_ticket(qctx, "A")
    service.take_ticket(qctx, "A")
    first = service.call_next(qctx, 1)
    service.call_next(qctx, 1)
    with qctx.sessions() as s:
        assert s.get(Ticket, first.id).state == "served"
        assert s.get(Ticket, first.id).outcome == "done"


def test_recall_no_show_restore_within_window(qctx, monkeypatch):
    for _ in range(3):
        service.take_ticket(qctx, "A")
    t = service.call_next(qctx, 1)
    assert service.recall(qctx, 1).call_count == 2
    service.no_show(qctx, 1)
    restored = service.restore(qctx, t.display)
    assert restored.state == "waiting"
    # Put back ahead of later arrivals: it is the next one called.
    assert service.call_next(qctx, 1).display == "A001"
    service.no_show(qctx, 1)
    monkeypatch.setenv("KIOSK_NOW", (datetime.fromisoformat("2026-11-30T09:00:00+08:00") + timedelta(minutes=31)).isoformat())
    with pytest.raises(QueueError) as err:
        service.restore(qctx, "A001")
    assert err.value.code == "too_late"
    with pytest.raises(QueueError):
        service.restore(qctx, "A002")  # never missed
    with pytest.raises(QueueError):
        service.restore(qctx, "A0233")


def test_missed_time_follows_the_kiosk_clock(qctx):
    """The window is measured from when the ticket was missed, on the kiosk clock (KIOSK_NOW)."""
    service.take_ticket(qctx, "A")
    service.call_next(qctx, 1)
    missed = service.no_show(qctx, 1)
    assert missed.missed_at.isoformat() == "2026-11-30T01:00:00+00:00"


def test_transfer_keeps_arrival_time(qctx, monkeypatch):
    early = service.take_ticket(qctx, "A").ticket
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:10:00+08:00")
    later = service.take_ticket(qctx, "B").ticket
    assert service.call_next(qctx, 1).display == early.display
    moved = service.transfer(qctx, 1, "B")
    assert moved.service_code == "B" and moved.display == "A001" and moved.arrived_at == early.arrived_at
    # At the B counter the transferred ticket goes before B001, which arrived later.
    assert service.call_next(qctx, 3).display == "A001"
    assert service.call_next(qctx, 3).display == later.display
    with pytest.raises(QueueError):
        service.transfer(qctx, 3, "Q")


def test_pause_and_finish_with_outcome(qctx):
    service.take_ticket(qctx, "C")
    service.set_paused(qctx, 4, True)
    with pytest.raises(QueueError) as err:
        service.call_next(qctx, 4)
    assert err.value.code == "paused"
    service.set_paused(qctx, 4, False)
    service.call_next(qctx, 4)
    with pytest.raises(QueueError):
        service.finish(qctx, 4, "teleported")
    done = service.finish(qctx, 4, "incomplete")
    assert done.outcome == "incomplete" and done.state == "served"
    with pytest.raises(QueueError) as err:
        service.finish(qctx, 4)
    assert err.value.code == "no_current"


def test_wait_estimate_learns_from_recent_service_times(qctx, monkeypatch):
    # Nobody served yet: the configured 8 minutes per person for A, three counters serve A.
    for _ in range(6):
        service.take_ticket(qctx, "A")
    est = {x.code: x for x in service.services_overview(qctx)}["A"].wait
    assert (est.low, est.high) == (10, 20)  # 6 × 8 / 3 = 16 min → 约 10–20 分钟
    # Serve five tickets at counter 2 taking 2 minutes each: the median replaces the fallback.
    base = datetime.fromisoformat("2026-11-30T09:00:00+08:00")
    for i in range(6):
        monkeypatch.setenv("KIOSK_NOW", (base + timedelta(minutes=2 * i)).isoformat())
        service.call_next(qctx, 2)
    for _ in range(5):
        service.take_ticket(qctx, "A")
    est = {x.code: x for x in service.services_overview(qctx)}["A"].wait
    assert (est.low, est.high) == (0, 5)  # 6 waiting × 2 / 3 = 4 min


def _take_many(url: str, data_dir: str, n: int, queue_out) -> None:
    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_DATA_DIR"] = data_dir
    os.environ["KIOSK_NOW"] = "2026-11-30T09:00:00+08:00"
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False), run_migrations=False)
    numbers = [service.take_ticket(ctx, "A").ticket.number for _ in range(n)]
    ctx.engine.dispose()
    queue_out.put(numbers)


def test_eight_processes_taking_fifty_tickets_each(qctx, db_url, isolated_env):
    with qctx.transaction() as s:
        s.get(QueueService, "A").daily_cap = 999
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    procs = [spawn.Process(target=_take_many, args=(db_url, str(isolated_env), 50, out)) for _ in range(8)]
    for p in procs:
        p.start()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    numbers = sorted(n for chunk in results for n in chunk)
    assert numbers == list(range(1, 401))  # 001–400: no gap, no duplicate
    with qctx.sessions() as s:
        assert sorted(s.scalars(select(Ticket.number))) == list(range(1, 401))
        assert s.scalar(select(QueueCounter).where(QueueCounter.number == 1)) is not None


def test_call_a_number_out_of_order_is_audited(qctx):
    from kiosk.plugins.queue.models import QueueEvent

    for _ in range(3):
        service.take_ticket(qctx, "A")
    called = service.call_number(qctx, 1, "a003")
    assert called.display == "A003" and called.state == "called" and called.counter == 1
    with qctx.sessions() as s:
        event = s.scalars(select(QueueEvent).where(QueueEvent.ticket_id == called.id, QueueEvent.action == "call")).one()
    assert event.detail["out_of_order"] is True
    assert service.call_next(qctx, 1).display == "A001"  # the rest keep their order
    with pytest.raises(QueueError) as err:
        service.call_number(qctx, 1, "A003")  # already served (finished by the next call)
    assert err.value.code == "not_waiting"
    with pytest.raises(QueueError):
        service.call_number(qctx, 1, "Z9")


def test_daily_cap_holds_with_concurrent_takers(qctx, db_url, isolated_env):
    """Eight processes race for the last five tickets: exactly five are issued, the rest are told it is full."""
    with qctx.transaction() as s:
        s.get(QueueService, "A").daily_cap = 5
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    procs = [spawn.Process(target=_try_one, args=(db_url, str(isolated_env), out)) for _ in range(8)]
    for p in procs:
        p.start()
    results = sorted((out.get(timeout=240) for _ in procs), key=str)
    for p in procs:
        p.join(timeout=60)
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2, 3, 4, 5]
    assert results.count("full") == 3


def _try_one(url: str, data_dir: str, queue_out) -> None:
    os.environ.update(KIOSK_DATABASE_URL=url, KIOSK_DATA_DIR=data_dir, KIOSK_NOW="2026-11-30T09:00:00+08:00")
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False), run_migrations=False)
    try:
        queue_out.put(service.take_ticket(ctx, "A").ticket.number)
    except QueueError as exc:
        queue_out.put(exc.code)
    finally:
        ctx.engine.dispose()
