"""Every hook a kiosk plugin can implement. All are optional; all names start with ``kiosk_``.

A plugin is one whole feature on every surface: its tile and screens on the touch shell, its tables
and migrations, the tracking page of the receipts it issues, its web routes and staff pages, its CLI
commands, its start-up work and its daily housekeeping.

The host calls each plugin's implementation on its own (see :mod:`kiosk.pluginhost`), so an exception in
one plugin is caught, logged with that plugin's name and recorded as its last error, and the other
plugins and the host go on. Hooks that take ``ctx`` receive the :class:`kiosk.api.KioskContext`:
the small public API of the core (settings, database sessions, clock, working-day calendar, receipts).

Each hook says who calls it, in which process and thread, and whether every plugin answers (the host
collects one answer per plugin, as pytest's hooks do) or only the one concerned (``call_one``). Hooks called
on the Kivy main thread must return quickly; hooks called from web requests may run in several worker
threads at once and must not keep state between calls.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from kiosk import hookspec
from kiosk.kiosk_context import KioskContext
from kiosk.models import Receipt
from kiosk.types import PluginInfo, PublicOutcome, ScreenSpec, StaffLink, Tile, TrackingView


@hookspec
def kiosk_plugin_info() -> PluginInfo:
    """Describe the plugin: its Chinese and English title and a one-line description.

    Called by: the plugin host, once per process when it loads plugins (any process, main thread); each plugin
    answers for itself (``call_one``).
    """


@hookspec
def kiosk_models() -> list[type]:
    """The SQLAlchemy model classes (on :class:`kiosk.api.storage.Base`) this plugin owns.

    Importing them registers their tables on the shared metadata; returning them documents ownership.

    Called by: ``ctx.migrate()`` and ``kiosk doctor`` (any process, main thread); every plugin answers.
    """


@hookspec
def kiosk_migrations() -> Path | None:
    """The folder of this plugin's Alembic revisions (its own branch), or None when it has no tables.

    Called by: ``ctx.migrate()`` (``kiosk db upgrade``, start-up of each process) and ``kiosk doctor``; every
    plugin answers.
    """


@hookspec
def kiosk_startup(ctx: KioskContext) -> None:
    """Called once when a kiosk, the web host or a CLI command has loaded plugins and migrated.

    Called by: ``build_context`` in every process (kiosk, hall display, web host worker, CLI), main thread,
    after migration; every plugin answers.
    """


@hookspec
def kiosk_daily_tick(ctx: KioskContext, today: date) -> None:
    """Housekeeping once per business day (Asia/Shanghai): resets, reminders, erasing expired data.

    Called by: ``kiosk.housekeeping.run_daily_tick`` once per business day across all terminals: from the web
    host's background loop (a worker thread, every five minutes) or ``kiosk tick`` (timer, main thread), whoever
    claims the day first; every plugin answers, each under its own hang timeout (600 s).
    """


@hookspec
def kiosk_home_tiles(ctx: KioskContext) -> list[Tile]:
    """The tiles this plugin shows on the home screen. Called only while the plugin is enabled.

    Called by: the touch shell's screen registry (kiosk process, Kivy main thread) when home is built; every
    enabled plugin answers.
    """


@hookspec
def kiosk_screens(ctx: KioskContext) -> list[ScreenSpec]:
    """The touch screens this plugin adds to the shell (built lazily by their factories).

    Called by: the touch shell's screen registry (kiosk process, Kivy main thread); every enabled plugin
    answers; factories run lazily on first use.
    """


@hookspec
def kiosk_roles(ctx: KioskContext) -> list[ScreenSpec]:
    """Whole-screen roles other than the resident kiosk, started with ``kiosk run --role NAME``.

    ``ScreenSpec.name`` is the role's name (e.g. ``display``: the queue's hall display). The screen runs
    alone, unattended: no home screen, no idle reset. Its factory receives the same ``shell`` object.

    Called by: ``kiosk run --role NAME`` (kiosk process, main thread, before Kivy starts the screen); every
    enabled plugin answers.
    """


@hookspec
def kiosk_screenshots(ctx: KioskContext) -> list[str]:
    """Names of this plugin's screens worth a screenshot (``kiosk screenshot --list``).

    Called by: ``kiosk screenshot --list`` and the test harness (main thread); every plugin answers.
    """


@hookspec
def kiosk_home_banners(ctx: KioskContext, lang: str) -> list[str]:
    """Short urgent lines for the home screen's banner (an urgent notice, a closure today).

    Called by: the home screen on each refresh (kiosk process, Kivy main thread: keep it quick); every enabled
    plugin answers.
    """


@hookspec
def kiosk_public_outcomes(ctx: KioskContext, lang: str) -> list[PublicOutcome]:
    """Outcomes this plugin makes public on the 公示反馈 board (published results of residents' requests).

    The notices plugin shows them on its 公示反馈 board (kiosk, web pages, Atom feed). Staff cannot post
    there directly, so the board shows exactly what the plugins that handle the cases published. Return
    only what may be public, without personal data; ``lang`` is the reader's language. Check staff-written
    text with ``ctx.refuse_personal_data`` when it is published: an outcome that still holds a phone, an ID or
    a bank card number is left off the board and recorded as this plugin's error.

    Called by: the notices plugin's 公示 board, outcome page and Atom feed (web host, a request's worker
    thread), its board on the kiosk (Kivy main thread) and ``kiosk notices``; every enabled plugin answers,
    and each answer passes the public guard.
    """


@hookspec
def kiosk_tracking_view(ctx: KioskContext, receipt: Receipt, lang: str, token: str) -> TrackingView | None:
    """The tracking page of ``receipt``. Called only on the plugin that issued it.

    ``token`` is the tracking token of the page being shown, for links that must stay behind it (a rating
    form at ``/…/{token}``); it is never stored in clear. An implementation may leave it out of its
    parameters (pluggy passes only the arguments a hook asks for).

    Called by: ``ctx.tracking_view`` for ``/t/{token}`` and ``/api/receipts`` (web host, a request's worker
    thread): only the plugin that issued the receipt answers (``call_one``).
    """


@hookspec
def kiosk_web_routes(ctx: KioskContext) -> list[Any]:
    """Starlette/FastAPI routers or routes this plugin serves (public pages and staff pages).

    Staff pages depend on :func:`kiosk.api.web.require_staff` (or ``require_admin``) themselves.

    Called by: ``create_app`` once per web host worker (main thread, before serving); every plugin answers.
    """


@hookspec
def kiosk_staff_links(ctx: KioskContext) -> list[StaffLink]:
    """Entries for the staff area's navigation.

    Called by: the staff dashboard (web host, a request's worker thread); every plugin answers.
    """


@hookspec
def kiosk_api_scopes() -> dict[str, tuple[str, str]]:
    """Scopes of API keys this plugin's routes check: name → (Chinese, English) description.

    ``kiosk api-key create --scope NAME`` accepts only declared scopes (see :mod:`kiosk.apikeys`).

    Called by: ``kiosk.apikeys`` when a key is created or checked (web host worker thread or CLI); every plugin
    answers.
    """


@hookspec
def kiosk_personal_data() -> list[Any]:
    """Where this plugin's tables can hold residents' personal data, and how to find and erase it.

    A list of :class:`kiosk.types.PersonalColumns` (one per table the plugin owns, naming every text
    column as personal or not) and :class:`kiosk.types.PersonalLink` (rows that belong to a found row of
    another table). ``kiosk privacy export/erase`` and every retention job use these through
    :mod:`kiosk.privacy`, so erasure on request and erasure by age blank the same columns.

    Called by: ``kiosk.privacy`` for export, erasure and retention (CLI, web host worker thread, daily tick);
    every plugin answers, and a failing answer stops the erasure.
    """


@hookspec
def kiosk_cli_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``kiosk`` command: ``@cli.group()`` / ``@cli.command()`` on ``cli``.

    Called by: the ``kiosk`` command once at start (CLI process, main thread); every plugin answers.
    """


@hookspec
def kiosk_demo_data(ctx: KioskContext) -> None:
    """Load this plugin's demo content for the Huaxin center. Must be idempotent.

    Called by: ``kiosk demo-data`` (CLI process, main thread), each under its own hang timeout (600 s); every
    plugin answers.
    """
