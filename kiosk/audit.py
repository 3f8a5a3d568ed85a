"""The audit log: who did what to which thing, written with the action itself.

Why in the action's own transaction: an entry for an action that rolled back would be a lie, and an
action that committed without its entry would be a gap. Callers pass the session they are already
writing in. Entries name the target (``staff:clerk``, ``case:HX-2026-0012``) and never copy a resident's
phone, name or words into ``detail``: the log is kept longer than personal data is.

Actions in use (add freely, keep the ``area.verb`` shape): ``auth.login``, ``auth.login_failed``,
``auth.logout``, ``staff.add``, ``staff.deactivate``, ``staff.password``, ``setup.plugin``/``service``/
``counter``/``hall``/``routing``, ``apikey.create``/``apikey.revoke``, ``notice.approve``, ``privacy.export``/
``preview``/``erase``, ``phone.view`` (an unmasked phone number shown to staff), ``export.signups``,
``queue.pad_pair`` (a device made a counter's rating pad).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.clock import utcnow
from kiosk.models import AuditEntry

ACTOR_MAX = 64
TARGET_MAX = 200


@dataclass(frozen=True)
class AuditRow:
    """One entry as the staff page and ``kiosk audit list`` show it."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    ip: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor, "action": self.action,
                "target": self.target, "detail": self.detail, "ip": self.ip}


def record(session: Session, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None,
           ip: str = "") -> None:
    """Add one entry to ``session`` (committed, or rolled back, with the action it records)."""
    session.add(AuditEntry(at=utcnow(), actor=(actor or "?")[:ACTOR_MAX], action=action[:64],
                           target=(target or "")[:TARGET_MAX], detail=dict(detail or {}), ip=(ip or "")[:64]))


class BadSince(ValueError):
    """A ``since`` that is neither a date nor an ISO date-time."""


def parse_since(text: str | None, tz: tzinfo) -> datetime | None:
    """``2026-12-01`` (midnight in the center's zone) or an ISO date-time (naive = the center's zone)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            value = datetime.combine(date.fromisoformat(text), time(), tz)
        else:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            value = value if value.tzinfo else value.replace(tzinfo=tz)
        value.astimezone(timezone.utc)  # year 1 or 9999 with an offset does not fit: refused, not a 500
    except (ValueError, OverflowError):
        raise BadSince(text[:40]) from None
    return value


def action_filter(text: str | None) -> str | None:
    """What a person types as an action filter: ``auth`` means the area ``auth.``, ``auth.login`` that action."""
    text = (text or "").strip().lower()[:64]
    if not text:
        return None
    return text if "." in text else text + "."


def entries(ctx, since: datetime | None = None, action: str | None = None, actor: str | None = None,
            limit: int = 500) -> list[AuditRow]:
    """The newest entries first, optionally since a time, of one action (or prefix ``area.``) or actor."""
    if not ((action or "").isprintable() and (actor or "").isprintable()):
        return []  # no entry's action or actor has a control character (and PostgreSQL refuses a NUL in a query)
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if action:
        query = query.where(AuditEntry.action.startswith(action) if action.endswith(".") else AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    with ctx.sessions() as session:
        return [AuditRow(r.id, r.at, r.actor, r.action, r.target, r.detail or {}, r.ip) for r in session.scalars(query)]
