"""Queue benchmark (``make bench``): tickets per second with 8 concurrent takers, SQLite and PostgreSQL.

Eight processes each take ``PER_PROCESS`` tickets for one service at once (each ticket is a
transaction: the day counter, the ticket row, its receipt and token, the event). Reported: tickets per
second over the whole run, and whether the numbers came out 1..N with no gap and no duplicate.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCESSES = 8
PER_PROCESS = 50
NOW = "2026-11-30T09:00:00+08:00"


def _context(url: str, migrate: bool):
    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_NOW"] = NOW
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    return build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False), run_migrations=migrate)


def _taker(url: str, start, out) -> None:
    from kiosk.plugins.queue.service import take_ticket

    ctx = _context(url, False)
    start.wait()
    out.put([take_ticket(ctx, "A").ticket.number for _ in range(PER_PROCESS)])
    ctx.engine.dispose()


def run(url: str) -> dict:
    from kiosk.plugins.queue.demo import load
    from kiosk.plugins.queue.models import QueueService

    ctx = _context(url, True)
    with ctx.transaction() as s:
        load(s)
        s.get(QueueService, "A").daily_cap = 999
    ctx.engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Event(), spawn.Queue()
    procs = [spawn.Process(target=_taker, args=(url, start, out)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    time.sleep(3)  # let every process import and connect before the clock starts
    t0 = time.perf_counter()
    start.set()
    numbers = sorted(n for _ in procs for n in out.get(timeout=300))
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    total = PROCESSES * PER_PROCESS
    return {"tickets": total, "seconds": round(elapsed, 2), "tickets_per_second": round(total / elapsed, 1),
            "numbers_ok": numbers == list(range(1, total + 1))}


def main() -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-queue-"))
    os.environ["KIOSK_DATA_DIR"] = str(work)
    results = {"sqlite": run(f"sqlite:///{work / 'queue.sqlite3'}")}
    pg = os.environ.get("KIOSK_TEST_PG_URL")
    if pg:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text("DROP DATABASE IF EXISTS kiosk_bench_queue WITH (FORCE)"))
            c.execute(text("CREATE DATABASE kiosk_bench_queue"))
        results["postgresql"] = run(make_url(pg).set(database="kiosk_bench_queue").render_as_string(hide_password=False))
    print("queue: 8 concurrent takers")
    for name, r in results.items():
        print(f"  {name}: {r['tickets_per_second']} tickets/s ({r['tickets']} in {r['seconds']} s), numbers 1..N intact: {r['numbers_ok']}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "queue.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
