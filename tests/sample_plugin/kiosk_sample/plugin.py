"""The sample plugin's hooks. It is what the README's "write your own plugin" section walks through."""

from __future__ import annotations

import click

from kiosk import hookimpl
from kiosk.types import PluginInfo, Tile, TrackingView

NAME = "sample"


@hookimpl
def kiosk_plugin_info():
    return PluginInfo(title="访客登记", title_en="Visitor pass", description="Issues a visitor pass with a QR code")


@hookimpl
def kiosk_home_tiles(ctx):
    return [Tile(id="sample", title="访客登记", title_en="Visitor pass", hint="领取访客凭条", hint_en="Get a visitor slip", screen="sample.main", icon="访")]


def issue_pass(ctx, visitor_number: int):
    """Issue a visitor pass receipt (the row is committed when this returns)."""
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
def kiosk_tracking_view(ctx, receipt, lang):
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
