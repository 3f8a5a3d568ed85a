"""Pinyin keyboard benchmark (``make bench``): loading the dictionary, and one keystroke's candidates.

1. Cold load: a fresh interpreter imports kiosk.ime and reads the dictionary (what the keyboard's
   background warm-up does once per process); wall time and the process's peak memory.
2. Keystrokes: residents' sentences typed letter by letter, ``candidates()`` after each letter, the
   way the keyboard calls it; median, p95 and worst milliseconds.

Numbers go to stdout and to bench-results/ime.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = ["loudaodeng", "yijinghuaileyizhou", "wanshanghenhei", "xiashuidaodusele", "wuyebuguan", "ld", "xsd",
             "dianti'huaile", "nuanqiburedongtianhenleng", "lajitongmanle", "qqqqqqqqqqqqqqqqqqqq", "tingchewei"]
COLD = """
import resource, time
t = time.perf_counter()
from kiosk import ime
ime.warm_up()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cold_load(runs: int = 3) -> dict:
    seconds, peak_kb = [], 0
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True)
        took, kb = out.stdout.split()
        seconds.append(float(took))
        peak_kb = max(peak_kb, int(kb))
    return {"runs": runs, "median_s": round(statistics.median(seconds), 3), "peak_rss_mb": round(peak_kb / 1024)}


def keystrokes(rounds: int = 20) -> dict:
    from kiosk import ime

    ime.warm_up()
    times = []
    for _ in range(rounds):
        for sentence in SENTENCES:
            for i in range(1, len(sentence) + 1):
                t0 = time.perf_counter()
                ime.candidates(sentence[:i])
                times.append((time.perf_counter() - t0) * 1000)
    return {"n": len(times), "median_ms": round(statistics.median(times), 3), "p95_ms": round(pct(times, 95), 3),
            "max_ms": round(max(times), 3)}


def main() -> None:
    results = {"ime_cold_load": cold_load(), "ime_keystroke": keystrokes()}
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "ime.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
