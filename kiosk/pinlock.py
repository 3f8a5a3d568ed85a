"""The staff PIN pad's lockout: five wrong PINs lock the pad for five minutes.

Why a file: the count and the lock live in memory *and* in ``<data dir>/pin-lock.json``, so pulling
the plug (or restarting the app from a crash) does not hand a guesser five fresh tries. Why wall-clock
time from the kiosk clock (which honours KIOSK_NOW): monotonic time restarts with the machine, so it
cannot carry a lock across a reboot. A clock set backwards can never stretch a lock beyond five minutes.

Why the database too (:class:`SharedPinState`, issue 14): every kiosk of a center has the same PIN, so
a count kept only on each kiosk gave a guesser five tries per kiosk. The kiosk app mirrors the count
and the lock into one ``rate_counter`` row per PIN that every terminal reads before a try and writes
after it; the file stays the fallback, so the pad still locks while the database is away.

No Kivy import: the pad screen calls :meth:`PinLock.attempt`, and tests drive it with a fake clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.security import verify_secret

log = logging.getLogger(__name__)

MAX_TRIES = 5
LOCK_TIME = timedelta(minutes=5)
FILE_NAME = "pin-lock.json"


@dataclass(frozen=True)
class Attempt:
    """What happened to one PIN: ``ok``, ``wrong`` (``tries_left`` more allowed) or ``locked``."""

    result: str
    tries_left: int = MAX_TRIES
    locked_seconds: int = 0


class SharedPinState:
    """The PIN pad's count and lock in the shared database, one row per PIN (every kiosk with that PIN).

    :meth:`read` and :meth:`write` never raise: with the database away the kiosk's own file still holds.
    """

    def __init__(self, ctx, pin_hash: str) -> None:
        self.ctx = ctx
        self.key = "pin:" + hashlib.sha256(pin_hash.encode()).hexdigest()[:16]

    def read(self) -> tuple[int, datetime | None] | None:
        from kiosk.models import RateCounter

        try:
            with self.ctx.sessions() as s:
                row = s.get(RateCounter, self.key)
                if row is None:
                    return None
                until = datetime.fromtimestamp(row.locked_until, timezone.utc) if row.locked_until else None
                return int(row.count), until
        except Exception as exc:
            log.warning("could not read the shared PIN lock: %s", exc)
            return None

    def write(self, failures: int, locked_until: datetime | None, now: datetime) -> None:
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        from kiosk.models import RateCounter

        until = locked_until.timestamp() if locked_until else None
        values = {"window_start": now.timestamp(), "count": failures, "locked_until": until,
                  "expires": max(until or 0.0, now.timestamp() + LOCK_TIME.total_seconds())}
        try:
            with self.ctx.transaction() as s:
                insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
                s.execute(insert(RateCounter).values(key=self.key, **values)
                          .on_conflict_do_update(index_elements=[RateCounter.key], set_=values))
        except Exception as exc:
            log.warning("could not save the shared PIN lock: %s", exc)


class PinLock:
    def __init__(self, path: Path, pin_hash: str, now: Callable[[], datetime], shared: SharedPinState | None = None) -> None:
        self.path = Path(path)
        self.pin_hash = pin_hash
        self.now = now
        self.shared = shared
        self.failures = 0
        self.locked_until: datetime | None = None
        self._load()

    # -- state -----------------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text())
            self.failures = int(raw.get("failures", 0))
            until = raw.get("locked_until")
            self.locked_until = datetime.fromisoformat(until) if until else None
        except FileNotFoundError:
            return
        except (ValueError, TypeError, AttributeError, OSError) as exc:  # a damaged file locks, never unlocks
            log.warning("PIN lock file %s unreadable (%s): locking the pad", self.path, exc)
            self.failures = MAX_TRIES
            self.locked_until = self.now() + LOCK_TIME

    def _merge_shared(self) -> None:
        """Take the other kiosks' count and lock into account (the larger count, the later lock)."""
        found = self.shared.read() if self.shared is not None else None
        if found is None:
            return
        failures, until = found
        self.failures = max(self.failures, failures)
        if until is not None and (self.locked_until is None or until > self.locked_until):
            self.locked_until = until

    def _save(self) -> None:
        if self.shared is not None:
            self.shared.write(self.failures, self.locked_until, self.now())
        data = {"failures": self.failures, "locked_until": self.locked_until.isoformat() if self.locked_until else None}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.path)
        except OSError as exc:  # the in-memory lock still holds for this run
            log.warning("could not save the PIN lock state: %s", exc)

    def locked_seconds(self) -> int:
        """Seconds until the pad opens again; 0 when it is open."""
        if self.locked_until is None:
            return 0
        now = self.now()
        if self.locked_until - now > LOCK_TIME:  # the clock went backwards: never lock longer
            self.locked_until = now + LOCK_TIME
            self._save()
        left = (self.locked_until - now).total_seconds()
        if left <= 0:
            self.locked_until = None
            self.failures = 0
            self._save()
            return 0
        return int(left) + (1 if left % 1 else 0)

    @property
    def tries_left(self) -> int:
        return max(0, MAX_TRIES - self.failures)

    # -- the one action --------------------------------------------------------------------------
    def attempt(self, pin: str) -> Attempt:
        """Check ``pin`` unless the pad is locked (here or on any kiosk sharing the PIN); count a failure, lock on the fifth."""
        self._merge_shared()
        wait = self.locked_seconds()
        if wait:
            return Attempt("locked", 0, wait)
        if pin and self.pin_hash and verify_secret(pin, self.pin_hash):
            self.failures = 0
            self._save()
            return Attempt("ok")
        self.failures += 1
        if self.failures >= MAX_TRIES:
            self.locked_until = self.now() + LOCK_TIME
            self._save()
            return Attempt("locked", 0, int(LOCK_TIME.total_seconds()))
        self._save()
        return Attempt("wrong", self.tries_left)
