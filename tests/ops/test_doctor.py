"""``kiosk doctor``: all checks pass on a well set-up terminal; each kind of problem is named with its fix."""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from kit import run_kiosk
from sqlalchemy import text

from kiosk import doctor
from kiosk.config import load_settings
from kiosk.doctor import Environment, report, run_checks
from kiosk.pluginhost import PluginHost
from kiosk.security import hash_secret

GOOD = """
[center]
name = "华新社区服务中心"
timezone = "Asia/Shanghai"
[web]
base_url = "http://192.168.1.10:8080"
[printer]
backend = "file"
path = "{printer}"
[staff]
pin_hash = "{pin}"
{extra}
"""


@pytest.fixture
def terminal(tmp_path, monkeypatch, isolated_env):
    """A well set-up terminal: its own config, a writable printer device, the center's zone, a migrated database."""
    printer = tmp_path / "lp0"
    printer.write_bytes(b"")
    pin = hash_secret("135790")

    def configure(extra: str = "", **replace) -> Path:
        values = {"printer": str(printer), "pin": pin, "extra": extra, **replace}
        path = tmp_path / "kiosk.toml"
        path.write_text(GOOD.format(**values), encoding="utf-8")
        return path

    monkeypatch.setenv("KIOSK_CONFIG", str(configure()))
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    run_kiosk("db", "upgrade")
    return configure


def checks_for(role="kiosk", **overrides) -> dict[str, doctor.Check]:
    env = Environment(settings=load_settings(), host=PluginHost(), role=role, **overrides)
    try:
        return {c.name: c for c in run_checks(env)}
    finally:
        if env.engine is not None:
            env.engine.dispose()


def failing(checks: dict) -> dict[str, str]:
    return {name: c.message for name, c in checks.items() if not c.ok}


def test_a_well_set_up_kiosk_passes_everything(terminal):
    proc = run_kiosk("doctor")
    lines = proc.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["ok"] * len(lines)
    names = [line[5:15].strip() for line in lines]
    assert names == ["config", "staff PIN", "database", "migrations", "font", "printer", "time zone", "clock"]
    data = json.loads(run_kiosk("doctor", "--json").stdout)
    assert data["ok"] is True and {"name", "ok", "message", "fix"} <= set(data["checks"][0])


def test_each_role_checks_what_it_needs(terminal, tmp_path):
    web = checks_for("web")
    assert list(web) == ["config", "secret key", "database", "migrations", "demo logins", "printer", "time zone", "clock"]
    assert failing(web) == {"secret key": web["secret key"].message}  # not created yet
    load_settings().secret_key()
    assert failing(checks_for("web")) == {}
    device = tmp_path / "pcmC0D0p"
    device.write_bytes(b"")
    display = checks_for("display", which=lambda name: f"/usr/bin/{name}", audio_devices=lambda: [str(device)])
    assert list(display) == ["config", "database", "migrations", "font", "printer", "sound", "time zone", "clock"]
    assert failing(display) == {}


def test_failures_exit_1_with_one_line_each_and_its_fix(terminal, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:00:00+08:00")
    monkeypatch.setenv("TZ", "Etc/UTC")
    proc = run_kiosk("doctor", check=False)
    assert proc.returncode == 1 and proc.stderr.strip() == "error: 2 of 8 checks failed"
    bad = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert len(bad) == 2
    assert "time zone" in bad[0] and "-> timedatectl set-timezone Asia/Shanghai" in bad[0]
    assert "KIOSK_NOW" in bad[1] and "-> remove KIOSK_NOW" in bad[1]
    data = json.loads(run_kiosk("doctor", "--json", check=False).stdout)
    assert data["ok"] is False and [c["name"] for c in data["checks"] if not c["ok"]] == ["time zone", "clock"]


def test_configuration_problems(terminal, monkeypatch, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[center\n", encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(broken))
    proc = run_kiosk("doctor", check=False)
    assert proc.returncode == 1 and proc.stdout.startswith("FAIL config") and "not valid TOML" in proc.stdout
    assert len(proc.stdout.strip().splitlines()) == 1  # nothing else can be checked without a config

    monkeypatch.delenv("KIOSK_CONFIG")
    assert "packaged demo configuration" in failing(checks_for())["config"]

    monkeypatch.setenv("KIOSK_CONFIG", str(terminal().with_name("local.toml")))
    Path(os.environ["KIOSK_CONFIG"]).write_text(
        terminal().read_text().replace("http://192.168.1.10:8080", "http://127.0.0.1:8080"), encoding="utf-8")
    found = checks_for()["config"]
    assert not found.ok and "points at this machine" in found.message and "base_url" in found.fix


def test_pin_problems(terminal, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(terminal(pin=hash_secret(doctor.DEMO_PIN))))
    assert "demo PIN" in failing(checks_for())["staff PIN"]
    monkeypatch.setenv("KIOSK_CONFIG", str(terminal(pin="")))
    assert "no staff PIN" in failing(checks_for())["staff PIN"]


def test_secret_key_readable_by_others(terminal):
    settings = load_settings()
    settings.secret_key()
    key = settings.data_dir / "secret.key"
    key.chmod(0o644)
    found = checks_for("web")["secret key"]
    assert not found.ok and found.fix == f"chmod 600 {key}"


def test_database_problems(terminal, monkeypatch, isolated_env):
    monkeypatch.setenv("KIOSK_DATABASE_URL", f"sqlite:///{isolated_env / 'elsewhere.sqlite3'}")
    checks = checks_for()
    assert "does not exist yet" in checks["database"].message and checks["database"].fix == "run `kiosk db upgrade`"
    assert "migrations" not in checks and not (isolated_env / "elsewhere.sqlite3").exists()  # doctor creates nothing

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("KIOSK_DATABASE_URL", f"postgresql+psycopg://kiosk:secret@127.0.0.1:{port}/kiosk")
    checks = checks_for()
    assert "is not reachable" in checks["database"].message and "secret" not in checks["database"].message
    assert "firewall" in checks["database"].fix and f"port {port}" in checks["database"].fix


def test_migration_level(terminal, isolated_env):
    import sqlite3

    db = sqlite3.connect(isolated_env / "kiosk.sqlite3")
    db.execute("DELETE FROM alembic_version WHERE version_num = '0003_intake'")  # as before this kiosk's upgrade (0003_intake needs 0004_core)
    db.commit()
    found = checks_for()["migrations"]
    assert not found.ok and "behind" in found.message and "kiosk db upgrade" in found.fix
    db.execute("INSERT INTO alembic_version VALUES ('0099_core')")
    db.commit()
    db.close()
    found = checks_for()["migrations"]
    assert not found.ok and "0099_core" in found.message and "newer kiosk" in found.message


def test_font_missing(terminal, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(terminal(extra='[kiosk]\nfont_path = "/nowhere/font.ttf"')))
    found = checks_for()["font"]
    assert not found.ok and "fonts-noto-cjk" in found.fix


def test_printer_problems(terminal, monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_CONFIG", str(terminal(printer=str(tmp_path / "unplugged"))))
    found = checks_for()["printer"]
    assert not found.ok and "does not exist" in found.message and "udev" in found.fix

    text_ = terminal().read_text().replace('backend = "file"', 'backend = "none"')
    Path(os.environ["KIOSK_CONFIG"]).write_text(text_, encoding="utf-8")
    assert "no printer configured" in failing(checks_for())["printer"]
    assert "printer" not in checks_for("web")  # the web host needs none

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    net = terminal().read_text().replace('backend = "file"', f'backend = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout = 1')
    Path(os.environ["KIOSK_CONFIG"]).write_text(net, encoding="utf-8")
    found = checks_for()["printer"]
    assert not found.ok and f"127.0.0.1:{port} does not answer" in found.message

    usb = terminal().read_text().replace('backend = "file"', 'backend = "usb"\nvendor_id = 0x0001\nproduct_id = 0x0001\ntimeout = 1')
    Path(os.environ["KIOSK_CONFIG"]).write_text(usb, encoding="utf-8")
    found = checks_for()["printer"]
    assert not found.ok and "usb" in found.message and "udev" in found.fix


def test_sound_problems(terminal):
    missing = checks_for("display", which=lambda _name: None, audio_devices=lambda: ["/dev/snd/pcmC0D0p"])["sound"]
    assert not missing.ok and missing.fix == "apt-get install espeak-ng"
    silent = checks_for("display", which=lambda name: f"/usr/bin/{name}", audio_devices=lambda: [])["sound"]
    assert not silent.ok and "no audio output device" in silent.message


def test_clock_problems(terminal, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", "yesterday")
    assert "not an ISO-8601 time" in failing(checks_for())["clock"]
    monkeypatch.delenv("KIOSK_NOW")
    monkeypatch.setattr(doctor, "now", lambda tz=None: datetime(2000, 1, 1, tzinfo=timezone.utc))
    assert "the clock says 2000-01-01" in failing(checks_for())["clock"]


def test_clock_against_the_postgresql_server(terminal, monkeypatch, pg_url):
    monkeypatch.setenv("KIOSK_DATABASE_URL", pg_url)
    run_kiosk("db", "upgrade")
    assert checks_for()["clock"].ok and "from the database server" in checks_for()["clock"].message
    real = doctor.now
    monkeypatch.setattr(doctor, "now", lambda tz=None: real(tz) + timedelta(minutes=2))
    found = checks_for()["clock"]
    assert not found.ok and "ahead of the database server" in found.message and "set-ntp" in found.fix


def test_report_shape():
    checks = [doctor.Check("a", True, "fine"), doctor.Check("b", False, "broken", "mend it")]
    assert report(checks) == {"ok": False, "checks": [
        {"name": "a", "ok": True, "message": "fine", "fix": ""},
        {"name": "b", "ok": False, "message": "broken", "fix": "mend it"}]}
    assert checks[1].line() == "FAIL b          broken -> mend it"
