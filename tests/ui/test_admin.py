"""Staff admin on the kiosk: the hidden gesture, the PIN pad and its lockout, plugins on/off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from uihelpers import DEMO_PIN, labels_text, open_pin_pad, tile_for, type_pin

pytestmark = pytest.mark.ui


def test_a_short_press_on_the_center_name_does_nothing(ui):
    app, harness, _clock = ui
    touch = harness.press(app.home.ids.center_name)
    harness.step(3)
    harness.release(touch)
    harness.step(2)
    assert app.sm.current == "home"


def test_five_wrong_pins_lock_the_pad_for_five_minutes_even_across_a_restart(ui):
    from kiosk.pinlock import PinLock

    app, harness, _clock = ui
    open_pin_pad(app, harness)
    pad = app.screen("pin")
    for attempt in range(1, 5):
        type_pin(app, harness, "1111")
        assert pad.ids.message.text == f"密码错误，还可以试 {5 - attempt} 次。"
        assert pad.entered == ""
    type_pin(app, harness, "1111")
    assert pad.ids.message.text == "错误次数过多，请 5 分钟后再试。"
    type_pin(app, harness, DEMO_PIN)  # even the right PIN is refused while locked
    assert app.sm.current == "pin"
    restarted = PinLock(app.pinlock.path, app.ctx.settings.pin_hash, app.ctx.now)
    assert restarted.locked_seconds() > 290
    later = app.ctx.now() + timedelta(minutes=5, seconds=1)
    app.pinlock.now = lambda: later
    try:
        type_pin(app, harness, DEMO_PIN)
        assert app.sm.current == "admin"
    finally:
        app.pinlock.now = app.ctx.now


def test_right_pin_then_disable_a_plugin_and_its_tile_disappears(ui):
    app, harness, _clock = ui
    assert tile_for(app, "plain") is not None
    open_pin_pad(app, harness)
    type_pin(app, harness, DEMO_PIN)
    assert app.sm.current == "admin"
    admin = app.screen("admin")
    try:
        toggle = admin_button(admin, "plain", "关闭")
        harness.tap(toggle)
        assert any(t.startswith("留言") or "plain" in t for t in labels_text(admin.ids.rows))
        harness.tap(admin.ids.home, frames=2)
        assert app.sm.current == "home"
        assert tile_for(app, "plain") is None
        assert "plain" not in app.ctx.enabled_plugins()
    finally:
        set_enabled(app, "plain", True)
        app.go_home()
    assert tile_for(app, "plain") is not None


def test_admin_switches_a_plugin_for_another_season(ui):
    from kiosk.seasons import enablement

    app, harness, _clock = ui
    app.open_admin()
    harness.step(2)
    admin = app.screen("admin")
    summer = in_view(next(b for b in admin.ids.seasons.children if b.text == "暑期"))
    harness.tap(summer)
    assert admin.season == "summer"
    try:
        harness.tap(admin_button(admin, "demo", "关闭"))
        with app.ctx.sessions() as session:
            snap = enablement(session, app.ctx.settings)
        assert not snap.in_season(app.ctx.settings.season("summer"), "demo")
        assert snap.in_season(app.ctx.settings.season("all-year"), "demo")
        assert "demo" in app.ctx.enabled_plugins()  # today (all year) it is still on
    finally:
        set_enabled(app, "demo", True, season="summer")


def test_admin_shows_errors_printer_version_and_test_prints(ui):
    from kiosk import __version__

    app, harness, _clock = ui
    app.open_admin()
    admin = app.screen("admin")
    assert harness.until(lambda: admin.printer_state == "online")
    texts = labels_text(admin)
    assert any("screen hook failed on purpose" in t for t in texts)  # the broken plugin's last error
    assert f"版本 {__version__}" in texts
    assert admin.ids.printer_state.text.startswith("打印机正常")
    harness.tap(in_view(admin.ids.test_print))
    assert harness.until(lambda: admin.test_result == "printed")
    assert admin.ids.test_result.text == "测试页已打印"


def test_clearing_an_error_brings_a_paused_plugin_back(ui):
    app, harness, _clock = ui
    harness.tap(tile_for(app, "crashy"), frames=2)
    app.dismiss_overlays()
    assert tile_for(app, "crashy").paused
    app.open_admin()
    harness.step(2)
    admin = app.screen("admin")
    harness.tap(admin_button(admin, "crashy", "清除错误"))
    assert "crashy" not in app.plugins.paused and "crashy" not in app.ctx.last_errors()


def test_exit_and_restart_are_staff_actions(ui, monkeypatch):
    app, harness, _clock = ui
    calls = []
    monkeypatch.setattr(app, "stop", lambda *a: calls.append("stop"))
    app.open_admin()
    harness.step(2)
    admin = app.screen("admin")
    harness.tap(in_view(admin.ids.restart))
    assert calls == ["stop"] and app.restart_requested
    app.restart_requested, app._closing = False, False


def admin_button(admin, plugin: str, text: str):
    from kivy.uix.button import Button

    for row in admin.ids.rows.children:
        if getattr(row, "plugin", None) == plugin:
            for widget in row.walk(restrict=True):
                if isinstance(widget, Button) and widget.text == text and widget.opacity:
                    return in_view(widget)
    raise AssertionError(f"no {text!r} button for {plugin}")


def in_view(widget):
    """Scroll the admin screen so that ``widget`` can be tapped (staff scroll; residents never do)."""
    from kivy.base import EventLoop
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and not isinstance(parent, ScrollView):
        parent = parent.parent
    if parent is not None:
        parent.scroll_to(widget, padding=10, animate=False)
        for _ in range(3):
            EventLoop.idle()
    return widget


def set_enabled(app, plugin: str, on: bool, season: str | None = None) -> None:
    from kiosk.seasons import set_enabled as record

    with app.ctx.transaction() as session:
        record(session, app.ctx.settings, plugin, on, by="test", day=app.ctx.today(), season=season)
