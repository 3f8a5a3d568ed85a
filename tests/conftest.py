"""Shared fixtures: an isolated data dir, a database on SQLite or PostgreSQL, and a built context.

PostgreSQL comes from ``KIOSK_TEST_PG_URL`` (``make test`` starts a throwaway cluster and sets it);
each test gets a database of its own, dropped afterwards. Without the variable the PostgreSQL
variants fail with a message saying how to run them: they are never silently skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ.setdefault("KIVY_NO_ARGS", "1")
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("KIVY_HOME"):
    # `make test` runs two pytest workers side by side: each gets a Kivy home of its own, so neither
    # reads a config.ini the other is half-way through writing.
    os.environ["KIVY_HOME"] = os.path.join(os.environ["KIVY_HOME"], os.environ["PYTEST_XDIST_WORKER"])

BACKENDS = ["sqlite", "postgresql"]


class KioskNow:
    """The pinned clock of a test: ``kiosk_now("2026-12-01T09:00:00+08:00")``, or ``kiosk_now.at("09:30")``.

    Every command reads KIOSK_NOW (kiosk/clock.py), so pinning the variable moves the web app, the CLI run
    in-process and any ``kiosk`` subprocess started with this environment alike.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.value = ""

    def __call__(self, value: str) -> str:
        self.value = value
        self._monkeypatch.setenv("KIOSK_NOW", value)
        return value

    def at(self, hhmm: str, day: str = "2026-11-30") -> str:
        """``hhmm`` on ``day`` in Tai'an (UTC+8); the day defaults to the pinned Monday."""
        return self(f"{day}T{hhmm}:00+08:00")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs with its own data dir, the packaged config and a free-running clock."""
    data = tmp_path / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_DATABASE_URL", raising=False)
    monkeypatch.delenv("KIOSK_NOW", raising=False)
    return data


def pg_admin_url() -> str:
    url = os.environ.get("KIOSK_TEST_PG_URL")
    if not url:
        pytest.fail("KIOSK_TEST_PG_URL is not set: run the tests with `make test`, which starts PostgreSQL")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test."""
    admin = pg_admin_url()
    name = f"kiosk_t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, isolated_env: Path) -> str:
    """The database URL of this test, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{isolated_env / 'kiosk.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def kiosk_now(monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> KioskNow:
    """KIOSK_NOW pinned to Monday 30 November 2026, 09:00 (``kit.MONDAY_9AM``) for this test; call it to move."""
    from kit import MONDAY_9AM

    clock = KioskNow(monkeypatch)
    clock(MONDAY_9AM)
    return clock


@pytest.fixture
def make_host():
    """A plugin host with no built-ins and no entry points: tests register exactly what they need."""
    from kiosk.pluginhost import PluginHost

    def factory(**plugins) -> PluginHost:
        host = PluginHost(builtins=(), load_entrypoints=False)
        for name, obj in plugins.items():
            host.register(obj, name=name)
        return host

    return factory


@pytest.fixture
def make_ctx(monkeypatch: pytest.MonkeyPatch, isolated_env: Path):
    """Build a migrated KioskContext; ``url`` defaults to SQLite in the test's data dir."""
    from kiosk.config import load_settings
    from kiosk.context import build_context

    made = []

    def factory(host, url: str | None = None, **env):
        if url:
            monkeypatch.setenv("KIOSK_DATABASE_URL", url)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        ctx = build_context(load_settings(), host)
        made.append(ctx)
        return ctx

    yield factory
    for ctx in made:
        ctx.engine.dispose()


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture):
    """Run ``kiosk ARGS`` in this process (on the database a test's context fixture set up): (exit code, stdout, stderr).

    A plugin's test module asks for its context first, e.g. ``def kiosk(ictx, run_cli): return run_cli``.
    """
    from kiosk.cli import main

    def run(*args: str):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run
