"""Rate limits and failure locks of the web host, counted in the database (table ``rate_counter``).

Why the database and not memory: ``kiosk serve --workers N`` runs N processes and a center may run
several web hosts on one PostgreSQL; counters in each process's memory gave every worker its own
budget (two workers, twice the tries) and were lost on restart. Every hit is one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (like :func:`kiosk.db.bump_counter`), so concurrent
workers count into the same row and nobody reads a stale value.

Each key has one row: the count since the window started. When the window is over the next hit starts
a new one (a fixed window that begins at a key's first hit). Rows whose time is over are deleted a few
at a time in the background of ordinary hits; nothing ever clears the whole table, so a flood of
made-up keys cannot reset a real client's lock.

Both classes take a ``clock`` (seconds, wall-clock by default so all workers agree); tests pass a fake
one and move time forward instead of sleeping. Tracking tokens carry 128 random bits, so guessing is
hopeless anyway; the limit keeps a scraper from hammering the database and makes abuse visible as 429s.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.models import RateCounter

log = logging.getLogger(__name__)

Clock = Callable[[], float]
PURGE_EVERY = 60.0  # seconds between two sweeps of expired rows by one limiter
PURGE_BATCH = 500  # rows deleted per sweep at most (a flood is cleaned up over several sweeps)


def _row_key(name: str, key: str) -> str:
    """The stored key: the limiter's name and a hash of what it counts. A key holds an address and may hold
    whatever was typed as a username (a phone number, say): the table keeps neither in clear, and a huge
    made-up username still gets one short row."""
    return f"{name}:#{hashlib.sha256(key.encode()).hexdigest()}"


def _count_hit(session: Session, key: str, now: float, window: float) -> tuple[int, float]:
    """Count one hit for ``key``: (hits in the current window including this one, when that window started)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(RateCounter).values(key=key, window_start=now, count=1, expires=now + window)
    over = stmt.excluded.window_start - RateCounter.window_start >= window  # the stored window has ended
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateCounter.key],
        set_={
            "count": case((over, 1), else_=RateCounter.count + 1),
            "window_start": case((over, stmt.excluded.window_start), else_=RateCounter.window_start),
            "expires": case((over, stmt.excluded.expires), else_=RateCounter.expires),
        },
    ).returning(RateCounter.count, RateCounter.window_start)
    count, start = session.execute(stmt).one()
    return int(count), float(start)


class _Stored:
    """What both limiters share: a context, a name (the key prefix), a clock, and the sweep of old rows."""

    def __init__(self, ctx, name: str, clock: Clock) -> None:
        self.ctx = ctx
        self.name = name
        self.clock = clock
        self._last_purge: float | None = None

    def _purge(self, session: Session, now: float) -> None:
        """Delete some rows of this limiter whose time is over (never the whole table)."""
        if self._last_purge is not None and 0 <= now - self._last_purge < PURGE_EVERY:
            return
        self._last_purge = now
        old = select(RateCounter.key).where(
            RateCounter.key.like(f"{self.name}:%"), RateCounter.expires < now,
            (RateCounter.locked_until.is_(None)) | (RateCounter.locked_until < now),
        ).limit(PURGE_BATCH)
        session.execute(delete(RateCounter).where(RateCounter.key.in_(old.scalar_subquery())).execution_options(synchronize_session=False))


class SlidingWindowLimiter(_Stored):
    """At most ``limit`` hits per ``window`` seconds per key, across every worker sharing the database.

    (The name is kept from the in-memory version; the window now starts at a key's first hit.)
    """

    def __init__(self, ctx, name: str, limit: int, window: float = 60.0, clock: Clock = time.time) -> None:
        super().__init__(ctx, name, clock)
        self.limit = max(1, int(limit))
        self.window = float(window)

    def hit(self, key: str) -> int:
        """Count one hit for ``key``: 0 when allowed, else the whole seconds to wait (for Retry-After)."""
        now = self.clock()
        with self.ctx.transaction() as s:
            count, start = _count_hit(s, _row_key(self.name, key), now, self.window)
            self._purge(s, now)
        if count > self.limit:
            return max(1, math.ceil(min(start + self.window - now, self.window)))
        return 0


class FailureLock(_Stored):
    """Lock a key (username + client) for ``lock_seconds`` after ``max_failures`` failures in that time."""

    def __init__(self, ctx, name: str, max_failures: int = 5, lock_seconds: float = 300.0, clock: Clock = time.time) -> None:
        super().__init__(ctx, name, clock)
        self.max_failures = max(1, int(max_failures))
        self.lock_seconds = float(lock_seconds)

    def locked_for(self, key: str) -> int:
        """Whole seconds until ``key`` may try again (0: not locked)."""
        now = self.clock()
        with self.ctx.sessions() as s:
            until = s.scalar(select(RateCounter.locked_until).where(RateCounter.key == _row_key(self.name, key)))
        if until is None or until <= now:
            return 0
        return max(1, math.ceil(until - now))

    def failed(self, key: str) -> None:
        now = self.clock()
        row_key = _row_key(self.name, key)
        with self.ctx.transaction() as s:
            count, _start = _count_hit(s, row_key, now, self.lock_seconds)
            if count >= self.max_failures:
                row = s.get(RateCounter, row_key)  # locked by the upsert until this transaction ends
                row.locked_until = now + self.lock_seconds
                row.count, row.window_start, row.expires = 0, now, now + self.lock_seconds
            self._purge(s, now)

    def succeeded(self, key: str) -> None:
        with self.ctx.transaction() as s:
            s.execute(delete(RateCounter).where(RateCounter.key == _row_key(self.name, key)))
