"""A test plugin whose screens hold the shell's form widgets, as a plugin would embed them.

Why a plugin: the look test (test_look.py) checks every screen a plugin names in
``kiosk_screenshots``, so the widgets are checked in every language, orientation and text size the
same way as real screens. It has no home tile and no season: only tests and screenshots open it.
"""

from __future__ import annotations

from kiosk import hookimpl
from kiosk.types import ScreenSpec

PHONE_SCREEN = "forms.phone"

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
"""
_loaded = False


def _load_kv():
    global _loaded
    if not _loaded:
        from kivy.lang import Builder

        import kiosk.screens.phonepad  # noqa: F401 - PhonePad's rules first

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


class FormsPlugin:
    @hookimpl
    def kiosk_screens(self, ctx):
        return [ScreenSpec(name=PHONE_SCREEN, factory=build_phone_screen, title="表单")]

    @hookimpl
    def kiosk_screenshots(self, ctx):
        return [PHONE_SCREEN]
