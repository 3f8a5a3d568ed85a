"""Helpers shared by the queue tests (a module of its own: every test folder has a ``conftest``)."""

from __future__ import annotations

from datetime import datetime

from kit import MONDAY_9AM, run_kiosk

# The counter page the queue's web tests read a clerk's CSRF token from.
COUNTER = "/staff/queue/counter/1"


def at(qctx, hhmm: str, day: str = "2026-11-30") -> datetime:
    """``hhmm`` on ``day`` in the installation's time zone (an appointment slot)."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=qctx.settings.tz)


def settings(qctx, **values) -> None:
    """Set ``[plugins.queue]`` keys of this test's context."""
    qctx.settings.plugin_settings.setdefault("queue", {}).update(values)


def run(*args: str, now: str = MONDAY_9AM, check: bool = True):
    """``kiosk ARGS`` in a subprocess at ``now`` (the demo Monday unless told)."""
    return run_kiosk(*args, now=now, check=check, timeout=120)
