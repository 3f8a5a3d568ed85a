"""``kiosk serve --workers N`` (what kiosk-web.service runs): several processes answer, and the web host
reports its heartbeat as the ``web`` terminal."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request

from kit import KIOSK, run_kiosk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_two_workers_answers_and_beats(isolated_env):
    run_kiosk("db", "upgrade")
    port = free_port()
    proc = subprocess.Popen([*KIOSK, "serve", "--port", str(port), "--workers", "2"], env={
        **__import__("os").environ, "KIOSK_TERMINAL_ID": "server"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read()) == {"status": "ok"}
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "kiosk serve --workers 2 did not start"
                time.sleep(0.3)
        while True:
            rows = json.loads(run_kiosk("terminals", "--json").stdout)
            if rows:
                break
            assert time.monotonic() < deadline, "no heartbeat from the web host"
            time.sleep(0.3)
        assert [(r["terminal"], r["role"], r["stale"]) for r in rows] == [("server", "web", False)]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:]
