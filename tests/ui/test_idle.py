"""Idle reset and privacy: a prompt after a minute, then home with everything cleared."""

from __future__ import annotations

import pytest
from uihelpers import labels_text, overlays, tile_for

pytestmark = pytest.mark.ui


def prompt_open(app) -> bool:
    return app.idle_prompt in overlays()


def test_idle_prompt_then_home_with_every_input_cleared(ui):
    app, harness, clock = ui
    harness.tap(app.home.ids.large)  # the last resident chose large text…
    harness.tap(tile_for(app, "demo"))
    screen = app.sm.current_screen
    screen.field.text = "李四 3号楼2单元"
    screen.field.focus = True
    clock.advance(59)
    harness.step(2)
    assert not prompt_open(app)
    clock.advance(2)
    assert harness.until(lambda: prompt_open(app), timeout=3)
    assert "还需要帮助吗？" in labels_text(app.idle_prompt)
    assert app.idle_prompt.ids.countdown.text == "15 秒后返回首页"
    clock.advance(5)
    assert harness.until(lambda: app.idle_prompt.ids.countdown.text == "10 秒后返回首页", timeout=3)
    clock.advance(10)
    assert harness.until(lambda: app.sm.current == "home", timeout=3)
    assert not prompt_open(app)
    assert screen.field.text == "" and not screen.field.focus
    assert app.large is False and app.lang == "zh_CN"
    assert app.screen("receipt").number == ""


def test_idle_reset_clears_the_receipt_and_the_language(ui):
    app, harness, clock = ui
    harness.tap(app.home.ids.lang_en)
    harness.tap(tile_for(app, "demo"))
    harness.tap(app.sm.current_screen.issue_button)
    assert app.sm.current == "receipt"
    clock.advance(61)
    assert harness.until(lambda: prompt_open(app), timeout=3)
    assert app.idle_prompt.ids.countdown.text == "Back to the home screen in 15 seconds."
    harness.tap(app.idle_prompt.ids.leave)  # "No, back to home"
    assert app.sm.current == "home" and app.lang == "zh_CN"
    assert not prompt_open(app)
    assert app.screen("receipt").ids.qr.texture is None


def test_a_tap_on_the_prompt_keeps_the_residents_work(ui):
    app, harness, clock = ui
    harness.tap(tile_for(app, "demo"))
    screen = app.sm.current_screen
    screen.field.text = "还在填"
    clock.advance(61)
    assert harness.until(lambda: prompt_open(app), timeout=3)
    harness.tap(app.idle_prompt.ids.stay)
    assert not prompt_open(app)
    clock.advance(20)
    harness.step(2)
    assert app.sm.current == "demo.main" and screen.field.text == "还在填"


def test_an_untouched_home_screen_does_not_nag_the_lobby(ui):
    app, harness, clock = ui
    clock.advance(600)
    harness.step(2)
    app._poll_idle()
    assert not prompt_open(app) and app.sm.current == "home"
