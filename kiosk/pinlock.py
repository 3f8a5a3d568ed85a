"""The staff PIN pad's lockout: five wrong PINs lock the pad for five minutes.

Why a file: the count and the lock live in memory *and* in ``<data dir>/pin-lock.json``, so pulling
the plug (or restarting the app from a crash) does not hand a guesser five fresh tries. Why wall-clock
time from the kiosk clock (which honours KIOSK_NOW): monotonic time restarts with the machine, so it
cannot carry a lock across a reboot. A clock set backwards can never stretch a lock beyond five minutes.

No Kivy import: the pad screen calls :meth:`PinLock.attempt`, and tests drive it with a fake clock.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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


class PinLock:
    def __init__(self, path: Path, pin_hash: str, now: Callable[[], datetime]) -> None:
        self.path = Path(path)
        self.pin_hash = pin_hash
        self.now = now
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

    def _save(self) -> None:
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
        """Check ``pin`` unless the pad is locked; count a failure, lock on the fifth."""
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
