"""Config file, environment overrides, seasons and the pinned clock."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk import clock
from kiosk.config import PACKAGED_CONFIG, ConfigError, load_settings
from kiosk.seasons import current_seasons


def write(tmp_path, body: str):
    path = tmp_path / "kiosk.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_packaged_config_is_the_huaxin_center():
    s = load_settings()
    assert s.source == PACKAGED_CONFIG
    assert s.center_name == "华新社区服务中心"
    assert s.timezone == "Asia/Shanghai"
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("kiosk.sqlite3")
    assert {x.name for x in s.seasons} >= {"spring-term", "summer", "autumn-term", "heating"}


def test_kiosk_config_and_database_url_from_env(tmp_path, monkeypatch):
    path = write(tmp_path, '[center]\nname = "测试中心"\n[web]\nbase_url = "https://k.example/"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    monkeypatch.setenv("KIOSK_DATABASE_URL", "postgresql+psycopg://u@h/db")
    s = load_settings()
    assert s.center_name == "测试中心"
    assert s.base_url == "https://k.example"  # no trailing slash: URLs stay short and canonical
    assert s.database_url == "postgresql+psycopg://u@h/db"


def test_data_dir_config_is_found(isolated_env):
    isolated_env.mkdir(parents=True)
    (isolated_env / "kiosk.toml").write_text('[center]\nname = "数据目录中心"\n', encoding="utf-8")
    assert load_settings().center_name == "数据目录中心"


@pytest.mark.parametrize(
    "body, words",
    [
        ("[center\n", "not valid TOML"),
        ('[center]\ntimezone = "Mars/Olympus"\n', "time zone"),
        ('[web]\nbase_url = "kiosk.local"\n', "http"),
        ('[printer]\nbackend = "laser"\n', "backend"),
        ('[printer]\ncolour = "red"\n', "unknown key"),
        ('[[seasons]]\nname = "x"\nstart = "1-1"\nend = "01-01"\n', "MM-DD"),
        ('[[seasons]]\nname = "x"\nstart = "02-30"\nend = "03-01"\n', "not a day"),
        ('[[seasons]]\nstart = "01-01"\nend = "02-01"\n', "needs a name"),
        ('[[seasons]]\nname="a"\nstart="01-01"\nend="01-02"\n[[seasons]]\nname="a"\nstart="01-01"\nend="01-02"\n', "unique"),
        ('[calendar]\nextra_holidays = ["tomorrow"]\n', "not a date"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, monkeypatch, body, words):
    monkeypatch.setenv("KIOSK_CONFIG", str(write(tmp_path, body)))
    with pytest.raises(ConfigError, match=words):
        load_settings()


def test_missing_config_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()


def test_seasons_wrap_the_year_end():
    s = load_settings()
    heating = s.season("heating")
    assert heating.contains(date(2026, 11, 15))
    assert heating.contains(date(2026, 12, 31))
    assert heating.contains(date(2027, 1, 1))
    assert heating.contains(date(2027, 3, 15))
    assert not heating.contains(date(2027, 3, 16))
    assert not heating.contains(date(2026, 11, 14))
    assert [x.name for x in current_seasons(s, date(2026, 11, 30))] == ["autumn-term", "heating"]
    assert [x.name for x in current_seasons(s, date(2026, 7, 15))] == ["summer"]


def test_kiosk_now_pins_the_clock(monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", "2026-12-31T23:30:00-01:00")
    # 00:30 UTC on Jan 1 is 08:30 in Tai'an: the business day follows the center's zone.
    assert clock.now("Asia/Shanghai") == datetime.fromisoformat("2027-01-01T08:30:00+08:00")
    assert clock.today("Asia/Shanghai") == date(2027, 1, 1)
    assert clock.utcnow().isoformat() == "2027-01-01T00:30:00+00:00"


@pytest.mark.parametrize("value", ["yesterday", "2026-11-30T09:00:00"])
def test_bad_kiosk_now_is_refused(monkeypatch, value):
    monkeypatch.setenv("KIOSK_NOW", value)
    with pytest.raises(clock.ClockError):
        clock.now()


def test_secret_key_is_created_once_and_private(isolated_env):
    s = load_settings()
    key = s.secret_key()
    assert len(key) >= 48 and key == s.secret_key()
    assert (isolated_env / "secret.key").stat().st_mode & 0o077 == 0
