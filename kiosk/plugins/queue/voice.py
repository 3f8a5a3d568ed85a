"""Offline Mandarin announcements: "请 A023 号 到 3 号窗口办理", digits read one by one.

The text is spoken by the core's offline engine (:mod:`kiosk.speech`: espeak-ng, voice ``cmn``) into a
WAV file, cached by text, after a two-tone chime; the announcement is said twice. Never an online
service. Any failure (no espeak-ng, no sound card) is logged and returns None: the call itself is a
database row and the caption is on screen, so sound failing never blocks a call.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.api import chime, speak_to_wav

log = logging.getLogger(__name__)

DIGITS = "零一二三四五六七八九"


def digits_zh(number: int | str) -> str:
    """Read digits one by one, as halls do: 23 → "二三", "023" → "零二三"."""
    return "".join(DIGITS[int(d)] for d in str(number) if d.isdigit())


def caption(number: str, counter: int, lang: str = "zh_CN") -> str:
    """The on-screen caption, mirroring the voice."""
    if lang == "en":
        return f"Number {number}, please go to counter {counter}"
    return f"请 {number} 号 到 {counter} 号窗口办理"


def speech_text(number: str, counter: int) -> str:
    """What the voice says: the letter, then each digit, then the counter number digit by digit."""
    letter, digits = number[:1], number[1:]
    return f"请 {letter} {digits_zh(digits)} 号，到 {digits_zh(counter)} 号窗口办理"


def announcement(number: str, counter: int, cache_dir: Path, repeat: int = 2) -> list[Path]:
    """The clips to play in order: chime, then the sentence ``repeat`` times. Empty when nothing works."""
    try:
        clips = [chime(cache_dir / "chime.wav")]
    except OSError as exc:
        log.warning("chime could not be written: %s", exc)
        clips = []
    spoken = speak_to_wav(speech_text(number, counter), cache_dir)
    if spoken is not None:
        clips += [spoken] * repeat
    return clips
