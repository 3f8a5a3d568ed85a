"""Touch-shell benchmarks (``make bench``, under Xvfb): start-up, tap latency, memory.

1. Cold start to the first frame of the home screen, as a ratio to a bare Kivy app that shows one
   label, both started the same way in the same run (goal: under 1.5x). Each is a fresh process; the
   time runs from spawning it to its first drawn frame. The data dir is prepared first (migrated,
   font extracted), as on a kiosk that has run before.
2. Tap on a tile to the first frame of the plugin's screen, and tap on "issue" to the first frame of
   the receipt screen with its QR drawn: median and p95 over 100 taps (goal: p95 under 100 ms). Taps
   are real touch events through Kivy's event loop, which also paces frames at 60 fps as on the kiosk.
3. Resident memory after start and after 1,000 simulated journeys (tile, type, issue, receipt, idle
   prompt, idle reset).

Numbers go to stdout and to bench-results/ui.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TAPS = 100
JOURNEYS = int(os.environ.get("KIOSK_BENCH_JOURNEYS", "1000"))
START_RUNS = 5

def bench_config() -> str:
    """The packaged Huaxin configuration with a dummy printer and the bench plugin on in every season."""
    from kiosk.config import PACKAGED_CONFIG

    text = PACKAGED_CONFIG.read_text(encoding="utf-8").replace('backend = "none"', 'backend = "dummy"')
    return re.sub(r"^plugins = \[(.*)\]$", r'plugins = [\1, "sample", "bench"]', text, flags=re.M)


# -- the bench plugin: one tile, one screen with a field and an "issue" button ----------------------
class BenchPlugin:
    from kiosk import hookimpl

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        from kiosk.types import Tile

        return [Tile(id="bench", title="测速", title_en="Bench", hint="领取凭条", hint_en="Get a slip",
                     screen="bench.main", icon="测", order=1)]

    @hookimpl
    def kiosk_screens(self, ctx):
        from kiosk.types import ScreenSpec

        return [ScreenSpec(name="bench.main", factory=build_bench_screen)]


def build_bench_screen(shell):
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import Screen

    from kiosk.screens.widgets import Heading, KioskButton, KioskInput

    class BenchScreen(Screen):
        def reset(self):
            self.field.text = ""

    screen = BenchScreen()
    box = BoxLayout(orientation="vertical", padding=40, spacing=30)
    box.add_widget(Heading(text="测速"))
    screen.field = KioskInput()
    box.add_widget(screen.field)
    count = [0]

    def issue(*_args):
        count[0] += 1
        with shell.ctx.transaction() as s:
            issued = shell.ctx.issue_receipt(s, plugin="bench", kind="bench", subject=str(count[0]),
                                             number=f"B{count[0] % 1000:03d}", title="测速凭条", lines=["第1行"])
        shell.show_receipt(issued)

    screen.issue_button = KioskButton(text="取凭条", on_release=issue)
    box.add_widget(screen.issue_button)
    screen.add_widget(box)
    return screen


def make_host():
    from kiosk.pluginhost import PluginHost

    host = PluginHost()
    host.register(BenchPlugin(), name="bench")
    return host


def make_context():
    from kiosk.config import load_settings
    from kiosk.context import build_context

    return build_context(load_settings(), make_host())


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- children: one cold start each ----------------------------------------------------------------
def child_bare() -> None:
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.app import App
    from kivy.core.window import Window
    from kivy.uix.label import Label

    class Bare(App):
        def build(self):
            return Label(text="hello")

        def on_start(self):
            Window.bind(on_flip=self.first)

        def first(self, *_args):
            Window.unbind(on_flip=self.first)
            print("FRAME", flush=True)
            self.stop()

    Bare().run()


def child_home() -> None:
    from kiosk.bootstrap import prepare

    prepare(size=(1920, 1080))
    from kivy.core.window import Window

    from kiosk.app import KioskApp

    class Timed(KioskApp):
        def on_start(self):
            super().on_start()
            Window.bind(on_flip=self.first)

        def first(self, *_args):
            Window.unbind(on_flip=self.first)
            print("FRAME", len(self.home.ids.tiles.children), flush=True)
            self.stop()

    Timed(make_context()).run()


def cold_start(kind: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    if not line.startswith("FRAME"):
        raise SystemExit(f"the {kind} app did not draw a frame (exit {proc.returncode})")
    return elapsed


# -- in-process: taps and journeys ----------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def until_drawn(harness, condition) -> None:
    seen = harness.flips
    while not (condition() and harness.flips > seen):
        harness.step()


def in_process() -> dict:
    from kiosk.bootstrap import prepare

    prepare(size=(1920, 1080))
    from kiosk.app import KioskApp
    from kiosk.screens import background
    from kiosk.screens.harness import Harness

    clock = [1000.0]
    app = KioskApp(make_context(), idle_clock=lambda: clock[0])
    harness = Harness(app).start()
    harness.step(10)
    gc.collect()
    rss_start = rss_mb()
    receipt = app.screen("receipt")

    def tile():
        return next(t for t in app.home.ids.tiles.children if t.plugin == "bench")

    tile_ms, issue_ms = [], []
    for _ in range(TAPS):
        t0 = time.perf_counter()
        harness.tap(tile(), frames=0)
        until_drawn(harness, lambda: app.sm.current == "bench.main")
        tile_ms.append((time.perf_counter() - t0) * 1000)
        screen = app.sm.current_screen
        screen.field.text = "张三"
        t0 = time.perf_counter()
        harness.tap(screen.issue_button, frames=0)
        until_drawn(harness, lambda: app.sm.current == "receipt" and receipt.ids.qr.texture is not None)
        issue_ms.append((time.perf_counter() - t0) * 1000)
        harness.until(lambda: receipt.status == "printed")
        app.go_home()
        harness.step(2)

    # The queue: tap 取号 on one service to the receipt with its QR drawn (a real ticket each time).
    queue_ms = []
    for _ in range(TAPS):
        app.open_screen("queue.services")
        harness.step(2)
        row = next(r for r in app.sm.current_screen.ids.list.children if r.code == "F")
        harness.tap(row)
        take = app.sm.current_screen.ids.take
        t0 = time.perf_counter()
        harness.tap(take, frames=0)
        until_drawn(harness, lambda: app.sm.current == "receipt" and receipt.ids.qr.texture is not None)
        queue_ms.append((time.perf_counter() - t0) * 1000)
        harness.until(lambda: receipt.status == "printed")
        app.go_home()
        harness.step(2)

    t0 = time.perf_counter()
    rss_marks = {}
    for i in range(JOURNEYS):
        if i in (JOURNEYS // 10, JOURNEYS // 2):
            gc.collect()
            rss_marks[f"after_{i}_journeys"] = rss_mb()
        harness.tap(tile())
        app.sm.current_screen.field.text = "李四 3号楼"
        harness.tap(app.sm.current_screen.issue_button)
        harness.until(lambda: receipt.status == "printed")
        clock[0] += 61
        app._poll_idle()  # "还需要帮助吗？"
        harness.step()
        clock[0] += 16
        app._poll_idle()  # countdown over: reset
        harness.step(2)
        assert app.sm.current == "home"
    journeys_s = time.perf_counter() - t0
    background.wait()
    gc.collect()
    rss_end = rss_mb()
    harness.stop()
    return {
        "tile_tap_ms": {"median": statistics.median(tile_ms), "p95": pct(tile_ms, 0.95), "max": max(tile_ms)},
        "issue_tap_ms": {"median": statistics.median(issue_ms), "p95": pct(issue_ms, 0.95), "max": max(issue_ms)},
        "queue_take_tap_ms": {"median": statistics.median(queue_ms), "p95": pct(queue_ms, 0.95), "max": max(queue_ms)},
        "rss_mb": {"after_start": rss_start, **rss_marks, f"after_{JOURNEYS}_journeys": rss_end},
        "journey_ms_mean": journeys_s * 1000 / max(1, JOURNEYS),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        {"bare": child_bare, "home": child_home}[sys.argv[2]]()
        return
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-ui-"))
    os.environ.update(KIOSK_DATA_DIR=str(work / "data"), KIOSK_CONFIG=str(work / "kiosk.toml"),
                      KIVY_HOME=str(work / "kivy"), KIVY_NO_ARGS="1", KIVY_NO_CONFIG="1", KIVY_LOG_MODE="PYTHON")
    os.environ.pop("KIOSK_DATABASE_URL", None)
    os.environ["KIOSK_NOW"] = "2026-11-30T09:15:00+08:00"  # a Monday morning: the hall is open
    (work / "kiosk.toml").write_text(bench_config(), encoding="utf-8")
    from kiosk.fonts import find_faces

    ctx = make_context()  # migrate the database and extract the font once, as on a kiosk that ran before
    find_faces(ctx.settings.font_path, ctx.settings.data_dir)
    ctx.host.call("kiosk_demo_data", ctx=ctx)
    ctx.engine.dispose()

    cold_start("bare"), cold_start("home")  # warm the file cache
    bare, home = [], []
    for _ in range(START_RUNS):
        bare.append(cold_start("bare"))
        home.append(cold_start("home"))
    results = {
        "cold_start_s": {"bare_kivy_label": statistics.median(bare), "kiosk_home": statistics.median(home),
                         "ratio": statistics.median(home) / statistics.median(bare), "runs": START_RUNS},
    }
    results.update(in_process())

    cs, tt, it, rss = results["cold_start_s"], results["tile_tap_ms"], results["issue_tap_ms"], results["rss_mb"]
    print("touch shell (Xvfb, Mesa llvmpipe)")
    print(f"  cold start to first frame: kiosk home {cs['kiosk_home']:.2f} s, bare Kivy label {cs['bare_kivy_label']:.2f} s,"
          f" ratio {cs['ratio']:.2f}x (goal < 1.5x; median of {START_RUNS})")
    print(f"  tile tap -> plugin screen drawn:     median {tt['median']:.1f} ms, p95 {tt['p95']:.1f} ms (goal p95 < 100 ms; {TAPS} taps)")
    print(f"  issue tap -> receipt with QR drawn:  median {it['median']:.1f} ms, p95 {it['p95']:.1f} ms (goal p95 < 100 ms; {TAPS} taps)")
    qt = results["queue_take_tap_ms"]
    print(f"  queue 取号 tap -> receipt with QR:   median {qt['median']:.1f} ms, p95 {qt['p95']:.1f} ms ({TAPS} taps, a real ticket each)")
    marks = ", ".join(f"{v:.0f} MB {k.replace('_', ' ')}" for k, v in rss.items() if k.startswith("after_") and k != "after_start")
    print(f"  resident memory by journeys: {marks}")
    print(f"  resident memory: {rss['after_start']:.0f} MB after start, "
          f"{rss[f'after_{JOURNEYS}_journeys']:.0f} MB after {JOURNEYS} journeys with idle resets"
          f" ({results['journey_ms_mean']:.0f} ms per journey)")
    shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "ui.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
