"""The Kivy app of the touch shell. Thin on purpose: screens, navigation, language, theme, the idle
reset, the error overlay, and the help band with 朗读 (:mod:`kiosk.screens.assist`,
:mod:`kiosk.screens.readaloud`); everything else lives in the screens and in the core services.

Call :func:`kiosk.bootstrap.prepare` before importing this module (Kivy reads its Config when the
window is created). The app gets a ready :class:`kiosk.context.KioskContext` injected, so tests,
screenshots and the benchmark build it around a temporary database.
"""

from __future__ import annotations

import importlib
import logging
import time

from kivy.app import App
from kivy.base import ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.bootstrap import register_fonts
from kiosk.i18n import DEFAULT_LANGUAGE, N_, normalize, translator
from kiosk.pinlock import FILE_NAME as PIN_LOCK_FILE, PinLock, SharedPinState
from kiosk.dbhealth import is_outage
from kiosk.screens import background
from kiosk.screens.assist import AssistBar, HelpOverlay
from kiosk.screens.dbwatch import DatabaseWatch
from kiosk.screens.errors import UiErrors
from kiosk.screens.idle import IdleMonitor
from kiosk.screens.kv import SCREENS_DIR, load_kv  # noqa: F401 (SCREENS_DIR re-exported)
from kiosk.screens.overlays import ErrorOverlay, IdlePrompt, Notice
from kiosk.screens.readaloud import ReadAloud
from kiosk.screens.registry import PluginScreens
from kiosk.theme import COLORS, Theme, rgba

log = logging.getLogger(__name__)

#: The shell's own screens, imported and built on first use (only home is needed for the first frame).
CORE_SCREENS = {
    "home": "kiosk.screens.home:HomeScreen",
    "receipt": "kiosk.screens.receipt:ReceiptScreen",
    "pin": "kiosk.screens.pin:PinScreen",
    "admin": "kiosk.screens.admin:AdminScreen",
}
PAUSED = N_("This service is paused. Please ask at the front desk.")
STILL_THERE = N_("Do you need more time? Please touch the screen.")


def _lay_out_now(root) -> None:
    """Run every pending layout under ``root`` at once, parents before children (a tap may come before the next frame)."""
    from kivy.uix.layout import Layout

    if root is None:
        return
    for _round in range(2):  # children's minimum sizes may change their parents' layout once more
        for widget in root.walk(restrict=True):
            if isinstance(widget, Layout):
                widget.do_layout()


class KioskApp(App):
    lang = StringProperty(DEFAULT_LANGUAGE)
    tr = ObjectProperty(None)  # the current language's translate function; .kv rules call app.tr("…")
    theme = ObjectProperty(Theme(), rebind=True)  # rebind: .kv rules reading app.theme.x follow a new theme
    large = BooleanProperty(False)
    read_aloud = BooleanProperty(False)  # 朗读: this resident's session only (the idle reset switches it off)

    def __init__(self, ctx, *, fullscreen: bool = False, idle_clock=time.monotonic, **kwargs):
        super().__init__(**kwargs)
        self.ctx = ctx
        self.fullscreen = fullscreen
        self.default_lang = normalize(ctx.settings.default_language)
        self.tr = translator(self.default_lang, "shell")
        self.lang = self.default_lang
        self.idle = IdleMonitor(ctx.settings.idle_timeout, ctx.settings.idle_countdown, idle_clock)
        self.pinlock = PinLock(ctx.settings.data_dir / PIN_LOCK_FILE, ctx.settings.pin_hash, ctx.now,
                               SharedPinState(ctx, ctx.settings.pin_hash))  # one count for every kiosk with this PIN
        self.title = ctx.settings.center_name
        self.use_kivy_settings = False
        self.restart_requested = False
        self._closing = False
        self._events: list = []
        self.errors: UiErrors | None = None
        self.dbwatch = DatabaseWatch(self, ctx.settings.db_check_seconds)
        self.reader = ReadAloud(self)

    # -- building --------------------------------------------------------------------------------
    def build(self):
        register_fonts(self.ctx.settings.font_path, self.ctx.settings.data_dir)
        load_kv("widgets", "overlays", "assist")
        self.sm = ScreenManager(transition=NoTransition())
        self.plugins = PluginScreens(self)
        self.home = self.screen("home")  # the others are built when first needed (start-up time)
        self.idle_prompt = IdlePrompt()
        self.assist = AssistBar()
        self.help_overlay = HelpOverlay()  # one box, reused: a box per tap would leave dead kv bindings behind
        self.sm.bind(current=self._screen_changed)
        root = BoxLayout(orientation="vertical")
        root.add_widget(self.sm)
        root.add_widget(self.assist)
        Window.clearcolor = rgba(COLORS["bg"])
        Window.bind(size=self._resized, on_touch_down=self._touched, on_key_down=self._touched,
                    on_request_close=self._close_requested)
        self._resized(Window, Window.size)
        return root

    def on_start(self):
        self.errors = UiErrors(self)
        ExceptionManager.add_handler(self.errors)
        self.dbwatch.start()
        self._events = [Clock.schedule_interval(self._poll_idle, 0.5), Clock.schedule_interval(self.home.tick, 1.0),
                        Clock.schedule_once(lambda _dt: self.screen("receipt"), 1.0)]  # ready before the first "issue"
        self.go_home()

    def screen(self, name: str):
        """One of the shell's own screens, built (with its .kv) on first use."""
        if not self.sm.has_screen(name):
            module, _, cls = CORE_SCREENS[name].partition(":")
            screen_class = getattr(importlib.import_module(module), cls)
            load_kv(name)
            self.sm.add_widget(screen_class(name=name))
        return self.sm.get_screen(name)

    def on_stop(self):
        self.dbwatch.stop()
        self.reader.stop()
        if self.errors is not None:
            ExceptionManager.remove_handler(self.errors)
        for event in self._events:
            event.cancel()
        Window.unbind(size=self._resized, on_touch_down=self._touched, on_key_down=self._touched,
                      on_request_close=self._close_requested)
        background.wait(timeout=2.0)

    def open_settings(self, *_args):
        return False  # no Kivy settings panel (F1) on a public terminal

    def _close_requested(self, *_args, **_kwargs):
        return self.fullscreen and not self._closing  # True refuses: Escape and the window manager

    def _resized(self, _window, size):
        self.theme = Theme(int(size[0]), int(size[1]), self.large)
        if hasattr(self, "home"):
            self.home._relayout()

    # -- language and text size ------------------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        self.lang = normalize(lang)

    def on_lang(self, _instance, lang):
        self.tr = translator(lang, "shell")
        if hasattr(self, "plugins"):
            self.plugins.discard_all()  # plugin screens are rebuilt in the new language
            self.home.refresh()

    def set_large(self, large: bool) -> None:
        self.large = bool(large)

    def on_large(self, _instance, _value):
        self._resized(Window, Window.size)
        if hasattr(self, "assist"):
            self._place_band()

    # -- 朗读 and help -----------------------------------------------------------------------------
    def set_read_aloud(self, on: bool) -> None:
        """The 朗读 switch on the home screen: on reads the current screen at once (so the resident hears it works)."""
        self.read_aloud = bool(on)
        if self.read_aloud:
            self.reader.read_screen()
        else:
            self.reader.stop()

    def read_again(self) -> None:
        """再听一遍: the current screen (or the box over it) once more."""
        if self.help_overlay.parent is not None:
            self.reader.say(f"{self.help_overlay.title} {self.help_overlay.detail}")
        else:
            self.reader.read_screen()

    def _screen_changed(self, _sm, name: str) -> None:
        self._place_band()
        self.reader.entered(self.sm.current_screen)

    def _place_band(self) -> None:
        """The help band for the current screen; if that changes the screen's room, lay it out now, not a frame later."""
        before = self.assist.shown
        self.assist.place(self.sm.current_screen, self.large)
        if self.assist.shown != before:
            _lay_out_now(self.root)

    def ask_for_help(self) -> None:
        """请工作人员帮助: page staff from this terminal (a row, written off the UI thread) and say so calmly.

        Nothing here may fail in front of the resident: when the row cannot be written (the database is
        away) the box asks them to wait or to go to the front desk instead.
        """
        from kiosk.helpdesk import request_help

        where = self.sm.current
        overlay = self.help_overlay
        if overlay.parent is None:
            overlay.show("sending", self.tr)
            overlay.open()
        ctx = self.ctx
        background.run(lambda: request_help(ctx, where), lambda result, error: self._help_answered(overlay, result, error),
                       name="kiosk-help-request")

    def _help_answered(self, overlay: HelpOverlay, result, error) -> None:
        if error is not None:
            log.warning("help request not recorded (the resident was sent to the front desk): %s", error)
            outcome = "failed"
        else:
            outcome = "sent" if result[1] else "already"
        overlay.show(outcome, self.tr)
        if self.read_aloud and overlay.parent is not None:
            self.reader.say(f"{overlay.title} {overlay.detail}")

    # -- navigation ------------------------------------------------------------------------------
    def open_screen(self, name: str) -> None:
        """A plugin's screen (from a tile or ``shell.open``). Never the shell's own: no path to admin."""
        if name not in CORE_SCREENS and self.plugins.open(name) is not None:
            try:
                self.sm.current = name  # runs the screen's on_pre_enter: plugin code
                return
            except Exception as exc:
                self.plugins.pause(self.plugins.owner(name) or name, "screen", exc)  # an outage pauses nothing
                self.sm.current = "home"
        if self.dbwatch.down:
            return  # the pause overlay already says why
        self.home.refresh()
        self.notify(self.tr(PAUSED))

    def go_home(self) -> None:
        """Home, with every plugin screen reset and the shell's own screens cleared."""
        self.plugins.reset_all()
        for name in CORE_SCREENS:
            if self.sm.has_screen(name):
                self.sm.get_screen(name).reset()
        self.sm.current = "home"
        self.home.refresh()

    def reset_session(self) -> None:
        """The idle reset: as if the kiosk had just started, for the next resident."""
        self.dismiss_overlays()
        Window.release_all_keyboards()
        self.large = False
        self.read_aloud = False
        self.reader.stop()
        if self.lang != self.default_lang:
            self.lang = self.default_lang
        self.go_home()
        self.idle.touched()

    def open_pin(self) -> None:
        self.screen("pin")
        self.sm.current = "pin"

    def open_admin(self) -> None:
        """Only the PIN pad calls this, after the right PIN."""
        self.screen("admin")
        self.sm.current = "admin"

    def show_receipt(self, issued, printer=None) -> None:
        """The receipt screen with ``issued``; ``printer`` (the Shell's ``print_receipt``) prints it."""
        self.screen("receipt").show(issued, printer)
        self.sm.current = "receipt"

    def notify(self, message: str) -> None:
        Notice(message=message).open()

    def quit(self, restart: bool = False) -> None:
        """Staff exit or restart (``kiosk run`` re-executes itself when ``restart_requested``)."""
        self.restart_requested = restart
        self._closing = True
        self.stop()

    # -- idle and errors -------------------------------------------------------------------------
    def _touched(self, *_args):
        self.idle.touched()

    def _quiet(self) -> bool:
        return self.sm.current == "home" and self.lang == self.default_lang and not self.large and not self.read_aloud

    def _poll_idle(self, _dt=None) -> None:
        action = self.idle.poll(self._quiet())
        prompt = self.idle_prompt
        if action == "prompt":
            prompt.seconds = self.idle.seconds_left()
            prompt.open(animation=False)
            if self.read_aloud:
                self.reader.say(self.tr(STILL_THERE))
        elif action == "reset":
            self.reset_session()
        elif self.idle.prompting:
            prompt.seconds = self.idle.seconds_left()
        elif prompt.parent is not None:  # the resident touched the prompt: they are still here
            prompt.dismiss(animation=False)

    def dismiss_overlays(self) -> None:
        """Close every box over the screen except the database pause, which only the database closes."""
        for child in list(Window.children):
            if isinstance(child, ModalView) and child is not self.dbwatch.overlay:
                child.dismiss(animation=False)

    def database_trouble(self, exc: BaseException) -> None:
        """An error that is a database outage: pause the kiosk until the database answers (no plugin is blamed)."""
        self.dbwatch.report(exc)

    def database_back(self) -> None:
        """The database answers again: the home screen reads its tiles afresh; other screens keep their state."""
        if self.sm.current == "home":
            self.home.refresh()

    def recover(self, exc: BaseException) -> None:
        """After an unexpected error: file it under the plugin on screen, go home, apologise.

        A database outage is not a plugin's fault: it pauses the kiosk instead (:mod:`kiosk.screens.dbwatch`),
        keeping the screen as it was so nothing the resident chose or typed is lost.
        """
        if is_outage(exc):
            self.database_trouble(exc)
            return
        plugin = self.plugins.owner(self.sm.current)
        if plugin:
            self.plugins.pause(plugin, "screen", exc)
        self.dismiss_overlays()
        self.go_home()
        ErrorOverlay().open(animation=False)
