"""Around the counter: self-rejoin and auto-recall after 过号, transfer with return (一票到底), the rating pad
(好差评), adding services and counters, and the home screen's short wait line."""

from __future__ import annotations

import pytest
from queuehelpers import settings
from sqlalchemy import select

from kiosk.plugins.queue import service
from kiosk.plugins.queue.models import QueueEvent
from kiosk.plugins.queue.service import QueueError


# -- 过号: self-rejoin and auto-recall --------------------------------------------------------------
def test_self_rejoin_once_within_the_window(qctx, kiosk_now):
    first = service.take_ticket(qctx, "A").ticket
    service.take_ticket(qctx, "A")
    service.call_next(qctx, 2)
    missed = service.no_show(qctx, 2)
    assert missed.display == first.display and service.rejoin_deadline(qctx, missed) is not None
    kiosk_now.at("09:05")
    back = service.rejoin(qctx, first.id)
    assert back.state == "waiting" and service.call_next(qctx, 2).display == first.display  # ahead of A002
    service.no_show(qctx, 2)
    with pytest.raises(QueueError) as err:
        service.rejoin(qctx, first.id)
    assert err.value.code == "rejoined"
    second = service.call_next(qctx, 2)
    service.no_show(qctx, 2)
    kiosk_now.at("09:20")  # 15 minutes later: past the 10-minute window
    with pytest.raises(QueueError) as err:
        service.rejoin(qctx, second.id)
    assert err.value.code == "too_late"


def test_auto_recall_after_n_other_calls(qctx, kiosk_now):
    settings(qctx, auto_recall_after=2)
    tickets = [service.take_ticket(qctx, "A").ticket.display for _ in range(5)]
    assert service.call_next(qctx, 2).display == tickets[0]
    service.no_show(qctx, 2)
    kiosk_now.at("09:01")
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
def test_rating_pad_offers_the_last_served_ticket_once(qctx, kiosk_now):
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
    kiosk_now.at("09:30")  # past the pad's five minutes
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
