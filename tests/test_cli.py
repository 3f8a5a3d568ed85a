"""The ``kiosk`` command as scripts and staff use it: the contract's names, JSON keys and exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

KIOSK = [sys.executable, "-m", "kiosk"]


def run(*args: str, env: dict | None = None, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    merged = {**os.environ, **(env or {})}
    proc = subprocess.run([*KIOSK, *args], capture_output=True, text=True, env=merged, input=input, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"kiosk {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def test_version():
    from kiosk import __version__

    assert run("--version").stdout.strip() == f"kiosk {__version__}"


def test_db_upgrade_is_idempotent():
    first = json.loads(run("db", "upgrade", "--json").stdout)
    second = json.loads(run("db", "upgrade", "--json").stdout)
    assert first["heads"] == second["heads"] and first["heads"]


def test_demo_data_is_idempotent_and_creates_staff():
    run("demo-data")
    run("demo-data")
    staff = json.loads(run("staff", "list", "--json").stdout)
    assert [u["username"] for u in staff] == ["admin", "clerk"]
    assert {u["role"] for u in staff} == {"admin", "staff"}


def test_plugins_list_json_contract():
    rows = json.loads(run("plugins", "list", "--json").stdout)
    assert isinstance(rows, list)
    sample = next(r for r in rows if r["name"] == "sample")
    assert {"name", "title", "version", "builtin", "enabled", "error"} <= set(sample)
    assert sample["builtin"] is False and sample["version"] == "1.2.0" and sample["error"] is None
    assert sample["title"] == "访客登记"


def test_enable_and_disable_follow_the_season():
    env = {"KIOSK_NOW": "2026-11-30T09:00:00+08:00"}
    enabled = lambda: next(r for r in json.loads(run("plugins", "list", "--json", env=env).stdout) if r["name"] == "sample")["enabled"]  # noqa: E731
    assert enabled() is False
    out = json.loads(run("plugins", "enable", "sample", "--json", env=env).stdout)
    assert out["seasons"] == ["autumn-term", "heating"]
    assert enabled() is True
    run("plugins", "disable", "sample", "--season", "heating", env=env)
    assert enabled() is True  # still on through the autumn term
    run("plugins", "disable", "sample", env=env)
    assert enabled() is False
    # In spring the overrides of autumn do not apply: sample is in no spring list.
    assert next(r for r in json.loads(run("plugins", "list", "--json", env={"KIOSK_NOW": "2027-04-01T09:00:00+08:00"}).stdout) if r["name"] == "sample")["enabled"] is False


@pytest.mark.parametrize(
    "args, words",
    [
        (("plugins", "enable", "nope"), "unknown plugin 'nope'"),
        (("plugins", "disable", "sample", "--season", "monsoon"), "unknown season 'monsoon'"),
        (("plugins", "enable"), "Missing argument"),
        (("calendar", "30/11/2026"), "not a date"),
        (("receipt", "show", "not-a-token"), "no receipt"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(args, words):
    proc = run(*args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_environment_is_a_clear_error():
    proc = run("plugins", "list", env={"KIOSK_NOW": "soon"}, check=False)
    assert proc.returncode == 2 and "KIOSK_NOW" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("plugins", "list", env={"KIOSK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}, check=False)
    assert proc.returncode == 1 and "database is not reachable" in proc.stderr and "Traceback" not in proc.stderr


def test_seasons_list_json_contract():
    rows = json.loads(run("seasons", "list", "--json", env={"KIOSK_NOW": "2026-07-15T09:00:00+08:00"}).stdout)
    assert {"name", "title", "start", "end", "plugins", "current"} <= set(rows[0])
    assert [r["name"] for r in rows if r["current"]] == ["summer"]


def test_receipt_render_and_print(tmp_path):
    issued = json.loads(run("sample", "issue", "7", "--json").stdout)
    out = tmp_path / "slip.png"
    run("receipt", "render", issued["token"], "--out", str(out))
    assert [c.text for c in zxingcpp.read_barcodes(Image.open(out))] == [issued["url"]]
    # A whole tracking URL is accepted too.
    shown = json.loads(run("receipt", "show", issued["url"], "--json").stdout)
    assert shown["number"] == "V007" and shown["state"] == "valid"
    # No printer configured: a clear error, not a crash.
    proc = run("receipt", "print", issued["token"], check=False)
    assert proc.returncode == 1 and "no printer" in proc.stderr
    lp = tmp_path / "lp0"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[printer]\nbackend = "file"\npath = "{lp}"\n', encoding="utf-8")
    run("receipt", "print", issued["token"], env={"KIOSK_CONFIG": str(config)})
    assert "访客凭条".encode("gb18030") in lp.read_bytes()


def test_calendar_command():
    data = json.loads(run("calendar", "2026-09-30", "--add-workdays", "5", "--json").stdout)
    assert data == {"date": "2026-09-30", "workday": True, "holiday": None, "makeup_workday": False, "known_year": True, "plus_workdays": "2026-10-13"}


def test_staff_add_validates(tmp_path):
    proc = run("staff", "add", "Bad Name", "--password-stdin", input="longenough\n", check=False)
    assert proc.returncode == 2 and "username" in proc.stderr
    proc = run("staff", "add", "wang", "--password-stdin", input="short\n", check=False)
    assert proc.returncode == 2 and "10 characters" in proc.stderr
    run("staff", "add", "wang", "--role", "admin", "--password-stdin", input="a-good-password\n")
    assert "wang" in run("staff", "list").stdout


def test_pin_hash_verifies():
    from kiosk.security import verify_secret

    out = run("pin-hash", "--pin-stdin", input="135790\n").stdout.strip()
    assert verify_secret("135790", out)
    assert run("pin-hash", "--pin-stdin", input="12ab\n", check=False).returncode == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_healthz_and_tracking(tmp_path):
    issued = json.loads(run("sample", "issue", "9", "--json").stdout)
    port = _free_port()
    proc = subprocess.Popen([*KIOSK, "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200 and json.loads(r.read()) == {"status": "ok"}
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(f"kiosk serve did not start: {proc.stderr.read().decode() if proc.poll() is not None else 'timeout'}")
                time.sleep(0.3)
        path = issued["url"].split("/t/", 1)[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/t/{path}", timeout=5) as r:
            assert r.status == 200 and "访客凭条" in r.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_domain_code_does_not_import_kivy():
    code = (
        "import sys, kiosk.context, kiosk.receipts, kiosk.seasons, kiosk.printing, kiosk.slip_image, kiosk.cli, kiosk.workdays\n"
        "assert not [m for m in sys.modules if m == 'kivy' or m.startswith('kivy.')], 'kivy imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert Path(__file__)
