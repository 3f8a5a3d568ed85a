"""In-memory limits for one web process: token look-ups per client and failed logins per user and client.

Both take a ``clock`` (seconds, monotonic by default) so tests move time forward instead of sleeping.
Tracking tokens carry 128 random bits, so guessing is hopeless anyway; the limit keeps a scraper from
hammering the database and makes abuse visible as 429s in the logs.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

Clock = Callable[[], float]


class SlidingWindowLimiter:
    """At most ``limit`` hits per ``window`` seconds per key (a sliding log of hit times)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Clock = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit = max(1, int(limit))
        self.window = float(window)
        self.clock = clock
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> int:
        """Count one hit for ``key``: 0 when allowed, else the whole seconds to wait (for Retry-After)."""
        now = self.clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        self._hits[key] = hits  # most recently seen keys last, so the oldest are dropped first
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        if len(hits) >= self.limit:
            return max(1, math.ceil(hits[0] + self.window - now))
        hits.append(now)
        return 0


class FailureLock:
    """Lock a key (username + client) for ``lock_seconds`` after ``max_failures`` failures in that time."""

    def __init__(self, max_failures: int = 5, lock_seconds: float = 300.0, clock: Clock = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_seconds = float(lock_seconds)
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}

    def locked_for(self, key: str) -> int:
        """Whole seconds until ``key`` may try again (0: not locked)."""
        until = self._locked_until.get(key, 0.0)
        now = self.clock()
        if until <= now:
            self._locked_until.pop(key, None)
            return 0
        return max(1, math.ceil(until - now))

    def failed(self, key: str) -> None:
        now = self.clock()
        recent = [t for t in self._failures.get(key, []) if t > now - self.lock_seconds] + [now]
        if len(recent) >= self.max_failures:
            self._locked_until[key] = now + self.lock_seconds
            recent = []
        self._failures[key] = recent
        if len(self._failures) > 10_000:  # a flood of made-up usernames must not grow memory forever
            self._failures.clear()

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
        self._locked_until.pop(key, None)
