"""The real touch shell, driven under Xvfb: one Kivy window for the whole session.

Why one window: Kivy cannot really create a second window in one process, so the app is built once
around a KioskContext on a temporary SQLite database (with inline test plugins), and every test starts
from the state an idle reset leaves: home screen, Chinese, normal text, no overlay, no PIN lock.
Time for the idle monitor comes from a fake clock the tests move forward.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="kiosk-ui-"))
os.environ.setdefault("KIVY_HOME", str(_SESSION_DIR / "kivy"))
os.environ.setdefault("KIVY_NO_ARGS", "1")

from uihelpers import CONFIG, TEST_PLUGINS, FakeClock  # noqa: E402

BUILTINS = ("kiosk.plugins.queue", "kiosk.plugins.notices", "kiosk.plugins.intake", "kiosk.plugins.timetable")


# -- the session's app -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def ui_ctx():
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    data = _SESSION_DIR / "data"
    config = _SESSION_DIR / "kiosk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    old = {k: os.environ.get(k) for k in ("KIOSK_DATA_DIR", "KIOSK_CONFIG")}
    os.environ["KIOSK_DATA_DIR"], os.environ["KIOSK_CONFIG"] = str(data), str(config)
    try:
        # The built-in plugins are installed but off (the test config's season does not list them):
        # a test switches one on with the ``enabled_plugin`` fixture.
        host = PluginHost(builtins=BUILTINS, load_entrypoints=False)
        for name, plugin in TEST_PLUGINS.items():
            host.register(plugin, name=name)
        ctx = build_context(load_settings(), host)
        for name in host.plugins:
            if name not in TEST_PLUGINS and host.implements(name, "kiosk_demo_data"):
                host.call_one(name, "kiosk_demo_data", ctx=ctx)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield ctx
    ctx.engine.dispose()
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def ui_session(ui_ctx):
    from kiosk.bootstrap import prepare

    prepare(size=(1920, 1080), show_cursor=True)
    from kiosk.app import KioskApp
    from kiosk.screens import background
    from kiosk.screens.harness import Harness

    clock = FakeClock()
    app = KioskApp(ui_ctx, idle_clock=clock)
    harness = Harness(app).start()
    yield app, harness, clock
    harness.stop()
    assert background.wait(timeout=10), "background threads still running at the end of the session"


@pytest.fixture
def enabled_plugin(ui_ctx):
    """``enabled_plugin("queue")`` switches a built-in plugin on for this test only."""
    from kiosk.seasons import set_enabled

    switched = []

    def enable(name: str) -> None:
        with ui_ctx.transaction() as s:
            set_enabled(s, ui_ctx.settings, name, True, by="ui-test", day=ui_ctx.today(), season="all-year")
        switched.append(name)

    yield enable
    for name in switched:
        with ui_ctx.transaction() as s:
            set_enabled(s, ui_ctx.settings, name, False, by="ui-test", day=ui_ctx.today(), season="all-year")


@pytest.fixture
def plugin_ui(ui, enabled_plugin, kiosk_now):
    """``plugin_ui("queue")``: the shell at home on the demo Monday (``kit.MONDAY_9AM``) with that built-in plugin
    switched on for this test; returns (app, harness), and goes home again afterwards."""
    app, harness, _clock = ui

    def open_plugin(name: str):
        enabled_plugin(name)
        app.go_home()
        harness.step(2)
        return app, harness

    yield open_plugin
    app.go_home()


@pytest.fixture
def ui_error_expected():
    """Request this in a test that provokes an error on purpose (others fail on any UI error)."""
    return True


@pytest.fixture
def ui(ui_session, request):
    """The app in its idle-reset state, at 1920×1080; yields (app, harness, fake clock)."""
    from kivy.core.window import Window

    from kiosk.screens import background

    app, harness, clock = ui_session
    if tuple(Window.size) != (1920, 1080):
        Window.size = (1920, 1080)
        harness.step(3)
    app.pinlock.failures, app.pinlock.locked_until = 0, None
    app.pinlock._save()
    for plugin in list(app.plugins.paused):
        app.ctx.clear_errors(plugin)
        app.plugins.resume(plugin)
    app.reset_session()
    harness.step(5)  # a size or text-size change settles over a few frames
    errors_before = app.errors.handled
    yield app, harness, clock
    if "ui_error_expected" not in request.fixturenames:
        assert app.errors.handled == errors_before, "an unexpected exception reached the UI's error overlay (see the log)"
    background.wait(timeout=10)
    app.dismiss_overlays()
    harness.step(1)
