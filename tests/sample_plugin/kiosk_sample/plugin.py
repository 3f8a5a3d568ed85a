"""The sample plugin's hooks. It is what the README's "write your own plugin" section walks through."""

from __future__ import annotations

import click
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from kiosk.api import KioskContext, PluginInfo, ScreenSpec, Tile, TrackingView, hookimpl, Refusal
from kiosk.api.web import link, render_plugin, require_staff, StaffIdentity, static_url, text_for

NAME = "sample"
MAX_VISITOR = 999  # V001 … V999


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="访客登记", title_en="Visitor pass", description="Issues a visitor pass with a QR code")


@hookimpl
def kiosk_home_tiles(ctx: KioskContext):
    return [Tile(id="sample", title="访客登记", title_en="Visitor pass", hint="领取访客凭条", hint_en="Get a visitor slip", screen="sample.main", icon="访")]


@hookimpl
def kiosk_screens(ctx: KioskContext):
    return [ScreenSpec(name="sample.main", factory=build_screen, title="访客登记")]


def build_screen(shell):
    """One big button that issues a visitor pass and shows its receipt (Kivy is imported only here)."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import Screen

    from kiosk.api.screens import Heading, KioskButton

    screen = Screen()
    box = BoxLayout(orientation="vertical", padding=shell.theme.pad, spacing=shell.theme.gap)
    box.add_widget(Heading(text=shell.text("访客登记", "Visitor pass")))

    def issue(*_args):
        from sqlalchemy import func, select

        from kiosk.api import Receipt

        with shell.ctx.sessions() as session:
            count = session.scalar(select(func.count()).select_from(Receipt).where(Receipt.plugin == NAME)) or 0
        shell.show_receipt(issue_pass(shell.ctx, count + 1))  # a Refusal rising here is shown as a notice

    box.add_widget(KioskButton(text=shell.text("领取访客凭条", "Get a visitor slip"), on_release=issue))
    box.add_widget(KioskButton(text=shell._("Back to home"), on_release=lambda *_: shell.go_home()))
    screen.add_widget(box)
    return screen


def issue_pass(ctx: KioskContext, visitor_number: int):
    """Issue a visitor pass receipt (the row is committed when this returns).

    A number that cannot be printed as Vnnn is refused with a :class:`~kiosk.refusal.Refusal`: the ``kiosk``
    command, the web host and the touch screen each show it in the user's language, so nothing here catches it.
    """
    if not 1 <= visitor_number <= MAX_VISITOR:
        raise Refusal("bad_number", f"访客编号应为 1 到 {MAX_VISITOR}", f"a visitor number is 1 to {MAX_VISITOR}", field="number")
    with ctx.transaction() as session:
        issued = ctx.issue_receipt(
            session,
            plugin=NAME,
            kind="visitor-pass",
            subject=str(visitor_number),
            number=f"V{visitor_number:03d}",
            title="访客凭条",
            lines=["请在前台出示本凭条"],
        )
    return issued


@hookimpl
def kiosk_tracking_view(ctx: KioskContext, receipt, lang):
    if lang == "en":
        return TrackingView(title="Visitor pass", status="Valid today", rows=[("Pass", receipt.number)])
    return TrackingView(title="访客凭条", status="当日有效", rows=[("凭条号", receipt.number)])


@hookimpl
def kiosk_cli_commands(cli):
    @cli.group(name="sample")
    def sample_group():
        """Visitor passes (sample plugin)."""

    @sample_group.command(name="issue")
    @click.argument("number", type=int)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def issue(obj, number, as_json):
        """Issue visitor pass NUMBER and print its tracking URL."""
        issued = issue_pass(obj.ctx, number)
        if as_json:
            import json

            click.echo(json.dumps({"number": issued.receipt.number, "url": issued.url, "token": issued.token}))
        else:
            click.echo(issued.url)


@hookimpl
def kiosk_web_routes(ctx):
    """A staff page from ``templates/visitors.html``; its stylesheet is ``static/sample.css``, which the web host
    serves at ``/static/sample/sample.css`` without a route of ours."""
    router = APIRouter()

    def visitors_page(request: Request, number: str = "", error: str = ""):
        return render_plugin(request, NAME, "visitors.html", 400 if error else 200, title=text_for(request, "访客登记", "Visitor passes"),
                             stylesheets=(static_url(NAME, "sample.css"),), passes=recent_passes(ctx), number=number, error=error)

    @router.get("/staff/sample/visitors")
    def show(request: Request, user: StaffIdentity = Depends(require_staff)):
        return visitors_page(request)

    @router.post("/staff/sample/visitors")
    def issue(request: Request, number: str = Form(""), user: StaffIdentity = Depends(require_staff)):
        if not number.strip().isdigit() or not 1 <= int(number) <= 999:
            # Refused: the page comes back with what was typed and says why, in the page's language.
            return visitors_page(request, number, text_for(request, "访客编号应为 1 到 999 的数字", "The visitor number must be 1 to 999"))
        issue_pass(ctx, int(number))
        return RedirectResponse(link(request, "/staff/sample/visitors"), status_code=303)

    return [router]


def recent_passes(ctx, limit: int = 20) -> list[dict]:
    """The latest visitor passes, newest first, as the page shows them."""
    from sqlalchemy import select

    from kiosk.api import Receipt

    with ctx.sessions() as session:
        rows = session.scalars(select(Receipt).where(Receipt.plugin == NAME).order_by(Receipt.id.desc()).limit(limit)).all()
        return [{"number": r.number, "at": r.created_at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")} for r in rows]
