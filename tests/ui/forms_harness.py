"""A test plugin whose screens hold the shell's form widgets, as a plugin would embed them.

Why a plugin: the look test (test_look.py) checks every screen a plugin names in
``kiosk_screenshots``, so the widgets are checked in every language, orientation and text size the
same way as real screens. It has no home tile and no season: only tests and screenshots open it.
"""

from __future__ import annotations

from kiosk import hookimpl
from kiosk.types import ScreenSpec

PHONE_SCREEN = "forms.phone"
TEXT_SCREEN = "forms.text"
SURNAME_SCREEN = "forms.surname"
PHRASES = ["已经坏了一周", "晚上很黑", "请尽快维修", "影响老人出行", "谢谢"]

KV = """
<FormsPhoneScreen>:
    BoxLayout:
        orientation: "vertical" if app.theme.portrait else "horizontal"
        padding: app.theme.pad
        spacing: app.theme.gap
        BoxLayout:
            orientation: "vertical"
            size_hint_y: None if app.theme.portrait else 1
            height: pad.height
            PhonePad:
                id: pad
            Widget:
        BoxLayout:
            orientation: "vertical"
            spacing: app.theme.gap
            Heading:
                text: "请留下联系电话" if app.lang != "en" else "Your phone number"
            KioskLabel:
                text: "手机或座机都可以，工作人员会给您回电。" if app.lang != "en" else "A mobile or a landline: staff will call you back."
            Widget:
            KioskButton:
                id: submit
                text: "确定" if app.lang != "en" else "OK"
                on_release: root.submit()
            SecondaryButton:
                text: app.tr("Back to home")
                on_release: app.go_home()

<FormsTextScreen>:
    BoxLayout:
        orientation: "vertical"
        padding: app.theme.pad
        spacing: app.theme.gap
        BoxLayout:
            orientation: "vertical" if app.theme.portrait else "horizontal"
            spacing: app.theme.gap
            Heading:
                text: "请说明情况" if app.lang != "en" else "What happened?"
                size_hint_x: 1 if app.theme.portrait else 0.25
            KioskInput:
                id: field
                multiline: True
                readonly: True
                size_hint_y: 1
                height: 0
                hint_text: "例如：3号楼2单元楼道灯坏了" if app.lang != "en" else "e.g. the stair light of building 3 is broken"
        HanziKeyboard:
            id: keyboard
            target: field
            max_length: 200
            phrases: root.phrases

<FormsSurnameScreen>:
    BoxLayout:
        orientation: "vertical"
        padding: app.theme.pad
        spacing: app.theme.gap
        BoxLayout:
            size_hint_y: None
            height: app.theme.button_height
            spacing: app.theme.gap
            Heading:
                text: "您贵姓？" if app.lang != "en" else "Your surname?"
            Label:
                id: shown
                text: picker.value or "—"
                font_size: app.theme.title
                bold: True
                color: app.theme.c("text")
                size_hint_x: None
                width: app.theme.px(400)
        SurnamePicker:
            id: picker
        Widget:
"""
_loaded = False


def _load_kv():
    global _loaded
    if not _loaded:
        from kivy.lang import Builder

        import kiosk.screens.hanzi_keyboard  # noqa: F401 - the widgets' rules first
        import kiosk.screens.phonepad  # noqa: F401
        import kiosk.screens.surname  # noqa: F401

        Builder.load_string(KV, filename="forms_harness.kv")
        _loaded = True


def build_phone_screen(shell):
    from kivy.properties import StringProperty
    from kivy.uix.screenmanager import Screen

    _load_kv()

    class FormsPhoneScreen(Screen):
        accepted = StringProperty("")

        def submit(self):
            self.accepted = self.ids.pad.check() or ""

        def reset(self):
            self.ids.pad.reset()
            self.accepted = ""

    return FormsPhoneScreen()


def build_text_screen(shell):
    from kivy.properties import ListProperty
    from kivy.uix.screenmanager import Screen

    _load_kv()

    class FormsTextScreen(Screen):
        phrases = ListProperty(PHRASES)

        def reset(self):
            self.ids.keyboard.reset()

    return FormsTextScreen()


def build_surname_screen(shell):
    from kivy.uix.screenmanager import Screen

    _load_kv()

    class FormsSurnameScreen(Screen):
        def reset(self):
            self.ids.picker.reset()

    return FormsSurnameScreen()


class FormsPlugin:
    @hookimpl
    def kiosk_screens(self, ctx):
        return [ScreenSpec(name=PHONE_SCREEN, factory=build_phone_screen, title="表单"),
                ScreenSpec(name=TEXT_SCREEN, factory=build_text_screen, title="表单"),
                ScreenSpec(name=SURNAME_SCREEN, factory=build_surname_screen, title="表单")]

    @hookimpl
    def kiosk_screenshots(self, ctx):
        return [PHONE_SCREEN, TEXT_SCREEN, SURNAME_SCREEN]
