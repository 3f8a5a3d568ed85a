"""The queue on the web: tracking page from waiting to called to served, counter page, board, stats."""

from __future__ import annotations


import pytest
from fastapi.testclient import TestClient
from kit import CSRF, login

from kiosk.plugins.queue import service, voice
from kiosk.staff import set_user
from kiosk.web.app import create_app


COUNTER = "/staff/queue/counter/1"  # the page the clerk's token is read from


@pytest.fixture
def client(qctx):
    with qctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(qctx))


def path_of(url: str) -> str:
    return "/t/" + url.rsplit("/t/", 1)[1]


def test_tracking_page_follows_the_ticket(qctx, client):
    first = service.take_ticket(qctx, "A")
    mine = service.take_ticket(qctx, "A")
    page = client.get(path_of(mine.url))
    assert page.status_code == 200
    assert "A002" in page.text and "等候中" in page.text and "前面还有" in page.text and "1 人" in page.text
    assert 'http-equiv="refresh"' in page.text  # it refreshes itself
    api = client.get("/api/receipts/" + mine.url.rsplit("/", 1)[1]).json()
    assert api["number"] == "A002" and api["tracking"]["status"] == "等候中"
    service.call_next(qctx, 1)  # A001
    service.call_next(qctx, 1)  # A002: finishes A001
    page = client.get(path_of(mine.url))
    assert "请到 1 号窗口办理" in page.text
    english = client.get(path_of(mine.url) + "?lang=en")
    assert "Please go to counter 1 now." in english.text
    service.finish(qctx, 1)
    page = client.get(path_of(mine.url))
    assert "已办结" in page.text and 'http-equiv="refresh"' not in page.text
    assert "A001" in client.get(path_of(first.url)).text
    # No personal data: the page shows the number and service only.
    assert "tel" not in page.text.lower()


def test_counter_page_actions(qctx, client):
    token = login(client, page=COUNTER)
    service.take_ticket(qctx, "A")
    service.take_ticket(qctx, "A")
    post = lambda **data: client.post("/staff/queue/counter/1", data={"csrf_token": token, **data}, follow_redirects=True)  # noqa: E731
    assert "已叫 A001" in post(action="call").text
    assert "已重呼 A001" in post(action="recall").text
    assert "已过号 A001" in post(action="no_show").text
    page = post(action="call")
    assert "已叫 A002" in page.text and "恢复 A001" in page.text
    assert "已恢复排队 A001" in post(action="restore", ticket="A001").text
    assert "A002 已转到 B 类业务" in post(action="transfer", service_code="B").text
    assert "已叫 A001" in post(action="call").text
    assert "已办结 A001" in post(action="finish", outcome="consulted").text
    assert "没有人在等候" in post(action="call", service_code="A").text
    assert "不办理 C 类业务" in post(action="call", service_code="C").text
    assert "窗口已暂停" in post(action="pause").text
    assert "已暂停" in post(action="call").text
    assert "窗口已恢复" in post(action="resume").text
    service.take_ticket(qctx, "F")
    service.take_ticket(qctx, "F")
    assert "已叫 F002" in post(action="call_number", ticket="F002").text  # out of order
    assert "F002 不在等候中" in post(action="call_number", ticket="F002").text
    # Without the CSRF field nothing happens.
    assert client.post("/staff/queue/counter/1", data={"action": "call"}).status_code == 403
    # Reprint: no printer is configured in the tests, so the clerk is told printing failed, and the slip is kept.
    assert "打印失败" in post(action="reprint", ticket="A001").text
    assert "今天没有 A999 号" in post(action="reprint", ticket="A999").text


def test_staff_pages_need_login(client):
    r = client.get("/staff/queue/counter/1", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and "/staff/login" in r.headers["location"]
    assert client.get("/api/queue/stats").status_code == 401


def test_board_and_stats(qctx, client):
    login(client, page=COUNTER)
    service.take_ticket(qctx, "A")
    service.take_ticket(qctx, "C", priority=True)
    service.call_next(qctx, 4)
    board = client.get("/queue/board")
    assert board.status_code == 200 and "C001" in board.text and "4 号窗口" in board.text and 'http-equiv="refresh"' in board.text
    data = client.get("/api/queue/board").json()
    assert data["current"] == [{"number": "C001", "counter": 4, "at": data["current"][0]["at"], "recall": False}]
    assert {w["code"]: w["waiting"] for w in data["waiting"]}["A"] == 1
    stats = client.get("/api/queue/stats").json()
    row = {r["code"]: r for r in stats["services"]}
    assert row["A"]["tickets"] == 1 and row["C"]["priority"] == 1 and stats["tickets_per_hour"][9] == 2
    html = client.get("/staff/queue/stats").text
    assert "<svg" in html and "每小时取号数" in html
    assert client.get("/api/queue/stats?day=yesterday").status_code == 400
    services = client.get("/api/queue/services").json()
    assert [s["code"] for s in services] == list("ABCDEF")


def test_voice_text_reads_digits_one_by_one(tmp_path):
    assert voice.caption("A023", 3) == "请 A023 号 到 3 号窗口办理"
    assert voice.speech_text("A023", 3) == "请 A 零二三 号，到 三 号窗口办理"
    assert voice.speech_text("B105", 12) == "请 B 一零五 号，到 一二 号窗口办理"
    clips = voice.announcement("A023", 3, tmp_path)
    assert clips[0].name == "chime.wav" and len(clips) == 3 and clips[1] == clips[2]  # chime, then said twice
    assert all(c.stat().st_size > 1000 for c in clips)


def test_voice_without_an_engine_still_gives_the_chime(tmp_path, monkeypatch):
    from kiosk import speech

    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    assert [c.name for c in voice.announcement("A023", 3, tmp_path)] == ["chime.wav"]


def test_staff_reprint_prints_a_slip_whose_qr_still_tracks_the_ticket(qctx, tmp_path, monkeypatch):
    from dataclasses import replace

    lp = tmp_path / "lp0"
    qctx.settings = replace(qctx.settings, printer=replace(qctx.settings.printer, backend="file", path=str(lp)))
    with qctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    client = TestClient(create_app(qctx))
    token = login(client, page=COUNTER)
    first = service.take_ticket(qctx, "D")
    page = client.post("/staff/queue/counter/5", data={"csrf_token": token, "action": "reprint", "ticket": "d001"}, follow_redirects=True)
    assert "D001 已重新打印" in page.text
    data = lp.read_bytes()
    assert "计划生育".encode("gb18030") in data and b"/t/" in data
    reprinted = data.split(b"1P0", 1)[1].split(b"\x1d", 1)[0].decode()  # the URL inside the native QR command
    assert reprinted != first.url and "D001" in client.get(path_of(reprinted)).text
    assert "D001" in client.get(path_of(first.url)).text  # the first slip keeps working


def test_rating_a_served_ticket_from_its_qr(qctx, client):
    mine = service.take_ticket(qctx, "E")
    token = mine.url.rsplit("/t/", 1)[1]
    assert "评价本次服务" not in client.get(f"/t/{token}").text  # not before it is served
    form = client.get(f"/queue/rate/{token}")
    csrf = CSRF.search(form.text).group(1)
    assert "办结后才能评价" in client.post(f"/queue/rate/{token}", data={"csrf_token": csrf, "level": 5}).text
    service.call_next(qctx, 5)
    service.finish(qctx, 5)
    assert "评价本次服务" in client.get(f"/t/{token}").text
    form = client.get(f"/queue/rate/{token}")
    assert form.status_code == 200 and "非常满意" in form.text and "非常不满意" in form.text
    csrf = CSRF.search(form.text).group(1)
    assert client.post(f"/queue/rate/{token}", data={"level": 5}).status_code == 403  # CSRF
    bad = client.post(f"/queue/rate/{token}", data={"csrf_token": csrf, "level": 1, "reason": "  "})
    assert bad.status_code == 400 and "请写一下不满意的原因" in bad.text
    huge = client.post(f"/queue/rate/{token}", data={"csrf_token": csrf, "level": 2, "reason": "慢" * 500})
    assert huge.status_code == 400 and "不超过 200 字" in huge.text and "慢" * 50 in huge.text  # what was typed is kept
    ok = client.post(f"/queue/rate/{token}", data={"csrf_token": csrf, "level": 2, "reason": "<script>x</script> 等太久🙂\x00"})
    assert ok.status_code == 200 and "谢谢您的评价" in ok.text
    again = client.post(f"/queue/rate/{token}", data={"csrf_token": csrf, "level": 5})
    assert "已经评价过了" in again.text
    assert "评价本次服务" not in client.get(f"/t/{token}").text
    rating = service.rating_of(qctx, mine.ticket.id)
    assert rating.level == 2 and rating.reason == "<script>x</script> 等太久🙂"
    from kiosk.plugins.queue.stats import day_stats

    e = {r["code"]: r for r in day_stats(qctx)["services"]}["E"]
    assert e["ratings"] == 1 and e["satisfied_share"] == 0.0
    assert client.get("/queue/rate/not-a-token").status_code == 404


def test_admin_edits_services_and_counters(qctx, client):
    with qctx.transaction() as s:
        set_user(s, "boss", "boss-password", role="admin")
    login(client, page=COUNTER)
    assert client.get("/staff/queue/setup").status_code == 403  # a clerk may not change the hall
    client.post("/staff/logout", data={"csrf_token": CSRF.search(client.get("/staff/queue").text).group(1)})
    login(client, "boss")
    page = client.get("/staff/queue/setup")
    assert page.status_code == 200 and "身份证原件及复印件" in page.text
    csrf = CSRF.search(page.text).group(1)
    form = {"csrf_token": csrf, "name": "社保医保", "name_en": "Insurance", "hours": "08:00-11:30, 14:00-17:30",
            "daily_cap": 150, "minutes_per_person": 6, "target_minutes": 20, "materials": "身份证\n\n户口本\n", "active": "1"}
    bad = client.post("/staff/queue/setup/service/A", data={**form, "hours": "8 to 5", "name": "<b>新名字</b>"})
    assert bad.status_code == 400 and "办理时间格式不对" in bad.text and "&lt;b&gt;新名字&lt;/b&gt;" in bad.text  # typed text kept, escaped
    assert client.post("/staff/queue/setup/service/A", data={**form, "daily_cap": 5000}).status_code == 400
    ok = client.post("/staff/queue/setup/service/A", data=form, follow_redirects=True)
    assert "A 类业务已保存" in ok.text
    with qctx.sessions() as s:
        from kiosk.plugins.queue.models import QueueCounter, QueueService

        a = s.get(QueueService, "A")
        assert (a.hours, a.daily_cap, a.materials, a.name_en) == ("08:00-11:30,14:00-17:30", 150, ["身份证", "户口本"], "Insurance")
    saved = client.post("/staff/queue/setup/counter/4", data={"csrf_token": csrf, "name": "4 号窗口", "services": ["C", "A"]},
                        follow_redirects=True)
    assert "4 号窗口已保存" in saved.text
    with qctx.sessions() as s:
        assert s.get(QueueCounter, 4).services == ["A", "C"]
    service.take_ticket(qctx, "A")
    assert service.call_next(qctx, 4).display == "A001"  # counter 4 now serves A


def test_long_wait_suggests_a_temporary_counter(qctx, client):
    login(client, page=COUNTER)
    assert "建议临时增开窗口" not in client.get("/staff/queue").text
    for _ in range(12):  # 12 × 8 min ÷ 3 counters = 32 min > the 30-minute target
        service.take_ticket(qctx, "A")
    page = client.get("/staff/queue").text
    assert "社保医保 等候较长" in page and "建议临时增开窗口" in page


def test_park_a_ticket_and_call_it_back(qctx, client):
    token = login(client, page=COUNTER)
    mine = service.take_ticket(qctx, "B")
    service.take_ticket(qctx, "B")
    post = lambda **data: client.post("/staff/queue/counter/3", data={"csrf_token": token, **data}, follow_redirects=True)  # noqa: E731
    post(action="call")
    page = post(action="park")
    assert "已暂存 B001" in page.text and "叫回 B001" in page.text
    assert "暂存中" in client.get(path_of(mine.url)).text
    assert "已叫 B002" in post(action="call").text  # the line goes on meanwhile
    assert "已叫 B001" in post(action="call_number", ticket="B001").text  # back with the document
    assert "请到 3 号窗口办理" in client.get(path_of(mine.url)).text
