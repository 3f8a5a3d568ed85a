"""The plugin system: registration, per-plugin calls, fault isolation, enablement per season."""

from __future__ import annotations

import logging

import pytest

from kiosk import hookimpl
from kiosk.pluginhost import KNOWN_HOOKS, PluginHost
from kiosk.types import PluginInfo, Tile


class Boom(RuntimeError):
    pass


class RaisingPlugin:
    """Raises in every hook the core defines."""


def _raiser(hook_name):
    def method(self, **kwargs):
        raise Boom(f"{hook_name} exploded")

    return method


# Give the raising plugin every hook with the exact signature pluggy validates against.
import inspect  # noqa: E402

from kiosk import hookspecs  # noqa: E402

for _name in KNOWN_HOOKS:
    _params = list(inspect.signature(getattr(hookspecs, _name)).parameters)
    _src = f"def {_name}(self, {', '.join(_params)}):\n    raise Boom('{_name} exploded')\n" if _params else f"def {_name}(self):\n    raise Boom('{_name} exploded')\n"
    _ns: dict = {"Boom": Boom}
    exec(_src, _ns)  # noqa: S102 - building the test double's methods
    setattr(RaisingPlugin, _name, hookimpl(_ns[_name]))


class GoodPlugin:
    @hookimpl
    def kiosk_plugin_info(self):
        return PluginInfo(title="好插件", title_en="Good")

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="good", title="好", screen="good.main")]

    @hookimpl
    def kiosk_startup(self, ctx):
        ctx.settings  # touching the context works
        self.started = True


def test_raising_plugin_never_stops_the_others(make_host, make_ctx, caplog):
    good = GoodPlugin()
    host = make_host(bad=RaisingPlugin(), good=good)
    caplog.set_level(logging.ERROR, logger="kiosk.pluginhost")
    ctx = make_ctx(host)  # runs kiosk_startup and kiosk_models/kiosk_migrations on both
    assert good.started is True
    for hook in sorted(KNOWN_HOOKS):
        results = host.call(hook, ctx=ctx, today=ctx.today(), lang="zh_CN", receipt=None, cli=None)
        assert all(name != "bad" for name, _ in results), hook
    tiles = host.call("kiosk_home_tiles", ctx=ctx)
    assert [name for name, _ in tiles] == ["good"]
    assert "bad" in host.errors and "exploded" in host.errors["bad"]
    assert "good" not in host.errors
    assert any("plugin bad failed" in rec.getMessage() for rec in caplog.records)
    # The error is also persisted, so another process (the web staff area) sees it.
    assert "exploded" in ctx.last_errors()["bad"]
    # info() of a plugin whose kiosk_plugin_info raises falls back to its name.
    assert host.info("bad").title == "bad"
    assert host.info("good").title == "好插件"


def test_call_one_only_asks_the_named_plugin(make_host):
    calls = []

    class A:
        @hookimpl
        def kiosk_plugin_info(self):
            calls.append("a")
            return PluginInfo(title="A")

    class B:
        @hookimpl
        def kiosk_plugin_info(self):
            calls.append("b")
            return PluginInfo(title="B")

    host = make_host(a=A(), b=B())
    assert host.call_one("b", "kiosk_plugin_info").title == "B"
    assert calls == ["b"]
    assert host.call_one("missing", "kiosk_plugin_info") is None


def test_misspelled_hook_is_reported_not_ignored(make_host):
    class Typo:
        @hookimpl
        def kiosk_home_tile(self, ctx):  # missing "s"
            return []

    host = make_host(typo=Typo())
    assert "kiosk_home_tile" in host.errors["typo"]
    assert host.plugins["typo"].obj is None


def test_wrong_hook_signature_is_reported(make_host):
    class Wrong:
        @hookimpl
        def kiosk_home_tiles(self, context):  # the argument is called ctx
            return []

    host = make_host(wrong=Wrong())
    assert "wrong" in host.errors
    assert host.plugins["wrong"].obj is None


def test_duplicate_name_is_refused(make_host):
    host = make_host(one=GoodPlugin())
    with pytest.raises(ValueError):
        host.register(GoodPlugin(), name="one")


def test_unregister_forgets_the_plugin(make_host):
    host = make_host(one=GoodPlugin())
    host.unregister("one")
    assert host.call("kiosk_plugin_info") == []
    assert "one" not in host.plugins


def test_entry_point_plugin_is_loaded_like_a_builtin():
    host = PluginHost(builtins=())
    assert "sample" in host.plugins, "tests/sample_plugin must be installed (make test installs it)"
    loaded = host.plugins["sample"]
    assert loaded.builtin is False
    assert loaded.version == "1.2.0"
    assert host.info("sample").title == "访客登记"


def test_broken_builtin_module_is_recorded():
    host = PluginHost(builtins=("kiosk.plugins.does_not_exist",), load_entrypoints=False)
    assert "does_not_exist" in host.errors
    assert host.errors["does_not_exist"].startswith("import:")


def test_blocked_plugin_is_not_registered():
    host = PluginHost(builtins=(), blocked=("sample",))
    assert "sample" not in host.plugins


def test_enablement_follows_seasons_and_overrides(make_host, make_ctx, monkeypatch):
    from kiosk.seasons import set_enabled

    host = make_host(queue=GoodPlugin(), other=GoodPlugin())
    # 2026-11-30 is in the autumn term and the heating season (default config).
    ctx = make_ctx(host, KIOSK_NOW="2026-11-30T09:00:00+08:00")
    assert ctx.enabled_plugins() == ["queue"]  # "other" is in no season's list
    with ctx.transaction() as s:
        assert set_enabled(s, ctx.settings, "other", True, by="test", day=ctx.today()) == ["autumn-term", "heating"]
    assert ctx.enabled_plugins() == ["queue", "other"]
    with ctx.transaction() as s:
        set_enabled(s, ctx.settings, "queue", False, by="test", day=ctx.today(), season="autumn-term")
    assert ctx.enabled_plugins() == ["other"]  # heating does not list queue
    # Spring term is untouched by overrides of the autumn term.
    from datetime import date

    assert ctx.enabled_plugins(date(2027, 4, 1)) == ["queue"]
    # A plugin whose registration failed is never enabled.
    host.plugins["other"].obj = None
    assert ctx.enabled_plugins() == []
