"""The timetable at the kiosk, driven with real taps: tile → week grid → class → sign-up on the phone
keypad → receipt, whose QR opens the sign-up's tracking page; 下周, 今天, and the waiting list."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from uihelpers import labels_text, tile_for

pytestmark = pytest.mark.ui


@pytest.fixture
def tt_ui(plugin_ui):
    return plugin_ui("timetable")


def _sessions(screen):
    from kiosk.plugins.timetable.screens import SessionButton

    return [w for w in screen.walk(restrict=True) if isinstance(w, SessionButton)]


def _type(harness, pad, digits: str) -> None:
    for d in digits:
        harness.tap(pad.key(d))


def test_from_the_tile_to_the_receipt_and_its_tracking_page(tt_ui, tmp_path):
    import zxingcpp
    from fastapi.testclient import TestClient
    from PIL import Image

    from kiosk.plugins.timetable.models import Signup
    from kiosk.web.app import create_app

    app, harness = tt_ui
    harness.tap(tile_for(app, "timetable"))
    assert app.sm.current == "timetable.week"
    week = app.sm.current_screen
    buttons = _sessions(week)
    texts = [b.text for b in buttons]
    assert any("书法" in t for t in texts) and any("[s]" in t and "周老师生病" in t for t in texts)  # struck through, with the reason
    assert any(b.today for b in buttons)  # today's column is marked
    assert "今天" in " ".join(labels_text(week))
    calligraphy = next(b for b in buttons if b.text.startswith("[b]书法"))
    harness.tap(calligraphy)
    assert app.sm.current == "timetable.course"
    course = app.sm.current_screen
    assert "孙志明老师" in course.details and "书画教室" in course.details and "毛笔" in course.details and "剩余" in course.details
    harness.tap(course.ids.signup)
    assert app.sm.current == "timetable.signup"
    signup = app.sm.current_screen
    pad = signup.ids.pad
    _type(harness, pad, "1381234")
    harness.tap(signup.ids.confirm)
    assert app.sm.current == "timetable.signup" and pad.error and pad.text == "1381234"  # refused, the digits stay
    _type(harness, pad, "5678")
    harness.tap(signup.ids.confirm)
    assert app.sm.current == "timetable.surname"  # optional: 您贵姓？
    step = app.sm.current_screen
    picker = step.ids.picker
    harness.tap(picker.key("王"))
    harness.tap(picker.key("女士"))
    assert picker.value == "王女士"
    harness.tap(step.ids.confirm)
    harness.step(2)
    assert app.sm.current == "receipt"
    receipt = app.sm.get_screen("receipt")
    assert receipt.number == "已报名" and "书法" in receipt.slip_title and "首次上课" in receipt.lines
    assert "13812345678" not in receipt.lines and "5678" not in receipt.lines
    with app.ctx.sessions() as s:
        row = s.scalar(select(Signup).where(Signup.phone == "13812345678"))
    assert row is not None and row.state == "enrolled" and row.surname == "王女士"
    assert "王" not in receipt.lines  # no personal data on the slip
    assert harness.until(lambda: receipt.status == "printed")
    codes = zxingcpp.read_barcodes(Image.open(harness.screenshot(tmp_path / "signup.png")))
    assert [c.text for c in codes] == [receipt.url]
    with TestClient(create_app(app.ctx)) as client:
        page = client.get("/t/" + receipt.url.rsplit("/t/", 1)[1])
    assert page.status_code == 200 and "已报名" in page.text and "书法" in page.text and "全部上课日期" in page.text
    assert "13812345678" not in page.text
    # The same phone again: one clear message on the pad, nothing new stored.
    app.go_home()
    harness.step(2)
    harness.tap(tile_for(app, "timetable"))
    harness.tap(next(b for b in _sessions(app.sm.current_screen) if b.text.startswith("[b]书法")))
    harness.tap(app.sm.current_screen.ids.signup)
    signup = app.sm.current_screen
    _type(harness, signup.ids.pad, "13812345678")
    harness.tap(signup.ids.confirm)
    assert app.sm.current == "timetable.signup" and "已经报过" in signup.ids.pad.error


def test_full_class_offers_the_waiting_list_with_the_position(tt_ui):
    app, harness = tt_ui
    harness.tap(tile_for(app, "timetable"))
    choir = next(b for b in _sessions(app.sm.current_screen) if b.text.startswith("[b]声乐合唱"))
    harness.tap(choir)
    course = app.sm.current_screen
    assert course.full and "候补" in course.ids.signup.text
    harness.tap(course.ids.signup)
    signup = app.sm.current_screen
    assert "候补第" in signup.info
    for d in "13900000077":
        harness.tap(signup.ids.pad.key(d))
    harness.tap(signup.ids.confirm)
    step = app.sm.current_screen
    assert app.sm.current == "timetable.surname" and "候补" in step.ids.confirm.text
    harness.tap(step.ids.picker.key("none"))  # 不留姓名
    harness.tap(step.ids.confirm)
    harness.step(2)
    receipt = app.sm.get_screen("receipt")
    assert app.sm.current == "receipt" and receipt.number.startswith("候补 ")
    assert "候补第" in receipt.lines
    from kiosk.plugins.timetable.models import Signup

    with app.ctx.sessions() as s:
        assert s.scalar(select(Signup.surname).where(Signup.phone == "13900000077")) == ""


def test_next_week_and_today(tt_ui):
    app, harness = tt_ui
    harness.tap(tile_for(app, "timetable"))
    week = app.sm.current_screen
    harness.tap(week.ids.next_week)
    assert "12月7日" in week.week_title and not any(b.today for b in _sessions(week))
    harness.tap(week.ids.this_week)
    assert "11月30日" in week.week_title
    harness.tap(week.ids.today)
    assert app.sm.current == "timetable.today"
    today = app.sm.current_screen
    names = [b.text for b in _sessions(today)]
    assert len(names) == 2 and names[0].startswith("[b]舞蹈") and "剩余" in names[0]
    harness.tap(today.ids.back)
    assert app.sm.current == "timetable.week"
