"""民生诉求 Request intake: the 民生流水线 (受理 → 限期办理 → 公示反馈 → 跟踪监督) end to end.

Residents file a request at the kiosk by picking (category, common problem, building, entrance, a phone
on the keypad) and leave with a slip whose QR follows the case; staff accept, route to the building's
先锋队, handle within a deadline in working days, publish the outcome (to the notices plugin's 公示反馈
board through ``kiosk_public_outcomes``) and the resident rates it. Open311 GeoReport v2 is served too.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.api import KioskContext, hookimpl, PluginInfo

from . import models  # noqa: F401 - registers the tables on the shared metadata
from .service import PLUGIN  # noqa: F401 - the plugin's name, for importers

MIGRATIONS = Path(__file__).with_name("migrations")


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="民生诉求", title_en="Requests", description="民生受理、限期办理、公示反馈、跟踪监督")


@hookimpl
def kiosk_models():
    return [models.Team, models.Building, models.DayCounter, models.Case, models.CaseEvent, models.CaseRating]


@hookimpl
def kiosk_migrations():
    return MIGRATIONS


@hookimpl
def kiosk_personal_data():
    from .personal import declarations

    return declarations()


@hookimpl
def kiosk_api_scopes():
    return {"open311": ("Open311 接口提交民生诉求", "file requests through Open311 (POST /open311/v2/requests.json)")}


@hookimpl
def kiosk_cli_commands(cli):
    from .cli import register

    register(cli)


@hookimpl
def kiosk_demo_data(ctx: KioskContext):
    from .demo import load

    load(ctx)


@hookimpl
def kiosk_daily_tick(ctx: KioskContext, today):
    from . import upkeep

    upkeep.grade_cases(ctx, today)
    upkeep.autoclose(ctx, today)
    upkeep.erase_personal_data(ctx)


@hookimpl
def kiosk_home_tiles(ctx: KioskContext):
    from kiosk.api import Tile

    return [Tile(id="intake", title="民生诉求", title_en="Report a problem", hint="报修、求助、提建议，扫码查进度",
                 hint_en="Repairs, help, suggestions", screen="intake.categories", icon="诉", color="#8E3B12", order=30)]


@hookimpl
def kiosk_screens(ctx: KioskContext):
    from kiosk.api import ScreenSpec

    from .screen_names import ALL

    def factory(name):
        def build(shell):
            from .screens import build_screen

            return build_screen(shell, name)

        return build

    return [ScreenSpec(name=name, factory=factory(name), title="民生诉求") for name in ALL]


@hookimpl
def kiosk_screenshots(ctx: KioskContext):
    from .screen_names import ALL

    return list(ALL)


@hookimpl
def kiosk_public_outcomes(ctx: KioskContext, lang):
    from .public import outcomes

    return outcomes(ctx, lang)


@hookimpl
def kiosk_web_routes(ctx: KioskContext):
    from . import open311, public_web, staff_web

    return [public_web.build_router(ctx), staff_web.build_router(ctx), open311.build_router(ctx)]


@hookimpl
def kiosk_staff_links(ctx: KioskContext):
    from kiosk.api import StaffLink

    return [StaffLink(title="民生诉求", title_en="Requests", path="/staff/cases"),
            StaffLink(title="督办", title_en="Supervision", path="/staff/cases/supervision"),
            StaffLink(title="诉求分析", title_en="Request report", path="/staff/cases/report")]


@hookimpl
def kiosk_tracking_view(ctx: KioskContext, receipt, lang, token):
    from .tracking import tracking_view

    return tracking_view(ctx, receipt, lang, token)
