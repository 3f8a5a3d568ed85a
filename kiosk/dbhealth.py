"""Is the database reachable? Telling an outage from a bug, and asking the database cheaply.

Why this matters to the touch shell: a plugin screen that fails because the database is gone
(PostgreSQL restarting, the server's cable out, the SQLite file locked by a stuck process) has no bug,
and pausing that plugin until staff clear it would keep the service off long after the database is
back. The shell asks :func:`is_outage` about every error it catches: an outage pauses the whole kiosk
("服务暂停，请稍候") until :func:`probe` succeeds again, with no restart and no staff; anything else
is a plugin's fault as before. No Kivy here: the web host and the CLI can use it too.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

#: Seconds a probe may wait for SQLite's write lock (the kiosk's own writes wait 30 s).
SQLITE_PROBE_WAIT_MS = 2000
_SQLITE_OUTAGE = ("database is locked", "unable to open database", "disk i/o error", "database disk image is malformed")


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached or used right now."""
    for item in _chain(exc):
        if isinstance(item, sa_exc.DBAPIError) and item.connection_invalidated:
            return True
        if isinstance(item, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError)):
            return True
        if isinstance(item, sa_exc.TimeoutError):  # no connection free in the pool: they are all stuck
            return True
        if isinstance(item, sqlite3.OperationalError) and any(m in str(item).lower() for m in _SQLITE_OUTAGE):
            return True
        if type(item).__module__.startswith("psycopg") and type(item).__name__ in ("OperationalError", "InterfaceError"):
            return True
    return False


def probe(engine: Engine) -> None:
    """Ask the database whether it answers (and, on SQLite, whether a write could start). Raises if not.

    On SQLite a plain ``SELECT 1`` would answer even while another process holds the file locked, so
    the probe takes the write lock for an instant (``BEGIN IMMEDIATE`` then ``ROLLBACK``), waiting at
    most two seconds; on PostgreSQL ``SELECT 1`` on a fresh or pre-pinged connection is enough.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            raw = conn.connection.dbapi_connection
            cur = raw.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout={SQLITE_PROBE_WAIT_MS}")
                cur.execute("BEGIN IMMEDIATE")
                cur.execute("ROLLBACK")
            finally:
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        else:
            conn.exec_driver_sql("SELECT 1")
            conn.rollback()
