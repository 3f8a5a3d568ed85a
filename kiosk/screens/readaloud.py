"""朗读: the shell reads each screen aloud for residents who cannot read the screen well.

Why shell-level: every plugin's screens get it without doing anything. What a screen says is its
``spoken_text()`` when it has one (the four built-in plugins give their main screens a short, natural
text), else :func:`default_spoken_text`: the visible labels and buttons, top to bottom, left to right.
The resident switches it on with 朗读 on the home screen; it lasts until the idle reset. When on, a
screen is read when it is entered and again on 再听一遍; the idle question is asked aloud too.

Rendering (espeak-ng, :mod:`kiosk.speech`) runs off the UI thread and the WAV plays through
:class:`kiosk.screens.announcer.Announcer`; both fail quietly (no engine, no sound card), so reading
aloud can never block or break a screen. ``last_text`` keeps what was (or would have been) said.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

from kiosk.screens import background
from kiosk.speech import speak_to_wav, speakable

log = logging.getLogger(__name__)

VOICES = {"zh_CN": "cmn", "en": "en"}
ENTER_DELAY = 0.3  # let the entered screen lay out and fill its labels first


def _visible(widget, stop) -> bool:
    while widget is not None and widget is not stop:
        if widget.opacity == 0 or widget.width <= 0 or widget.height <= 0 or getattr(widget, "disabled", False):
            return False
        parent = widget.parent
        widget = parent if parent is not widget else None
    return True


def default_spoken_text(screen) -> str:
    """The visible texts of ``screen`` in reading order (rows from the top, each from the left).

    Text fields are skipped: what a resident typed (a phone number) is not said out loud in a lobby.
    """
    found = []
    for widget in screen.walk(restrict=True):
        if not isinstance(widget, Label) or isinstance(widget, TextInput):
            continue
        text = " ".join(str(widget.text).split())
        if not text or not _visible(widget, screen):
            continue
        x, top = widget.to_window(widget.x, widget.top)
        found.append((-round(top / 40), x, text))  # labels within 40 px of each other count as one row
    out: list[str] = []
    for _row, _x, text in sorted(found, key=lambda item: (item[0], item[1])):
        if not out or out[-1] != text:
            out.append(text)
    return "。".join(t.rstrip("。.!！?？:：") for t in out) + ("。" if out else "")


def spoken_text_of(screen) -> str:
    """What ``screen`` says: its own ``spoken_text()`` if it has one, else the default."""
    own = getattr(screen, "spoken_text", None)
    if callable(own):
        try:
            text = own()
        except Exception as exc:  # a plugin's text failing must not break navigation
            log.warning("spoken_text() of %s failed: %s", getattr(screen, "name", screen), exc)
            text = ""
        if text:
            return str(text)
    return default_spoken_text(screen)


class ReadAloud:
    """The 朗读 switch of one resident's session and the voice that reads."""

    def __init__(self, app, announcer=None) -> None:
        self.app = app
        self._announcer = announcer
        self.last_text = ""
        self.last_wav = None  # the file the last text was rendered to (None: nothing could be rendered)
        self._pending = None

    @property
    def announcer(self):
        if self._announcer is None:
            from kiosk.screens.announcer import Announcer

            self._announcer = Announcer()
        return self._announcer

    @property
    def on(self) -> bool:
        return bool(self.app.read_aloud)

    def voice(self) -> str:
        return VOICES.get(self.app.lang, "cmn")

    def say(self, text: str) -> None:
        """Read ``text`` now, instead of anything still being read (rendered in the background)."""
        voice = self.voice()
        text = speakable(str(text), voice)
        self.last_text = text
        if not text:
            return
        cache = self.app.ctx.settings.data_dir / "voice"
        background.run(lambda: speak_to_wav(text, cache, voice=voice), lambda wav, error: self._rendered(text, wav, error),
                       name="kiosk-read-aloud")

    def _rendered(self, text: str, wav, error) -> None:
        if error is not None:
            log.warning("reading aloud failed: %s", error)
        self.last_wav = wav if error is None else None
        if wav is None or error is not None or text != self.last_text or not self.on:
            return  # nothing to play, or the resident moved on (or switched 朗读 off) meanwhile
        try:
            self.announcer.say([wav])
        except Exception as exc:  # no audio backend at all: the text is on screen anyway
            log.warning("cannot play what is read aloud: %s", exc)

    def read_screen(self, screen=None) -> None:
        """Read the current screen (再听一遍, or a screen just entered)."""
        screen = screen if screen is not None else self.app.sm.current_screen
        if screen is not None:
            self.say(spoken_text_of(screen))

    def entered(self, screen) -> None:
        """A screen was entered: read it shortly, when 朗读 is on."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self.on:
            self._pending = Clock.schedule_once(lambda _dt: self._read_if_current(screen), ENTER_DELAY)

    def _read_if_current(self, screen) -> None:
        self._pending = None
        if self.on and self.app.sm.current_screen is screen:
            self.read_screen(screen)

    def stop(self) -> None:
        """Silence (朗读 switched off, the idle reset)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._announcer is not None:
            self._announcer.stop()
