"""Home, tiles, plugin screens and the receipt, driven with real taps."""

from __future__ import annotations

import re
import threading

import pytest
from uihelpers import BASE_URL, labels_text, overlays, tile_for

pytestmark = pytest.mark.ui


def test_home_shows_the_center_the_date_and_a_tile_per_enabled_plugin(ui):
    app, harness, _clock = ui
    home = app.home
    assert home.ids.center_name.text == "华新社区服务中心"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 星期[一二三四五六日] \d\d:\d\d", home.ids.clock.text)
    assert app.assist.ids.help.text == "请工作人员帮助" and app.assist.active
    assert {t.plugin for t in home.ids.tiles.children} == {"demo", "plain", "broken", "crashy", "moody"}
    demo = tile_for(app, "demo")
    assert (demo.title, demo.hint, demo.icon, demo.paused) == ("测试服务", "领取测试凭条", "测", False)


def test_tap_on_a_tile_lands_on_the_plugins_screen(ui):
    app, harness, _clock = ui
    harness.tap(tile_for(app, "demo"))
    assert app.sm.current == "demo.main"
    assert "测试服务" in labels_text(app.sm.current_screen)


def test_issue_a_receipt_shows_a_scannable_qr_the_web_host_answers(ui, tmp_path):
    import zxingcpp
    from PIL import Image

    from kiosk.receipts import find_receipt

    app, harness, _clock = ui
    harness.tap(tile_for(app, "demo"))
    harness.tap(app.sm.current_screen.issue_button)
    assert app.sm.current == "receipt"
    receipt = app.screen("receipt")
    assert receipt.number == "A001"
    assert receipt.ids.qr.drawn >= 240  # scannable from 40 cm on a 1080p screen
    assert harness.until(lambda: receipt.status == "printed")
    assert receipt.ids.status.text == "已打印，请取走凭条"
    shot = harness.screenshot(tmp_path / "receipt.png")
    codes = zxingcpp.read_barcodes(Image.open(shot))
    assert [c.format for c in codes] == [zxingcpp.BarcodeFormat.QRCode]
    url = codes[0].text
    assert url == receipt.url and url.startswith(f"{BASE_URL}/t/")
    token = url.rsplit("/t/", 1)[1]
    with app.ctx.sessions() as session:
        row = find_receipt(session, token)
        assert row is not None and row.number == "A001" and row.printed_at is not None
    from fastapi.testclient import TestClient

    from kiosk.web.app import create_app

    with TestClient(create_app(app.ctx)) as client:
        page = client.get(f"/t/{token}")
    assert page.status_code == 200
    assert "A001" in page.text and "测试凭条" in page.text


def test_printing_runs_off_the_ui_thread_and_a_printer_failure_says_what_to_do(ui, monkeypatch):
    from kiosk.printing import PrintResult

    app, harness, _clock = ui
    threads = []
    release = threading.Event()

    def broken_printer(receipt_id, layout):
        threads.append(threading.current_thread())
        release.wait(10)  # a slow printer: the screen must not wait for it
        return PrintResult("failed", "USBError: no device")

    monkeypatch.setattr(app.ctx, "print_receipt", broken_printer)
    harness.tap(tile_for(app, "demo"))
    harness.tap(app.sm.current_screen.issue_button)
    receipt = app.screen("receipt")
    harness.step(3)
    assert receipt.ids.status.text == "正在打印…" and receipt.ids.qr.texture is not None
    release.set()
    assert harness.until(lambda: receipt.status == "failed")
    assert receipt.ids.status.text == "打印机暂时故障，请用手机扫码或拍照保存"
    assert threads and threads[0] is not threading.main_thread()
    harness.tap(receipt.ids.home)
    assert app.sm.current == "home"


def test_going_home_clears_what_was_typed(ui):
    app, harness, _clock = ui
    harness.tap(tile_for(app, "demo"))
    screen = app.sm.current_screen
    screen.field.text = "张三 13800000000"
    harness.tap(screen.home_button)
    assert app.sm.current == "home"
    harness.tap(tile_for(app, "demo"))
    assert app.sm.current_screen is screen and screen.field.text == ""


def test_a_plugin_screen_without_reset_is_thrown_away(ui):
    app, harness, _clock = ui
    harness.tap(tile_for(app, "plain"))
    first = app.sm.current_screen
    first.children[0].field.text = "secret"
    app.go_home()
    harness.step()
    assert not app.sm.has_screen("plain.main")
    harness.tap(tile_for(app, "plain"))
    assert app.sm.current_screen is not first
    assert app.sm.current_screen.children[0].field.text == ""


def test_a_failing_screen_hook_shows_the_tile_out_of_service(ui):
    app, harness, _clock = ui
    tile = tile_for(app, "broken")
    assert tile.paused and tile.hint == "暂停服务"
    harness.tap(tile, frames=2)
    assert app.sm.current == "home"
    assert any("此项服务暂停" in t for view in overlays() for t in labels_text(view))
    assert "screen hook failed" in app.ctx.last_errors()["broken"]


def test_a_failing_screen_factory_pauses_only_that_plugin(ui):
    app, harness, _clock = ui
    harness.tap(tile_for(app, "crashy"), frames=2)
    assert app.sm.current == "home"
    assert tile_for(app, "crashy").paused
    assert "factory failed" in app.ctx.last_errors()["crashy"]
    app.dismiss_overlays()
    harness.tap(tile_for(app, "demo"))
    assert app.sm.current == "demo.main"


def test_a_screen_that_fails_on_entering_pauses_its_plugin(ui):
    app, harness, _clock = ui
    harness.tap(tile_for(app, "moody"), frames=2)
    assert app.sm.current == "home"
    assert tile_for(app, "moody").paused
    assert "no data on purpose" in app.ctx.last_errors()["moody"]
    assert not app.sm.has_screen("moody.main")


def test_an_exception_in_a_plugin_screen_shows_an_apology_and_the_shell_keeps_running(ui, ui_error_expected):
    from kiosk.screens.overlays import ErrorOverlay

    app, harness, _clock = ui
    harness.tap(tile_for(app, "demo"))
    harness.tap(app.sm.current_screen.boom_button, frames=3)  # raises inside Kivy's event dispatch
    assert app.sm.current == "home"
    shown = [v for v in overlays() if isinstance(v, ErrorOverlay)]
    assert shown and "抱歉，出了点问题" in labels_text(shown[0])
    assert tile_for(app, "demo").paused
    assert "failed on purpose" in app.ctx.last_errors()["demo"]
    harness.tap(shown[0].ids.ok, frames=2)
    harness.tap(tile_for(app, "plain"))  # the rest keeps working
    assert app.sm.current == "plain.main"


def test_switching_language_changes_every_visible_string(ui):
    from uihelpers import has_cjk

    app, harness, _clock = ui
    zh_texts = labels_text(app.home)
    harness.tap(app.home.ids.lang_en, frames=2)
    assert app.lang == "en"
    texts = labels_text(app.home)
    assert "Please ask staff for help" in labels_text(app.assist)
    assert "Huaxin Community Service Center" in texts and "Demo service" in texts
    assert re.fullmatch(r"\w+day \d{1,2} \w+ \d{4} \d\d:\d\d", app.home.ids.clock.text)
    icons = {t.icon for t in app.home.ids.tiles.children}  # a glyph is a picture, the same in both languages
    assert [t for t in texts if has_cjk(t) and t != "中文" and t not in icons] == []
    assert texts != zh_texts
    harness.tap(app.home.ids.lang_zh, frames=2)
    assert sorted(labels_text(app.home)) == sorted(zh_texts)


def test_fullscreen_lockdown_refuses_escape_close_and_the_settings_panel(ui):
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.uix.settings import Settings

    app, harness, _clock = ui
    app.fullscreen = True
    try:
        assert Window.dispatch("on_request_close") is True  # the window manager's close button
        Window.dispatch("on_keyboard", 27, 41, None, [])  # Escape
        Window.dispatch("on_keyboard", 282, 58, None, [])  # F1: Kivy's settings panel
        harness.step(2)
        assert EventLoop.status == "started"
        assert not any(isinstance(w, Settings) for child in Window.children for w in child.walk())
        assert app.open_settings() is False
    finally:
        app.fullscreen = False


def test_no_plugin_can_open_the_admin_screen_without_the_pin(ui):
    from kiosk.screens.api import Shell

    app, harness, _clock = ui
    Shell(app, "demo").open("admin")
    harness.step(2)
    assert app.sm.current == "home"
    app.dismiss_overlays()
