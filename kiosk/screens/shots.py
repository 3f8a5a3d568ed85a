"""Named screens for ``kiosk screenshot``: the shell's own, and every plugin's (``kiosk_screenshots``).

Why an example slip: a screenshot must not write to the database, and stored receipts keep only a
hash of their token, so the receipt screen is shown with a made-up slip that no phone can open.
"""

from __future__ import annotations

from datetime import timezone

from kiosk.i18n import N_

CORE = ("home", "receipt", "pin", "admin", "idle", "error", "paused", "help")
EXAMPLE_TOKEN = "k3Jq9TzVw2LxR8mN5bQa1c"
EXAMPLE_TITLE = N_("Example slip")
EXAMPLE_LINE = N_("Please wait until your number is called.")


def plugin_screens(ctx) -> dict[str, str]:
    """Screen name -> plugin, for every installed plugin that names screens worth a picture."""
    out: dict[str, str] = {}
    for plugin, names in ctx.host.call("kiosk_screenshots", ctx=ctx):
        for name in names if isinstance(names, (list, tuple)) else [names]:
            out.setdefault(str(name), plugin)
    return out


def names(ctx) -> list[str]:
    return list(CORE) + [n for n in plugin_screens(ctx) if n not in CORE]


def example_receipt(ctx, tr):
    """An IssuedReceipt that exists only in memory (nothing is written to the database)."""
    from kiosk.models import Receipt
    from kiosk.receipts import IssuedReceipt, layout_for

    created = ctx.now().astimezone(timezone.utc)
    receipt = Receipt(id=0, plugin="example", kind="example", subject="0", number="A023", title=tr(EXAMPLE_TITLE),
                      lines=[tr(EXAMPLE_LINE)], created_at=created)
    url = ctx.tracking_url(EXAMPLE_TOKEN)
    return IssuedReceipt(receipt=receipt, token=EXAMPLE_TOKEN, url=url, layout=layout_for(receipt, url, ctx.settings))


def show(app, name: str) -> None:
    """Bring the app to the screen ``name`` (raises KeyError for an unknown name)."""
    from kiosk.screens.overlays import ErrorOverlay

    if name == "home":
        app.go_home()
    elif name == "receipt":
        app.screen("receipt").show(example_receipt(app.ctx, app.tr), status="printed")
        app.sm.current = "receipt"
    elif name == "pin":
        app.open_pin()
        app.screen("pin").entered = "246"
    elif name == "admin":
        app.open_admin()
    elif name == "idle":
        app.idle_prompt.seconds = int(app.idle.countdown)
        app.idle_prompt.open(animation=False)
    elif name == "error":
        ErrorOverlay().open(animation=False)
    elif name == "help":  # the answer to 请工作人员帮助, without writing a request
        app.go_home()
        app.help_overlay.show("sent", app.tr)
        app.help_overlay.open()
    elif name == "paused":
        app.notify(app.tr("This service is paused. Please ask at the front desk."))
    else:
        owners = plugin_screens(app.ctx)
        if name not in owners:
            raise KeyError(name)
        app.plugins.refresh(list(app.ctx.host.plugins))  # a screenshot may show a plugin that is off today
        app.plugins.resume(owners[name])
        app.open_screen(name)
