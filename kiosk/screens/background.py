"""Slow work (printing, asking the printer for its status) off the UI thread.

Why not a thread pool: a print job blocked on a dead USB printer must never hold up the next one, and
an app that exits must not wait for it (daemon threads). The result comes back on the UI thread through
``Clock.schedule_once``, so callbacks may touch widgets. Threads are tracked so tests and the app's
shutdown can wait for them instead of leaking them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_running: set[threading.Thread] = set()
_lock = threading.Lock()


def run(work: Callable[[], Any], done: Callable[[Any, BaseException | None], None], name: str = "kiosk-work") -> threading.Thread:
    """Call ``work()`` in a thread, then ``done(result, error)`` on the UI thread."""
    from kivy.clock import Clock

    def target() -> None:
        result, error = None, None
        try:
            result = work()
        except BaseException as exc:  # reported to ``done``; a worker never dies silently
            log.exception("background work %s failed", name)
            error = exc
        Clock.schedule_once(lambda _dt: done(result, error), 0)
        with _lock:
            _running.discard(threading.current_thread())

    thread = threading.Thread(target=target, name=name, daemon=True)
    with _lock:
        _running.add(thread)
    thread.start()
    return thread


def pending() -> int:
    with _lock:
        return len(_running)


def wait(timeout: float = 10.0) -> bool:
    """Join every running worker (tests, shutdown). True when none is left."""
    with _lock:
        threads = list(_running)
    for thread in threads:
        thread.join(timeout)
    return pending() == 0
