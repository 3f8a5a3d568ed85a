"""The offline speech engine (espeak-ng) and its failure paths: sound failing never raises."""

from __future__ import annotations

import wave

from kiosk import speech


def test_mandarin_text_becomes_a_cached_wav(tmp_path):
    wav = speech.speak_to_wav("已通知工作人员，请在此稍候", tmp_path)
    assert wav is not None and wav.stat().st_size > 1000
    with wave.open(str(wav)) as w:
        assert w.getnchannels() == 1 and w.getnframes() > w.getframerate() // 2  # at least half a second of speech
    mtime = wav.stat().st_mtime_ns
    assert speech.speak_to_wav("已通知工作人员，请在此稍候", tmp_path) == wav and wav.stat().st_mtime_ns == mtime  # cached
    english = speech.speak_to_wav("已通知工作人员，请在此稍候", tmp_path, voice="en")
    assert english is not None and english != wav  # the voice is part of the cache key
    assert not list(tmp_path.glob("*.part.wav"))


def test_marks_are_said_as_words():
    assert speech.speakable("等候 3 人 · 约 10–20 分钟") == "等候 3 人 ， 约 10到20 分钟"
    assert speech.speakable("About 10–20 min · 3 waiting", "en") == "About 10 to 20 min , 3 waiting"
    assert speech.speakable("  两行\n文字  ") == "两行 文字"


def test_no_engine_gives_none_and_warns_once(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(speech.shutil, "which", lambda _name: None)
    monkeypatch.setattr(speech, "_warned", set())
    assert speech.speak_to_wav("请稍候", tmp_path) is None
    assert speech.speak_to_wav("请稍候", tmp_path) is None
    assert sum("no espeak-ng found" in r.getMessage() for r in caplog.records) == 1
    assert speech.speak_to_wav("   ", tmp_path) is None and not list(tmp_path.iterdir())


def test_a_failing_engine_leaves_no_half_file(tmp_path, monkeypatch):
    broken = tmp_path / "bin" / "espeak-ng"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho partial > \"$6\"\nexit 3\n")  # writes part of its output, then fails
    broken.chmod(0o755)
    monkeypatch.setattr(speech.shutil, "which", lambda _name: str(broken))
    monkeypatch.setattr(speech, "_warned", set())
    cache = tmp_path / "voice"
    assert speech.speak_to_wav("请稍候", cache) is None
    assert list(cache.iterdir()) == []


def test_an_unwritable_cache_gives_none(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert speech.speak_to_wav("请稍候", blocked / "voice") is None
