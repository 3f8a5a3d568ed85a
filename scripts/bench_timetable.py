"""Timetable benchmark (``make bench``): sign-ups per second with 8 racing processes, SQLite and PostgreSQL,
and the time to build one week grid.

Eight processes each sign up ``PER_PROCESS`` different phones for the same class at once (each sign-up
is one transaction: the course row locked, seats counted, the sign-up row, its receipt and token). The
class has ``SEATS`` seats, so most land on the waiting list. Reported: sign-ups per second, whether
exactly ``SEATS`` were enrolled and the waiting positions came out 1..N with no gap, and the median time
of ``service.week`` (the grid the kiosk and the web draw).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCESSES = 8
PER_PROCESS = 25
SEATS = 20
NOW = "2026-11-30T09:00:00+08:00"


def _context(url: str, migrate: bool):
    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_NOW"] = NOW
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    return build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.timetable",), load_entrypoints=False), run_migrations=migrate)


def _signer(url: str, course: int, index: int, start, out) -> None:
    from kiosk.plugins.timetable.service import sign_up

    ctx = _context(url, False)
    start.wait()
    out.put([(r.state, r.position) for r in (sign_up(ctx, course, f"1370{index:03d}{i:04d}") for i in range(PER_PROCESS))])
    ctx.engine.dispose()


def run(url: str) -> dict:
    from kiosk.plugins.timetable import service
    from kiosk.plugins.timetable.demo import load
    from kiosk.plugins.timetable.models import Course

    ctx = _context(url, True)
    with ctx.transaction() as s:
        load(s)
        course = Course(term_id=1, name="基准测试班", room_id=1, capacity=SEATS, active=True, last_seq=0)
        s.add(course)
        s.flush()
        course_id = course.id
    grid = []
    for _ in range(30):
        t0 = time.perf_counter()
        service.week(ctx)
        grid.append((time.perf_counter() - t0) * 1000)
    ctx.engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Event(), spawn.Queue()
    procs = [spawn.Process(target=_signer, args=(url, course_id, i, start, out)) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    time.sleep(3)  # let every process import and connect before the clock starts
    t0 = time.perf_counter()
    start.set()
    results = [r for _ in procs for r in out.get(timeout=300)]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    total = PROCESSES * PER_PROCESS
    enrolled = sum(1 for state, _ in results if state == "enrolled")
    positions = sorted(pos for state, pos in results if state == "waitlisted")
    return {"signups": total, "seconds": round(elapsed, 2), "signups_per_second": round(total / elapsed, 1),
            "enrolled_ok": enrolled == SEATS, "positions_ok": positions == list(range(1, total - SEATS + 1)),
            "week_grid_ms_median": round(statistics.median(grid), 1)}


def main() -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-timetable-"))
    os.environ["KIOSK_DATA_DIR"] = str(work)
    results = {"sqlite": run(f"sqlite:///{work / 'timetable.sqlite3'}")}
    pg = os.environ.get("KIOSK_TEST_PG_URL")
    if pg:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text("DROP DATABASE IF EXISTS kiosk_bench_timetable WITH (FORCE)"))
            c.execute(text("CREATE DATABASE kiosk_bench_timetable"))
        results["postgresql"] = run(make_url(pg).set(database="kiosk_bench_timetable").render_as_string(hide_password=False))
    print(f"timetable: 8 racing processes signing up for one class of {SEATS} seats")
    for name, r in results.items():
        print(f"  {name}: {r['signups_per_second']} sign-ups/s ({r['signups']} in {r['seconds']} s), exactly {SEATS} enrolled: "
              f"{r['enrolled_ok']}, waiting positions 1..N intact: {r['positions_ok']}; week grid {r['week_grid_ms_median']} ms (median)")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "timetable.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
