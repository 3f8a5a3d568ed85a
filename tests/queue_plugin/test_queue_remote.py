"""Remote tickets (网上取号): pending until activated in the hall, the rotating hall code, the kiosk share
cap and push-back, closing with the day, and the switch that turns them off."""

from __future__ import annotations

import pytest
from queuehelpers import settings

from kiosk.plugins.queue import remote, service
from kiosk.plugins.queue.service import QueueError


# -- 网上取号 ---------------------------------------------------------------------------------------
def test_remote_ticket_waits_pending_until_activated_and_joins_at_activation(qctx, kiosk_now):
    r = remote.take_remote(qctx, "A", key="phone-1")
    assert r.ticket.state == "pending" and r.ticket.source == "remote" and len(r.ticket.activation_code) == 6
    assert remote.take_remote(qctx, "A", key="phone-1").ticket.id == r.ticket.id
    kiosk_now.at("09:05")
    walk = service.take_ticket(qctx, "A").ticket
    assert service.call_next(qctx, 2).display == walk.display  # the pending ticket is in nobody's way
    assert service.call_next(qctx, 2) is None
    kiosk_now.at("09:10")
    later = service.take_ticket(qctx, "A").ticket
    kiosk_now.at("09:20")
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


def test_hall_code_rotates_and_the_previous_one_still_counts(qctx, kiosk_now):
    settings(qctx, here_code_seconds=60)
    kiosk_now.at("09:00")
    first = remote.here_code(qctx)
    kiosk_now.at("09:01")
    assert remote.here_code(qctx) != first and remote.here_code_valid(qctx, first)
    kiosk_now.at("09:03")
    assert not remote.here_code_valid(qctx, first)
    assert not remote.here_code_valid(qctx, "abc")


def test_remote_activation_at_the_kiosk_share_cap_and_push_back(qctx, kiosk_now):
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
    kiosk_now.at("09:10")
    ticket, ahead = remote.activate_with_ticket_code(qctx, tickets[0].activation_code)
    assert ticket.state == "waiting" and ahead == 1
    behind = []
    for minute in (11, 12, 13, 14):
        kiosk_now.at(f"09:{minute}")
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


def test_unactivated_remote_tickets_close_with_the_day(qctx, kiosk_now):
    remote.take_remote(qctx, "A")
    kiosk_now.at("09:00", "2026-12-01")
    assert service.close_previous_days(qctx, qctx.today()) == 1


def test_remote_tickets_switched_off(qctx):
    settings(qctx, remote_share_percent=0)
    assert not remote.enabled(qctx) and remote.here_url(qctx) == ""
    with pytest.raises(QueueError) as err:
        remote.take_remote(qctx, "A")
    assert err.value.code == "remote_full"
