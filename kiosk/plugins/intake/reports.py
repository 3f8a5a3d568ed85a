"""Reports for the 党建协调会 and the center head: recurring issues by category and building, and rates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from kiosk.api import KioskContext

from . import workflow
from .models import Building, Case, CaseRating
from .service import _sort_key, category_map


def recurring(ctx: KioskContext, start: date, end: date, min_count: int = 1) -> list[dict]:
    """Cases per (category, building) filed in [start, end]: the agenda of the 党建协调会."""
    names = category_map(ctx)
    with ctx.sessions() as s:
        rows = s.execute(select(Case.category, Case.building, func.count(Case.id))
                         .where(Case.filed_on >= start, Case.filed_on <= end, Case.state != "merged")
                         .group_by(Case.category, Case.building)).all()
        bnames = {b.code: b.name for b in s.scalars(select(Building))}
    out = [{"category": c, "category_name": names[c].name if c in names else c, "building": b, "building_name": bnames.get(b, b), "count": n}
           for c, b, n in rows if n >= min_count]
    out.sort(key=lambda r: (-r["count"], r["category"], _sort_key(r["building"])))
    return out


def summary_stats(ctx: KioskContext, start: date, end: date) -> dict:
    """受理量, 按期办结率, 满意率, 重办率 … for [start, end] (by filing day)."""
    with ctx.sessions() as s:
        cases = list(s.scalars(select(Case).where(Case.filed_on >= start, Case.filed_on <= end, Case.state != "merged")))
        ratings = list(s.scalars(select(CaseRating).where(CaseRating.case_id.in_([c.id for c in cases])))) if cases else []
    tz = ctx.settings.tz
    resolved = [c for c in cases if c.resolved_at]
    on_time = [c for c in resolved if c.resolved_at.astimezone(tz).date() <= c.due_date]
    good = [r for r in ratings if r.level in ("satisfied", "basic")]
    return {"filed": len(cases), "resolved": len(resolved), "on_time": len(on_time),
            "on_time_rate": round(len(on_time) / len(resolved), 3) if resolved else None,
            "rated": len(ratings), "satisfaction_rate": round(len(good) / len(ratings), 3) if ratings else None,
            "reopened": sum(1 for c in cases if c.reopen_count), "overdue_open": sum(1 for c in cases if workflow.is_open(c.state)
                                                                                      and c.state not in ("resolved", "waiting_resident")
                                                                                      and c.due_date < ctx.today())}
