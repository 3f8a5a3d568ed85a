"""The flashing call alert for deaf residents: which cells flash when, on the display and on the web board."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kiosk.plugins.queue import alert, service
from kiosk.plugins.queue.alert import FRESH, NONE, OFF, ON, CallAlerts
from kiosk.web.app import create_app


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_flashing_stays_under_three_a_second_and_then_stays_highlighted():
    assert 1 / alert.FLASH_PERIOD < 3 and 2.5 <= alert.FLASH_SECONDS <= 3.5
    samples = [alert.phase(i / 100, 30) for i in range(0, 3300)]  # every 10 ms for 33 s
    # a flash starts where ON follows something else: count them in every 1-second window
    starts = [i for i in range(len(samples)) if samples[i] == ON and (i == 0 or samples[i - 1] != ON)]
    assert len(starts) == alert.FLASHES
    assert all(sum(1 for s in starts if w <= s < w + 100) < 3 for w in range(0, 3300))
    assert alert.phase(0, 30) == ON and alert.phase(0.5, 30) == OFF and alert.phase(3.3, 30) == FRESH
    assert alert.phase(29.9, 30) == FRESH and alert.phase(30, 30) == NONE and alert.phase(-1, 30) == NONE


def test_which_counters_flash_at_a_given_time():
    clock = Clock()
    alerts = CallAlerts(clock, fresh_seconds=20)
    alerts.start(2)
    clock.now += 0.5
    alerts.start(4)  # a second call half a second later
    assert alerts.states() == {2: OFF, 4: ON}
    clock.now += 0.4
    assert alerts.states() == {2: ON, 4: OFF}
    clock.now += 3
    assert alerts.states() == {2: FRESH, 4: FRESH}
    alerts.start(2)  # a recall flashes again
    assert alerts.states() == {2: ON, 4: FRESH}
    clock.now += 19.5
    assert alerts.states() == {2: FRESH}  # counter 4's call is no longer fresh
    clock.now += 1
    assert alerts.states() == {} and alerts.started == {}


def test_switched_off_nothing_flashes():
    alerts = CallAlerts(Clock(), enabled=False)
    alerts.start(1)
    assert alerts.states() == {}


def test_settings_switch(qctx):
    assert service.QueueSettings.of(qctx).call_flash is True  # on by default
    qctx.settings.plugin_settings.setdefault("queue", {})["call_flash"] = "off"
    assert service.QueueSettings.of(qctx).call_flash is False
    qctx.settings.plugin_settings["queue"].update(call_flash=False, call_fresh_seconds=1)
    assert service.QueueSettings.of(qctx).call_fresh_seconds == 5  # clamped


def test_the_web_board_flashes_a_new_call_once_then_highlights_it(qctx, monkeypatch):
    client = TestClient(create_app(qctx))
    service.take_ticket(qctx, "A")
    service.take_ticket(qctx, "C")
    service.call_next(qctx, 2)  # at 09:00:00 (KIOSK_NOW)
    page = client.get("/queue/board").text
    assert 'class="q-call q-fresh q-flash"' in page and '<p class="q-caption" role="status">请 A001 号 到 2 号窗口办理</p>' in page
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:00:06+08:00")  # the next reload: no second flash
    page = client.get("/queue/board").text
    assert 'class="q-call q-fresh"' in page and "q-flash" not in page and "q-caption" in page
    service.call_next(qctx, 4)
    page = client.get("/queue/board").text
    assert page.count("q-flash") == 1 and "请 C001 号 到 4 号窗口办理" in page  # the newest call's caption
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:01:00+08:00")
    page = client.get("/queue/board").text
    assert "q-fresh" not in page and "q-caption" not in page and "A001" in page
    qctx.settings.plugin_settings.setdefault("queue", {})["call_flash"] = False
    service.recall(qctx, 2)
    assert "q-flash" not in client.get("/queue/board").text


def test_the_board_css_flashes_slowly_and_not_at_all_for_reduced_motion():
    css = (Path(service.__file__).with_name("static") / "queue.css").read_text(encoding="utf-8")
    assert f"animation: q-flash {alert.FLASH_PERIOD:g}s step-end {alert.FLASHES}" in css.replace(".8s", "0.8s")
    reduced = css[css.index("prefers-reduced-motion: reduce"):]
    assert "animation: none" in reduced.split("}")[0]
