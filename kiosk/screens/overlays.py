"""Boxes over the current screen: the idle question, the error apology, the database pause, short notices.

Each closes with one big button (or by itself); none needs a gesture. They are ModalViews attached to
the window, so the screen below keeps its state until the app decides to reset it.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.modalview import ModalView

ERROR_SHOWN_SECONDS = 6


class Overlay(ModalView):
    """Opens and closes at once: no fade that would swallow the next tap or delay the next frame."""

    def open(self, *args, **kwargs):
        kwargs["animation"] = False
        super().open(*args, **kwargs)

    def dismiss(self, *args, **kwargs):
        kwargs["animation"] = False
        super().dismiss(*args, **kwargs)


class IdlePrompt(Overlay):
    """"还需要帮助吗？" with the seconds left before everything is cleared."""

    seconds = NumericProperty(15)


class ErrorOverlay(Overlay):
    """A short apology after an unexpected error; the app is already back on the home screen."""

    def open(self, *args, **kwargs):
        super().open(*args, **kwargs)
        Clock.schedule_once(lambda _dt: self.dismiss(), ERROR_SHOWN_SECONDS)


class DatabasePaused(Overlay):
    """"服务暂停，请稍候": the database does not answer. Closed by the database watch, never by a tap."""


class Notice(Overlay):
    """A one-line message (already translated) the resident closes with one tap."""

    message = StringProperty("")
