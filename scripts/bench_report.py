"""Write docs/benchmarks.md from bench-results/*.json (the last step of ``make bench``).

One report with every figure the issues ask for, SQLite and PostgreSQL side by side, and how each cost grows
from 1,000 to 100,000 to 1,000,000 rows. A figure whose benchmark did not run says so instead of vanishing.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
REPORT = ROOT / "docs" / "benchmarks.md"

SCALE_OPS = {
    "queue_take": "Take a queue ticket (kiosk tap → committed row + receipt)",
    "intake_file": "File a request (row + timeline + receipt)",
    "tracking_ticket": "Tracking page data of a ticket (token → receipt → view)",
    "tracking_case": "Tracking page data of a request",
    "intake_desk": "Request desk: open cases, most overdue first",
    "intake_supervision": "Supervision lists (通报, 督办, reopened twice)",
    "open311_published_90d": "公示 / Open311: published in the last 90 days",
    "queue_day_stats": "Queue statistics of one day",
    "intake_month_report": "Request report of a month (category × building)",
}
LOAD_PAGES = {
    "tracking_ticket": "/t/{token} of today's tickets",
    "tracking_case": "/t/{token} of requests",
}


def load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "?"
    return f"{os.cpu_count()} × {cpu}, Python {platform.python_version()}, commit {commit}"


def ms(cell: dict | None) -> str:
    return "—" if not cell else f"{cell['median_ms']:.1f} / {cell['p95_ms']:.1f}"


def section_core(out: list[str]) -> None:
    core, queue, timetable = load("core"), load("queue"), load("timetable")
    out.append("## Issuing and concurrency (issues 2, 4, 7)\n")
    out.append("| Figure | SQLite | PostgreSQL |\n|---|---|---|")
    if core:
        out.append(f"| Issue a receipt (row + token + QR), median / p95 ms | {ms(core.get('issue_sqlite'))} | {ms(core.get('issue_postgresql'))} |")
    if queue:
        cell = lambda b: f"{queue[b]['tickets_per_second']:.0f} t/s, numbers 1..{queue[b]['tickets']} {'intact' if queue[b]['numbers_ok'] else 'BROKEN'}" if b in queue else "—"  # noqa: E731
        out.append(f"| 8 processes taking tickets at once | {cell('sqlite')} | {cell('postgresql')} |")
    if timetable:
        for key in sorted({k for b in ("sqlite", "postgresql") for k in timetable.get(b, {})}):
            vals = [timetable.get(b, {}).get(key) for b in ("sqlite", "postgresql")]
            out.append(f"| Timetable: {key} | " + " | ".join("—" if v is None else json.dumps(v, ensure_ascii=False) for v in vals) + " |")
    if not (core or queue or timetable):
        out.append("| (not run) | | |")
    out.append("")
    if core and "tracking_1000" in core:
        out.append("Tracking page `GET /t/{token}` (wrk, one worker, SQLite): "
                   f"1,000 receipts {core['tracking_1000']['rps']} req/s p99 {core['tracking_1000']['p99_ms']} ms; "
                   f"100,000 receipts {core['tracking_100000']['rps']} req/s p99 {core['tracking_100000']['p99_ms']} ms "
                   f"(ratio {core['tracking_ratio_100k_to_1k']}).\n")


def section_scale(out: list[str]) -> None:
    scale = load("scale")
    out.append("## How costs grow with the data (issue 8)\n")
    if not scale:
        out.append("(scripts/bench_scale.py did not run)\n")
        return
    sizes = [str(s) for s in scale["sizes"]]
    backends = list(scale["results"])
    out.append("Median / p95 milliseconds per operation, in process (no HTTP). Rows = queue tickets of past days; "
               "requests are a tenth of that (at least 100), nearly all closed, 300 open.\n")
    head = "| Operation | " + " | ".join(f"{b} {int(s):,}" for b in backends for s in sizes) + " |"
    out.append(head)
    out.append("|---" * (1 + len(backends) * len(sizes)) + "|")
    for op, label in SCALE_OPS.items():
        cells = [ms(scale["results"][b].get(s, {}).get(op)) for b in backends for s in sizes]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    fills = [f"{scale['results'][b].get(s, {}).get('fill_s', '—')}" for b in backends for s in sizes]
    out.append("| (bulk fill, seconds) | " + " | ".join(fills) + " |")
    out.append("")


def section_load(out: list[str]) -> None:
    data = load("load")
    out.append("## The web host under load, a busy year's data (issue 8)\n")
    if not data:
        out.append("(scripts/bench_load.py did not run)\n")
        return
    out.append(f"{data['tickets']:,} tickets and {data['cases']:,} requests; `kiosk serve` with one worker; wrk 1 thread, "
               f"8 connections, {data['seconds']} s per page. Requests per second / p99 ms / non-2xx responses.\n")
    backends = list(data["results"])
    out.append("| Page | " + " | ".join(backends) + " |")
    out.append("|---" * (1 + len(backends)) + "|")
    pages = list(data["results"][backends[0]])
    for page in pages:
        cells = []
        for b in backends:
            r = data["results"][b].get(page)
            cells.append("—" if not r else f"{r['rps']:.0f} / {r['p99_ms']:.0f} / {r['non_2xx']}")
        out.append(f"| {LOAD_PAGES.get(page, page)} | " + " | ".join(cells) + " |")
    out.append("")


def section_ui(out: list[str]) -> None:
    ui, ime = load("ui"), load("ime")
    out.append("## The touch shell (issues 3, 4, 5)\n")
    if ui:
        cs = ui["cold_start_s"]
        out.append(f"- Cold start to the home screen's first frame: {cs['kiosk_home']:.2f} s against {cs['bare_kivy_label']:.2f} s "
                   f"for a bare Kivy label: **{cs['ratio']:.2f}×** (goal < 1.5×).")
        for key, label in (("tile_tap_ms", "Tile tap → plugin screen drawn"), ("issue_tap_ms", "Issue tap → receipt with QR drawn"),
                           ("queue_take_tap_ms", "Queue 取号 tap → receipt with QR")):
            if key in ui:
                out.append(f"- {label}: median {ui[key]['median']:.1f} ms, p95 {ui[key]['p95']:.1f} ms.")
        if "rss_mb" in ui:
            out.append("- Memory (RSS): " + ", ".join(f"{k.replace('_', ' ')} {v:.0f} MB" for k, v in ui["rss_mb"].items()) + ".")
    else:
        out.append("- (scripts/bench_ui.py did not run)")
    if ime and "ime_keystroke" in ime:
        load_s, key = ime.get("ime_cold_load", {}), ime["ime_keystroke"]
        out.append(f"- Pinyin keyboard: dictionary loaded in {load_s.get('median_s', '—')} s (peak {load_s.get('peak_rss_mb', '—')} MB); "
                   f"a keystroke's candidates median {key['median_ms']} ms, p95 {key['p95_ms']} ms over {key['n']} keystrokes.")
    out.append("")


def main() -> None:
    out = ["# Benchmarks", "",
           f"Written by `make bench` ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC) on {machine()}. "
           "Figures from a shared 2-core machine; compare runs on the same machine only. Tests never assert a time.", ""]
    section_core(out)
    section_scale(out)
    section_load(out)
    section_ui(out)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
