"""The staff PIN pad behind the hidden gesture (hold the center's name for three seconds).

The PIN is checked against the hash in config by :class:`kiosk.pinlock.PinLock`, which also counts
wrong tries and locks the pad for five minutes after the fifth, across restarts. Digits are never
shown, only dots, and they are cleared whenever the pad is left.
"""

from __future__ import annotations

import math

from kivy.app import App
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import N_

MAX_DIGITS = 12
ENTER = N_("Enter the staff PIN")
WRONG = N_("Wrong PIN. {tries} tries left.")
LOCKED = N_("Too many wrong tries. Please wait {minutes} minutes.")


class PinScreen(Screen):
    entered = StringProperty("")
    message = ObjectProperty((ENTER, {}))  # (message id, format arguments): one property, changed at once

    def press(self, digit: str) -> None:
        if len(self.entered) < MAX_DIGITS:
            self.entered += digit

    def delete(self) -> None:
        self.entered = self.entered[:-1]

    def submit(self) -> str:
        """Check the PIN; returns the outcome (ok | wrong | locked) for callers and tests."""
        app = App.get_running_app()
        outcome = app.pinlock.attempt(self.entered)
        self.entered = ""
        if outcome.result == "ok":
            self._show(ENTER)
            app.open_admin()
        elif outcome.result == "wrong":
            self._show(WRONG, tries=outcome.tries_left)
        else:
            self._show(LOCKED, minutes=max(1, math.ceil(outcome.locked_seconds / 60)))
        return outcome.result

    def _show(self, message_id: str, **args) -> None:
        self.message = (message_id, args)

    def on_pre_enter(self, *_args) -> None:
        wait = App.get_running_app().pinlock.locked_seconds()
        if wait:
            self._show(LOCKED, minutes=max(1, math.ceil(wait / 60)))
        else:
            self._show(ENTER)

    def reset(self) -> None:
        self.entered = ""
        self._show(ENTER)
