"""A plugin that raises or hangs in a hook: the host goes on, and a hang is cut off by the hook timeout."""

from __future__ import annotations

import threading
import time

from kiosk import hookimpl
from kiosk.config import PACKAGED_CONFIG
from kiosk.pluginhost import PluginHost
from kiosk.types import Tile


class HangingPlugin:
    """Blocks in kiosk_home_tiles until the test releases it (a dead network share, a stuck lock)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        self.calls += 1
        self.release.wait(30)
        return [Tile(id="slow", title="慢", screen="slow.main")]


class RaisingTiles:
    @hookimpl
    def kiosk_home_tiles(self, ctx):
        raise LookupError("no tiles today")


class GoodTiles:
    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="good", title="好", screen="good.main")]


def test_a_hung_hook_is_cut_off_recorded_and_not_called_again_until_it_returns(make_host, make_ctx):
    hanging = HangingPlugin()
    host = make_host(slow=hanging, bad=RaisingTiles(), good=GoodTiles())
    ctx = make_ctx(host)
    host.hook_timeout = 0.3
    try:
        started = time.monotonic()
        failed: list[str] = []
        results = host.call("kiosk_home_tiles", ctx=ctx, failed=failed)
        assert [name for name, _ in results] == ["good"]  # the host went on past the hang and the raise
        assert sorted(failed) == ["bad", "slow"]
        assert time.monotonic() - started < 10  # cut off, not waited for (the hook would wait 30 s)
        assert "kiosk_home_tiles: HookTimeout: no answer within 0.3 s" in host.errors["slow"]
        assert "LookupError: no tiles today" in host.errors["bad"]
        assert "HookTimeout" in ctx.last_errors()["slow"]  # persisted for the staff area and other terminals

        # While the abandoned call still runs, the plugin is skipped at once: no pile of stuck threads.
        assert host.call("kiosk_home_tiles", ctx=ctx, only=["slow"]) == []
        assert hanging.calls == 1
        assert "still hung in kiosk_home_tiles" in host.errors["slow"]

        # When the hung call finally returns, the plugin is called again as usual.
        hanging.release.set()
        host.hung["slow"][1].join(5)
        results = host.call("kiosk_home_tiles", ctx=ctx, only=["slow"])
        assert [name for name, _ in results] == ["slow"] and hanging.calls == 2
        assert "slow" not in host.hung
    finally:
        hanging.release.set()


def test_hook_timeouts_come_from_the_config(tmp_path, make_ctx):
    config = tmp_path / "kiosk.toml"
    text = PACKAGED_CONFIG.read_text(encoding="utf-8").replace(
        "hook_timeout = 10 ", "hook_timeout = 0.25\n[kiosk.hook_timeouts]\nkiosk_daily_tick = 42\n[unused]\n#", 1)
    config.write_text(text, encoding="utf-8")
    host = PluginHost(builtins=(), load_entrypoints=False)
    ctx = make_ctx(host, KIOSK_CONFIG=str(config))
    assert ctx.settings.hook_timeout == 0.25
    assert host.timeout_for("kiosk_home_tiles") == 0.25
    assert host.timeout_for("kiosk_daily_tick") == 42
    assert host.timeout_for("kiosk_demo_data") == 600  # slow hooks keep their own default
    host.hook_timeout = 0
    assert host.timeout_for("kiosk_home_tiles") is None  # 0: no limit and no thread


def test_without_a_limit_hooks_run_in_the_callers_thread(make_host):
    seen = []

    class Where:
        @hookimpl
        def kiosk_home_tiles(self, ctx):
            seen.append(threading.current_thread())

    host = make_host(where=Where())
    host.call("kiosk_home_tiles", ctx=None, timeout=0)
    host.hook_timeout = None
    host.call("kiosk_home_tiles", ctx=None)
    assert seen == [threading.current_thread()] * 2
    host.hook_timeout = 5
    host.call("kiosk_home_tiles", ctx=None)
    assert seen[-1] is not threading.current_thread()
