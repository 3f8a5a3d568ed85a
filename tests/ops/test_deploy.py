"""The files in deploy/: systemd units that systemd itself accepts, and what each must say.

``systemd-analyze verify`` (Debian package ``systemd``, installed by ``make test``) loads every unit the
way systemd would: unknown keys, bad values and missing executables are errors. The units name the
kiosk's venv at /opt/kiosk; for the check that path points at this checkout's venv.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("kiosk*.*"))
INSTALLED_KIOSK = "/opt/kiosk/.venv/bin/kiosk"
#: Executables of packages only a kiosk PC has (README: Deployment); replaced by /bin/true for the check.
KIOSK_PC_ONLY = {"/usr/bin/Xorg"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if not path:
        pytest.fail("systemd-analyze is missing: apt-get install systemd (make test installs it)")
    return path


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = systemd_analyze()
    venv_kiosk = Path(sys.executable).with_name("kiosk")
    assert venv_kiosk.exists()
    copies = []
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace(INSTALLED_KIOSK, str(venv_kiosk))
        for exe in KIOSK_PC_ONLY:
            if not Path(exe).exists():
                text = text.replace(exe, "/bin/true")
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(str(copy))
    proc = subprocess.run([analyze, "verify", *copies], capture_output=True, text=True, cwd=tmp_path)
    # Warnings (an unknown key, a misspelled section) do not change the exit code: none are allowed either.
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr
    assert len(copies) == 8


def test_verify_would_catch_a_mistake(tmp_path):
    analyze = systemd_analyze()
    broken = tmp_path / "kiosk.service"
    broken.write_text((DEPLOY / "systemd" / "kiosk.service").read_text().replace("WatchdogSec=", "WatchdogSecs=")
                      .replace(INSTALLED_KIOSK, str(Path(sys.executable).with_name("kiosk"))), encoding="utf-8")
    proc = subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True)
    assert "Unknown key" in proc.stderr and "WatchdogSecs" in proc.stderr


@pytest.mark.parametrize("name, command", [
    ("kiosk.service", "kiosk run --fullscreen"),
    ("kiosk-display.service", "kiosk run --role display --fullscreen"),
])
def test_touch_shells_are_watched_and_always_restarted(name, command):
    u = unit(name)
    service = u["Service"]
    assert service["ExecStart"] == f"/opt/kiosk/.venv/bin/{command}"
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["Restart"] == "always" and int(service["WatchdogSec"]) >= 10
    assert "DISPLAY=:0" in service["Environment"] and service["User"] == "kiosk"
    assert u["Unit"]["Requires"] == "kiosk-x.service" and u["Unit"]["StartLimitIntervalSec"] == "0"
    assert service["EnvironmentFile"] == "/etc/kiosk/kiosk.env"


def test_x_server_is_locked_down():
    args = unit("kiosk-x.service")["Service"]["ExecStart"].split()
    assert {"-nocursor", "-nolisten", "-dpms", "-novtswitch"} <= set(args) and args[args.index("-s") + 1] == "0"
    conf = (DEPLOY / "xorg" / "10-kiosk.conf").read_text()
    for option in ("DontVTSwitch", "DontZap", "BlankTime"):
        assert re.search(rf'Option "{option}"\s+"(true|0)"', conf)


def test_web_host_runs_several_workers():
    service = unit("kiosk-web.service")["Service"]
    assert service["ExecStart"].startswith("/opt/kiosk/.venv/bin/kiosk serve --host 0.0.0.0 --port 8080 --workers ")
    assert service["Restart"] == "always"


@pytest.mark.parametrize("timer, service, command", [
    ("kiosk-tick.timer", "kiosk-tick.service", "kiosk tick"),
    ("kiosk-backup.timer", "kiosk-backup.service", "kiosk backup --out /var/backups/kiosk --keep 14"),
])
def test_timers_run_in_the_centers_time_zone(timer, service, command):
    analyze = systemd_analyze()
    spec = unit(timer)["Timer"]["OnCalendar"]
    assert spec.endswith(" Asia/Shanghai") and unit(timer)["Timer"]["Persistent"] == "true"
    proc = subprocess.run([analyze, "calendar", spec], capture_output=True, text=True)
    assert proc.returncode == 0 and "Next elapse" in proc.stdout, proc.stderr
    assert unit(service)["Service"]["ExecStart"] == f"/opt/kiosk/.venv/bin/{command}"
    assert unit(service)["Service"]["Type"] == "oneshot"


UDEV_PAIR = re.compile(r'^\s*([A-Z]+(?:\{[A-Za-z_]+\})?)\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*$')
MATCH_KEYS = {"SUBSYSTEM", "KERNEL", "ATTRS", "ATTR", "ENV"}
ASSIGN_KEYS = {"GROUP", "MODE", "SYMLINK", "OWNER"}


def test_printer_udev_rule_is_well_formed_and_gives_a_stable_name():
    rules = [line for line in (DEPLOY / "udev" / "60-kiosk-printer.rules").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert len(rules) == 2
    for rule in rules:
        pairs = [UDEV_PAIR.match(part) for part in rule.split(", ")]
        assert all(pairs), rule
        for m in pairs:
            key, op, _value = m.groups()
            base = key.split("{")[0]
            assert (base in MATCH_KEYS and op in ("==", "!=")) or (base in ASSIGN_KEYS and op in ("=", "+=")), rule
        values = {m.group(1): m.group(3) for m in pairs}
        assert values["GROUP"] == "lp" and values["MODE"] == "0660"
    assert 'SYMLINK+="kiosk-printer"' in rules[0] and 'SUBSYSTEM=="usbmisc"' in rules[0]
    # The name the README, the doctor and the config comments give.
    assert "/dev/kiosk-printer" in (ROOT / "kiosk" / "doctor.py").read_text()
    assert "/dev/kiosk-printer" in (ROOT / "README.md").read_text()


def test_environment_file_points_at_config_and_data_and_never_pins_the_clock():
    env = dict(line.split("=", 1) for line in (DEPLOY / "kiosk.env").read_text().splitlines()
               if line and not line.startswith("#"))
    assert env == {"KIOSK_CONFIG": "/etc/kiosk/kiosk.toml", "KIOSK_DATA_DIR": "/var/lib/kiosk"}
