"""Building the :class:`KioskContext`: settings, plugins, database, migrations, start-up hooks.

The class itself lives in :mod:`kiosk.kiosk_context` (re-exported here, and for plugins in
:mod:`kiosk.api`), so that :mod:`kiosk.hookspecs` can name it without importing the plugin host.
"""

from __future__ import annotations

import logging

from kiosk.config import Settings, load_settings
from kiosk.db import make_engine, make_session_factory, make_write_session_factory
from kiosk.kiosk_context import ERRORS_KEPT, Host, KioskContext  # noqa: F401 (re-exported)
from kiosk.pluginhost import PluginHost
from kiosk.private_files import private_dir
from kiosk.workdays import WorkCalendar

log = logging.getLogger(__name__)


def build_context(
    settings: Settings | None = None,
    host: PluginHost | None = None,
    run_migrations: bool = True,
    startup: bool = True,
) -> KioskContext:
    """Load settings and plugins, open the database, migrate it, and run the plugins' start-up hooks."""
    settings = settings or load_settings()
    host = host or PluginHost()
    host.hook_timeout = settings.hook_timeout
    host.hook_timeouts.update(settings.hook_timeouts)
    private_dir(settings.data_dir)  # residents' data lives here: 0700 when this makes it
    engine = make_engine(settings.database_url)
    ctx = KioskContext(
        settings=settings,
        host=host,
        engine=engine,
        sessions=make_session_factory(engine),
        write_sessions=make_write_session_factory(engine),
        calendar=WorkCalendar.from_settings(settings),
    )
    if settings.terminal_id:
        ctx.terminal = settings.terminal_id
    if run_migrations:
        ctx.migrate()
    host.error_sinks.append(_safe_sink(ctx))
    for plugin, message in list(host.errors.items()):  # errors from loading, before the database was open
        hook, _, text = message.partition(": ")
        _safe_sink(ctx)(plugin, hook, text)
    if startup:
        host.call("kiosk_startup", ctx=ctx)
    return ctx


def _safe_sink(ctx: KioskContext):
    def sink(plugin: str, hook: str, message: str) -> None:
        ctx.note_error(f"plugin {plugin} ({hook})", message)
        try:
            ctx._persist_error(plugin, hook, message)
        except Exception as exc:  # the database may be the thing that is down
            log.warning("plugin error of %s not persisted: %s", plugin, exc)

    return sink
