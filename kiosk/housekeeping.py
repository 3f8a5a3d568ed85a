"""The daily tick: each plugin's ``kiosk_daily_tick`` once per business day, across all terminals.

Whoever gets there first after midnight in the center's zone (a kiosk, the web host, or ``kiosk tick``
from cron) claims the day with one conditional UPDATE/INSERT; the others see it claimed and skip.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from kiosk.clock import utcnow
from kiosk.models import DailyRun

TICK = "daily_tick"


def claim_day(ctx, day: date, name: str = TICK) -> bool:
    """True when this caller is the first to claim ``day`` for ``name``."""
    iso = day.isoformat()
    try:
        with ctx.transaction() as session:
            row = session.scalar(select(DailyRun).where(DailyRun.name == name))
            if row is None:
                session.add(DailyRun(name=name, last_day=iso, at=utcnow()))
                return True
            result = session.execute(
                update(DailyRun).where(DailyRun.name == name, DailyRun.last_day < iso).values(last_day=iso, at=utcnow())
            )
            return result.rowcount == 1
    except IntegrityError:  # another terminal inserted the row at the same moment
        return False


def run_daily_tick(ctx, force: bool = False) -> list[str]:
    """Run every plugin's daily tick if today is not yet claimed; returns the plugins whose tick ran."""
    today = ctx.today()
    if not force and not claim_day(ctx, today):
        return []
    implementers = [n for n in ctx.host.plugins if ctx.host.implements(n, "kiosk_daily_tick")]
    failed: list[str] = []
    ctx.host.call("kiosk_daily_tick", ctx=ctx, today=today, failed=failed)
    return [n for n in implementers if n not in failed]
