"""取号叫号 Queue tickets: the service hall's queue, end to end, as one plugin.

Residents take a ticket at the kiosk (one tap, an idempotency key per tap), leave with a slip whose QR
follows the ticket live; clerks call, recall, mark no-shows, transfer and finish at their counters on
the staff web page or the CLI; the hall display shows and announces the calls.
"""

from __future__ import annotations

from pathlib import Path

from kiosk import hookimpl
from kiosk.types import PluginInfo

from . import models  # noqa: F401 - registers the tables on the shared metadata
from .service import PLUGIN

MIGRATIONS = Path(__file__).with_name("migrations")


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="取号", title_en="Queue tickets", description="排队取号、窗口叫号、大厅显示与语音播报")


@hookimpl
def kiosk_models():
    return [models.QueueService, models.QueueCounter, models.DayNumber, models.Ticket, models.QueueEvent]


@hookimpl
def kiosk_migrations():
    return MIGRATIONS


@hookimpl
def kiosk_cli_commands(cli):
    from .cli import register

    register(cli)


@hookimpl
def kiosk_demo_data(ctx):
    from .demo import load

    with ctx.transaction() as s:
        load(s)


@hookimpl
def kiosk_daily_tick(ctx, today):
    from .service import close_previous_days

    close_previous_days(ctx, today)


@hookimpl
def kiosk_web_routes(ctx):
    from .web import build_router

    return [build_router(ctx)]


@hookimpl
def kiosk_staff_links(ctx):
    from kiosk.types import StaffLink

    return [StaffLink(title="窗口叫号", title_en="Counters", path="/staff/queue"),
            StaffLink(title="排队统计", title_en="Queue statistics", path="/staff/queue/stats"),
            StaffLink(title="大厅叫号屏", title_en="Hall board", path="/queue/board")]


@hookimpl
def kiosk_tracking_view(ctx, receipt, lang):
    from .tracking import tracking_view

    return tracking_view(ctx, receipt, lang)
