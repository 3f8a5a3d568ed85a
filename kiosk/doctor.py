"""``kiosk doctor``: is this machine ready to be a kiosk, a hall display or the web host?

Why: the person setting up a terminal is an IT helper, not the kiosk's developer. Each check answers
in one line what is wrong and the one thing to do about it, and the command exits 0 only when every
check that applies to the role passes, so it can also gate a deployment script.

Checks never change anything (no migration, no file created) and never raise: a check that crashes
is reported as failed with the exception's text.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.clock import DEFAULT_TIMEZONE, ClockError, now, pinned_now

#: The demo's staff PIN; a terminal in a real lobby must not keep it.
DEMO_PIN = "246810"
#: Terminal clocks further apart than this from the database server's make deadlines and tickets disagree.
MAX_SKEW_SECONDS = 30.0
#: A clock before this is a machine without a working RTC or time sync (slips would carry 1970 or 2000).
EARLIEST_SANE_YEAR = 2025
ROLES = ("kiosk", "display", "web")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name:<10} {self.message}" + (f" -> {self.fix}" if self.fix and not self.ok else "")


@dataclass
class Environment:
    """What the checks look at; tests replace parts of it (the system's zone, the audio devices…)."""

    settings: object | None = None
    settings_error: str = ""
    host: object | None = None
    role: str = "kiosk"
    system_zone: Callable[[], str] = field(default=lambda: system_timezone())
    audio_devices: Callable[[], list[str]] = field(default=lambda: sorted(glob.glob("/dev/snd/pcmC*D*p")))
    which: Callable[[str], str | None] = shutil.which
    engine: object | None = None


def run_checks(env: Environment) -> list[Check]:
    checks: list[Check] = []
    checks.append(_guard("config", lambda: check_config(env)))
    if env.settings is None:
        return checks
    if env.role == "web":
        checks.append(_guard("secret key", lambda: check_secret_key(env.settings)))
    if env.role == "kiosk":
        checks.append(_guard("staff PIN", lambda: check_pin(env.settings)))
    db = _guard("database", lambda: check_database(env))
    checks.append(db)
    if db.ok:
        checks.append(_guard("migrations", lambda: check_migrations(env)))
    if env.role == "web":
        checks.append(_guard("demo logins", lambda: check_demo_credentials(env, db.ok)))
    if env.role in ("kiosk", "display"):
        checks.append(_guard("font", lambda: check_font(env.settings)))
    if env.role == "kiosk" or env.settings.printer.backend != "none":
        checks.append(_guard("printer", lambda: check_printer(env.settings, env.role)))
    if env.role == "display":
        checks.append(_guard("sound", lambda: check_sound(env)))
    checks.append(_guard("time zone", lambda: check_timezone(env)))
    checks.append(_guard("clock", lambda: check_clock(env, db.ok)))
    return checks


def _guard(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as exc:
        return Check(name, False, f"the check itself failed: {type(exc).__name__}: {exc}", "run with -v and report it")


# -- config ----------------------------------------------------------------------------------------
def check_config(env: Environment) -> Check:
    if env.settings is None:
        return Check("config", False, env.settings_error or "the configuration did not load",
                     "fix the file named above (see kiosk/default-config.toml for every key)")
    s = env.settings
    where = str(s.source) if s.source else "packaged default"
    from kiosk.config import PACKAGED_CONFIG

    if s.source and Path(s.source).resolve() == PACKAGED_CONFIG.resolve():
        return Check("config", False, "the packaged demo configuration is in use",
                     "copy kiosk/default-config.toml to /etc/kiosk/kiosk.toml, edit it, set KIOSK_CONFIG")
    host = urlsplit(s.base_url).hostname or ""
    if host in LOCAL_HOSTS:
        return Check("config", False, f"[web] base_url {s.base_url} points at this machine: phones cannot open the QR links",
                     "set [web] base_url to the web host's address on the LAN, e.g. http://192.168.1.10:8080")
    data = Path(s.data_dir)
    if data.exists() and not os.access(data, os.W_OK | os.X_OK):
        return Check("config", False, f"data dir {data} is not writable by this user",
                     f"chown -R <kiosk user> {data}")
    return Check("config", True, f"{where} loaded; QR links go to {s.base_url}; data in {data}")


def check_secret_key(settings) -> Check:
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        return Check("secret key", False, f"{path} does not exist: staff logins cannot be signed",
                     "start `kiosk serve` once (it creates the key), or copy the key of the other web host")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check("secret key", False, f"{path} is readable by others (mode {mode:o})", f"chmod 600 {path}")
    if len(path.read_text().strip()) < 32:
        return Check("secret key", False, f"{path} is too short to be safe", f"delete {path} and start `kiosk serve` again")
    return Check("secret key", True, f"{path} present, private")


def check_pin(settings) -> Check:
    from kiosk.security import verify_secret

    if not settings.pin_hash:
        return Check("staff PIN", False, "no staff PIN is set: the admin screen cannot be opened",
                     "make one with `kiosk pin-hash` and put it in [staff] pin_hash")
    if verify_secret(DEMO_PIN, settings.pin_hash):
        return Check("staff PIN", False, f"the demo PIN {DEMO_PIN} is still set",
                     "make a new one with `kiosk pin-hash` and put it in [staff] pin_hash")
    return Check("staff PIN", True, "set, not the demo PIN")


def check_demo_credentials(env: Environment, db_ok: bool) -> Check:
    """The README publishes the demo logins and PIN: the web host must not go live while one works.

    A demo password counts as working until it is changed (even though its first login is forced to
    change it: whoever logs in first then owns the account).
    """
    from sqlalchemy.orm import Session

    from kiosk.security import verify_secret
    from kiosk.staff import demo_logins_in_use

    working: list[str] = []
    if db_ok and env.engine is not None:
        with Session(env.engine) as session:
            working = [f"{name} (password from the README)" for name in demo_logins_in_use(session)]
    pin = bool(env.settings.pin_hash) and verify_secret(DEMO_PIN, env.settings.pin_hash)
    if pin:
        working.append(f"the kiosk staff PIN {DEMO_PIN}")
    if not working:
        return Check("demo logins", True, "no demo login or demo PIN works" if db_ok else "demo PIN not set (logins not checked: no database)")
    fixes = []
    if len(working) > pin:
        fixes.append("log in and change the password at /staff/password (an administrator can reset or deactivate logins at "
                     "/staff/accounts), or `kiosk staff passwd USER` / `kiosk staff deactivate USER` (new logins: `kiosk staff add`)")
    if pin:
        fixes.append("make a new PIN with `kiosk pin-hash` and put it in [staff] pin_hash")
    return Check("demo logins", False, "demo credentials still work: " + ", ".join(working), "; ".join(fixes))


# -- database --------------------------------------------------------------------------------------
def open_engine(settings):
    """An engine that fails fast (5 s) instead of hanging on an unreachable server; None for a missing SQLite file."""
    from sqlalchemy.engine import make_url

    from kiosk.db import make_engine

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return make_engine(settings.database_url)
    return make_engine(settings.database_url, connect_args={"connect_timeout": 5}, pool_pre_ping=False)


def check_database(env: Environment) -> Check:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    url = make_url(env.settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not path.exists():
            return Check("database", False, f"SQLite file {path} does not exist yet", "run `kiosk db upgrade`")
        if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK):
            return Check("database", False, f"SQLite file {path} (or its folder) is not writable by this user",
                         f"chown <kiosk user> {path} {path.parent}")
    try:
        env.engine = env.engine or open_engine(env.settings)
        with env.engine.connect() as conn:
            version = conn.execute(text("SELECT sqlite_version()" if url.get_backend_name() == "sqlite" else "SHOW server_version")).scalar_one()
    except Exception as exc:
        first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        reason = first[0] if first else type(exc).__name__
        fix = ("check that PostgreSQL runs on the server, that the firewall lets this terminal reach port "
               f"{url.port or 5432}, and the user/password in [database] url") if url.get_backend_name() != "sqlite" \
            else "check the file and its permissions"
        return Check("database", False, f"{shown} is not reachable: {reason}", fix)
    return Check("database", True, f"{shown} reachable ({url.get_backend_name()} {version})")


def check_migrations(env: Environment) -> Check:
    from pathlib import Path as _P

    from kiosk import migrate

    dirs = []
    if env.host is not None:
        env.host.call("kiosk_models")
        dirs = [_P(p) for _n, p in env.host.call("kiosk_migrations") if _P(p).is_dir()]
    if migrate.is_current(env.engine, dirs):
        return Check("migrations", True, f"schema current ({', '.join(migrate.current_heads(env.engine))})")
    from alembic.script import ScriptDirectory

    known = {r.revision for r in ScriptDirectory.from_config(migrate.alembic_config(env.engine, dirs)).walk_revisions()}
    have = migrate.current_heads(env.engine)
    if any(h not in known for h in have):
        return Check("migrations", False, f"the database has revisions this kiosk does not know ({', '.join(h for h in have if h not in known)}): "
                     "it was upgraded by a newer kiosk", "upgrade the kiosk on this terminal to the version of the others")
    if migrate.pending(env.engine, dirs):
        return Check("migrations", False, f"the schema is behind this kiosk (at {', '.join(have) or 'nothing'})",
                     "run `kiosk db upgrade` (or start the kiosk: it upgrades at start)")
    return Check("migrations", True, f"schema current ({', '.join(have)})")


# -- devices ---------------------------------------------------------------------------------------
def check_font(settings) -> Check:
    from kiosk.fonts import FontMissing, find_faces

    try:
        faces = find_faces(settings.font_path, settings.data_dir)
    except FontMissing as exc:
        return Check("font", False, str(exc).split(":")[0], "apt-get install fonts-noto-cjk (or set [kiosk] font_path)")
    return Check("font", True, f"Chinese face {faces.regular}")


def check_printer(settings, role: str) -> Check:
    cfg = settings.printer
    if cfg.backend == "none":
        return Check("printer", False, "no printer configured: residents get no paper slip",
                     "set [printer] backend (usb, file, network or serial); see the README's Deployment section")
    if cfg.backend == "dummy":
        return Check("printer", True, "dummy printer (tests only: nothing is printed)")
    if cfg.backend in ("file", "serial"):
        dev = Path(cfg.path if cfg.backend == "file" else cfg.device)
        if not str(dev) or not dev.exists():
            return Check("printer", False, f"{dev or '(no path)'} does not exist: the printer is unplugged, off, or named differently",
                         "plug it in and switch it on; install deploy/udev/60-kiosk-printer.rules for /dev/kiosk-printer")
        if not os.access(dev, os.W_OK):
            return Check("printer", False, f"this user cannot write to {dev}",
                         "install deploy/udev/60-kiosk-printer.rules (group lp) and add the kiosk user to group lp")
        return Check("printer", True, f"{cfg.backend} printer at {dev} writable")
    if cfg.backend == "network":
        try:
            with socket.create_connection((cfg.host, cfg.port), timeout=min(cfg.timeout, 5.0)):
                pass
        except OSError as exc:
            return Check("printer", False, f"network printer {cfg.host}:{cfg.port} does not answer ({exc.strerror or exc})",
                         "check its power, cable and IP address (print its self-test page) and [printer] host")
    if cfg.backend == "usb":
        try:
            import usb.core  # noqa: F401  (python-escpos's USB backend needs pyusb)
        except ImportError:
            return Check("printer", False, "backend \"usb\" needs the pyusb package, which is not installed",
                         'use backend = "file" with path = "/dev/kiosk-printer" (deploy/udev/60-kiosk-printer.rules), '
                         "or pip install pyusb into the kiosk's venv")
    from kiosk.printing import printer_status

    state, detail = printer_status(settings)
    if state == "online":
        return Check("printer", True, f"{cfg.backend} printer ready")
    if state == "paper-out":
        return Check("printer", False, "the printer is out of paper", "load an 80 mm thermal paper roll")
    fix = ("check the USB cable and power; install deploy/udev/60-kiosk-printer.rules and replug"
           if cfg.backend == "usb" else "check its power and cable")
    return Check("printer", False, f"{cfg.backend} printer {state}: {detail}", fix)


def check_sound(env: Environment) -> Check:
    if not env.which("espeak-ng"):
        return Check("sound", False, "espeak-ng is missing: calls are shown but not spoken", "apt-get install espeak-ng")
    devices = env.audio_devices()
    if not devices:
        return Check("sound", False, "no audio output device (/dev/snd has no playback device): calls are shown but not spoken",
                     "connect the speakers/TV audio, check the sound card with `aplay -l`")
    if not any(os.access(d, os.W_OK) for d in devices):
        return Check("sound", False, f"this user cannot open {devices[0]}", "add the kiosk user to group audio")
    return Check("sound", True, f"espeak-ng present, audio device {devices[0]}")


# -- time ------------------------------------------------------------------------------------------
def system_timezone() -> str:
    """The machine's zone name: $TZ, /etc/timezone, or the /etc/localtime link."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        return tz
    try:
        return Path("/etc/timezone").read_text().strip()
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        return target.split("zoneinfo/", 1)[-1]
    except OSError:
        return "UTC"


def check_timezone(env: Environment) -> Check:
    center = env.settings.timezone
    system = env.system_zone()
    if center != DEFAULT_TIMEZONE:
        note = f" (the center's zone is {center}, not {DEFAULT_TIMEZONE})"
    else:
        note = ""
    if system != center:
        return Check("time zone", False, f"this machine's zone is {system}, the center's is {center}: logs and timers disagree{note}",
                     f"timedatectl set-timezone {center}")
    return Check("time zone", True, f"{center}{note}")


def check_clock(env: Environment, db_ok: bool) -> Check:
    from sqlalchemy import text

    try:
        pinned = pinned_now()
    except ClockError as exc:
        return Check("clock", False, str(exc), "unset KIOSK_NOW")
    if pinned is not None:
        return Check("clock", False, f"KIOSK_NOW={os.environ.get('KIOSK_NOW')} pins the clock (demo/test mode)",
                     "remove KIOSK_NOW from the environment and the systemd unit")
    local = now(timezone.utc)
    if local.year < EARLIEST_SANE_YEAR:
        return Check("clock", False, f"the clock says {local:%Y-%m-%d %H:%M} UTC", "timedatectl set-ntp true (or set the date)")
    if not db_ok or env.engine is None or env.engine.dialect.name != "postgresql":
        return Check("clock", True, f"{local.astimezone(env.settings.tz):%Y-%m-%d %H:%M:%S %Z}")
    with env.engine.connect() as conn:
        server: datetime = conn.execute(text("SELECT now()")).scalar_one()
    local = now(timezone.utc)  # after the round trip, so the query's own time does not count as skew
    skew = (local - server).total_seconds()
    if abs(skew) > MAX_SKEW_SECONDS:
        side = "ahead of" if skew > 0 else "behind"
        return Check("clock", False, f"this terminal's clock is {abs(skew):.0f} s {side} the database server's",
                     "turn on time sync on both machines: timedatectl set-ntp true (or chrony)")
    return Check("clock", True, f"{local.astimezone(env.settings.tz):%Y-%m-%d %H:%M:%S %Z}, {skew:+.1f} s from the database server")


def report(checks: list[Check]) -> dict:
    return {"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}
