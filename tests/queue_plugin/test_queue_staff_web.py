"""The queue's staff pages beyond calling: booking an appointment (shown masked), the counter's rating pad and
its device cookie, transfer with return, adding services and counters, and the statistics page."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from kit import CSRF, csrf, login
from queuehelpers import COUNTER

from kiosk.plugins.queue import remote, service


def test_staff_book_an_appointment_and_see_it_masked(qctx, client, monkeypatch):
    token = login(client, page=COUNTER)
    page = client.get("/staff/queue/appointments")
    assert page.status_code == 200 and "新建预约" in page.text and "这一天还没有预约" in page.text
    bad = client.post("/staff/queue/appointments", data={"csrf_token": token, "service_code": "A", "day": "2026-11-30", "time": "12:30",
                                                         "phone": "13800138000"})
    assert bad.status_code == 400 and "不办理" in bad.text and 'value="12:30"' in bad.text and 'value="13800138000"' in bad.text
    ok = client.post("/staff/queue/appointments", data={"csrf_token": token, "service_code": "A", "day": "2026-11-30", "time": "10:00",
                                                        "phone": "13800138000"}, follow_redirects=True)
    code = re.search(r'<p class="number">(\d{6})</p>', ok.text).group(1)
    assert "预约码" in ok.text and "138****8000" in ok.text and "13800138000" not in ok.text and "待签到" in ok.text
    again = client.get("/staff/queue/appointments").text
    assert '<p class="number">' not in again and f"<td>{code}</td>" in again  # the big code shows once, then in the list
    cancelled = client.post(f"/staff/queue/appointments/{code}/cancel", data={"csrf_token": token, "day": "2026-11-30"}, follow_redirects=True)
    assert f"预约 {code} 已取消" in cancelled.text and "已取消" in cancelled.text
    assert client.get("/staff/queue/appointments", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert client.get("/staff/queue/appointments", follow_redirects=False).status_code in (303, 401, 403)


def test_counter_rating_pad_and_bad_rating_alert(qctx, client):
    token = login(client, page=COUNTER)
    stranger = client.get("/queue/counter/2/rate")  # a device staff did not enable (or a phone outside)
    assert stranger.status_code == 403 and "评价器" in stranger.text
    assert "/staff/queue/counter/2/pad" in client.get("/staff/queue/counter/2").text
    confirm = client.get("/staff/queue/counter/2/pad", follow_redirects=False)
    assert confirm.status_code == 200 and "set-cookie" not in confirm.headers  # a GET changes nothing
    enabled = client.post("/staff/queue/counter/2/pad", data={"csrf_token": CSRF.search(confirm.text).group(1)}, follow_redirects=False)
    assert enabled.status_code == 303 and "kq_pad_2=" in enabled.headers["set-cookie"]
    pad = client.get("/queue/counter/2/rate")
    assert pad.status_code == 200 and "办结后可在这里评价" in pad.text and 'http-equiv="refresh"' in pad.text
    assert client.get("/queue/counter/3/rate").status_code == 403  # the cookie is for counter 2 only
    done = service.take_ticket(qctx, "A")
    service.call_next(qctx, 2)
    service.finish(qctx, 2)
    pad = client.get("/queue/counter/2/rate")
    assert f"请为 {done.ticket.display} 号的服务打分" in pad.text and "非常满意" in pad.text and "😄" in pad.text
    c = CSRF.search(pad.text).group(1)
    need = client.post("/queue/counter/2/rate", data={"csrf_token": c, "ticket_id": done.ticket.id, "level": 1, "reason": ""})
    assert need.status_code == 400 and "请写一下不满意的原因" in need.text
    ok = client.post("/queue/counter/2/rate", data={"csrf_token": c, "ticket_id": done.ticket.id, "level": 1, "reason": "态度不好"})
    assert ok.status_code == 200 and "谢谢您的评价" in ok.text
    assert "办结后可在这里评价" in client.get("/queue/counter/2/rate").text  # once
    twice = client.post("/queue/counter/2/rate", data={"csrf_token": c, "ticket_id": done.ticket.id, "level": 5})
    assert twice.status_code == 400
    counters = client.get("/staff/queue").text
    assert "差评提醒" in counters and done.ticket.display in counters and "态度不好" in counters
    rating_id = service.bad_ratings(qctx)[0][0]
    client.post(f"/staff/queue/ratings/{rating_id}/handled", data={"csrf_token": token})
    assert "差评提醒" not in client.get("/staff/queue").text
    assert client.get("/staff/queue/counter/77/pad").status_code == 404
    assert client.post("/staff/queue/counter/77/pad", data={"csrf_token": token}).status_code == 404
    other = TestClient(client.app)
    assert other.post("/queue/counter/2/rate", data={"ticket_id": done.ticket.id, "level": 5}).status_code == 403  # CSRF, then the pad check


def test_transfer_with_return_from_the_counter_page(qctx, client):
    token = login(client, page=COUNTER)
    service.take_ticket(qctx, "A")
    post = lambda n, **data: client.post(f"/staff/queue/counter/{n}", data={"csrf_token": token, **data}, follow_redirects=True)  # noqa: E731
    post(2, action="call")
    assert "办完后转回本业务" in client.get("/staff/queue/counter/2").text
    moved = post(2, action="transfer", service_code="C", return_after="1")
    assert "A001 已转到 C 类业务，办完后回到 A 类业务优先办理" in moved.text
    post(4, action="call")
    post(4, action="finish", outcome="done")
    assert "已叫 A001" in post(2, action="call").text


def test_admin_adds_a_service_and_a_counter(qctx, client):
    login(client, "boss", page=COUNTER)
    page = client.get("/staff/queue/setup")
    assert "新增业务" in page.text and "新增窗口" in page.text
    c = CSRF.search(page.text).group(1)
    form = {"csrf_token": c, "code": "A", "name": "不动产登记", "name_en": "Property", "hours": "08:30-12:00", "daily_cap": 80,
            "minutes_per_person": 10, "target_minutes": 30, "materials": "房产证"}
    taken = client.post("/staff/queue/setup/new-service", data=form)
    assert taken.status_code == 400 and "已被其他业务使用" in taken.text and 'value="不动产登记"' in taken.text
    ok = client.post("/staff/queue/setup/new-service", data={**form, "code": "h"}, follow_redirects=True)
    assert "已新增 H 类业务" in ok.text
    bad = client.post("/staff/queue/setup/new-counter", data={"csrf_token": c, "number": "abc", "services": ["H"]})
    assert bad.status_code == 400 and "1–99" in bad.text
    none = client.post("/staff/queue/setup/new-counter", data={"csrf_token": c, "number": "9", "name": "临时"})
    assert none.status_code == 400 and "至少选择一项业务" in none.text and 'value="临时"' in none.text
    added = client.post("/staff/queue/setup/new-counter", data={"csrf_token": c, "number": "9", "name": "临时窗口", "services": ["H", "A"]},
                        follow_redirects=True)
    assert "已新增 9 号窗口" in added.text
    service.take_ticket(qctx, "H")
    assert service.call_next(qctx, 9).display == "H001"
    login(client, page=COUNTER)
    assert client.post("/staff/queue/setup/new-service", data={**form, "code": "J", "csrf_token": csrf(client.get("/staff/queue"))}).status_code == 403


def test_stats_page_shows_appointments_remote_and_ratings(qctx, client, monkeypatch):
    from kiosk.plugins.queue import appointments

    login(client, page=COUNTER)
    code = appointments.book(qctx, "A", datetime(2026, 11, 30, 9, 5, tzinfo=qctx.settings.tz)).code
    appointments.book(qctx, "A", datetime(2026, 11, 30, 10, 0, tzinfo=qctx.settings.tz))
    appointments.check_in(qctx, code)
    remote.take_remote(qctx, "A")
    page = client.get("/staff/queue/stats").text
    assert "预约、网上取号与评价" in page
    row = re.search(r"<tr><th>A 社保医保</th>((?:<td>[^<]*</td>){7})</tr>", page.split("预约、网上取号与评价")[1]).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["2", "1", "0", "1", "1", "0", "—"]


def test_checked_in_appointment_served_cannot_be_used_again(qctx):
    from kiosk.plugins.queue import appointments
    from kiosk.plugins.queue.service import QueueError

    code = appointments.book(qctx, "A", datetime(2026, 11, 30, 9, 5, tzinfo=qctx.settings.tz)).code
    first = appointments.check_in(qctx, code)
    service.call_next(qctx, 2)
    service.finish(qctx, 2)
    with pytest.raises(QueueError) as err:
        appointments.check_in(qctx, code)
    assert err.value.code == "already" and first.ticket.display in err.value.zh


def test_pad_cookie_is_a_random_per_device_secret_set_by_a_staff_post(qctx, client):
    """Issue 14, finding 8: the pad cookie was a fixed code (the same for every device) set by a GET."""
    from kiosk import audit

    stranger = TestClient(client.app)
    assert stranger.post("/staff/queue/counter/2/pad", data={"csrf_token": csrf(stranger.get("/queue/remote"))},
                         follow_redirects=False).headers["location"].startswith("/staff/login")  # staff only
    token = login(client, page=COUNTER)
    cookies = []
    for _ in range(2):
        r = client.post("/staff/queue/counter/2/pad", data={"csrf_token": token}, follow_redirects=False)
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/queue/counter/2" in cookie
        assert "Secure" not in cookie  # plain http test site
        cookies.append(cookie.split(";")[0].split("=", 1)[1])
    assert cookies[0] != cookies[1]  # a new random secret per device
    assert [e.action for e in audit.entries(qctx, action="queue.pad_pair")] == ["queue.pad_pair"] * 2
    # Each pairing works on its own; a made-up value, a forged one or the old fixed code does not.
    import hashlib
    import hmac

    fixed = hmac.new(qctx.settings.secret_key().encode(), b"queue-pad:2", hashlib.sha256).hexdigest()[:32]
    device, issued, sig = cookies[0].split(".")
    for value, status in ((cookies[0], 200), (cookies[1], 200), (fixed, 403), (f"{device}.{issued}.{'0' * 64}", 403),
                          (f"{device}.{int(issued) + 1}.{sig}", 403)):
        pad = TestClient(client.app, cookies={"kq_pad_2": value})
        assert pad.get("/queue/counter/2/rate").status_code == status, value
    assert TestClient(client.app, cookies={"kq_pad_3": cookies[0]}).get("/queue/counter/3/rate").status_code == 403
