"""The web host under load with a busy year's data (``make bench``): SQLite and PostgreSQL.

A busy year: 200,000 queue tickets and 20,000 requests (each with its receipt), filled in bulk as in
bench_scale.py. ``kiosk serve`` (one worker, as on a kiosk PC; the server runs ``--workers`` for a real
center) is loaded with wrk (1 thread, 8 connections, 10 s per page) on loopback: the public tracking pages
of tickets and of requests (random tokens), the hall board, the 公示 list, Open311, and the staff pages
(logged in: the request desk, the supervision lists, the counters, the queue statistics). Reported per
page: requests per second, p99 latency, and non-2xx responses (must be 0). Results: bench-results/load.json.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_core import free_port  # noqa: E402
from bench_scale import context, database, fill  # noqa: E402

TICKETS = int(os.environ.get("BENCH_LOAD_TICKETS", "200000"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "10"))
PUBLIC = ("/queue/board", "/cases/public", "/open311/v2/requests.json")
STAFF = ("/staff/cases", "/staff/cases/supervision", "/staff/queue", "/staff/queue/stats")


def login(port: int) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/staff/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "admin", "password": "huaxin-admin", "csrf_token": token, "next": "/staff"}).encode()
    landed = opener.open(f"http://127.0.0.1:{port}/staff/login", data=data)
    page = landed.read().decode()
    if landed.geturl().split("?")[0].endswith("/staff/password"):  # the demo password must be changed first
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        new = "bench-" + os.urandom(8).hex()
        change = urllib.parse.urlencode({"current": "huaxin-admin", "password": new, "confirm": new, "csrf_token": token}).encode()
        opener.open(f"http://127.0.0.1:{port}/staff/password", data=change).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(port: int, paths: list[str], cookie: str = "") -> dict:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    quoted = ",".join(json.dumps(p) for p in paths)
    header = f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n' if cookie else ""
    script.write_text(header + "local paths = {" + quoted + "}\nrequest = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n")
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{SECONDS}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, check=True).stdout
    script.unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": round(rps, 1), "p99_ms": round(p99_ms, 1), "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else ""}


def run(url: str, work: Path) -> dict:
    ctx = context(url)
    tokens = fill(ctx, TICKETS)
    # past days' queue slips have expired (410 by design): follow 200 of today's tickets instead
    from kiosk.plugins.queue.service import take_ticket

    tokens["ticket"] = [take_ticket(ctx, "ABCDEF"[i % 6]).url.rsplit("/t/", 1)[1] for i in range(200)]
    ctx.engine.dispose()
    env = {**os.environ, "KIOSK_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "kiosk", "demo-data"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        results = {"tracking_ticket": wrk(port, [f"/t/{t}" for t in tokens["ticket"]]),
                   "tracking_case": wrk(port, [f"/t/{t}" for t in tokens["case"]])}
        for path in PUBLIC:
            results[path] = wrk(port, [path])
        cookie = login(port)
        for path in STAFF:
            results[path] = wrk(port, [path], cookie)
        return results
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    if not shutil.which("wrk"):
        print("wrk is not installed: skipping the load benchmark", file=sys.stderr)
        return
    work = Path(tempfile.mkdtemp(prefix="kiosk-load-"))
    os.environ["KIOSK_DATA_DIR"] = str(work)
    config = work / "kiosk.toml"
    # the center's config with the look-up limiter opened: measure the pages, not the limiter
    default = (ROOT / "kiosk" / "default-config.toml").read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^token_rate_limit = \d+", "token_rate_limit = 100000000", default), encoding="utf-8")
    os.environ["KIOSK_CONFIG"] = str(config)
    backends = {"sqlite": None}
    if os.environ.get("KIOSK_TEST_PG_URL"):
        backends["postgresql"] = os.environ["KIOSK_TEST_PG_URL"]
    results = {}
    for backend, admin in backends.items():
        results[backend] = run(database(admin, "kiosk_load", work), work)
        print(backend, json.dumps(results[backend], indent=1), flush=True)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps({"tickets": TICKETS, "cases": max(100, TICKETS // 10), "seconds": SECONDS,
                                               "results": results}, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
