"""The staff statistics page's distribution tables: waiting and service times per minute range, and the
outcome codes, one row per service (a count and a bar in each cell, readable without colour)."""

from __future__ import annotations

from fastapi import Request
from markupsafe import Markup

from kiosk.api.web import text_for as t

OUTCOME_NAMES = {"done": ("办结", "Done"), "consulted": ("咨询解答", "Answered"), "incomplete": ("材料不全", "Documents missing"),
                 "referred": ("转办", "Referred"), "other": ("其他", "Other"), "reset": ("日终关闭", "Closed at reset")}


def _range_label(bucket: dict) -> str:
    return f"{bucket['from_min']}–{bucket['to_min']}′" if bucket["to_min"] is not None else f"{bucket['from_min']}′+"


def _table(request: Request, title: tuple[str, str], services: list[dict], key: str) -> Markup:
    if not services:
        return Markup("")
    labels = [_range_label(b) for b in services[0][key]]
    head = Markup("").join(Markup("<th>{}</th>").format(x) for x in [t(request, "业务", "Service"), *labels])
    rows = Markup("")
    for r in services:
        counts = [b["count"] for b in r[key]]
        top = max(counts + [1])
        cells = Markup("").join(Markup('<td>{} <meter min="0" max="{}" value="{}" aria-hidden="true"></meter></td>').format(n, top, n)
                                for n in counts)
        rows += Markup("<tr><th>{} {}</th>{}</tr>").format(r["code"], r["name"], cells)
    return Markup('<h2>{}</h2><div class="table-wrap"><table class="q-stats q-dist"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
                  '</table></div>').format(t(request, *title), head, rows)


def distribution_tables(request: Request, data: dict) -> Markup:
    """等候时间分布, 办理时间分布 and 办理结果 for the day, in that order."""
    services = data["services"]
    out = _table(request, ("等候时间分布（分钟，人数）", "Waiting time (minutes, tickets)"), services, "wait_buckets")
    out += _table(request, ("办理时间分布（分钟，人数）", "Service time (minutes, tickets)"), services, "service_buckets")
    if services:
        codes = list(services[0]["outcomes"])
        head = Markup("").join(Markup("<th>{}</th>").format(x) for x in
                               [t(request, "业务", "Service"), *(t(request, *OUTCOME_NAMES.get(c, (c, c))) for c in codes)])
        rows = Markup("").join(Markup("<tr><th>{} {}</th>{}</tr>").format(
            r["code"], r["name"], Markup("").join(Markup("<td>{}</td>").format(r["outcomes"][c]) for c in codes)) for r in services)
        out += Markup('<h2>{}</h2><div class="table-wrap"><table class="q-stats"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
                      '</table></div>').format(t(request, "办理结果", "Outcomes"), head, rows)
    return out
