"""Help requests: a resident presses "请工作人员帮助" on a kiosk, staff see it and walk over.

Why a row and not a sound or a message: the kiosk and the staff's screens share only the database,
and a row is also the record that someone asked (and when it was answered). One open request per
terminal: a second tap while staff are on their way finds the open one (``UNIQUE(open_terminal)``,
so two racing taps cannot both insert). Staff close it on ``/staff/help`` or with ``kiosk help done``.
No Kivy here: the shell, the web host and the CLI call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kiosk import clock
from kiosk.models import HelpRequest

SCREEN_MAX = 64


class UnknownHelpRequest(LookupError):
    """No help request with that id."""


@dataclass(frozen=True)
class HelpCall:
    """One help request as staff pages and the CLI show it."""

    id: int
    terminal: str
    screen: str
    created_at: datetime
    age_seconds: int
    done_at: datetime | None
    done_by: str

    @property
    def open(self) -> bool:
        return self.done_at is None

    def as_json(self) -> dict:
        return {"id": self.id, "terminal": self.terminal, "screen": self.screen,
                "created_at": self.created_at.isoformat(), "age_seconds": self.age_seconds, "open": self.open,
                "done_at": self.done_at.isoformat() if self.done_at else None, "done_by": self.done_by}


def _view(row: HelpRequest, now: datetime) -> HelpCall:
    return HelpCall(row.id, row.terminal, row.screen, row.created_at, max(0, int((now - row.created_at).total_seconds())),
                    row.done_at, row.done_by)


def _open_row(session, terminal: str) -> HelpRequest | None:
    return session.scalars(select(HelpRequest).where(HelpRequest.open_terminal == terminal)).first()


def request_help(ctx, screen: str, terminal: str | None = None) -> tuple[HelpCall, bool]:
    """Page staff from ``terminal`` (default: this one), where the resident is on ``screen``.

    Returns the request and whether it is new; when the terminal already has an open request, that
    one is returned unchanged (staff are already paged). Raises the database's errors (the shell
    tells an outage from a bug and shows the resident what to do either way).
    """
    terminal = (terminal or ctx.terminal)[:64]
    now = clock.utcnow()
    try:
        with ctx.transaction() as session:
            row = _open_row(session, terminal)
            if row is not None:
                return _view(row, now), False
            row = HelpRequest(terminal=terminal, screen=(screen or "")[:SCREEN_MAX], created_at=now, open_terminal=terminal)
            session.add(row)
            session.flush()
            return _view(row, now), True
    except IntegrityError:  # another tap of the same terminal inserted first: that one stands
        with ctx.sessions() as session:
            row = _open_row(session, terminal)
            if row is None:
                raise
            return _view(row, now), False


def open_requests(ctx) -> list[HelpCall]:
    """Open requests, the longest waiting first."""
    now = clock.utcnow()
    with ctx.sessions() as session:
        rows = session.scalars(select(HelpRequest).where(HelpRequest.done_at.is_(None))
                               .order_by(HelpRequest.created_at, HelpRequest.id)).all()
        return [_view(r, now) for r in rows]


def recent_done(ctx, limit: int = 20) -> list[HelpCall]:
    """The last handled requests, newest first (so staff see who answered what)."""
    now = clock.utcnow()
    with ctx.sessions() as session:
        rows = session.scalars(select(HelpRequest).where(HelpRequest.done_at.is_not(None))
                               .order_by(HelpRequest.done_at.desc(), HelpRequest.id.desc()).limit(limit)).all()
        return [_view(r, now) for r in rows]


def count_open(ctx) -> int:
    """How many requests wait (every staff page asks: one COUNT, no rows)."""
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(HelpRequest).where(HelpRequest.done_at.is_(None))) or 0)


def mark_done(ctx, request_id: int, by: str) -> tuple[HelpCall, bool]:
    """Close request ``request_id``; returns it and whether this call closed it (False: already done).

    Raises :class:`UnknownHelpRequest` for an id that does not exist.
    """
    now = clock.utcnow()
    with ctx.transaction() as session:
        row = session.get(HelpRequest, request_id)
        if row is None:
            raise UnknownHelpRequest(request_id)
        if row.done_at is not None:
            return _view(row, now), False
        row.done_at, row.done_by, row.open_terminal = now, by[:64], None
        session.flush()
        return _view(row, now), True
