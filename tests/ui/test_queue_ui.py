"""The queue at the kiosk, driven with real taps: tile → services → one service → ticket → receipt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from uihelpers import tile_for

pytestmark = pytest.mark.ui


@pytest.fixture
def queue_ui(plugin_ui):
    return plugin_ui("queue")


def _rows(screen):
    return {row.code: row for row in screen.ids.list.children}


def test_take_a_ticket_with_one_tap_and_follow_it(queue_ui, tmp_path):
    import zxingcpp
    from fastapi.testclient import TestClient
    from PIL import Image

    from kiosk.plugins.queue.models import Ticket
    from kiosk.web.app import create_app

    app, harness = queue_ui
    harness.tap(tile_for(app, "queue"))
    assert app.sm.current == "queue.services"
    rows = _rows(app.sm.current_screen)
    assert set(rows) == set("ABCDEF")
    assert "等候" in rows["A"].detail and "分钟" in rows["A"].detail
    with app.ctx.sessions() as s:
        before = s.scalar(select(func.count()).select_from(Ticket))
    harness.tap(rows["A"])
    assert app.sm.current == "queue.service"
    detail = app.sm.current_screen
    assert detail.title == "社保医保" and "身份证原件及复印件" in detail.materials
    take = detail.ids.take
    take.dispatch("on_release")  # a double tap: the second press arrives before the screen changes
    take.dispatch("on_release")
    harness.step(2)
    assert app.sm.current == "receipt"
    with app.ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == before + 1
    receipt = app.sm.get_screen("receipt")
    assert receipt.number.startswith("A") and "前面还有" in receipt.lines
    assert harness.until(lambda: receipt.status == "printed")
    codes = zxingcpp.read_barcodes(Image.open(harness.screenshot(tmp_path / "ticket.png")))
    assert [c.text for c in codes] == [receipt.url]
    with TestClient(create_app(app.ctx)) as client:
        page = client.get("/t/" + receipt.url.rsplit("/t/", 1)[1])
    assert page.status_code == 200 and receipt.number in page.text and "等候中" in page.text


def test_priority_lane_is_its_own_button(queue_ui):
    from kiosk.plugins.queue.models import Ticket

    app, harness = queue_ui
    harness.tap(tile_for(app, "queue"))
    harness.tap(_rows(app.sm.current_screen)["C"])
    detail = app.sm.current_screen
    assert "绿色通道" in detail.ids.take_priority.text
    harness.tap(detail.ids.take_priority)
    assert app.sm.current == "receipt"
    number = app.sm.get_screen("receipt").number
    with app.ctx.sessions() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.letter == "C", Ticket.number == int(number[1:]), Ticket.business_day == "2026-11-30"))
    assert ticket.priority is True


def test_closed_service_says_when_it_opens(queue_ui, monkeypatch):
    app, harness = queue_ui
    monkeypatch.setenv("KIOSK_NOW", "2026-11-29T10:00:00+08:00")  # a Sunday
    harness.tap(tile_for(app, "queue"))
    row = _rows(app.sm.current_screen)["A"]
    assert not row.open and "11月30日 08:30" in row.detail
    harness.tap(row)
    detail = app.sm.current_screen
    assert detail.ids.take.disabled and detail.ids.take_priority.disabled


def test_printer_failure_keeps_the_ticket(queue_ui, monkeypatch):
    from kiosk import printing
    from kiosk.models import Receipt

    app, harness = queue_ui

    def no_printer(cfg):
        raise OSError("printer unplugged")

    monkeypatch.setattr(printing, "make_printer", no_printer)
    harness.tap(tile_for(app, "queue"))
    harness.tap(_rows(app.sm.current_screen)["F"])
    harness.tap(app.sm.current_screen.ids.take)
    receipt = app.sm.get_screen("receipt")
    assert harness.until(lambda: receipt.status == "failed")
    assert receipt.ids.status.text == "打印机暂时故障，请用手机扫码或拍照保存"
    with app.ctx.sessions() as s:
        row = s.scalar(select(Receipt).where(Receipt.number == receipt.number, Receipt.plugin == "queue").order_by(Receipt.id.desc()))
    assert row is not None and "printer unplugged" in row.print_error


def test_hall_display_shows_and_captions_every_call(queue_ui, monkeypatch):
    from kiosk.plugins.queue import display, service, voice

    app, harness = queue_ui
    spoken = []
    monkeypatch.setattr(voice, "announcement", lambda number, counter, cache, repeat=2: spoken.append((number, counter)) or [])
    monkeypatch.setattr(display, "MIN_SECONDS", 0.3)
    app.open_screen("queue.display")
    screen = app.sm.current_screen
    assert app.sm.current == "queue.display"
    service.take_ticket(app.ctx, "A")
    service.take_ticket(app.ctx, "C")
    a = service.call_next(app.ctx, 2).display
    b = service.call_number(app.ctx, 4, service.take_ticket(app.ctx, "C").ticket.display).display  # two calls at once: both captions are shown, one after the other
    assert harness.until(lambda: screen.caption == f"请 {a} 号 到 2 号窗口办理", timeout=5)
    assert harness.until(lambda: screen.caption == f"请 {b} 号 到 4 号窗口办理", timeout=5)
    assert harness.until(lambda: (a, 2) in spoken and (b, 4) in spoken, timeout=5)
    numbers = {call.number for call in screen.ids.calls.children}
    assert {a, b} <= numbers
    service.recall(app.ctx, 2)  # a recall is announced again
    assert harness.until(lambda: spoken.count((a, 2)) == 2, timeout=5)
    app.go_home()
    assert not screen._events  # it stops polling when it leaves the screen


def test_hall_display_flashes_the_called_counter_for_deaf_residents(queue_ui, monkeypatch, tmp_path):
    """A new call inverts its counter's cell (black on yellow), blinks, then stays framed while fresh;
    the flash runs on a clock the test holds, so each phase is looked at (and photographed) on purpose."""
    import os
    from pathlib import Path

    from kiosk.plugins.queue import display, service, voice

    class Held:
        now = 1000.0

        def __call__(self):
            return self.now

    app, harness = queue_ui
    shots = Path(os.environ.get("KIOSK_UI_SHOTS") or tmp_path)
    monkeypatch.setattr(voice, "announcement", lambda number, counter, cache, repeat=2: [])
    monkeypatch.setattr(display, "MIN_SECONDS", 0.3)
    app.open_screen("queue.display")
    screen = app.sm.current_screen
    held = Held()
    monkeypatch.setattr(screen.alerts, "clock", held)
    cells = lambda: {cell.counter: cell.alert for cell in screen.ids.calls.children}  # noqa: E731
    # called by number: the tickets other tests left waiting stay waiting (the session's database is shared)
    a = service.call_number(app.ctx, 2, service.take_ticket(app.ctx, "A").ticket.display).display
    assert harness.until(lambda: screen.caption == f"请 {a} 号 到 2 号窗口办理" and cells().get(2) == "on", timeout=5)
    held.now += 0.5
    assert harness.until(lambda: cells().get(2) == "off", timeout=2)
    b = service.call_number(app.ctx, 4, service.take_ticket(app.ctx, "C").ticket.display).display
    assert harness.until(lambda: screen.caption == f"请 {b} 号 到 4 号窗口办理" and cells().get(4) == "on", timeout=5)
    assert cells()[2] == "off" and all(look == "" for counter, look in cells().items() if counter not in (2, 4))
    harness.screenshot(shots / "display-flash-on-off.png")  # 4 inverted, 2 between two flashes
    held.now += 4
    assert harness.until(lambda: cells().get(2) == "fresh" and cells().get(4) == "fresh", timeout=2)
    harness.screenshot(shots / "display-flash-fresh.png")
    held.now += 60
    assert harness.until(lambda: cells().get(2) == "" and cells().get(4) == "", timeout=2)


def test_hall_display_names_its_hall_once_the_center_has_several(queue_ui):
    from kiosk.plugins.queue import service
    from kiosk.plugins.queue.models import QueueHall

    app, harness = queue_ui
    app.open_screen("queue.display")
    harness.step(2)
    assert app.sm.current_screen.title == "叫号信息"  # one hall: nothing to tell apart
    app.go_home()
    service.create_hall(app.ctx, "bmx", name="便民服务室")
    try:
        app.open_screen("queue.display")
        harness.step(2)
        screen = app.sm.current_screen
        assert screen.title == "叫号信息 · 服务大厅"
        assert "叫号信息 · 服务大厅" in [w.text for w in screen.walk() if hasattr(w, "text")]
    finally:
        app.go_home()
        with app.ctx.transaction() as s:  # the UI session's database is shared with the other tests
            s.delete(s.get(QueueHall, "bmx"))
