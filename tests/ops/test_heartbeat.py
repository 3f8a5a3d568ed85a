"""Terminals' heartbeats: the row each writes, staleness, outages, ``kiosk terminals`` and the staff page."""

from __future__ import annotations

import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from kit import login, run_kiosk
from sqlalchemy import func, select

from kiosk import __version__
from kiosk.db import make_engine, make_write_session_factory
from kiosk.heartbeat import Heartbeat, terminals
from kiosk.models import TerminalHeartbeat

T0 = "2026-11-30T09:00:00+08:00"


def no_printer(_ctx):
    return ("online", "file")


def test_a_beat_writes_one_row_per_terminal_and_role(db_url, make_host, make_ctx, monkeypatch):
    ctx = make_ctx(make_host(), db_url, KIOSK_NOW=T0, KIOSK_TERMINAL_ID="lobby-1")
    assert ctx.terminal == "lobby-1"
    kiosk, web = Heartbeat(ctx, "kiosk", printer=no_printer), Heartbeat(ctx, "web", printer=None)
    assert kiosk.beat() and web.beat()
    ctx.note_error("printer", "USBNotFoundError: device not found")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:00:30+08:00")
    assert kiosk.beat()
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TerminalHeartbeat)) == 2
    rows = {t.role: t for t in terminals(ctx)}
    assert rows["kiosk"].terminal == "lobby-1" and rows["kiosk"].version == __version__
    assert rows["kiosk"].printer_state == "online" and rows["web"].printer_state == ""
    assert rows["kiosk"].last_error == "printer: USBNotFoundError: device not found"
    assert rows["kiosk"].age_seconds == 0 and rows["web"].age_seconds == 30
    assert rows["kiosk"].interval_seconds == 30 and not rows["kiosk"].stale


def test_a_terminal_silent_for_three_intervals_is_stale(db_url, make_host, make_ctx, monkeypatch):
    ctx = make_ctx(make_host(), db_url, KIOSK_NOW=T0)
    Heartbeat(ctx, "display", interval=10, printer=None).beat()
    Heartbeat(ctx, "kiosk", interval=60, printer=None).beat()
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:00:31+08:00")
    listed = terminals(ctx)
    assert [(t.role, t.stale) for t in listed] == [("display", True), ("kiosk", False)]  # stale first
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:00:30+08:00")
    assert not any(t.stale for t in terminals(ctx))  # exactly three intervals: not yet


def test_plugin_errors_become_the_terminals_last_error(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url)
    ctx.host.record_error("queue", "kiosk_daily_tick", "ValueError: boom")
    beat = Heartbeat(ctx, "kiosk", printer=None)
    assert beat.beat()
    (row,) = terminals(ctx)
    assert row.last_error == "plugin queue (kiosk_daily_tick): ValueError: boom" and row.last_error_at is not None


def _dead_database():
    return make_write_session_factory(make_engine("postgresql+psycopg://kiosk@127.0.0.1:1/kiosk",
                                                  connect_args={"connect_timeout": 2}))


def test_a_database_outage_costs_beats_not_the_process(db_url, make_host, make_ctx, caplog):
    ctx = make_ctx(make_host(), db_url)
    beat = Heartbeat(ctx, "kiosk", printer=None)
    working = ctx.write_sessions
    ctx.write_sessions = _dead_database()
    assert beat.beat() is False and beat.beat() is False
    assert beat.failures == 2
    assert sum("heartbeat not recorded" in r.getMessage() for r in caplog.records) == 1  # logged once
    ctx.write_sessions = working
    assert beat.beat() is True and beat.failures == 0
    assert [t.role for t in terminals(ctx)] == ["kiosk"]


def test_the_beat_thread_survives_an_outage_and_recovers(make_host, make_ctx):
    ctx = make_ctx(make_host())
    working = ctx.write_sessions
    ctx.write_sessions = _dead_database()
    beat = Heartbeat(ctx, "kiosk", interval=0.05, printer=None).start()
    try:
        deadline = time.monotonic() + 30
        while beat.failures < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert beat.failures >= 2 and beat.beats == 0
        ctx.write_sessions = working
        while beat.beats < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert beat.beats >= 2
    finally:
        beat.stop()
    assert beat._thread is None and terminals(ctx)


def test_kiosk_terminals_json_contract(isolated_env, monkeypatch):
    run_kiosk("db", "upgrade")
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    monkeypatch.setenv("KIOSK_NOW", T0)
    ctx = build_context(load_settings(), PluginHost(), startup=False)
    monkeypatch.setenv("KIOSK_TERMINAL_ID", "hall-tv")
    Heartbeat(ctx, "display", printer=None).beat()
    ctx.engine.dispose()
    env = {"KIOSK_NOW": "2026-11-30T09:05:00+08:00"}
    rows = json.loads(run_kiosk("terminals", "--json", env=env).stdout)
    assert len(rows) == 1
    assert {"terminal", "role", "version", "hostname", "last_beat", "age_seconds", "interval_seconds", "stale",
            "printer_state", "printer_detail", "last_error", "last_error_at", "started_at"} <= set(rows[0])
    assert rows[0]["role"] == "display" and rows[0]["stale"] is True and rows[0]["age_seconds"] == 300
    human = run_kiosk("terminals", env=env).stdout
    assert "STALE" in human and "display" in human
    assert run_kiosk("terminals", "--forget", "nobody", check=False).returncode == 2
    forgotten = run_kiosk("terminals", "--forget", rows[0]["terminal"], "--json")
    assert json.loads(forgotten.stdout)["rows"] == 1
    assert json.loads(run_kiosk("terminals", "--json").stdout) == []


def test_staff_page_lists_terminals_and_raises_stale_ones(make_host, make_ctx, monkeypatch):
    from kiosk.staff import set_user
    from kiosk.web.app import create_app

    ctx = make_ctx(make_host(), KIOSK_NOW=T0)
    with ctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff", display_name="窗口")
    ctx.terminal = "lobby-<b>1</b>"
    Heartbeat(ctx, "kiosk", interval=30, printer=no_printer).beat()
    ctx.terminal = "hall-tv"
    ctx.note_error("screen", "RuntimeError: frozen <script>")
    Heartbeat(ctx, "display", interval=30, printer=None).beat()
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:02:00+08:00")
    Heartbeat(ctx, "display", interval=30, printer=None).beat()  # the TV still beats; the kiosk stopped at 09:00
    client = TestClient(create_app(ctx))
    assert client.get("/staff/terminals", follow_redirects=False).status_code in (302, 303)  # login first
    login(client)
    page = client.get("/staff/terminals")
    assert page.status_code == 200
    html = page.text
    assert "终端状态" in html and "有 1 台终端失联" in html
    stale_row = re.search(r'<tr class="stale">(.*?)</tr>', html, re.S).group(1)
    assert "lobby-&lt;b&gt;1&lt;/b&gt;" in stale_row and "已失联" in stale_row and "2 分钟前" in stale_row
    live_row = re.search(r'<tr class="live">(.*?)</tr>', html, re.S).group(1)
    assert "hall-tv" in live_row and "大厅显示屏" in live_row and "&lt;script&gt;" in live_row
    assert html.index('class="stale"') < html.index('class="live"')
    assert 'http-equiv="refresh"' in html
    assert "/staff/terminals" in client.get("/staff").text  # linked from the dashboard
    assert "Not reporting" in client.get("/staff/terminals?lang=en").text


def test_the_beat_reports_the_configured_printers_state(make_host, make_ctx, tmp_path):
    from kiosk.heartbeat import probe_printer

    device = tmp_path / "lp0"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[printer]\nbackend = "file"\npath = "{device}"\n', encoding="utf-8")
    ctx = make_ctx(make_host(), KIOSK_CONFIG=str(config))
    state, detail = probe_printer(ctx)
    assert state == "offline" and "does not exist" in detail  # unplugged
    device.write_bytes(b"")
    assert probe_printer(ctx) == ("online", "file")
    Heartbeat(ctx, "kiosk").beat()
    assert terminals(ctx)[0].printer_state == "online"
