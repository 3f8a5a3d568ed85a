"""取号叫号 Queue tickets: the service hall's queue, end to end, as one plugin.

Residents take a ticket at the kiosk (one tap, an idempotency key per tap), leave with a slip whose QR
follows the ticket live; clerks call, recall, mark no-shows, transfer and finish at their counters on
the staff web page or the CLI; the hall display shows and announces the calls.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.api import KioskContext, hookimpl, PluginInfo

from . import models  # noqa: F401 - registers the tables on the shared metadata
from .service import PLUGIN

MIGRATIONS = Path(__file__).with_name("migrations")


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="取号", title_en="Queue tickets", description="排队取号、窗口叫号、大厅显示与语音播报")


@hookimpl
def kiosk_models():
    return [models.QueueHall, models.QueueService, models.QueueCounter, models.DayNumber, models.Ticket, models.QueueEvent, models.QueueRating,
            models.QueueAppointment]


@hookimpl
def kiosk_migrations():
    return MIGRATIONS


@hookimpl
def kiosk_personal_data():
    from .personal import declarations

    return declarations()


@hookimpl
def kiosk_api_scopes():
    return {"tickets": ("取号、查询号码状态", "take tickets and read a ticket's state (/api/queue/tickets)"),
            "counter": ("窗口操作：叫号、重呼、过号、暂存、办结、转办、暂停", "act at counters: call, recall, no-show, park, finish, transfer, pause (/api/queue/counters)")}


@hookimpl
def kiosk_cli_commands(cli):
    from .cli import register

    register(cli)


@hookimpl
def kiosk_demo_data(ctx: KioskContext):
    from .demo import load

    with ctx.transaction() as s:
        load(s)


@hookimpl
def kiosk_startup(ctx: KioskContext):
    """A terminal whose ``[plugins.queue] hall`` names no hall would show an empty 取号 list and a silent
    display: say so where staff look (the plugin's error on the admin screen, /staff/plugins, `kiosk plugins`)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .service import QueueError, QueueSettings, halls

    hall = QueueSettings.of(ctx).hall
    try:
        known = [h.code for h in halls(ctx)]
    except SQLAlchemyError:
        return  # no schema yet (before `kiosk db upgrade`): nothing to compare with
    if hall not in known:
        raise QueueError("unknown_hall", f"配置的大厅 {hall!r} 不存在（已有：{'、'.join(known)}），本终端不会显示任何业务",
                         f"[plugins.queue] hall = {hall!r} is not a hall of this installation (known: {', '.join(known)}): "
                         "this terminal lists no services")


@hookimpl
def kiosk_daily_tick(ctx: KioskContext, today):
    from . import appointments
    from .service import close_previous_days, erase_old_words

    close_previous_days(ctx, today)
    appointments.close_previous_days(ctx, today)
    erase_old_words(ctx, today)


@hookimpl
def kiosk_home_tiles(ctx: KioskContext):
    from kiosk.api import Tile

    return [Tile(id="queue", title="取号", title_en="Take a number", hint="排队办理业务，领取号码", hint_en="Queue for a counter",
                 screen="queue.services", icon="号", color="#0B4A8F", order=10)]


@hookimpl
def kiosk_home_banners(ctx: KioskContext, lang):
    """The live wait board on the home screen: one line, the services people are waiting for."""
    from .service import QueueSettings, services_overview

    return [line for line in [wait_board_line(services_overview(ctx, QueueSettings.of(ctx).hall), lang)] if line]


def wait_board_line(overview, lang: str) -> str:
    open_now = [x for x in overview if x.open]
    if not open_now:
        return ""
    en = lang == "en"
    busy = [x for x in open_now if x.waiting]
    if not busy:
        return "Queue: no waiting right now" if en else "取号：现在无需排队"
    shown = sorted(busy, key=lambda x: -x.waiting)[:BOARD_MAX]  # the longest lines first; the banner stays short
    parts = [f"{x.name_en} {x.waiting} ({x.wait.low}–{x.wait.high} min)" if en else f"{x.name} {x.waiting}人（{x.wait.low}–{x.wait.high}分钟）"
             for x in shown]
    more = len(busy) - len(shown)
    if more:
        parts.append(f"and {more} more" if en else f"等另 {more} 项")
    return ("Waiting: " if en else "排队等候：") + " · ".join(parts)


BOARD_MAX = 3  # services on the home banner's wait board


@hookimpl
def kiosk_screens(ctx: KioskContext):
    from kiosk.api import ScreenSpec

    def services(shell):
        from .screens import build_services_screen

        return build_services_screen(shell)

    def one_service(shell):
        from .screens import build_service_screen

        return build_service_screen(shell)

    def display(shell):
        from .display import build_display_screen

        return build_display_screen(shell)

    def checkin(shell):
        from .checkin import build_checkin_screen

        return build_checkin_screen(shell)

    return [ScreenSpec(name="queue.services", factory=services, title="取号"),
            ScreenSpec(name="queue.service", factory=one_service, title="取号"),
            ScreenSpec(name="queue.checkin", factory=checkin, title="预约签到"),
            ScreenSpec(name="queue.display", factory=display, title="大厅叫号屏")]


@hookimpl
def kiosk_roles(ctx: KioskContext):
    from kiosk.api import ScreenSpec

    def display(shell):
        from .display import build_display_screen

        return build_display_screen(shell)

    return [ScreenSpec(name="display", factory=display, title="大厅叫号屏")]


@hookimpl
def kiosk_screenshots(ctx: KioskContext):
    return ["queue.services", "queue.service", "queue.checkin", "queue.display"]


@hookimpl
def kiosk_web_routes(ctx: KioskContext):
    from .rest import build_api_router
    from .web import build_router
    from .web_more import build_more_router

    return [build_router(ctx), build_more_router(ctx), build_api_router(ctx)]


@hookimpl
def kiosk_staff_links(ctx: KioskContext):
    from kiosk.api import StaffLink

    return [StaffLink(title="窗口叫号", title_en="Counters", path="/staff/queue"),
            StaffLink(title="预约管理", title_en="Appointments", path="/staff/queue/appointments"),
            StaffLink(title="排队统计", title_en="Queue statistics", path="/staff/queue/stats"),
            StaffLink(title="大厅叫号屏", title_en="Hall board", path="/queue/board")]


@hookimpl
def kiosk_tracking_view(ctx: KioskContext, receipt, lang, token):
    from .tracking import tracking_view

    return tracking_view(ctx, receipt, lang, token)
