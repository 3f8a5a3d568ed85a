"""The shell's form widgets driven with real taps on a plugin-like test screen (forms_harness.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from forms_harness import PHONE_SCREEN, SURNAME_SCREEN, TEXT_SCREEN
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


# -- the pinyin keyboard -----------------------------------------------------------------------------
def type_letters(harness, keyboard, letters):
    for letter in letters:
        harness.tap(keyboard.key(letter))


def bar_texts(keyboard):
    return [b.text for b in keyboard.candidate_buttons()]


def test_pinyin_to_candidate_to_text(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, TEXT_SCREEN)
    keyboard, field = screen.ids.keyboard, screen.ids.field
    type_letters(harness, keyboard, "loudaodeng")
    harness.step(2)
    assert keyboard.pinyin == "loudaodeng" and keyboard.ids.status_wide.text == "loudaodeng"
    assert bar_texts(keyboard)[0] == "楼道灯"
    first = [b for b in keyboard.candidate_buttons() if b.text == "楼道"]
    if not first:  # on a later page
        while "楼道" not in bar_texts(keyboard):
            harness.tap(keyboard.ids.next, frames=2)
        first = [b for b in keyboard.candidate_buttons() if b.text == "楼道"]
    harness.tap(first[0], frames=2)
    assert field.text == "楼道" and keyboard.text == "楼道" and keyboard.pinyin == "deng"
    assert "灯" in bar_texts(keyboard)[:5]
    harness.tap([b for b in keyboard.candidate_buttons() if b.text == "灯"][0], frames=2)
    assert field.text == "楼道灯" and keyboard.pinyin == ""
    assert keyboard.ids.counter_wide.text == "3/200"
    type_letters(harness, keyboard, "huaile")
    harness.tap(keyboard.key("。"), frames=2)  # punctuation first inserts the first candidate
    assert field.text == "楼道灯坏了。" and keyboard.pinyin == ""


def test_backspace_deletes_pinyin_first_then_text(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, TEXT_SCREEN)
    keyboard, field = screen.ids.keyboard, screen.ids.field
    type_letters(harness, keyboard, "deng")
    harness.tap(keyboard.key("space"), frames=2)  # space takes the first candidate
    assert field.text and keyboard.pinyin == ""
    typed = field.text
    type_letters(harness, keyboard, "lu")
    harness.tap(keyboard.key("back"))
    assert keyboard.pinyin == "l" and field.text == typed
    harness.tap(keyboard.key("back"))
    harness.tap(keyboard.key("back"), frames=2)
    assert keyboard.pinyin == "" and field.text == typed[:-1]


def test_phrases_digits_and_the_maximum_length(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, TEXT_SCREEN)
    keyboard, field = screen.ids.keyboard, screen.ids.field
    assert bar_texts(keyboard)[0] == "已经坏了一周"  # nothing composed: the phrase bar
    harness.tap(keyboard.candidate_buttons()[0], frames=2)
    assert field.text == "已经坏了一周"
    harness.tap(keyboard.key("digits"), frames=2)
    assert keyboard.key("digits").text == "拼音"
    for key in ("3", "号", "楼"):
        harness.tap(keyboard.key(key))
    harness.tap(keyboard.key("digits"), frames=2)
    assert field.text == "已经坏了一周3号楼" and keyboard.key("digits").text == "123"
    keyboard.max_length = 10
    harness.step(2)
    harness.tap(keyboard.candidate_buttons()[1], frames=2)  # "晚上很黑" would make 13 characters
    assert field.text == "已经坏了一周3号楼"  # refused, nothing lost
    assert keyboard.message == "最多10个字，请先删掉一些"
    assert "最多10个字，请先删掉一些" in [w.text for w in keyboard.ids.bar.children]
    assert keyboard.ids.counter_wide.text == "9/10"
    harness.tap(keyboard.key("back"), frames=2)
    assert keyboard.message == "" and field.text == "已经坏了一周3号"


def test_the_keyboard_follows_a_field_cleared_by_the_screen(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, TEXT_SCREEN)
    keyboard, field = screen.ids.keyboard, screen.ids.field
    type_letters(harness, keyboard, "nuanqi")
    harness.tap(keyboard.key("space"), frames=2)
    assert field.text == "暖气"
    field.text = ""
    harness.step()
    assert keyboard.text == "" and keyboard.ids.counter_wide.text == "0/200"
    type_letters(harness, keyboard, "ld")
    app.go_home()
    harness.step(2)
    assert keyboard.pinyin == "" and field.text == ""


# -- the surname picker ------------------------------------------------------------------------------
def test_surname_and_title_are_picked_with_taps(ui):
    app, harness, _clock = ui
    screen = open_form(app, harness, SURNAME_SCREEN)
    picker = screen.ids.picker
    assert [b.text for b in reversed(picker.ids.grid.children)][:5] == ["王", "李", "张", "刘", "陈"]
    harness.tap(picker.key("王"))
    harness.tap(picker.key("女士"), frames=2)
    assert (picker.surname, picker.title, picker.value) == ("王", "女士", "王女士")
    assert screen.ids.shown.text == "王女士" and picker.key("王").chosen and picker.key("女士").chosen
    harness.tap(picker.key("孔"))
    assert picker.value == "孔女士" and not picker.key("王").chosen
    harness.tap(picker.key("none"), frames=2)
    assert (picker.surname, picker.title, picker.declined, picker.value) == ("", "", True, "")
    harness.tap(picker.key("李"))
    assert picker.declined is False and picker.value == "李"


def test_other_surname_through_the_pinyin_keyboard(ui, tmp_path):
    from uihelpers import overlays

    app, harness, _clock = ui
    screen = open_form(app, harness, SURNAME_SCREEN)
    picker = screen.ids.picker
    harness.tap(picker.key("other"), frames=3)
    box = overlays()[0]
    keyboard = box.ids.keyboard
    assert keyboard.max_length == 2
    harness.tap(box.button("ok"), frames=2)
    assert keyboard.message == "请输入一到两个汉字" and picker.surname == ""
    type_letters(harness, keyboard, "ouyang")
    harness.step(2)
    assert keyboard.message == ""
    harness.tap([b for b in keyboard.candidate_buttons() if b.text == "欧阳"][0], frames=2)
    assert box.ids.shown.text == "欧阳"
    type_letters(harness, keyboard, "li")
    harness.tap(keyboard.candidate_buttons()[0], frames=2)
    assert keyboard.text == "欧阳" and keyboard.message == "最多2个字，请先删掉一些"
    assert problems_on_screen(app, SURNAME_SCREEN) == []
    harness.screenshot(shots_dir(tmp_path) / "surname-other-1920x1080.png")
    harness.tap(keyboard.key("back"))  # the pinyin "li" first
    harness.tap(keyboard.key("back"))
    harness.tap(box.button("ok"), frames=2)
    assert overlays() == [] and picker.surname == "欧阳" and picker.value == "欧阳"
    harness.tap(picker.key("other"), frames=3)
    type_letters(harness, overlays()[0].ids.keyboard, "zhuge")
    harness.tap(overlays()[0].button("cancel"), frames=2)
    assert overlays() == [] and picker.surname == "欧阳"
    harness.tap(picker.key("other"), frames=3)
    type_letters(harness, overlays()[0].ids.keyboard, "zhuge")
    harness.tap(overlays()[0].button("ok"), frames=2)  # 确定 takes the composed pinyin's first candidate
    assert overlays() == [] and picker.surname == "诸葛"


@pytest.mark.parametrize("size,large,lang", [((1920, 1080), False, "zh_CN"), ((1080, 1920), False, "zh_CN"),
                                             ((1920, 1080), True, "zh_CN"), ((1080, 1920), True, "en")])
def test_keyboard_and_surname_screens_look_right(ui, size, large, lang, tmp_path):
    """The look test's checks on the states it does not reach: composing, digits, the other-surname box."""
    from kivy.core.window import Window
    from uihelpers import overlays

    from kiosk.screens import shots

    app, harness, _clock = ui
    Window.size = size
    harness.step(3)
    app.set_lang(lang)
    app.set_large(large)
    harness.step(3)
    suffix = f"{size[0]}x{size[1]}" + ("-large" if large else "") + ("-en" if lang == "en" else "")
    assert {TEXT_SCREEN, SURNAME_SCREEN} <= set(shots.names(app.ctx))
    screen = open_form(app, harness, TEXT_SCREEN)
    keyboard = screen.ids.keyboard
    type_letters(harness, keyboard, "xiashuidao")
    harness.step(3)
    assert keyboard.pages > 1 and keyboard.ids.next.opacity == 1
    assert problems_on_screen(app, TEXT_SCREEN) == []
    harness.screenshot(shots_dir(tmp_path) / f"keyboard-{suffix}.png")
    harness.tap(keyboard.key("digits"), frames=3)
    assert problems_on_screen(app, TEXT_SCREEN) == []
    harness.screenshot(shots_dir(tmp_path) / f"keyboard-123-{suffix}.png")
    screen = open_form(app, harness, SURNAME_SCREEN)
    harness.tap(screen.ids.picker.key("张"))
    harness.tap(screen.ids.picker.key("先生"), frames=2)
    assert problems_on_screen(app, SURNAME_SCREEN) == []
    harness.screenshot(shots_dir(tmp_path) / f"surname-{suffix}.png")
    harness.tap(screen.ids.picker.key("other"), frames=3)
    type_letters(harness, overlays()[0].ids.keyboard, "ouyang")
    harness.step(3)
    assert problems_on_screen(app, SURNAME_SCREEN) == []
    harness.screenshot(shots_dir(tmp_path) / f"surname-other-{suffix}.png")
    app.dismiss_overlays()


def test_widgets_built_in_python_as_the_readme_shows(ui):
    """The README's way: widgets made in a screen factory's Python, no .kv of the plugin's own."""
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.screens.hanzi_keyboard import HanziKeyboard
    from kiosk.screens.phonepad import PhonePad
    from kiosk.screens.surname import SurnamePicker
    from kiosk.screens.widgets import KioskInput

    app, harness, _clock = ui
    field = KioskInput(multiline=True, text="路灯")
    keyboard = HanziKeyboard(target=field, max_length=5, phrases=["晚上很黑"])
    pad, picker = PhonePad(max_length=11), SurnamePicker()
    box = BoxLayout(orientation="vertical")
    for widget in (field, keyboard, pad, picker):
        box.add_widget(widget)
    harness.step(2)
    assert field.readonly and keyboard.text == "路灯" and keyboard.counter == "2/5"
    for letter in "huaile":
        keyboard.press(letter)
    keyboard.choose(0)
    assert field.text == "路灯坏了"
    keyboard.add_phrase("晚上很黑")
    assert field.text == "路灯坏了" and keyboard.message == "最多5个字，请先删掉一些"
    for key in "0538620":
        pad.press(key)
    assert pad.check() is None and pad.text == "0538620" and pad.error == "座机号码应为区号加7到8位数字"
    for key in "12345":
        pad.press(key)
    assert pad.text == "05386201234" and pad.error == "电话号码最多11位"  # the 12th digit is refused
    assert pad.check() == "0538-6201234" and pad.number == "0538-6201234" and pad.error == ""
    picker.choose("马")
    picker.choose_title("先生")
    assert picker.value == "马先生"
