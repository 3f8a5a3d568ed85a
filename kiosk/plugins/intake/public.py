"""What the public may see of a case: the 公示反馈 board entries and the Open311 view.

One projection for both, built only from columns that carry no personal data (category, building,
dates, team, the staff-written summary and response), plus the masked surname (张*) when the resident
agreed. The flat, the phone, the name and the resident's own words never leave this module's inputs, and
the staff-written texts pass the public guard (:mod:`kiosk.publicguard`) once more here: one that still
holds personal data is left out, never shown.
Private categories (帮扶救助) appear only as counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from kiosk.api import KioskContext, PublicOutcome

from . import catalog, service, workflow
from .models import Building, Case, Team
from .validation import clean_text, mask_surname

PUBLIC_STATES = ("published", "closed", "archived")


@dataclass(frozen=True)
class PublicCase:
    case_no: str
    category: str
    category_name: str
    category_name_en: str
    building: str
    state: str
    filed_at: datetime
    resolved_at: datetime | None
    published_at: datetime
    due_date: str
    team: str
    summary: str  # empty for summary_only categories
    response: str
    resident: str  # 张* when consented, else ""
    visibility: str


def _public_text(ctx: KioskContext, case: Case, cat: catalog.Category, text: str) -> str:
    """A staff-written text as the public may see it: dropped when it still trips the public guard or copies
    the resident's own words (written before the guard existed, or straight into the database)."""
    if not text or ctx.find_personal_data(text, **service.known_values(case)):
        return ""
    if any(clean_text(text) == clean_text(w) for w in service.resident_words(case, cat)):
        return ""
    return text


def _project(ctx: KioskContext, case: Case, cats: dict[str, catalog.Category], buildings: dict[str, str], teams: dict[str, str]) -> PublicCase | None:
    cat = cats.get(case.category)
    if cat is None or cat.visibility == "private" or case.published_at is None or case.state not in PUBLIC_STATES:
        return None
    return PublicCase(
        case_no=case.case_no, category=cat.code, category_name=cat.name, category_name_en=cat.name_en,
        building=buildings.get(case.building, f"{case.building}号楼"), state=case.state, filed_at=case.filed_at,
        resolved_at=case.resolved_at, published_at=case.published_at, due_date=case.due_date.isoformat(),
        team=teams.get(case.team_code or "", ""), summary=_public_text(ctx, case, cat, case.public_summary) if cat.visibility == "public" else "",
        response=_public_text(ctx, case, cat, case.public_response), resident=mask_surname(case.surname, case.title) if case.name_public else "",
        visibility=cat.visibility,
    )


def published_cases(ctx: KioskContext, *, limit: int = 200, case_no: str | None = None, category: str | None = None,
                    start: datetime | None = None, end: datetime | None = None,
                    published_since: datetime | None = None) -> list[PublicCase]:
    with ctx.sessions() as s:
        q = select(Case).where(Case.published_at.is_not(None), Case.state.in_(PUBLIC_STATES))
        if published_since:
            q = q.where(Case.published_at >= published_since)
        if case_no:
            q = q.where(Case.case_no == case_no)
        if category:
            q = q.where(Case.category == category)
        if start:
            q = q.where(Case.filed_at >= start)
        if end:
            q = q.where(Case.filed_at <= end)
        private = [c.code for c in catalog.categories(ctx.settings) if c.visibility == "private"]
        if private:  # never shown one by one: leave them in the database
            q = q.where(Case.category.not_in(private))
        rows = list(s.scalars(q.order_by(Case.published_at.desc()).limit(limit)))
        buildings = {b.code: b.name for b in s.scalars(select(Building))}
        teams = {t.code: t.name for t in s.scalars(select(Team))}
    cats = {c.code: c for c in catalog.categories(ctx.settings)}  # once per call, not once per case
    out = [p for p in (_project(ctx, c, cats, buildings, teams) for c in rows) if p]
    return out[:limit]


def private_counts(ctx: KioskContext) -> list[tuple[catalog.Category, int]]:
    """Resolved cases of private categories, as counts only (this calendar month)."""
    first = ctx.today().replace(day=1)
    private = [c for c in catalog.categories(ctx.settings) if c.visibility == "private"]
    if not private:
        return []
    with ctx.sessions() as s:
        rows = dict(s.execute(select(Case.category, func.count(Case.id))
                              .where(Case.category.in_([c.code for c in private]), Case.resolved_at.is_not(None),
                                     Case.filed_on >= first).group_by(Case.category)).all())
    return [(c, rows.get(c.code, 0)) for c in private if rows.get(c.code)]


def outcomes(ctx: KioskContext, lang: str) -> list[PublicOutcome]:
    """The 公示反馈 entries for the notices plugin's board (through the kiosk_public_outcomes hook)."""
    en = lang == "en"
    out = []
    for p in published_cases(ctx, limit=100):
        where = p.building
        title = f"{p.category_name_en if en else p.category_name} · {where}"
        lines = []
        if p.summary:
            lines.append(("Request: " if en else "诉求：") + p.summary)
        if p.response:
            lines.append(("Response: " if en else "答复：") + p.response)
        if p.resident:
            lines.append(("Filed by: " if en else "反映人：") + p.resident)
        lines.append((f"Case {p.case_no}, filed {p.filed_at.astimezone(ctx.settings.tz):%Y-%m-%d}"
                      if en else f"编号 {p.case_no}，{p.filed_at.astimezone(ctx.settings.tz):%Y年%m月%d日}受理")
                     + (f", resolved {p.resolved_at.astimezone(ctx.settings.tz):%Y-%m-%d}" if en and p.resolved_at else
                        f"，{p.resolved_at.astimezone(ctx.settings.tz):%m月%d日}办结" if p.resolved_at else ""))
        out.append(PublicOutcome(id=p.case_no, title=title, body="\n".join(lines), published_at=p.published_at))
    for cat, n in private_counts(ctx):
        month = ctx.today()
        out.append(PublicOutcome(
            id=f"count-{cat.code}-{month:%Y%m}",
            title=(f"{cat.name_en}: {n} requests handled this month" if en else f"本月{cat.name}类诉求已办结 {n} 件"),
            body=("Details are kept private to protect the residents concerned." if en else "为保护当事居民隐私，此类诉求只公布数量。"),
            published_at=datetime.combine(month.replace(day=1), datetime.min.time(), tzinfo=ctx.settings.tz),
        ))
    return out


def open311_status(state: str) -> str:
    return "open" if workflow.is_open(state) else "closed"
