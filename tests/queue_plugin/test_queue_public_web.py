"""The queue's public pages for a resident's phone: a remote ticket activated by the hall's QR code or typed
code, its rate limit and cap, rejoining after a miss, the nearly-up chime, the wait board's ranges, and
the cookies' Secure flag over HTTPS."""

from __future__ import annotations

from fastapi.testclient import TestClient
from kit import CSRF, csrf, login
from queuehelpers import COUNTER

from kiosk.plugins.queue import remote, service


def test_remote_ticket_on_a_phone_activated_by_the_hall_qr(qctx, client, monkeypatch):
    page = client.get("/queue/remote")
    assert page.status_code == 200 and "网上取号" in page.text and "网上余号" in page.text
    token = CSRF.search(page.text).group(1)
    taken = client.post("/queue/remote", data={"csrf_token": token, "service_code": "A", "key": "web-abc"}, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"].startswith("/t/")
    track = taken.headers["location"]
    assert "kq_remote" in taken.headers["set-cookie"] and "HttpOnly" in taken.headers["set-cookie"]
    again = client.post("/queue/remote", data={"csrf_token": token, "service_code": "A", "key": "web-abc"}, follow_redirects=False)
    assert again.headers["location"] == track  # a double submit: the same ticket
    mine = client.get(track).text
    assert "待激活" in mine and "激活码" in mine and "我已到达，激活" in mine
    service.take_ticket(qctx, "A")  # a walk-in meanwhile
    expired = client.get("/queue/here/000000" if remote.here_code(qctx) != "000000" else "/queue/here/000001")
    assert expired.status_code == 400 and "二维码已过期" in expired.text
    scanned = client.get(f"/queue/here/{remote.here_code(qctx)}", follow_redirects=False)
    assert scanned.status_code == 303 and scanned.headers["location"] == track
    page = client.get(track).text
    assert "等候中" in page and "前面还有" in page
    # Another phone (no cookie) scanning the QR is told how to activate, with the code to type.
    other = TestClient(client.app)
    hint = other.get(f"/queue/here/{remote.here_code(qctx)}")
    assert hint.status_code == 200 and remote.here_code(qctx) in hint.text and "我已到达" in hint.text


def test_remote_activation_by_typed_hall_code_and_push_back(qctx, client, monkeypatch):
    result = remote.take_remote(qctx, "A")
    track = "/t/" + result.url.rsplit("/t/", 1)[1]
    token = result.url.rsplit("/t/", 1)[1]
    form = client.get(f"/queue/activate/{token}")
    assert form.status_code == 200 and "6 位到场码" in form.text
    c = CSRF.search(form.text).group(1)
    wrong = client.post(f"/queue/activate/{token}", data={"csrf_token": c, "code": "12a"})
    assert wrong.status_code == 400 and "到场码不对或已过期" in wrong.text and 'value="12a"' in wrong.text
    ok = client.post(f"/queue/activate/{token}", data={"csrf_token": c, "code": remote.here_code(qctx)}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == track
    for minute in (1, 2, 3, 4, 5):
        monkeypatch.setenv("KIOSK_NOW", f"2026-11-30T09:0{minute}:00+08:00")
        service.take_ticket(qctx, "A")
    page = client.get(track).text
    assert "推后 3 位（还可推后 2 次）" not in page  # nobody ahead: nothing to gain
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T08:59:00+08:00")
    service.take_ticket(qctx, "A")  # someone ahead of the remote ticket (arrived earlier)
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:06:00+08:00")
    page = client.get(track).text
    assert "推后 3 位（还可推后 2 次）" in page
    c = csrf(client.get(f"/queue/pushback/{token}"))
    moved = client.post(f"/queue/pushback/{token}", data={"csrf_token": c}, follow_redirects=True)
    assert "前面还有" in moved.text and "4 人" in moved.text and "还可推后 1 次" in moved.text


def test_remote_take_is_rate_limited_and_capped(qctx, client, clock):
    token = csrf(client.get("/queue/remote"))
    for i in range(3):  # remote_per_client_per_hour = 3
        assert client.post("/queue/remote", data={"csrf_token": token, "service_code": "B", "key": f"k{i}"},
                           follow_redirects=False).status_code == 303
    limited = client.post("/queue/remote", data={"csrf_token": token, "service_code": "B", "key": "k9"}, follow_redirects=False)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    clock.now += 3601
    from kiosk.plugins.queue.models import QueueService

    with qctx.transaction() as s:
        s.get(QueueService, "B").daily_cap = 10  # 30 % = 3, all used
    full = client.post("/queue/remote", data={"csrf_token": token, "service_code": "B", "key": "k10"})
    assert full.status_code == 400 and "网上取号名额已满" in full.text
    assert "今天的网上名额已满" in client.get("/queue/remote").text


def test_missed_ticket_rejoins_from_its_page_once(qctx, client, monkeypatch):
    mine = service.take_ticket(qctx, "A")
    token = mine.url.rsplit("/t/", 1)[1]
    service.take_ticket(qctx, "A")
    service.call_next(qctx, 2)
    service.no_show(qctx, 2)
    page = client.get(f"/t/{token}").text
    assert "已过号" in page and "重新排队" in page and "09:10 前有效" in page
    c = csrf(client.get(f"/queue/rejoin/{token}"))
    back = client.post(f"/queue/rejoin/{token}", data={"csrf_token": c}, follow_redirects=True)
    assert "等候中" in back.text and "0 人" in back.text
    service.call_next(qctx, 2)
    service.no_show(qctx, 2)
    page = client.get(f"/t/{token}").text
    assert "已过号" in page and "/queue/rejoin/" not in page  # once only
    refused = client.post(f"/queue/rejoin/{token}", data={"csrf_token": c})
    assert refused.status_code == 400 and "只能自助重新排队一次" in refused.text


def test_nearly_up_is_prominent_with_a_chime(qctx, client):
    tickets = [service.take_ticket(qctx, "C") for _ in range(5)]
    last = "/t/" + tickets[-1].url.rsplit("/t/", 1)[1]
    page = client.get(last).text
    assert "快到您了！" not in page and "near.wav" not in page  # 4 ahead
    service.call_next(qctx, 4)
    page = client.get(last).text
    assert "快到您了！" in page and "前面还有 3 人" in page and 'src="/static/queue/near.wav"' in page and 'content="10"' in page
    wav = client.get("/static/queue/near.wav")
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF" and "media-src 'self'" in wav.headers["content-security-policy"]
    from kiosk.plugins.queue.tracking import tracking_view
    from kiosk.receipts import find_receipt

    with qctx.sessions() as s:
        receipt = find_receipt(s, tickets[-1].url.rsplit("/", 1)[1])
    assert tracking_view(qctx, receipt, "zh_CN").data["nearly_up"] is True


def test_wait_board_shows_wait_ranges(qctx, client):
    for _ in range(3):
        service.take_ticket(qctx, "A")
    page = client.get("/queue/board").text
    assert "等候人数与预计等候" in page and "3 人" in page and "分钟" in page and "/queue/remote" in page


def test_queue_cookies_are_secure_over_https(qctx, client):
    """kq_remote and kq_pad_N carry Secure when the request is HTTPS (or the site's address is https)."""
    https = TestClient(client.app, base_url="https://testserver")
    token = csrf(https.get("/queue/remote"))
    taken = https.post("/queue/remote", data={"csrf_token": token, "service_code": "A", "key": "web-s"}, follow_redirects=False)
    cookie = taken.headers["set-cookie"]
    assert cookie.startswith("kq_remote=") and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    plain = TestClient(client.app)
    token = csrf(plain.get("/queue/remote"))
    cookie = plain.post("/queue/remote", data={"csrf_token": token, "service_code": "A", "key": "web-p"},
                        follow_redirects=False).headers["set-cookie"]
    assert "Secure" not in cookie and "HttpOnly" in cookie
    token = login(https, page=COUNTER)
    paired = https.post("/staff/queue/counter/1/pad", data={"csrf_token": token}, follow_redirects=False)
    assert paired.status_code == 303 and "Secure" in paired.headers["set-cookie"] and "kq_pad_1=" in paired.headers["set-cookie"]
