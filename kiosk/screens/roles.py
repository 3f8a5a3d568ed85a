"""``kiosk run --role NAME``: one plugin screen alone on a screen of its own (e.g. the hall display).

Why a subclass of the kiosk app: the role screen gets the same fonts, theme, language, error handling
and Shell API as a plugin screen on the kiosk, but none of the resident's machinery (home, idle reset,
receipts): a hall TV is unattended.
"""

from __future__ import annotations

import logging

from kivy.base import ExceptionManager
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.app import KioskApp
from kiosk.bootstrap import register_fonts
from kiosk.screens.api import Shell
from kiosk.screens.errors import UiErrors
from kiosk.screens.kv import load_kv
from kiosk.screens.registry import PluginScreens
from kiosk.theme import COLORS, rgba
from kiosk.types import ScreenSpec

log = logging.getLogger(__name__)


class RoleApp(KioskApp):
    def __init__(self, ctx, role: str, plugin: str, spec: ScreenSpec, **kwargs):
        super().__init__(ctx, **kwargs)
        self.role, self.role_plugin, self.role_spec = role, plugin, spec
        self.role_screen = None

    def build(self):
        register_fonts(self.ctx.settings.font_path, self.ctx.settings.data_dir)
        load_kv()
        self.sm = ScreenManager(transition=NoTransition())
        self.plugins = PluginScreens(self)
        screen = self.role_spec.factory(Shell(self, self.role_plugin))
        screen.name = self.role
        self.sm.add_widget(screen)
        self.role_screen = screen
        Window.clearcolor = rgba(COLORS["text"])
        Window.bind(size=self._resized, on_request_close=self._close_requested)
        self._resized(Window, Window.size)
        return self.sm

    def on_start(self):
        self.errors = UiErrors(self)
        ExceptionManager.add_handler(self.errors)

    def on_stop(self):
        stop = getattr(self.role_screen, "stop", None)
        if callable(stop):
            stop()
        super().on_stop()

    def go_home(self) -> None:  # an unattended screen has no home: stay where it is
        pass

    def show_receipt(self, issued, printer=None) -> None:
        log.warning("role %s cannot show receipts", self.role)

    def recover(self, exc: BaseException) -> None:
        log.error("error on the %s screen: %s", self.role, exc)
