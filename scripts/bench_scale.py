"""How each cost grows with the data (``make bench``): 1,000 → 100,000 → 1,000,000 rows, SQLite and PostgreSQL.

For every size the database is filled in bulk with a history that looks like the center's (queue tickets
spread over past business days, about 400 a day; requests spread over past days, about 100 a day, nearly all
closed; one receipt and token per ticket and per request), then each operation a resident or a clerk
triggers is timed in process, ``REPS`` times: median and p95 milliseconds.

Operations: take a queue ticket; file a request; open a tracking page (token → receipt → the plugin's view,
for a ticket and for a request); the request desk (open cases, most overdue first); the supervision lists;
the 公示 projection (Open311 ``requests.json``); the queue's statistics of one day; the request report of a
month. Results go to bench-results/scale.json. Not a test: nothing here asserts a time.

``BENCH_SIZES`` (e.g. ``1000,100000``) limits the sizes for a quick run.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

NOW = "2026-11-30T10:00:00+08:00"
SIZES = tuple(int(x) for x in os.environ.get("BENCH_SIZES", "1000,100000,1000000").split(","))
REPS = 60
BATCH = 10_000
TICKETS_PER_DAY = 400
CASES_PER_DAY = 100


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, reps: int = REPS) -> dict:
    times = []
    for i in range(reps):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(pct(times, 95), 2)}


def context(url: str, migrate: bool = True):
    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_NOW"] = NOW
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    return build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue", "kiosk.plugins.intake"), load_entrypoints=False),
                         run_migrations=migrate)


def fill(ctx, rows: int) -> dict:
    """``rows`` queue tickets and ``rows // 10`` requests (at least 100) of past days, each with a receipt and a token."""
    from kiosk.models import Receipt, ReceiptToken
    from kiosk.plugins.intake.models import Case, CaseEvent
    from kiosk.plugins.queue.models import Ticket
    from kiosk.security import new_token, token_hash

    from kiosk.plugins.intake import demo as intake_demo
    from kiosk.plugins.queue import demo as queue_demo

    with ctx.transaction() as s:
        queue_demo.load(s)
    intake_demo.load_places(ctx)
    engine = ctx.engine
    today = date(2026, 11, 30)
    tokens = {"ticket": [], "case": []}
    cases = max(100, rows // 10)
    with engine.begin() as conn:
        rid = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM receipt")).scalar() + 1
        tid = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM queue_ticket")).scalar() + 1
        cid = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM intake_case")).scalar() + 1
        for start in range(0, rows, BATCH):
            receipts, toks, tickets = [], [], []
            for i in range(start, min(rows, start + BATCH)):
                day = today - timedelta(days=1 + i // TICKETS_PER_DAY)
                arrived = datetime(day.year, day.month, day.day, 1, 0, tzinfo=timezone.utc) + timedelta(seconds=60 * (i % TICKETS_PER_DAY))
                letter = "ABCDEF"[i % 6]
                number = i % TICKETS_PER_DAY // 6 + 1
                token = new_token()
                if len(tokens["ticket"]) < 500 and random.random() < 0.02:
                    tokens["ticket"].append(token)
                receipts.append({"id": rid, "plugin": "queue", "kind": "ticket", "subject": str(tid), "number": f"{letter}{number:03d}",
                                 "title": "排队凭条", "lines": [], "created_at": arrived, "expires_at": arrived + timedelta(days=2), "terminal": "bench"})
                toks.append({"receipt_id": rid, "token_hash": token_hash(token), "created_at": arrived})
                tickets.append({"id": tid, "business_day": day.isoformat(), "letter": letter, "number": number,
                                "service_code": letter, "priority": i % 9 == 0, "state": "served", "arrived_at": arrived,
                                "called_at": arrived + timedelta(minutes=12), "first_called_at": arrived + timedelta(minutes=12),
                                "finished_at": arrived + timedelta(minutes=20), "counter": 1 + i % 6, "call_count": 1, "outcome": "done",
                                "estimate_min": 5, "estimate_max": 15, "receipt_id": rid, "terminal": "bench"})
                rid += 1
                tid += 1
            conn.execute(insert(Receipt), receipts)
            conn.execute(insert(ReceiptToken), toks)
            conn.execute(insert(Ticket), tickets)
        for start in range(0, cases, BATCH):
            receipts, toks, rows_c, events = [], [], [], []
            for i in range(start, min(cases, start + BATCH)):
                day = today - timedelta(days=1 + i // CASES_PER_DAY)
                filed = datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc)
                open_case = i < 300  # the recent few hundred are still being handled
                state = "in_progress" if open_case else ("published" if i < 2000 else "closed")
                case_no = f"MS{day:%y%m%d}-{i % CASES_PER_DAY + 1:03d}"
                token = new_token()
                if len(tokens["case"]) < 500 and random.random() < 0.05:
                    tokens["case"].append(token)
                receipts.append({"id": rid, "plugin": "intake", "kind": "case", "subject": str(cid), "number": case_no, "title": "民生诉求受理回执",
                                 "lines": [], "created_at": filed, "expires_at": None, "terminal": "bench"})
                toks.append({"receipt_id": rid, "token_hash": token_hash(token), "created_at": filed})
                rows_c.append({"id": cid, "case_no": case_no, "category": ("repair", "env", "safety", "green", "aid")[i % 5], "problem": "楼道灯不亮",
                               "building": str(1 + i % 39), "unit": "1", "channel": "kiosk", "state": state, "kind": "promised",
                               "team_code": f"T{1 + i % 6}", "filed_at": filed, "filed_on": day, "due_date": day + timedelta(days=7),
                               "extended": False, "reopen_count": 0, "supervision": "", "public_summary": "楼道灯不亮", "public_response": "已修好",
                               "resolved_at": None if open_case else filed + timedelta(days=3),
                               "published_at": None if open_case else filed + timedelta(days=4),
                               "closed_at": None if open_case or state == "published" else filed + timedelta(days=6),
                               "phone": "13812341234", "surname": "张", "title": "先生", "name_public": i % 2 == 0,
                               "receipt_id": rid, "terminal": "bench"})
                events.append({"case_id": cid, "action": "file", "from_state": "", "to_state": "submitted", "at": filed, "by": "bench",
                               "note": "", "detail": {}})
                rid += 1
                cid += 1
            conn.execute(insert(Receipt), receipts)
            conn.execute(insert(ReceiptToken), toks)
            conn.execute(insert(Case), rows_c)
            conn.execute(insert(CaseEvent), events)
        if engine.dialect.name == "postgresql":  # explicit ids above: move the id sequences past them
            for table in ("receipt", "queue_ticket", "intake_case"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
        conn.execute(text("ANALYZE"))  # fresh statistics, as autovacuum / a daily ANALYZE would give
    return tokens


def measure(ctx, tokens: dict) -> dict:
    from kiosk.plugins.intake import public, reports as intake_reports, service as intake
    from kiosk.plugins.queue import service as queue
    from kiosk.plugins.queue import stats
    from kiosk.plugins.queue.models import QueueService
    from kiosk.receipts import find_receipt

    with ctx.transaction() as s:
        for svc in s.query(QueueService):
            svc.daily_cap = 100_000

    def track(kind):
        def run(i):
            token = tokens[kind][i % len(tokens[kind])]
            with ctx.sessions() as s:
                receipt = find_receipt(s, token)
            assert ctx.tracking_view(receipt, "zh", token) is not None
        return run

    form = {"category": "repair", "problem": "楼道灯不亮", "building": "12", "unit": "2", "phone": "13812341234"}
    day = date(2026, 11, 30)
    return {
        "queue_take": timed(lambda i: queue.take_ticket(ctx, "ABCDEF"[i % 6])),
        "intake_file": timed(lambda i: intake.file_case(ctx, form)),
        "tracking_ticket": timed(track("ticket")),
        "tracking_case": timed(track("case")),
        "intake_desk": timed(lambda i: intake.list_cases(ctx, open_only=True), 20),
        "intake_supervision": timed(lambda i: intake.supervision(ctx), 20),
        "open311_published_90d": timed(lambda i: public.published_cases(ctx, limit=1000, published_since=ctx.now() - timedelta(days=90)), 20),
        "queue_day_stats": timed(lambda i: stats.day_stats(ctx, day - timedelta(days=1 + i % 5)), 20),
        "intake_month_report": timed(lambda i: intake_reports.recurring(ctx, day - timedelta(days=30), day), 20),
    }


def database(pg_admin: str | None, name: str, work: Path) -> str:
    if pg_admin is None:
        return f"sqlite:///{work / (name + '.sqlite3')}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(pg_admin).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="kiosk-scale-"))
    os.environ["KIOSK_DATA_DIR"] = str(work)
    backends = {"sqlite": None}
    if os.environ.get("KIOSK_TEST_PG_URL"):
        backends["postgresql"] = os.environ["KIOSK_TEST_PG_URL"]
    results: dict = {}
    for backend, admin in backends.items():
        for size in SIZES:
            url = database(admin, f"kiosk_scale_{size}", work)
            ctx = context(url)
            t0 = time.perf_counter()
            tokens = fill(ctx, size)
            filled = time.perf_counter() - t0
            ctx.engine.dispose()
            ctx = context(url, migrate=False)
            ops = measure(ctx, tokens)
            ctx.engine.dispose()
            results.setdefault(backend, {})[str(size)] = {"fill_s": round(filled, 1), **ops}
            print(backend, size, json.dumps(results[backend][str(size)]), flush=True)
            if admin is None:
                (work / f"kiosk_scale_{size}.sqlite3").unlink(missing_ok=True)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "scale.json").write_text(json.dumps({"sizes": list(SIZES), "results": results}, indent=2))


if __name__ == "__main__":
    main()
