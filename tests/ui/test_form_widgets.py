"""The shell's form widgets driven with real taps on a plugin-like test screen (forms_harness.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from forms_harness import PHONE_SCREEN
from test_look import problems_on_screen

pytestmark = pytest.mark.ui


def open_form(app, harness, name):
    from kiosk.screens import shots

    shots.show(app, name)
    harness.step(3)
    assert app.sm.current == name
    return app.sm.current_screen


def shots_dir(tmp_path) -> Path:
    """Screenshots go to $KIOSK_UI_SHOTS when set (to look at them), else to the test's tmp dir."""
    return Path(os.environ.get("KIOSK_UI_SHOTS") or tmp_path)


def tap_keys(harness, pad, keys):
    for key in keys:
        harness.tap(pad.key(key))


def test_phone_pad_types_groups_and_deletes(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, PHONE_SCREEN)
    pad = screen.ids.pad
    seen = []
    pad.bind(text=lambda _pad, value: seen.append(value))
    assert pad.ids.display.text == "请按下面的数字键输入"
    tap_keys(harness, pad, "1381234123")
    assert pad.text == "1381234123" and pad.ids.display.text == "138 1234 123"
    assert seen[-1] == "1381234123" and len(seen) == 10
    harness.tap(pad.key("back"))
    assert pad.text == "138123412"
    tap_keys(harness, pad, "34")
    assert pad.ids.display.text == "138 1234 1234"
    assert pad.key("back").text == "删除" and pad.key("clear").text == "清空"
    harness.tap(screen.ids.submit)
    assert screen.accepted == "13812341234" and pad.error == ""
    harness.tap(pad.key("clear"))
    assert pad.text == "" and pad.ids.display.text == "请按下面的数字键输入"


def test_an_error_keeps_the_digits_and_typing_clears_it(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, PHONE_SCREEN)
    pad = screen.ids.pad
    tap_keys(harness, pad, "13812")
    harness.tap(screen.ids.submit)
    assert pad.error == "手机号应为11位数字，以1开头" and pad.ids.error.text == pad.error
    assert pad.text == "13812" and pad.ids.display.text == "138 12" and screen.accepted == ""
    tap_keys(harness, pad, "3")
    assert pad.error == "" and pad.text == "138123"
    harness.tap(pad.key("clear"))
    tap_keys(harness, pad, "6201234")
    harness.tap(screen.ids.submit)
    assert screen.accepted == "0538-6201234"  # a local number gets Tai'an's area code
    pad.error = "这个号码已经报过名了"  # a caller's own message; the digits stay
    harness.step()
    assert pad.ids.error.text == "这个号码已经报过名了" and pad.text == "6201234"


def test_the_pad_refuses_digits_past_its_maximum_and_says_so(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, PHONE_SCREEN)
    pad = screen.ids.pad
    tap_keys(harness, pad, "053862012345")
    assert pad.text == "053862012345" and pad.ids.display.text == "0538 6201 2345"
    harness.tap(pad.key("9"))
    assert pad.text == "053862012345" and pad.error == "电话号码最多12位"
    pad.max_length = 11
    assert pad.text == "05386201234"  # a smaller maximum cuts the typed number
    pad.text = "138-abc 1234"  # text set by code keeps only digits
    assert pad.text == "1381234"


def test_going_home_clears_the_pad(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, PHONE_SCREEN)
    tap_keys(harness, screen.ids.pad, "138")
    app.go_home()
    harness.step()
    assert screen.ids.pad.text == "" and screen.ids.pad.ids.display.text == "请按下面的数字键输入"


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_phone_pad_screen_looks_right_and_keys_are_big(ui, size, tmp_path):
    from kivy.core.window import Window

    from kiosk.screens import shots

    app, harness, _clock = ui
    Window.size = size
    harness.step(3)
    screen = open_form(app, harness, PHONE_SCREEN)
    pad = screen.ids.pad
    tap_keys(harness, pad, "13812")
    harness.tap(screen.ids.submit)
    harness.step(2)
    assert problems_on_screen(app, PHONE_SCREEN) == []
    assert PHONE_SCREEN in shots.names(app.ctx)  # so test_look checks it in every layout too
    for key in pad.ids.keypad.children:
        assert min(key.size) >= 100
    harness.screenshot(shots_dir(tmp_path) / f"phonepad-{size[0]}x{size[1]}.png")
