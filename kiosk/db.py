"""One engine and session factory for SQLite and PostgreSQL, and the declarative base plugins share.

SQLite is tuned so that a power cut loses no committed row (WAL, ``synchronous=FULL``) and several
processes on one kiosk wait for each other instead of failing (``busy_timeout``). ``secure_delete`` zeroes the space old row contents took, so personal data
erased by :mod:`kiosk.privacy` leaves no readable copy in the file. Write transactions
(sessions from :func:`make_write_session_factory`, used by ``ctx.transaction()``) start with
``BEGIN IMMEDIATE``, so a writer takes the lock up front rather than failing half-way; reads start a
plain deferred ``BEGIN`` and never wait for a writer (WAL lets them read the last committed state).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from kiosk.private_files import private_sqlite

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table, the core's and the plugins' (one metadata, one naming convention)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored as UTC and returned aware, the same on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


#: Seconds to wait for PostgreSQL to accept a connection before calling it unreachable.
PG_CONNECT_TIMEOUT = 10


def make_engine(url: str, **kwargs) -> Engine:
    """Create the engine for ``url`` with the SQLite durability settings applied on every connection.

    The SQLite file is created private (0600, in a 0700 folder: :mod:`kiosk.private_files`), and no error
    says what a statement was given (:func:`_keep_values_out_of_errors`).
    """
    parsed = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite(parsed.database)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        _keep_values_out_of_errors(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        # A server behind a pulled cable would otherwise hold a connect for minutes (TCP's own retries).
        kwargs.setdefault("connect_args", {"connect_timeout": PG_CONNECT_TIMEOUT})
    engine = create_engine(url, **kwargs)
    _keep_values_out_of_errors(engine)
    return engine


_LONG_DIGITS = re.compile(r"[0-9０-９][0-9０-９ \-]{5,}[0-9０-９]")


def _keep_values_out_of_errors(engine: Engine) -> None:
    """A failed statement's error tells what failed, never with which values.

    ``hide_parameters`` keeps SQLAlchemy from printing the parameters, but the database's own message
    may quote them: PostgreSQL adds ``DETAIL: Key (phone)=(13812345678) already exists`` or ``Failing row
    contains (…, 13812345678, …)``, and some messages name a rejected value. Those errors end in logs, the
    heartbeat's ``last_error`` and plugin error records, so the message of an error raised by a statement
    keeps only its first line (PostgreSQL's primary message: what went wrong, which constraint), with
    long runs of digits replaced by ``…``. The exception's class, ``sqlstate`` and ``diag`` stay as they
    were for code that inspects them; errors while connecting (no statement) are left alone.
    """

    @event.listens_for(engine, "handle_error")
    def _scrub(context) -> None:
        if context.statement is None or not isinstance(context.sqlalchemy_exception, DBAPIError):
            return  # connecting (where the server's address helps), or not the database's own error
        orig = context.original_exception
        diag = getattr(orig, "diag", None)
        primary = getattr(diag, "message_primary", None) or (str(orig).strip().splitlines() or [""])[0]
        safe = _LONG_DIGITS.sub("…", primary)
        orig.args = (safe,)
        exc = context.sqlalchemy_exception
        exc.args = (f"({type(orig).__module__}.{type(orig).__name__}) {safe}",)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        # freed space (an erased phone, a blanked note) is zeroed, not left readable in the file
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


WRITE_OPTION = "kiosk_write"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading (on SQLite a deferred transaction)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for writing: on SQLite the transaction takes the write lock when it begins."""
    return sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any exception."""
    with factory() as session, session.begin():
        yield session


def bump_counter(session: Session, model, keys: dict, *, column: str = "last", first: int = 1, next_value=None) -> int:
    """Advance the counter row of ``model`` found by ``keys`` and return its new value, in one statement.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (the dialect's own insert): the first call for these
    keys creates the row with ``first``; later ones set the column to ``next_value`` (a SQL expression,
    default ``column + 1``). The row stays locked until the caller's transaction ends (SQLite: the
    write transaction's lock; PostgreSQL: the conflicting row's lock), so concurrent callers get
    consecutive values and a rollback gives the value back. Used for ticket and case numbers.
    """
    col = getattr(model, column)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(model)
        .values(**keys, **{column: first})
        .on_conflict_do_update(index_elements=[getattr(model, k) for k in keys], set_={column: col + 1 if next_value is None else next_value})
        .returning(col)
    )
    return session.execute(stmt).scalar_one()
