"""Every terminal's sign of life: who it is, its version, its printer and its last problem.

Why: a center runs two or three kiosks, a hall display and a web host for twelve hours a day, and the
staff are not engineers. Each process beats every ``[terminal] heartbeat_seconds`` into one row per
(terminal, role) of ``terminal_heartbeat``; ``/staff/terminals`` and ``kiosk terminals`` list them and
raise the ones that went quiet (older than :data:`STALE_BEATS` intervals): a kiosk that is switched
off, frozen, or cut off from the database.

The beat runs in a daemon thread of its own, so the touch shell never waits for the database or the
printer, and a database outage only costs the beats it misses (logged once, not every time).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kiosk import __version__, clock
from kiosk.models import TerminalHeartbeat

log = logging.getLogger(__name__)

#: A terminal whose last beat is older than this many of its own intervals is shown as stale.
STALE_BEATS = 3
ROLES = ("kiosk", "display", "web")


def probe_printer(ctx) -> tuple[str, str]:
    """The configured printer's state, as the staff dashboard shows it (never raises)."""
    from kiosk.printing import printer_status

    try:
        return printer_status(ctx.settings)
    except Exception as exc:  # pragma: no cover - printer_status already catches its own
        return "unknown", f"{type(exc).__name__}: {exc}"


class Heartbeat:
    """Beats for one process. ``beat()`` writes one row; ``start()`` beats from a thread until ``stop()``."""

    def __init__(self, ctx, role: str, *, interval: float | None = None,
                 printer: Callable[[object], tuple[str, str]] | None = probe_printer) -> None:
        self.ctx = ctx
        self.role = role
        self.interval = float(interval or ctx.settings.heartbeat_seconds)
        self.printer = printer
        self.started_at = clock.utcnow()
        self.beats = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def row(self) -> dict:
        state, detail = self.printer(self.ctx) if self.printer else ("", "")
        error_at, error = self.ctx.last_error or (None, "")
        return {
            "terminal": self.ctx.terminal[:64],
            "role": self.role[:32],
            "version": __version__,
            "hostname": socket.gethostname()[:128],
            "pid": os.getpid(),
            "started_at": self.started_at,
            "last_beat": clock.utcnow(),
            "interval_seconds": max(1, round(self.interval)),
            "printer_state": state[:16],
            "printer_detail": detail[:500],
            "last_error": error,
            "last_error_at": error_at,
        }

    def beat(self) -> bool:
        """Write this terminal's row now. False (logged, never raised) when the database is unreachable."""
        try:
            values = self.row()
            with self.ctx.transaction() as session:
                dialect = session.get_bind().dialect.name
                insert = pg_insert if dialect == "postgresql" else sqlite_insert
                stmt = insert(TerminalHeartbeat).values(**values)
                keys = ("terminal", "role")
                stmt = stmt.on_conflict_do_update(
                    index_elements=list(keys), set_={k: stmt.excluded[k] for k in values if k not in keys}
                )
                session.execute(stmt)
        except Exception as exc:
            self.failures += 1
            if self.failures == 1 or self.failures % 100 == 0:  # an outage of hours is not a flood of lines
                log.warning("heartbeat not recorded (%d missed so far): %s", self.failures, str(exc).splitlines()[0])
            return False
        if self.failures:
            log.warning("heartbeat recorded again after %d missed", self.failures)
        self.failures = 0
        self.beats += 1
        return True

    def start(self) -> Heartbeat:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"kiosk-heartbeat-{self.role}", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


@dataclass(frozen=True)
class TerminalState:
    """One row of the terminals list, as the staff page and ``kiosk terminals --json`` show it."""

    terminal: str
    role: str
    version: str
    hostname: str
    started_at: datetime
    last_beat: datetime
    age_seconds: int
    interval_seconds: int
    stale: bool
    printer_state: str
    printer_detail: str
    last_error: str
    last_error_at: datetime | None

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        for key in ("started_at", "last_beat", "last_error_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def terminals(ctx) -> list[TerminalState]:
    """Every terminal that ever beat, stale ones first, then by name and role."""
    now = clock.utcnow()
    with ctx.sessions() as session:
        rows = list(session.scalars(select(TerminalHeartbeat)))
    out = []
    for r in rows:
        age = max(0, int((now - r.last_beat).total_seconds()))
        out.append(TerminalState(
            terminal=r.terminal, role=r.role, version=r.version, hostname=r.hostname, started_at=r.started_at,
            last_beat=r.last_beat, age_seconds=age, interval_seconds=r.interval_seconds,
            stale=age > STALE_BEATS * max(1, r.interval_seconds), printer_state=r.printer_state,
            printer_detail=r.printer_detail, last_error=r.last_error, last_error_at=r.last_error_at,
        ))
    return sorted(out, key=lambda t: (not t.stale, t.terminal, t.role))


def forget(ctx, terminal: str, role: str | None = None) -> int:
    """Remove a retired terminal's rows (all its roles unless ``role``); returns how many went."""
    from sqlalchemy import delete

    with ctx.transaction() as session:
        stmt = delete(TerminalHeartbeat).where(TerminalHeartbeat.terminal == terminal)
        if role:
            stmt = stmt.where(TerminalHeartbeat.role == role)
        return session.execute(stmt).rowcount
