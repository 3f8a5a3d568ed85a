"""课程表 Class timetable: the 夕阳美老年大学's free classes and the homes' activities, end to end.

Residents read the week (or today) at the kiosk, open a class, sign up with their phone number (or join
the waiting list, 候补) and leave with a slip whose QR opens the sign-up's page: status, every session
date, an .ics file and a cancel button. Staff manage terms, courses, teachers, rooms and weekly slots,
cancel or move single sessions, see and print sign-up lists, mark attendance and export CSV, on the
staff web pages or the CLI. The public web has the timetable and iCalendar feeds.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.api import KioskContext, hookimpl, PluginInfo

from . import models  # noqa: F401 - registers the tables on the shared metadata

MIGRATIONS = Path(__file__).with_name("migrations")


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="课程表", title_en="Class timetable", description="老年大学课程、活动室安排、报名与候补")


@hookimpl
def kiosk_models():
    return list(models.ALL)


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

    with ctx.transaction() as s:
        load(s)


@hookimpl
def kiosk_daily_tick(ctx: KioskContext, today):
    from .service import erase_old_signups

    erase_old_signups(ctx, today)


@hookimpl
def kiosk_tracking_view(ctx: KioskContext, receipt, lang, token):
    from .tracking import tracking_view

    return tracking_view(ctx, receipt, lang, token)


@hookimpl
def kiosk_web_routes(ctx: KioskContext):
    from .staff_web import build_staff_router
    from .web import build_router

    return [build_router(ctx), build_staff_router(ctx)]


@hookimpl
def kiosk_staff_links(ctx: KioskContext):
    from kiosk.api import StaffLink

    return [StaffLink(title="课程表", title_en="Timetable", path="/staff/classes")]


@hookimpl
def kiosk_home_tiles(ctx: KioskContext):
    from kiosk.api import Tile

    return [Tile(id="timetable", title="课程表", title_en="Classes", hint="老年大学课程与活动，报名", hint_en="Classes and sign-up",
                 screen="timetable.week", icon="课", color="#1B5E20", order=30)]


@hookimpl
def kiosk_screens(ctx: KioskContext):
    from kiosk.api import ScreenSpec

    def factory(builder: str):
        def build(shell):
            from . import screens

            return getattr(screens, builder)(shell)

        return build

    return [ScreenSpec(name="timetable.week", factory=factory("build_week_screen"), title="课程表"),
            ScreenSpec(name="timetable.today", factory=factory("build_today_screen"), title="今天的课"),
            ScreenSpec(name="timetable.course", factory=factory("build_course_screen"), title="课程详情"),
            ScreenSpec(name="timetable.signup", factory=factory("build_signup_screen"), title="报名"),
            ScreenSpec(name="timetable.surname", factory=factory("build_surname_screen"), title="报名：姓氏")]


@hookimpl
def kiosk_screenshots(ctx: KioskContext):
    return ["timetable.week", "timetable.today", "timetable.course", "timetable.signup", "timetable.surname"]
