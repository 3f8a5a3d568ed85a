"""The daily reset with carry-over (TheQ #969): waiting tickets of a service that carries over move into
the new day keeping number, arrival time, priority and place; the rest close into history as before."""

from __future__ import annotations

import json

import pytest
from kit import CSRF, login
from queuehelpers import run
from sqlalchemy import select

from kiosk.housekeeping import run_daily_tick
from kiosk.plugins.queue import service
from kiosk.plugins.queue.models import QueueEvent, QueueService, Ticket

TUESDAY_9AM = "2026-12-01T09:00:00+08:00"


def _carry(qctx, code: str, on: bool = True) -> None:
    with qctx.transaction() as s:
        s.get(QueueService, code).carry_over = on


def _ticket(qctx, ticket_id: int) -> Ticket:
    with qctx.sessions() as s:
        return s.get(Ticket, ticket_id)


def test_waiting_tickets_carry_over_at_the_day_boundary(qctx, monkeypatch):
    _carry(qctx, "A")
    served = service.take_ticket(qctx, "A").ticket             # A001: served on Monday
    plain = service.take_ticket(qctx, "A").ticket              # A002: still waiting at closing
    prio = service.take_ticket(qctx, "A", priority=True).ticket  # A003: 绿色通道, still waiting
    called = service.take_ticket(qctx, "A").ticket             # A004: called, never finished
    other = service.take_ticket(qctx, "B").ticket              # B001: B does not carry over
    assert service.call_next(qctx, 1, "A").id == prio.id and service.call_next(qctx, 1, "A").id == served.id
    service.finish(qctx, 1)
    assert service.call_number(qctx, 1, "A004").id == called.id
    before = _ticket(qctx, plain.id)

    monkeypatch.setenv("KIOSK_NOW", TUESDAY_9AM)  # the next business day, in Asia/Shanghai
    assert "queue" in run_daily_tick(qctx)
    after = _ticket(qctx, plain.id)
    assert (after.business_day, after.display, after.state, after.arrived_at, after.priority) == (
        "2026-12-01", "A002", "waiting", before.arrived_at, False)
    # A003 was called Monday (prio lane first) and then finished by the next call: it stays Monday's history.
    assert _ticket(qctx, prio.id).business_day == "2026-11-30"
    assert (_ticket(qctx, called.id).state, _ticket(qctx, called.id).outcome) == ("closed", "reset")
    assert (_ticket(qctx, other.id).business_day, _ticket(qctx, other.id).state) == ("2026-11-30", "closed")
    with qctx.sessions() as s:
        events = list(s.scalars(select(QueueEvent).where(QueueEvent.action == "carry")))
    assert [(e.ticket_id, e.detail["from_day"], e.detail["to_day"], e.by) for e in events] == [(plain.id, "2026-11-30", "2026-12-01", "system")]

    # New arrivals number on after Monday's last (A004) and queue behind the carried ticket.
    new = service.take_ticket(qctx, "A")
    assert new.ticket.display == "A005" and new.ahead == 1
    assert service.take_ticket(qctx, "B").ticket.display == "B001"  # no carry-over: numbering restarts
    assert service.call_next(qctx, 2, "A").display == "A002"
    assert service.call_next(qctx, 2, "A").display == "A005"


def test_carried_priority_ticket_keeps_its_lane_and_off_keeps_todays_behaviour(qctx, monkeypatch):
    _carry(qctx, "A")
    prio = service.take_ticket(qctx, "A", priority=True).ticket
    walk = service.take_ticket(qctx, "A").ticket
    c_ticket = service.take_ticket(qctx, "C").ticket
    monkeypatch.setenv("KIOSK_NOW", TUESDAY_9AM)
    assert service.close_previous_days(qctx, qctx.today()) == 1  # only C001 is closed
    assert _ticket(qctx, c_ticket.id).state == "closed"
    late = service.take_ticket(qctx, "A", priority=True)
    assert late.ticket.display == "A003" and late.ahead == 1  # behind yesterday's 绿色通道 ticket
    # the weighted lanes as ever: 绿色通道 first, then a walk-in (one priority call per two normal ones)
    assert [service.call_next(qctx, 1, "A").id for _ in range(3)] == [prio.id, walk.id, late.ticket.id]


def test_a_number_taken_before_the_reset_ran_gets_the_next_free_one(qctx, monkeypatch):
    _carry(qctx, "A")
    monday = service.take_ticket(qctx, "A").ticket  # A001, still waiting
    monkeypatch.setenv("KIOSK_NOW", TUESDAY_9AM)
    early = service.take_ticket(qctx, "A").ticket   # the reset has not run yet: Tuesday's A001
    assert early.display == "A001"
    service.close_previous_days(qctx, qctx.today())
    moved = _ticket(qctx, monday.id)
    assert (moved.business_day, moved.display, moved.state) == ("2026-12-01", "A002", "waiting")
    with qctx.sessions() as s:
        event = s.scalar(select(QueueEvent).where(QueueEvent.ticket_id == monday.id, QueueEvent.action == "carry"))
    assert event.detail["was"] == "A001" and event.detail["number"] == "A002"
    assert service.take_ticket(qctx, "A").ticket.display == "A003"
    assert service.call_next(qctx, 1, "A").id == monday.id  # it arrived first: it keeps its place


def test_carry_over_wraps_past_the_last_number_without_collision(qctx, monkeypatch):
    with qctx.transaction() as s:
        a = s.get(QueueService, "A")
        a.carry_over, a.first_number, a.last_number, a.daily_cap = True, 1, 5, 5
    monday = [service.take_ticket(qctx, "A").ticket for _ in range(5)]  # A001–A005
    service.call_next(qctx, 1, "A")
    for number in ("A003", "A004", "A005"):
        service.call_number(qctx, 1, number)
    service.finish(qctx, 1)  # everyone served but A002, still waiting at closing
    monkeypatch.setenv("KIOSK_NOW", TUESDAY_9AM)
    service.close_previous_days(qctx, qctx.today())
    # Tuesday continues after A005: wraps to 1, skips the carried A002, then 3, 4, 5; five numbers, five tickets: full.
    assert [service.take_ticket(qctx, "A").ticket.display for _ in range(4)] == ["A001", "A003", "A004", "A005"]
    with pytest.raises(service.QueueError) as err:
        service.take_ticket(qctx, "A")
    assert err.value.code == "full"
    with qctx.sessions() as s:
        today = sorted(t.display for t in s.scalars(select(Ticket).where(Ticket.business_day == "2026-12-01")))
    assert today == ["A001", "A002", "A003", "A004", "A005"] and _ticket(qctx, monday[1].id).business_day == "2026-12-01"


def test_tracking_page_of_a_carried_ticket_keeps_working(qctx, client, monkeypatch):
    _carry(qctx, "A")
    service.take_ticket(qctx, "A")
    mine = service.take_ticket(qctx, "A", key="tap-carry")
    monkeypatch.setenv("KIOSK_NOW", TUESDAY_9AM)
    service.close_previous_days(qctx, qctx.today())
    path = mine.url.split("://", 1)[-1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "A002" in page.text and "前面还有" in page.text and "1 人" in page.text
    service.call_next(qctx, 1, "A")
    service.call_next(qctx, 1, "A")
    assert "请到 1 号窗口办理" in client.get("/" + path).text


def test_staff_switch_carry_over_on_the_setup_page_and_the_cli(qctx, client, isolated_env):
    login(client, "boss")
    page = client.get("/staff/queue/setup").text
    assert "跨日保留" in page
    form = {"csrf_token": CSRF.search(page).group(1), "name": "低保救助", "name_en": "", "hours": "08:30-12:00", "daily_cap": "100",
            "minutes_per_person": "8", "target_minutes": "30", "materials": "", "active": "1", "first_number": "1",
            "last_number": "999", "number_step": "1", "carry_over": "1"}
    assert client.post("/staff/queue/setup/service/B", data=form).status_code in (200, 303)
    with qctx.sessions() as s:
        assert s.get(QueueService, "B").carry_over is True
    refused = client.post("/staff/queue/setup/service/B", data={**form, "carry_over": "", "number_step": "-1"})
    assert refused.status_code == 400 and "号码间隔" in refused.text
    with qctx.sessions() as s:
        assert s.get(QueueService, "B").carry_over is True  # a refused form changes nothing


def test_cli_carry_over_switch(isolated_env):
    run("demo-data")
    assert json.loads(run("queue", "service-set", "B", "--carry-over", "--json").stdout)["carry_over"] is True
    run("queue", "take", "B")
    run("queue", "take", "C")
    run("tick", now=TUESDAY_9AM)
    waiting = {r["code"]: r["waiting"] for r in json.loads(run("queue", "services", "--json", now=TUESDAY_9AM).stdout)}
    assert waiting["B"] == 1 and waiting["C"] == 0  # B001 carried over, C001 closed into history
    assert json.loads(run("queue", "take", "B", "--json", now=TUESDAY_9AM).stdout)["number"] == "B002"
    assert json.loads(run("queue", "service-set", "B", "--no-carry-over", "--json").stdout)["carry_over"] is False


def test_a_carried_ticket_waits_from_the_new_days_opening_in_the_statistics(qctx, monkeypatch):
    from kiosk.plugins.queue import stats

    _carry(qctx, "A")
    carried = service.take_ticket(qctx, "A").ticket  # Monday 09:00, still waiting at closing
    monkeypatch.setenv("KIOSK_NOW", "2026-12-01T08:20:00+08:00")  # Tuesday, before A opens at 08:30
    run_daily_tick(qctx)
    monkeypatch.setenv("KIOSK_NOW", "2026-12-01T08:40:00+08:00")
    fresh = service.take_ticket(qctx, "A").ticket
    assert service.call_next(qctx, 1, "A").id == carried.id  # first in line, called ten minutes after opening
    monkeypatch.setenv("KIOSK_NOW", "2026-12-01T08:52:00+08:00")
    service.finish(qctx, 1)
    assert service.call_next(qctx, 1, "A").id == fresh.id  # waited 12 minutes
    row = next(r for r in stats.day_stats(qctx)["services"] if r["code"] == "A")
    assert row["avg_wait_min"] == 11.0 and row["p90_wait_min"] == 12.0  # (10 + 12) / 2, not a night in the queue
    assert [b["count"] for b in row["wait_buckets"]] == [0, 0, 2, 0, 0, 0]
