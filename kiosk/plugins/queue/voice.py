"""Offline Mandarin announcements: "请 A023 号 到 3 号窗口办理", digits read one by one.

The text is spoken by espeak-ng (Debian package ``espeak-ng``, voice ``cmn``) into a WAV file, cached
by text, after a two-tone chime generated here; the announcement is said twice. Never an online
service. Any failure (no espeak-ng, no sound card) is logged and returns None: the call itself is a
database row and the caption is on screen, so sound failing never blocks a call.
"""

from __future__ import annotations

import array
import hashlib
import logging
import math
import shutil
import subprocess
import wave
from pathlib import Path

log = logging.getLogger(__name__)

DIGITS = "零一二三四五六七八九"
RATE = 22050


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


def chime(path: Path) -> Path:
    """A soft two-tone chime (E5 then C5), written once."""
    if path.exists():
        return path
    samples = array.array("h")
    for freq, seconds in ((659.25, 0.35), (523.25, 0.55)):
        n = int(RATE * seconds)
        for i in range(n):
            envelope = min(1.0, i / 400) * (1 - i / n) ** 1.5
            samples.append(int(12000 * envelope * math.sin(2 * math.pi * freq * i / RATE)))
    _write(path, samples)
    return path


def _write(path: Path, samples: array.array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    tmp.replace(path)


def speak_to_wav(text: str, cache_dir: Path, engine: str = "espeak-ng") -> Path | None:
    """The spoken ``text`` as a WAV file (cached), or None when no engine is available."""
    exe = shutil.which(engine)
    if exe is None:
        log.warning("no %s found: announcements are shown as captions only (apt-get install espeak-ng)", engine)
        return None
    out = cache_dir / f"say-{hashlib.sha256(text.encode()).hexdigest()[:16]}.wav"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([exe, "-v", "cmn", "-s", "140", "-w", str(out), text], check=True, capture_output=True, timeout=20)
    except (subprocess.SubprocessError, OSError) as exc:
        log.warning("speech synthesis failed: %s", exc)
        return None
    return out


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
