"""The database goes away under a running kiosk: the shell says "服务暂停，请稍候", keeps what was on
screen, pauses no plugin, and goes on by itself when the database is back (no restart).

PostgreSQL is a small cluster of this test's own (scripts/test-postgres.sh with another directory and
port), so stopping it disturbs no other test. The session's app is pointed at a context on that
cluster for the test (``app.ctx`` is what every screen reads) and pointed back afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest
from kit import MONDAY_9AM
from uihelpers import labels_text, overlays, tile_for

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]
PAUSED = "服务暂停，请稍候"


class OwnPostgres:
    """A throwaway PostgreSQL cluster this test may stop and start at will."""

    def __init__(self) -> None:
        parent = Path(tempfile.mkdtemp(prefix="kiosk-outage-pg-"))
        parent.chmod(0o755)  # as root the cluster belongs to the postgres user, who must reach it
        self.dir = parent / "cluster"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = ""

    def _script(self, action: str) -> str:
        env = dict(os.environ, KIOSK_TEST_PG_DIR=str(self.dir), KIOSK_TEST_PG_PORT=str(self.port))
        done = subprocess.run(["bash", str(ROOT / "scripts" / "test-postgres.sh"), action], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"test-postgres.sh {action} failed: {done.stderr}"
        return done.stdout.strip()

    def start(self) -> str:
        admin = self._script("start")
        assert admin.endswith(f":{self.port}/postgres"), admin  # the same port every time
        self.url = admin
        return admin

    def stop(self) -> None:
        self._script("stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir.parent, ignore_errors=True)


@pytest.fixture
def pg_kiosk(ui, tmp_path, monkeypatch):
    """The session's app running on its own PostgreSQL with the queue plugin; yields (app, harness, clock, pg)."""
    import kiosk.plugins.queue as queue_plugin
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost
    from kiosk.seasons import set_enabled

    app, harness, clock = ui
    pg = OwnPostgres()
    url = pg.start()
    old_ctx, old_interval = app.ctx, app.dbwatch.interval
    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)  # the queue's A service is open on a Monday morning
    monkeypatch.setenv("KIOSK_CONFIG", str(old_ctx.settings.source))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_DATABASE_URL", url)
    ctx = build_context(replace(load_settings(), db_check_seconds=0.3),
                        PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False))
    queue_plugin.kiosk_demo_data(ctx)
    with ctx.transaction() as s:
        set_enabled(s, ctx.settings, "queue", True, by="ui-test", day=ctx.today(), season="all-year")
    app.dbwatch.stop()
    app.ctx = ctx
    app.plugins.discard_all()
    app.go_home()
    harness.step(3)
    try:
        yield app, harness, clock, pg
    finally:
        app.dbwatch.stop()
        if app.dbwatch.down:  # a failed test: let the app go on with its own database
            app.dbwatch.recovered()
        app.ctx = old_ctx
        app.dbwatch.interval = old_interval
        app.dbwatch.start()
        app.plugins.discard_all()
        app.go_home()
        harness.step(2)
        ctx.engine.dispose()
        pg.remove()


def take_a_ticket(app, harness) -> str:
    """From the home screen: 取号 → 社保医保 A → 取号; returns the number on the receipt."""
    harness.tap(tile_for(app, "queue"), frames=2)
    assert app.sm.current == "queue.services"
    row = next(r for r in app.sm.current_screen.ids.list.children if r.code == "A")
    harness.tap(row, frames=2)
    assert app.sm.current == "queue.service"
    harness.tap(app.sm.current_screen.ids.take, frames=2)
    assert app.sm.current == "receipt", app.sm.current
    number = app.screen("receipt").number
    harness.tap(app.screen("receipt").ids.home, frames=2)
    return number


def pause_overlay():
    from kiosk.screens.overlays import DatabasePaused

    return [o for o in overlays() if isinstance(o, DatabasePaused)]


def test_a_30_second_outage_pauses_the_kiosk_and_it_recovers_by_itself(pg_kiosk, tmp_path):
    app, harness, clock, pg = pg_kiosk
    app.dbwatch.interval = 0.3
    app.dbwatch.start()
    assert take_a_ticket(app, harness) == "A001"

    pg.stop()
    started = time.monotonic()
    assert harness.until(lambda: app.dbwatch.down, timeout=15), "the watch did not notice the database was gone"
    assert app.sm.current == "home"
    box = pause_overlay()
    assert len(box) == 1
    texts = labels_text(box[0])
    assert texts[0] == PAUSED  # Chinese first, in the largest type, as the first line
    assert "系统正在重新连接，恢复后会自动继续，您无需操作" in texts and "如需帮助，请到前台咨询" in texts
    shot = harness.screenshot(tmp_path / "paused.png")
    assert shot.stat().st_size > 0

    # Nothing a resident does gets past the box: a tap on the tile behind it opens nothing.
    harness.tap(tile_for(app, "queue"), frames=2)
    assert app.sm.current == "home" and pause_overlay()
    # The idle reset runs during the outage (nobody touched the kiosk): the box stays.
    clock.advance(app.ctx.settings.idle_timeout + app.ctx.settings.idle_countdown + 1)
    harness.step(5)
    clock.advance(app.ctx.settings.idle_countdown + 1)
    harness.step(5)
    assert pause_overlay() and app.dbwatch.down

    # Thirty seconds without a database, the app drawing frames all along.
    while time.monotonic() - started < 30:
        harness.step()
        time.sleep(0.02)
    assert app.dbwatch.down and pause_overlay()
    pg.start()
    assert harness.until(lambda: not app.dbwatch.down, timeout=30), "the kiosk did not notice the database came back"
    harness.step(2)
    assert not pause_overlay()
    assert app.dbwatch.outages == 1
    assert "queue" not in app.plugins.paused
    assert take_a_ticket(app, harness) == "A002"  # the same app, no restart: numbering goes on


def test_an_outage_in_the_middle_of_a_tap_pauses_no_plugin_and_keeps_the_screen(pg_kiosk):
    app, harness, _clock, pg = pg_kiosk
    # The watch is off here: the first to meet the outage is the resident's tap.
    harness.tap(tile_for(app, "queue"), frames=2)
    row = next(r for r in app.sm.current_screen.ids.list.children if r.code == "A")
    harness.tap(row, frames=2)
    screen = app.sm.current_screen
    assert app.sm.current == "queue.service"
    handled = app.errors.handled

    pg.stop()
    harness.tap(screen.ids.take, frames=3)
    assert app.dbwatch.down and pause_overlay(), "the failed tap did not pause the kiosk"
    assert app.errors.handled == handled  # no "sorry, something went wrong": this is no bug
    assert app.errors.outages >= 1
    assert app.sm.current == "queue.service" and not screen.busy  # the screen and its visit are kept
    assert "queue" not in app.plugins.paused  # the plugin is not blamed

    pg.start()
    app.dbwatch.interval = 0.3
    app.dbwatch.start()
    assert harness.until(lambda: not app.dbwatch.down, timeout=30)
    harness.step(2)
    assert not pause_overlay()
    harness.tap(screen.ids.take, frames=2)  # the same visit's key: a safe retry
    assert app.sm.current == "receipt" and app.screen("receipt").number == "A001"
    harness.tap(app.screen("receipt").ids.home, frames=2)

    # A tile tapped while the database is down (before the watch noticed) pauses nothing either.
    app.dbwatch.stop()
    pg.stop()
    harness.tap(tile_for(app, "queue"), frames=3)
    assert app.dbwatch.down and pause_overlay() and "queue" not in app.plugins.paused
    assert not [w for w in overlays() if type(w).__name__ == "Notice"]  # no "service paused, ask the desk"
    pg.start()
    app.dbwatch.start()
    assert harness.until(lambda: not app.dbwatch.down, timeout=30)
    harness.step(2)
    assert tile_for(app, "queue") is not None and not tile_for(app, "queue").paused


def test_paper_out_tells_the_resident_to_scan_or_ask_for_a_reprint(ui, monkeypatch):
    from kiosk.printing import PrintResult

    app, harness, _clock = ui
    monkeypatch.setattr(app.ctx, "print_receipt", lambda receipt_id, layout: PrintResult("failed", "out of paper", "paper-out"))
    harness.tap(tile_for(app, "demo"))
    harness.tap(app.sm.current_screen.issue_button)
    receipt = app.screen("receipt")
    assert harness.until(lambda: receipt.status == "paper-out")
    assert receipt.ids.status.text == "打印机缺纸，请用手机扫码，或到服务台请工作人员补打凭条"
    harness.tap(receipt.ids.home)
    assert app.sm.current == "home"
