"""预约签到 and 网上取号 activation at the kiosk, the hall QR, and the live wait board on the home screen."""

from __future__ import annotations

import pytest
from uihelpers import labels_text, tile_for

pytestmark = pytest.mark.ui


@pytest.fixture
def queue_ui(plugin_ui):
    return plugin_ui("queue")


def _open_checkin(app, harness):
    harness.tap(tile_for(app, "queue"))
    assert app.sm.current == "queue.services"
    harness.tap(app.sm.current_screen.ids.checkin)
    assert app.sm.current == "queue.checkin"
    return app.sm.current_screen


def _type(harness, pad, digits: str) -> None:
    for d in digits:
        harness.tap(pad.key(d))


def test_appointment_check_in_with_the_keypad_gives_a_ticket(queue_ui):
    from datetime import datetime

    from kiosk.plugins.queue import appointments

    app, harness = queue_ui
    slot = datetime(2026, 11, 30, 9, 10, tzinfo=app.ctx.settings.tz)
    code = appointments.book(app.ctx, "A", slot).code
    screen = _open_checkin(app, harness)
    pad = screen.ids.pad
    _type(harness, pad, code[:4])
    harness.tap(screen.ids.confirm)
    assert pad.error == "请输入 6 位数字" and pad.text == code[:4]  # the digits stay
    _type(harness, pad, code[4:] + "9")
    assert pad.error == "预约码和激活码都是 6 位数字" and pad.text == code and pad.shown == f"{code[:3]} {code[3:]}"
    harness.tap(screen.ids.confirm)
    assert app.sm.current == "receipt"
    receipt = app.sm.get_screen("receipt")
    assert receipt.number.startswith("A") and "预约签到（优先叫号）" in receipt.lines


def test_plain_messages_for_unknown_and_too_early_codes(queue_ui):
    from datetime import datetime

    from kiosk.plugins.queue import appointments

    app, harness = queue_ui
    later = appointments.book(app.ctx, "B", datetime(2026, 11, 30, 11, 0, tzinfo=app.ctx.settings.tz)).code
    screen = _open_checkin(app, harness)
    pad = screen.ids.pad
    wrong = "100000" if later != "100000" else "100001"
    _type(harness, pad, wrong)
    harness.tap(screen.ids.confirm)
    assert "没有找到这个码" in pad.error and pad.text == wrong and app.sm.current == "queue.checkin"
    harness.tap(pad.key("clear"))
    _type(harness, pad, later)
    harness.tap(screen.ids.confirm)
    assert pad.error == "您预约的是 11:00，请在 10:45 以后签到"


def test_remote_ticket_activated_at_the_kiosk_and_the_hall_qr(queue_ui, tmp_path):
    import zxingcpp
    from PIL import Image

    from kiosk.plugins.queue import remote, service

    app, harness = queue_ui
    pending = remote.take_remote(app.ctx, "A").ticket
    service.take_ticket(app.ctx, "A")
    screen = _open_checkin(app, harness)
    assert screen.here_url == remote.here_url(app.ctx) and screen.ids.here_qr.data == screen.here_url
    harness.step(2)
    codes = zxingcpp.read_barcodes(Image.open(harness.screenshot(tmp_path / "checkin.png")))
    assert [c.text for c in codes] == [screen.here_url]  # a phone camera reads the arrival link
    assert remote.here_code(app.ctx) in " ".join(labels_text(screen))
    from sqlalchemy import func, select

    from kiosk.plugins.queue.models import Ticket

    with app.ctx.sessions() as s:  # the UI session's database is shared: earlier tests may have left tickets waiting
        waiting = s.scalar(select(func.count()).select_from(Ticket).where(Ticket.service_code == "A", Ticket.state == "waiting",
                                                                           Ticket.business_day == service.business_day(app.ctx)))
    assert waiting >= 1  # at least the walk-in taken above, in the same pinned instant as the activation
    _type(harness, screen.ids.pad, pending.activation_code)
    harness.tap(screen.ids.confirm)
    # Activated now, it joins the line behind everyone already waiting, even a ticket taken in the same instant.
    assert screen.result == f"{pending.display} 已激活，前面还有 {waiting} 人。请在大厅留意叫号。" and screen.ids.pad.text == ""
    with app.ctx.sessions() as s:
        assert s.get(Ticket, pending.id).state == "waiting"


def test_hall_display_shows_the_rotating_arrival_qr(queue_ui, monkeypatch):
    from kiosk.plugins.queue import remote

    app, harness = queue_ui
    app.open_screen("queue.display")
    screen = app.sm.current_screen
    assert harness.until(lambda: screen.here_code == remote.here_code(app.ctx), timeout=5)
    assert screen.here_url.endswith(f"/queue/here/{screen.here_code}")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:05:00+08:00")
    assert harness.until(lambda: screen.here_code == remote.here_code(app.ctx), timeout=5)


def test_home_screen_shows_the_live_wait_board(queue_ui):
    from kiosk.plugins.queue import service

    from sqlalchemy import update

    from kiosk.plugins.queue.models import Ticket

    app, harness = queue_ui
    with app.ctx.transaction() as s:  # the UI session shares one database: start from an empty hall
        s.execute(update(Ticket).where(Ticket.state.in_(("waiting", "pending"))).values(state="closed"))
    home = app.sm.get_screen("home")
    home.refresh_banners()
    assert "取号：现在无需排队" in home.banners
    for _ in range(3):
        service.take_ticket(app.ctx, "A")
    home.refresh_banners()
    line = next(b for b in home.banners if b.startswith("排队等候："))
    assert "社保医保 3人" in line and "分钟" in line
    service.take_ticket(app.ctx, "B")
    from kiosk.screens.home import BANNER_SECONDS

    home._banner_ticks = BANNER_SECONDS - 2
    home.tick()  # the once-a-second tick: not yet
    assert not any("低保救助" in b for b in home.banners)
    home.tick()  # thirty seconds on the home screen: the board follows the hall by itself
    assert any("低保救助 1人" in b for b in home.banners)
