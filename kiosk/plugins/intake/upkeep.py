"""The daily upkeep of cases (run by ``kiosk_daily_tick``): deadline grades, auto-close, retention.

Grading records each open case's deadline grade and writes a timeline row the first time a case reaches
督办 or 通报; published cases nobody rated close after ``autoclose_days``; personal data is erased
``retention_days`` after a case ended, the case and its public text stay.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from kiosk.api import KioskContext, utcnow

from . import deadlines, workflow
from .models import Case, CaseEvent
from .service import _LEVEL_ORDER, IntakeSettings


def grade_cases(ctx: KioskContext, today: date) -> dict[str, int]:
    """Record each open case's deadline grade; a timeline row the first time it reaches 督办 or 通报."""
    counts = {"due_soon": 0, "overdue": 0, "long_overdue": 0}
    with ctx.transaction() as s:
        open_states = [k for k, v in workflow.STATES.items() if v[2] and k not in ("resolved", "waiting_resident")]
        for case in s.scalars(select(Case).where(Case.state.in_(open_states))):
            lvl = deadlines.level(ctx.calendar, case.due_date, today)
            if lvl:
                counts[lvl] += 1
            if lvl != case.supervision:
                if lvl in ("overdue", "long_overdue") and _LEVEL_ORDER[lvl] < _LEVEL_ORDER.get(case.supervision, 3):
                    s.add(CaseEvent(case_id=case.id, action="supervise", from_state=case.state, to_state=case.state, by="system",
                                    note=deadlines.level_name(lvl), detail={"level": lvl, "due": case.due_date.isoformat()}))
                case.supervision = lvl
    return counts


def autoclose(ctx: KioskContext, today: date) -> int:
    """Published cases that nobody rated within ``autoclose_days`` close as 未评价."""
    limit = utcnow() - timedelta(days=IntakeSettings.of(ctx).autoclose_days)
    n = 0
    with ctx.transaction() as s:
        for case in s.scalars(select(Case).where(Case.state == "published", Case.published_at < limit)):
            case.state, case.closed_at = "closed", utcnow()
            s.add(CaseEvent(case_id=case.id, action="close", from_state="published", to_state="closed", by="system", note="未评价，自动完结"))
            n += 1
    return n


def erase_personal_data(ctx: KioskContext, now: datetime | None = None) -> int:
    """Erase the personal data of cases ended ``retention_days`` ago, and archive them.

    Everything the registry (:mod:`.personal`) names goes, through the core's one erasure routine: phone,
    name, flat, the resident's words, the problem as typed, the public texts, timeline notes, rating
    comments and the slip's lines. The case's numbers, dates and states stay for the reports.
    """
    limit = (now or utcnow()) - timedelta(days=IntakeSettings.of(ctx).retention_days)
    with ctx.transaction() as s:
        q = select(Case).where(Case.state.in_(("closed", "withdrawn", "merged", "archived")), Case.closed_at < limit, Case.erased_at.is_(None))
        cases = list(s.scalars(q))
        if not cases:
            return 0
        before = {case.id: case.state for case in cases}
        ctx.erase_personal_data(s, {"intake_case": [case.id for case in cases]})
        for case in cases:
            s.refresh(case)
            case.state = "archived"
            s.add(CaseEvent(case_id=case.id, action="erase", from_state=before[case.id], to_state="archived", by="system",
                            note="个人信息已按保存期限删除"))
    return len(cases)
