"""Core benchmarks (``make bench``): issuing receipts, and tracking-page look-ups as the data grows.

1. Issue a receipt (row + token + QR matrix) N times on SQLite and on PostgreSQL: median and p95 ms.
2. ``GET /t/{token}`` with wrk against ``kiosk serve`` (one uvicorn worker) with 1,000 and with
   100,000 receipts in the database: requests per second and p99; the ratio shows whether look-ups
   stay flat as the data grows (they are one indexed query on the token hash).

Numbers go to stdout and to bench-results/core.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from kiosk.clock import utcnow  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.context import build_context  # noqa: E402
from kiosk.models import Receipt, ReceiptToken  # noqa: E402
from kiosk.pluginhost import PluginHost  # noqa: E402
from kiosk.receipts import qr_matrix  # noqa: E402
from kiosk.security import new_token, token_hash  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_issue(url: str, n: int = 300) -> dict:
    os.environ["KIOSK_DATABASE_URL"] = url
    ctx = build_context(load_settings(), PluginHost(builtins=(), load_entrypoints=False))
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        with ctx.transaction() as s:
            issued = ctx.issue_receipt(s, plugin="bench", kind="ticket", subject=str(i), number=f"A{i % 1000:03d}", title="社保医保", lines=["前面还有 3 人"])
        qr_matrix(issued.url)
        times.append((time.perf_counter() - t0) * 1000)
    ctx.engine.dispose()
    return {"n": n, "median_ms": round(statistics.median(times), 2), "p95_ms": round(pct(times, 95), 2)}


def fill(url: str, count: int, sample: int = 1000) -> list[str]:
    """Insert ``count`` receipts fast (bulk), returning ``sample`` of their tokens."""
    engine = create_engine(url)
    tokens = []
    now = utcnow()
    batch = 5000
    with engine.begin() as conn:
        next_id = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM receipt")).scalar() + 1
        for start in range(0, count, batch):
            rows, toks = [], []
            for i in range(start, min(count, start + batch)):
                token = new_token()
                if len(tokens) < sample and random.random() < sample / count * 1.5:
                    tokens.append(token)
                rid = next_id + i
                rows.append({"id": rid, "plugin": "sample", "kind": "visitor-pass", "subject": str(i), "number": f"V{i % 1000:03d}",
                             "title": "访客凭条", "lines": [], "created_at": now, "expires_at": None, "terminal": "bench"})
                toks.append({"receipt_id": rid, "token_hash": token_hash(token), "created_at": now})
            conn.execute(insert(Receipt), rows)
            conn.execute(insert(ReceiptToken), toks)
    engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk_tracking(env: dict, tokens: list[str], seconds: int = 10) -> dict:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        paths = ",".join(f'"/t/{t}"' for t in tokens)
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text("local paths = {" + paths + "}\nrequest = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n")
        out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
        p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {"rps": round(rps, 1), "p99_ms": round(p99_ms, 2), "non_2xx": int(non2xx.group(1)) if non2xx else 0}
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    results: dict = {}
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    os.environ["KIOSK_DATA_DIR"] = str(work)
    config = work / "kiosk.toml"
    config.write_text("[web]\ntoken_rate_limit = 100000000\n", encoding="utf-8")  # measure the page, not the limiter
    os.environ["KIOSK_CONFIG"] = str(config)
    sqlite_url = f"sqlite:///{work / 'issue.sqlite3'}"
    results["issue_sqlite"] = bench_issue(sqlite_url)
    pg = os.environ.get("KIOSK_TEST_PG_URL")
    if pg:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text("DROP DATABASE IF EXISTS kiosk_bench WITH (FORCE)"))
            c.execute(text("CREATE DATABASE kiosk_bench"))
        results["issue_postgresql"] = bench_issue(make_url(pg).set(database="kiosk_bench").render_as_string(hide_password=False))
    print(json.dumps(results, indent=2), flush=True)
    if shutil.which("wrk"):
        for count in (1_000, 100_000):
            url = f"sqlite:///{work / f'track{count}.sqlite3'}"
            env = {**os.environ, "KIOSK_DATABASE_URL": url}
            subprocess.run([sys.executable, "-m", "kiosk", "db", "upgrade"], env=env, check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "kiosk", "plugins", "list"], env=env, check=True, capture_output=True)
            tokens = fill(url, count)
            results[f"tracking_{count}"] = wrk_tracking(env, tokens)
            print(count, results[f"tracking_{count}"], flush=True)
        results["tracking_ratio_100k_to_1k"] = round(results["tracking_100000"]["rps"] / results["tracking_1000"]["rps"], 2)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "core.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
