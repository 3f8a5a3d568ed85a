"""The real ``kiosk run`` as systemd runs it: READY=1 once on screen, WATCHDOG=1 while the UI turns,
silence when the process is frozen (so systemd's WatchdogSec would restart it), and a heartbeat row.

Needs a display: the suite runs under ``xvfb-run`` (``make test``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.ui


@pytest.mark.parametrize("role", ["kiosk", "display"])
def test_kiosk_run_notifies_systemd_and_a_frozen_ui_stops_the_pings(notify_socket, isolated_env, role):
    if not os.environ.get("DISPLAY"):
        pytest.fail("no DISPLAY: run the tests under xvfb-run (make test)")
    env = {**os.environ, "NOTIFY_SOCKET": str(notify_socket.path), "WATCHDOG_USEC": "600000",
           "KIOSK_TERMINAL_ID": "lobby-test-1"}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--role", role, "--size", "800x600"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        startup = notify_socket.wait_for("READY=1", timeout=120)
        assert not any("WATCHDOG=1" in m for m in startup[:-1]), "pinged before the first frame"
        pings = notify_socket.messages(1.0)
        assert pings.count("WATCHDOG=1") >= 3  # every 0.2 s from the Kivy clock
        proc.send_signal(signal.SIGSTOP)  # frozen: the UI thread does not run
        notify_socket.messages(0.3)  # a datagram already on its way
        assert notify_socket.messages(1.0) == []  # systemd would now kill and restart it
        proc.send_signal(signal.SIGCONT)
        assert "WATCHDOG=1" in notify_socket.wait_for("WATCHDOG=1", timeout=10)

        from kiosk.config import load_settings
        from kiosk.context import build_context
        from kiosk.heartbeat import terminals
        from kiosk.pluginhost import PluginHost

        ctx = build_context(load_settings(), PluginHost(builtins=(), load_entrypoints=False),
                            run_migrations=False, startup=False)
        try:
            rows = {(t.terminal, t.role): t for t in terminals(ctx)}
            assert ("lobby-test-1", role) in rows and not rows[("lobby-test-1", role)].stale
        finally:
            ctx.engine.dispose()
    finally:
        proc.kill()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
