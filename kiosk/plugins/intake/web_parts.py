"""What the intake's public and staff pages share: the stylesheet, the language, field errors, the case table."""

from __future__ import annotations

from fastapi import Request
from markupsafe import Markup

from kiosk.api.web import link as _url, request_lang, static_url, text_for as t

from . import deadlines, workflow
from .validation import Invalid

PLUGIN = "intake"
STYLES = (static_url(PLUGIN, "intake.css"),)


def lang_of(request: Request) -> str:
    return "en" if request_lang(request) == "en" else "zh"


def field_errors(exc: Invalid, lang: str) -> dict[str, str]:
    return {e.field: e.text(lang) for e in exc.errors}


def error_span(errors: dict[str, str], name: str) -> Markup:
    return Markup('<span class="field-error" role="alert">{}</span>').format(errors[name]) if name in errors else Markup("")


def badge(request: Request, level: str) -> Markup:
    if not level:
        return Markup("")
    return Markup('<span class="c-badge {}">{}</span>').format(level, deadlines.level_name(level, lang_of(request)))


def case_table(request: Request, cards) -> Markup:
    lang = lang_of(request)
    if not cards:
        return Markup('<p class="hint">{}</p>').format(t(request, "没有符合条件的诉求", "No cases"))
    head = Markup("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>").format(
        t(request, "编号", "Case"), t(request, "类别 · 问题", "Category"), t(request, "地点", "Place"), t(request, "状态", "State"),
        t(request, "期限", "Due"), t(request, "承办", "Team"))
    rows = Markup("").join(
        Markup('<tr class="c-level-{}"><td><a href="{}">{}</a></td><td>{} · {}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>').format(
            c.level or "none", _url(request, f"/staff/cases/{c.case.case_no}"), c.case.case_no,
            c.category.title(lang) if c.category else c.case.category, c.case.problem or "—",
            (c.building.name if c.building else c.case.building) + (f" {c.case.unit}单元" if c.case.unit else ""),
            workflow.state_name(c.case.state, lang), c.case.due_date.isoformat(), badge(request, c.level), c.team.name if c.team else "—")
        for c in cards)
    return Markup('<table class="c-table">') + head + rows + Markup("</table>")


def options(pairs, selected: str) -> Markup:
    return Markup("").join(Markup('<option value="{}"{}>{}</option>').format(v, Markup(" selected") if v == selected else "", label)
                           for v, label in pairs)



def chart(groups: list[dict]) -> Markup:
    """A horizontal bar chart of cases per category, as inline SVG (no script: the CSP allows none)."""
    per: dict[str, int] = {}
    for g in groups:
        per[g["category_name"]] = per.get(g["category_name"], 0) + g["count"]
    if not per:
        return Markup('<p class="hint">—</p>')
    items = sorted(per.items(), key=lambda kv: -kv[1])
    top = max(per.values())
    height = 28 * len(items) + 10
    bars = Markup("").join(
        Markup('<text x="0" y="{y}" dy="14">{name}</text><rect x="130" y="{y}" width="{w}" height="20" fill="#0b4a8f"></rect>'
               '<text x="{tx}" y="{y}" dy="14">{n}</text>').format(y=5 + i * 28, name=name, w=max(2, int(360 * n / top)), tx=140 + int(360 * n / top), n=n)
        for i, (name, n) in enumerate(items))
    return Markup('<svg class="c-chart" viewBox="0 0 560 {h}" role="img" aria-label="chart">{b}</svg>').format(h=height, b=bars)

