"""通知公告 Notices: the hall's paper boards (通知, 党务公开, 科普宣传, 政策解读, 公示反馈), end to end.

Residents read the boards at the kiosk in large type and take a notice home on a QR slip; at home the
same notices are public web pages and an Atom feed per board. Staff write, schedule, pin, mark urgent,
tie to a season and withdraw notices on the staff web pages or the CLI; 党务公开 needs a second
administrator's approval; every change is kept in a history. Other plugins publish outcomes on the
公示反馈 board through ``kiosk_public_outcomes``; urgent notices reach the home screen's banner through
``kiosk_home_banners``.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.api import KioskContext, hookimpl, PluginInfo, StaffLink

from . import models  # noqa: F401 - registers the tables on the shared metadata
from .service import PLUGIN

MIGRATIONS = Path(__file__).with_name("migrations")

__all__ = ["PLUGIN"]


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="通知公告", title_en="Notices", description="通知、党务公开、科普宣传、政策解读与公示反馈")


@hookimpl
def kiosk_models():
    return [models.Notice, models.NoticeImage, models.NoticeRevision]


@hookimpl
def kiosk_migrations():
    return MIGRATIONS


@hookimpl
def kiosk_personal_data():
    from .personal import declarations

    return declarations()


@hookimpl
def kiosk_cli_commands(cli):
    from .cli import register

    register(cli)


@hookimpl
def kiosk_demo_data(ctx: KioskContext):
    from .demo import load

    load(ctx)


@hookimpl
def kiosk_home_tiles(ctx: KioskContext):
    from kiosk.api import Tile

    return [Tile(id="notices", title="通知公告", title_en="Notices", hint="社区通知、政策与公示", hint_en="News, policies, results",
                 screen="notices.boards", icon="告", color="#9B1C1C", order=20)]


def _factory(name: str):
    """A screen factory that imports the Kivy module only when the shell builds the screen."""

    def build(shell):
        from . import screens

        return getattr(screens, name)(shell)

    return build


@hookimpl
def kiosk_screens(ctx: KioskContext):
    from kiosk.api import ScreenSpec

    return [ScreenSpec(name="notices.boards", factory=_factory("build_boards_screen"), title="通知公告"),
            ScreenSpec(name="notices.reader", factory=_factory("build_reader_screen"), title="通知公告"),
            ScreenSpec(name="notices.takeaway", factory=_factory("build_takeaway_screen"), title="扫码带走")]


@hookimpl
def kiosk_screenshots(ctx: KioskContext):
    return ["notices.boards", "notices.reader", "notices.takeaway"]


@hookimpl
def kiosk_home_banners(ctx: KioskContext, lang):
    from .service import urgent_titles

    return urgent_titles(ctx)


@hookimpl
def kiosk_web_routes(ctx: KioskContext):
    from .staff_web import build_staff_router
    from .web import build_router

    return [build_router(ctx), build_staff_router(ctx)]


@hookimpl
def kiosk_staff_links(ctx: KioskContext):
    return [StaffLink(title="通知公告", title_en="Notices", path="/staff/notices")]


@hookimpl
def kiosk_tracking_view(ctx: KioskContext, receipt, lang):
    from .takeaway import tracking_view

    return tracking_view(ctx, receipt, lang)
