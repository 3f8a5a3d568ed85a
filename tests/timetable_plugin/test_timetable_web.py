"""The timetable on the web: the public week and class pages, the feeds, a sign-up's tracking page with
its .ics and cancelling (confirmation, CSRF), the promoted resident's page, and the staff pages."""

from __future__ import annotations


import pytest
from kit import CSRF, login
from tthelpers import course_id
from fastapi.testclient import TestClient
from icalendar import Calendar

from kiosk.plugins.timetable import service
from kiosk.staff import set_user
from kiosk.web.app import create_app


@pytest.fixture
def client(tctx):
    with tctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(tctx))


def path_of(url: str) -> str:
    return "/t/" + url.rsplit("/t/", 1)[1]


def test_public_week_and_class_pages(tctx, client):
    page = client.get("/classes")
    assert page.status_code == 200
    assert "上午" in page.text and "晚上" in page.text and "书法" in page.text and 'class="tt-today"' in page.text
    assert "<s>" in page.text and "周老师生病" in page.text  # the cancelled session, struck through with its reason
    holiday = client.get("/classes?week=2026-W41")
    assert "国庆节放假" in holiday.text and "调休补课" in holiday.text
    english = client.get("/classes?lang=en")
    assert "Morning" in english.text and "Calligraphy" in english.text
    course = client.get(f"/classes/course/{course_id(tctx, '书法')}")
    assert course.status_code == 200 and "孙志明老师" in course.text and "毛笔" in course.text and "剩余名额" in course.text
    assert client.get("/classes/course/9999").status_code == 404


def test_feeds_parse(tctx, client):
    whole = client.get("/classes/ics/all.ics")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(whole.content).walk("VEVENT")
    assert {str(e["LOCATION"]) for e in events} >= {"书画教室", "舞蹈教室"}
    one = Calendar.from_ical(client.get(f"/classes/ics/course/{course_id(tctx, '绘画')}.ics").content)
    assert {str(e["SUMMARY"]).split("：")[0] for e in one.walk("VEVENT")} <= {"绘画", "【停课】绘画"}
    assert any(str(e["STATUS"]) == "CANCELLED" for e in one.walk("VEVENT"))


def test_tracking_page_ics_and_cancel_with_confirmation(tctx, client):
    choir = course_id(tctx, "声乐合唱")
    mine = service.sign_up(tctx, course_id(tctx, "书法"), "13812345678", "王")
    page = client.get(path_of(mine.url))
    assert page.status_code == 200 and "已报名" in page.text and "全部上课日期" in page.text
    assert "13812345678" not in page.text and "5678" not in page.text and "王" not in page.text.split("<main", 1)[-1].split("书法")[0]
    token = mine.url.rsplit("/t/", 1)[1]
    cal = client.get(f"/classes/signup/{token}.ics")
    assert cal.status_code == 200 and cal.headers["cache-control"] == "no-store"
    assert len(Calendar.from_ical(cal.content).walk("VEVENT")) > 10
    confirm = client.get(f"/classes/cancel/{token}")
    assert confirm.status_code == 200 and "确定取消报名" in confirm.text
    # Without the page's CSRF field the POST is refused and nothing changes.
    assert client.post(f"/classes/cancel/{token}").status_code == 403
    assert service.signup_status(tctx, mine.signup.id)[0].state == "enrolled"
    csrf = CSRF.search(confirm.text).group(1)
    done = client.post(f"/classes/cancel/{token}", data={"csrf_token": csrf}, follow_redirects=True)
    assert done.status_code == 200 and "已取消" in done.text
    assert service.signup_status(tctx, mine.signup.id)[0].state == "cancelled"
    # The first on a waiting list is told when a seat frees up.
    waiting = service.sign_up(tctx, choir, "13900000009")
    before = client.get(path_of(waiting.url)).text
    assert "候补第 3 位" in before
    for _ in range(3):  # two waiting ahead, then this one
        from sqlalchemy import select

        from kiosk.plugins.timetable.models import Signup

        with tctx.sessions() as s:
            first = s.scalar(select(Signup).where(Signup.course_id == choir, Signup.state == "enrolled", Signup.id != waiting.signup.id).order_by(Signup.seq))
        service.cancel_signup_by_id(tctx, first.id)
    after = client.get(path_of(waiting.url)).text
    assert "已报名" in after and "好消息" in after and "从候补转为正式报名" in after
    assert '<p class="number">已报名</p>' in after and waiting.issued.receipt.number == "候补 3"  # the page is current, the slip a snapshot
    assert "moved up from the waiting list" in client.get(path_of(waiting.url) + "?lang=en").text


def test_staff_pages_manage_the_timetable(tctx, client):
    assert client.get("/staff/classes", follow_redirects=False).status_code in (302, 303, 401)
    csrf = login(client)
    overview = client.get("/staff/classes")
    assert "2026 秋季学期" in overview.text and "声乐合唱" in overview.text and "12/12" in overview.text
    painting = course_id(tctx, "绘画")
    # A room clash is refused naming the clashing class, and the form keeps what was typed.
    r = client.post("/staff/classes/slot", data={"csrf_token": csrf, "course_id": str(painting), "weekday": "3", "start": "10:00", "end": "11:30"})
    assert r.status_code == 400 and "教室冲突" in r.text and "书法" in r.text and 'value="11:30"' in r.text
    r = client.post("/staff/classes/slot", data={"csrf_token": csrf, "course_id": str(painting), "weekday": "5", "start": "10:00", "end": "11:30"}, follow_redirects=False)
    assert r.status_code == 303
    assert "周五 10:00–11:30" in client.get("/staff/classes").text
    # Cancel one session with a reason; it shows struck through on the public page.
    calligraphy = course_id(tctx, "书法")
    info = service.course_info(tctx, calligraphy)
    slot = info.slots[0].id
    r = client.post(f"/staff/classes/session/{slot}/2026-12-09/cancel", data={"csrf_token": csrf, "reason": "教室维修"}, follow_redirects=False)
    assert r.status_code == 303
    assert "教室维修" in client.get("/classes?week=2026-W50").text
    # The sign-up list masks phones; the print view and CSV have the same list.
    mine = service.sign_up(tctx, calligraphy, "13812345678", "李")
    page = client.get(f"/staff/classes/course/{calligraphy}")
    assert "138****5678" in page.text and "13812345678" not in page.text and "李" in page.text
    assert "138****5678" in client.get(f"/staff/classes/course/{calligraphy}/print").text
    # Attendance for the next session.
    r = client.post(f"/staff/classes/attend/{mine.signup.id}/{slot}/2026-12-02", data={"csrf_token": csrf, "present": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert service.attendance(tctx, calligraphy)[(mine.signup.id, slot, __import__("datetime").date(2026, 12, 2))] is True
    csv_text = client.get(f"/staff/classes/course/{calligraphy}/signups.csv").content.decode("utf-8-sig")
    row = next(line for line in csv_text.splitlines() if "138****5678" in line)
    assert row.split(",")[6] == "1" and "13812345678" not in csv_text
    # Who took the list out of the building is in the audit log.
    from kiosk import audit

    exports = audit.entries(tctx, action="export.")
    assert [(r.action, r.target) for r in exports] == [("export.signups", f"course:{calligraphy}")]
    assert exports[0].actor.startswith("web:") and exports[0].detail["rows"] >= 1
