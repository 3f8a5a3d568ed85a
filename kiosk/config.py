"""Settings from one TOML file plus ``KIOSK_*`` environment variables.

Where things come from, in order:

* ``KIOSK_CONFIG``: path of the TOML file; otherwise ``<data dir>/kiosk.toml`` when it exists;
  otherwise the packaged default (the Huaxin center's configuration, ``kiosk/default-config.toml``).
* ``KIOSK_DATA_DIR``: where the SQLite file, the extracted font, secrets and logs live;
  otherwise ``$XDG_DATA_HOME/kiosk`` (``~/.local/share/kiosk``).
* ``KIOSK_DATABASE_URL`` overrides ``[database] url``; ``KIOSK_TERMINAL_ID`` overrides ``[terminal] id``.

This module never imports Kivy: the CLI, the web host and the tests load settings without a window.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.private_files import private_dir

PACKAGED_CONFIG = Path(__file__).with_name("default-config.toml")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class ConfigError(ValueError):
    """The configuration file is missing a value or holds one that cannot work."""


@dataclass(frozen=True)
class SeasonConfig:
    """A named range of month-days (it may wrap the year end) and the plugins it enables."""

    name: str
    title: str
    title_en: str
    start: str  # "MM-DD"
    end: str  # "MM-DD", inclusive
    plugins: tuple[str, ...]

    def contains(self, day: date) -> bool:
        md = (day.month, day.day)
        start = _parse_month_day(self.start)
        end = _parse_month_day(self.end)
        if start <= end:
            return start <= md <= end
        return md >= start or md <= end  # wraps the year end, e.g. 11-15 .. 03-15


@dataclass(frozen=True)
class PrinterConfig:
    """Which python-escpos backend prints the slips, and how to reach it."""

    backend: str = "none"  # none | dummy | file | network | usb | serial
    path: str = ""  # file backend: device node or file
    host: str = ""  # network backend
    port: int = 9100
    vendor_id: int = 0  # usb backend
    product_id: int = 0
    device: str = ""  # serial backend, e.g. /dev/ttyUSB0
    baudrate: int = 9600
    profile: str = ""  # python-escpos capability profile, e.g. "TM-T88V"
    timeout: float = 5.0
    dots: int = 576  # printable width in dots (80 mm paper at 203 dpi)
    status_check: bool = True  # ask a network/usb/serial printer for its status (paper, offline) before each slip


@dataclass(frozen=True)
class Settings:
    """Everything a kiosk, its web host and its CLI need to know about the center."""

    center_name: str
    center_name_en: str
    timezone: str
    base_url: str
    database_url: str
    data_dir: Path
    printer: PrinterConfig
    pin_hash: str
    seasons: tuple[SeasonConfig, ...]
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()
    idle_timeout: float = 60.0
    idle_countdown: float = 15.0
    font_path: str = ""
    show_cursor: bool = False
    default_language: str = "zh_CN"
    token_rate_limit: int = 30  # look-ups per client per minute before 429
    max_body_bytes: int = 1_000_000  # [web] max_body_bytes: larger request bodies get 413 before anything parses them
    trusted_proxies: tuple[str, ...] = ()  # [web] trusted_proxies: addresses/networks whose X-Forwarded-For is believed
    receipt_days: int = 365  # how long a tracking link stays valid unless a plugin says otherwise
    hook_timeout: float = 10.0  # seconds a plugin hook may take before the host gives up on it (0: no limit)
    hook_timeouts: dict[str, float] = field(default_factory=dict)  # per hook, e.g. {"kiosk_daily_tick": 600}
    db_check_seconds: float = 5.0  # the touch shell asks the database this often whether it answers
    terminal_id: str = ""  # [terminal] id or KIOSK_TERMINAL_ID; empty: the host name
    heartbeat_seconds: float = 30.0  # how often each terminal reports to the staff area
    source: Path | None = None
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def season(self, name: str) -> SeasonConfig | None:
        return next((s for s in self.seasons if s.name == name), None)

    def secret_key(self) -> str:
        """The key that signs staff session cookies, created once per data dir and kept private."""
        path = self.data_dir / "secret.key"
        if not path.exists():
            private_dir(self.data_dir)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def default_data_dir() -> Path:
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "kiosk"


def config_path(data_dir: Path | None = None) -> Path:
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env).expanduser()
    candidate = (data_dir or default_data_dir()) / "kiosk.toml"
    return candidate if candidate.exists() else PACKAGED_CONFIG


def load_settings(path: Path | str | None = None) -> Settings:
    """Read the TOML file and the environment into :class:`Settings` (raises :class:`ConfigError`)."""
    data_dir = default_data_dir()
    path = Path(path) if path else config_path(data_dir)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist (set KIOSK_CONFIG to a readable TOML file)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return settings_from_dict(raw, data_dir=data_dir, source=path)


def settings_from_dict(raw: dict[str, Any], data_dir: Path, source: Path | None = None) -> Settings:
    center = raw.get("center", {})
    tz = str(center.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"[center] timezone {tz!r} is not a known time zone (example: Asia/Shanghai)") from exc

    db_url = os.environ.get("KIOSK_DATABASE_URL") or raw.get("database", {}).get("url") or ""
    if not db_url:
        db_url = f"sqlite:///{data_dir / 'kiosk.sqlite3'}"

    web = raw.get("web", {})
    base_url = str(web.get("base_url", "http://127.0.0.1:8080")).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"[web] base_url {base_url!r} must start with http:// or https://")

    printer_raw = dict(raw.get("printer", {}))
    for key in ("vendor_id", "product_id"):
        if isinstance(printer_raw.get(key), str):
            printer_raw[key] = int(printer_raw[key], 0)
    try:
        printer = PrinterConfig(**printer_raw)
    except TypeError as exc:
        raise ConfigError(f"[printer] has an unknown key: {exc}") from exc
    if printer.backend not in {"none", "dummy", "file", "network", "usb", "serial"}:
        raise ConfigError(
            f"[printer] backend {printer.backend!r} is not one of none, dummy, file, network, usb, serial"
        )

    seasons = tuple(_season(s) for s in raw.get("seasons", []))
    names = [s.name for s in seasons]
    if len(set(names)) != len(names):
        raise ConfigError("two [[seasons]] share a name; season names must be unique")

    max_body = int(web.get("max_body_bytes", 1_000_000))
    if not 1024 <= max_body <= 1_000_000_000:
        raise ConfigError(f"[web] max_body_bytes {max_body} must be between 1024 and 1000000000")
    trusted_proxies = _networks(web.get("trusted_proxies", []))

    terminal = raw.get("terminal", {})
    heartbeat = float(terminal.get("heartbeat_seconds", 30))
    if not 1 <= heartbeat <= 3600:
        raise ConfigError(f"[terminal] heartbeat_seconds {heartbeat:g} must be between 1 and 3600")
    terminal_id = str(os.environ.get("KIOSK_TERMINAL_ID") or terminal.get("id", "")).strip()
    if len(terminal_id) > 64:
        raise ConfigError("[terminal] id must be at most 64 characters")

    cal = raw.get("calendar", {})
    kiosk_raw = raw.get("kiosk", {})
    staff = raw.get("staff", {})
    return Settings(
        center_name=str(center.get("name", "社区服务中心")),
        center_name_en=str(center.get("name_en", center.get("name", "Community Service Center"))),
        timezone=tz,
        base_url=base_url,
        database_url=db_url,
        data_dir=data_dir,
        printer=printer,
        pin_hash=str(staff.get("pin_hash", "")),
        seasons=seasons,
        extra_holidays=tuple(_dates(cal.get("extra_holidays", []), "extra_holidays")),
        extra_workdays=tuple(_dates(cal.get("extra_workdays", []), "extra_workdays")),
        idle_timeout=float(kiosk_raw.get("idle_timeout", 60)),
        idle_countdown=float(kiosk_raw.get("idle_countdown", 15)),
        font_path=str(kiosk_raw.get("font_path", "")),
        show_cursor=bool(kiosk_raw.get("show_cursor", False)),
        default_language=str(kiosk_raw.get("language", "zh_CN")),
        token_rate_limit=int(web.get("token_rate_limit", 30)),
        max_body_bytes=max_body,
        trusted_proxies=trusted_proxies,
        receipt_days=int(raw.get("receipts", {}).get("valid_days", 365)),
        hook_timeout=float(kiosk_raw.get("hook_timeout", 10)),
        hook_timeouts={str(k): float(v) for k, v in kiosk_raw.get("hook_timeouts", {}).items()},
        db_check_seconds=float(kiosk_raw.get("db_check_seconds", 5)),
        terminal_id=terminal_id,
        heartbeat_seconds=heartbeat,
        source=source,
        plugin_settings={k: dict(v) for k, v in raw.get("plugins", {}).items() if isinstance(v, dict)},
    )


def _parse_month_day(value: str) -> tuple[int, int]:
    m = _MONTH_DAY.match(value or "")
    if not m:
        raise ConfigError(f"season date {value!r} must be MM-DD, for example 11-15")
    month, day = int(m.group(1)), int(m.group(2))
    try:
        date(2024, month, day)  # a leap year, so 02-29 is allowed
    except ValueError as exc:
        raise ConfigError(f"season date {value!r} is not a day of the year") from exc
    return month, day


def _season(raw: dict[str, Any]) -> SeasonConfig:
    name = str(raw.get("name", "")).strip()
    if not name:
        raise ConfigError("every [[seasons]] needs a name")
    start, end = str(raw.get("start", "")), str(raw.get("end", ""))
    _parse_month_day(start)
    _parse_month_day(end)
    title = str(raw.get("title", name))
    return SeasonConfig(
        name=name,
        title=title,
        title_en=str(raw.get("title_en", title)),
        start=start,
        end=end,
        plugins=tuple(str(p) for p in raw.get("plugins", [])),
    )


def _dates(values: list[Any], key: str) -> list[date]:
    out = []
    for v in values:
        if isinstance(v, date):
            out.append(v)
            continue
        try:
            out.append(date.fromisoformat(str(v)))
        except ValueError as exc:
            raise ConfigError(f"[calendar] {key}: {v!r} is not a date like 2027-02-06") from exc
    return out


def _networks(values: Any) -> tuple[str, ...]:
    """``[web] trusted_proxies``: addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``), checked here."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise ConfigError("[web] trusted_proxies must be a list of addresses, e.g. [\"127.0.0.1\", \"10.0.0.0/24\"]")
    out = []
    for v in values:
        try:
            out.append(str(ipaddress.ip_network(str(v).strip(), strict=False)))
        except ValueError as exc:
            raise ConfigError(f"[web] trusted_proxies: {str(v)[:60]!r} is not an address or network like 10.0.0.0/24") from exc
    return tuple(out)
