"""The shell API a plugin's screen factory receives: ``ScreenSpec.factory(shell)``.

Why an object of its own instead of the app: a plugin should see a small, stable surface (the
context, the language, translation, two ways out, the theme) and nothing of the app's insides, so the
shell can change without breaking plugins. No Kivy import here.

A plugin screen is a Kivy ``Screen`` (or any widget, which the shell wraps in one). It may define
``reset()``: the shell calls it when the resident goes home and on the idle reset, to clear what was
typed (and then empties every text field on the screen as a safety net). A screen without ``reset()``
is thrown away instead and built again the next time, so nothing a resident typed can stay visible for
the next person either way. A screen whose factory or code raises pauses its plugin ("暂停服务") until
staff clear the error on the admin screen; the other plugins go on.

A screen may also define ``spoken_text()``: what 朗读 (read aloud, :mod:`kiosk.screens.readaloud`) says
when the resident has switched it on, in the current language; without it the shell reads the visible
labels and buttons top to bottom. Give one where that would be poor (a grid, a list with codes and dots).
The shell draws a band with 请工作人员帮助 under every plugin screen; plugins keep their own 返回/首页. A
screen whose layout needs the whole window (a big keypad that would otherwise scroll) sets the class
attribute ``help_band = False``.

Widgets with the elderly-first defaults (sizes and colours from the theme) are in
:mod:`kiosk.api.screens` (from :mod:`kiosk.screens.widgets`): ``KioskLabel``, ``Heading``, ``KioskButton``, ``SecondaryButton``,
``KioskInput``; in .kv rules, ``app.theme`` gives sizes and colours and ``app.tr`` the shell's messages.
Form widgets for residents who cannot type well: ``PhonePad`` (:mod:`kiosk.screens.phonepad`),
``HanziKeyboard`` (:mod:`kiosk.screens.hanzi_keyboard`), ``SurnamePicker`` (:mod:`kiosk.screens.surname`).

Example (inside the plugin; Kivy is imported only when the factory runs)::

    def build_screen(shell):
        from kivy.uix.screenmanager import Screen
        from kiosk.api.screens import KioskButton

        screen = Screen()
        screen.add_widget(KioskButton(text=shell.text("取号", "Take a number"), on_release=lambda *_: take(shell)))
        return screen

    def take(shell):
        with shell.ctx.transaction() as s:
            issued = shell.ctx.issue_receipt(s, plugin="queue", kind="ticket", subject="42", number="A042", title="取号凭条")
        shell.show_receipt(issued)
"""

from __future__ import annotations

from typing import Any

from kiosk.kiosk_context import KioskContext
from kiosk.receipts import IssuedReceipt, SlipLayout
from kiosk.screens.text import pick
from kiosk.theme import Theme
from kiosk.refusal import Refusal


class Shell:
    """What one plugin's screens may use. ``plugin`` is the plugin's name (errors are filed under it)."""

    def __init__(self, app: Any, plugin: str) -> None:
        self._app = app
        self.plugin = plugin

    @property
    def ctx(self) -> KioskContext:
        return self._app.ctx

    @property
    def lang(self) -> str:
        """``"zh_CN"`` or ``"en"``; screens are rebuilt when it changes."""
        return self._app.lang

    @property
    def theme(self) -> Theme:
        return self._app.theme

    def _(self, msgid: str) -> str:  # noqa: N802 - the conventional gettext name
        """Translate one of the shell's own messages (domain "shell"); plugins use their own domain."""
        return self._app.tr(msgid)

    def text(self, zh: str, en: str = "") -> str:
        """Pick the text for the current language: English when there is one, else the Chinese."""
        return pick(self.lang, zh, en)

    def show_receipt(self, issued: IssuedReceipt) -> None:
        """Show the slip on the receipt screen and print it in the background (with :meth:`print_receipt`)."""
        self._app.show_receipt(issued, self.print_receipt)

    def print_receipt(self, receipt_id: int, layout: SlipLayout):
        """Print a slip and record the outcome on its receipt (blocking: the receipt screen calls it in a thread)."""
        return self.ctx.print_receipt(receipt_id, layout)

    def go_home(self) -> None:
        """Back to the home screen; the plugin's screens are reset."""
        self._app.go_home()

    def open(self, screen: str) -> None:
        """Go to another screen by name, usually one of this plugin's own (built on first use)."""
        self._app.open_screen(screen)

    def run_in_background(self, work, done, name: str = "plugin-work") -> None:
        """Run slow ``work()`` off the UI thread, then ``done(result, error)`` on it (database polls, sound).

        The shell tracks the thread, so tests and shutdown can wait for it.
        """
        from kiosk.screens import background

        background.run(work, done, name=f"{self.plugin}-{name}")

    def notify(self, message: str) -> None:
        """A short message in a box the resident closes with one tap (e.g. "今天已约满")."""
        self._app.notify(message)

    def refuse(self, refusal: Refusal) -> None:
        """Show a :class:`~kiosk.refusal.Refusal` (a ``QueueError``, ``TimetableError``…) as that notice, in the
        current language: the one way a screen tells a resident that what they asked cannot be done."""
        self.notify(refusal.text(self.lang))
