"""A failed statement never repeats the values it was given (issue 14, finding 8).

SQLAlchemy printed a failing statement's parameters in every error (``[parameters: ('13912345678', …)]``)
and PostgreSQL quotes them itself (``DETAIL: Key (phone)=(…)``, ``Failing row contains (…)``). Those errors
reach the log, the server-error page, the heartbeat's ``last_error`` and the plugin error records. Here a
plugin's start-up hook and one of its pages fail on a resident's phone, on SQLite and PostgreSQL, and the
phone is looked for everywhere the error went.
"""

from __future__ import annotations

import logging

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from kiosk import hookimpl
from kiosk.heartbeat import Heartbeat
from kiosk.web.app import create_app

PHONE = "13912345678"
DIGITS = "12345678"  # any long run of the phone's digits counts as a leak


class Probe:
    """A plugin whose start-up and whose page each run a statement that fails on the resident's phone."""

    @hookimpl
    def kiosk_startup(self, ctx):
        _table(ctx)
        with ctx.transaction() as s:
            s.execute(text("INSERT INTO leak_probe (phone, n) VALUES (:phone, :n)"), {"phone": PHONE, "n": 1})  # duplicate

    @hookimpl
    def kiosk_web_routes(self, ctx):
        router = APIRouter()

        @router.get("/probe/{kind}")
        def probe(kind: str):
            statement = {"unique": "INSERT INTO leak_probe (phone, n) VALUES (:phone, 1)",
                         "check": "INSERT INTO leak_probe (phone, n) VALUES (:phone, 0)",
                         "notnull": "INSERT INTO leak_probe (phone, n) VALUES (:phone, NULL)"}[kind]
            with ctx.transaction() as s:
                s.execute(text(statement), {"phone": PHONE})
            return {"ok": True}

        return [router]


def _table(ctx) -> None:
    with ctx.transaction() as s:
        s.execute(text("CREATE TABLE IF NOT EXISTS leak_probe (phone VARCHAR(20) NOT NULL UNIQUE, n INTEGER NOT NULL CHECK (n > 0))"))
        if not s.execute(text("SELECT 1 FROM leak_probe")).first():
            s.execute(text("INSERT INTO leak_probe (phone, n) VALUES (:phone, 1)"), {"phone": PHONE})


@pytest.fixture
def ctx(make_host, make_ctx, db_url):
    return make_ctx(make_host(probe=Probe()), db_url)


def test_the_error_itself_names_what_failed_but_not_the_values(ctx):
    with pytest.raises(IntegrityError) as failed:
        with ctx.transaction() as s:
            s.execute(text("INSERT INTO leak_probe (phone, n) VALUES (:phone, 0)"), {"phone": PHONE})
    message = str(failed.value)
    assert DIGITS not in message and DIGITS not in str(failed.value.orig) and "parameters hidden" in message
    assert "leak_probe" in message or "n > 0" in message or "check" in message.lower()  # still says what went wrong


def test_a_failed_start_up_hook_leaves_no_phone_in_the_heartbeat_or_the_plugin_errors(ctx):
    assert ctx.last_error is not None and "IntegrityError" in ctx.last_error[1]
    assert DIGITS not in ctx.last_error[1]
    row = Heartbeat(ctx, "web", printer=None).row()
    assert row["last_error"] and DIGITS not in row["last_error"]
    assert "probe" in ctx.last_errors() and DIGITS not in ctx.last_errors()["probe"]


@pytest.mark.parametrize("kind", ["unique", "check", "notnull"])
def test_a_failed_page_leaves_no_phone_in_the_log_or_the_error_page(ctx, caplog, kind):
    caplog.set_level(logging.DEBUG)
    client = TestClient(create_app(ctx), raise_server_exceptions=False)
    r = client.get(f"/probe/{kind}")
    assert r.status_code in (500, 503)
    assert DIGITS not in r.text
    logged = "\n".join(caplog.messages) + "\n".join(rec.exc_text or "" for rec in caplog.records)
    for rec in caplog.records:
        if rec.exc_info:
            logged += logging.Formatter().formatException(rec.exc_info)
    assert "leak_probe" in logged  # the failure was logged…
    assert DIGITS not in logged  # …without the resident's phone


def test_connection_errors_keep_their_whole_message():
    """Only errors of a statement are shortened: an unreachable server still says where it tried."""
    from kiosk.db import make_engine

    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    with pytest.raises(DBAPIError) as failed:
        engine.connect()
    assert "127.0.0.1" in str(failed.value) and "port 1 failed" in str(failed.value)
