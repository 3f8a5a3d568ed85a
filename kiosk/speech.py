"""Offline Mandarin speech: text → WAV with espeak-ng (Debian package ``espeak-ng``, voice ``cmn``).

Why here and not in a plugin: the queue's hall display announces calls, and the touch shell reads its
screens aloud for residents who cannot read small print (朗读); both render the same way, into WAV
files cached by text under the data dir, and play them with :mod:`kiosk.screens.announcer`. Never an
online service. Every failure (no espeak-ng, a crash, a full disk) is logged and gives None: callers
always show the same text on screen, so sound failing never blocks or breaks anything. No Kivy here.
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

RATE = 22050
ENGINE = "espeak-ng"
VOICE = "cmn"
WORDS_PER_MINUTE = 140  # slower than espeak-ng's 175: elderly listeners in a noisy hall
MAX_CHARS = 600  # a screen's text is a few sentences; more would keep talking after the resident moved on
_warned: set[str] = set()


def _warn_once(key: str, message: str, *args) -> None:
    """A kiosk may ask for speech hundreds of times a day: say what is missing once, not every time."""
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


#: Marks that read badly or not at all: "约 10–20 分钟" must be said "十到二十".
_SPOKEN = {"cmn": {"–": "到", "—": "到", "~": "到", "·": "，", "/": "，"}, "": {"–": " to ", "—": ", ", "·": ", "}}


def speakable(text: str, voice: str = VOICE) -> str:
    """``text`` as the voice should get it: one line, dashes and dots said as words."""
    for mark, said in _SPOKEN.get(voice, _SPOKEN[""]).items():
        text = text.replace(mark, said)
    return " ".join(text.split())


def wav_path(text: str, cache_dir: Path, voice: str = VOICE, speed: int = WORDS_PER_MINUTE) -> Path:
    """Where the WAV of ``text`` in ``voice`` is cached (the same text is rendered once)."""
    key = f"{voice}|{speed}|{text}"
    return cache_dir / f"say-{hashlib.sha256(key.encode()).hexdigest()[:16]}.wav"


def speak_to_wav(text: str, cache_dir: Path, engine: str = ENGINE, voice: str = VOICE,
                 speed: int = WORDS_PER_MINUTE) -> Path | None:
    """The spoken ``text`` as a WAV file (cached), or None when it cannot be made (never raises)."""
    text = " ".join(text.split())[:MAX_CHARS]
    if not text:
        return None
    exe = shutil.which(engine)
    if exe is None:
        _warn_once("engine", "no %s found: nothing is spoken, the text stays on screen (apt-get install espeak-ng)", engine)
        return None
    out = wav_path(text, cache_dir, voice, speed)
    if out.exists():
        return out
    tmp = out.with_suffix(".part.wav")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(tmp), text], check=True, capture_output=True, timeout=20)
        tmp.replace(out)  # a half-written file is never taken for a finished one
    except (subprocess.SubprocessError, OSError) as exc:
        _warn_once(f"fail:{type(exc).__name__}", "speech synthesis failed: %s", exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the cache folder itself is the problem: nothing was written there
            pass
        return None
    return out


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
    write_wav(path, samples)
    return path


def write_wav(path: Path, samples: array.array) -> None:
    """16-bit mono samples at :data:`RATE` into ``path``, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    tmp.replace(path)
