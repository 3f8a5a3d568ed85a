"""Plays WAV clips one after another on the Kivy clock: the hall display's calls, the shell's 朗读.

Why a queue of clips and not one sound: an announcement is a chime and a sentence said twice, and a
new screen's text must replace what was still being read (:meth:`Announcer.say` stops first). A clip
that cannot load or play (no sound card, as on a machine without speakers, a broken audio backend) is
skipped with a warning: sound never blocks or breaks the screen that asked for it.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

from kivy.clock import Clock
from kivy.core.audio import SoundLoader

log = logging.getLogger(__name__)


class Announcer:
    """Plays clips one after another; a clip that cannot load or play is skipped."""

    def __init__(self) -> None:
        self.clips: deque[Path] = deque()
        self.sound = None

    def play(self, clips: list[Path]) -> None:
        self.clips.extend(clips)
        if self.sound is None:
            self._next()

    def _next(self, *_args) -> None:
        self.sound = None
        while self.clips:
            path = self.clips.popleft()
            try:
                sound = SoundLoader.load(str(path))
            except Exception as exc:  # a broken audio backend must not stop the display
                log.warning("cannot load %s: %s", path, exc)
                sound = None
            if sound is None:
                continue
            self.sound = sound
            sound.bind(on_stop=lambda done: Clock.schedule_once(lambda _dt: self._finished(done), 0.2))
            try:
                sound.play()
            except Exception as exc:
                log.warning("cannot play %s: %s", path, exc)
                self.sound = None
                continue
            return

    def _finished(self, sound) -> None:
        """A clip ended: play the next one, unless it was stopped to make way for others."""
        if sound is self.sound:
            self._next()

    def stop(self) -> None:
        self.clips.clear()
        if self.sound is not None:
            try:
                self.sound.stop()
            except Exception:
                pass
            self.sound = None

    def say(self, clips: list[Path]) -> None:
        """Play ``clips`` instead of whatever is playing now (a new screen, a second 再听一遍)."""
        self.stop()
        self.play(clips)
