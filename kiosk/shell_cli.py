"""``kiosk run`` and ``kiosk screenshot``: the touch shell's commands.

Kivy is imported only inside the commands, so ``kiosk --help`` and every other command stay fast and
work on a machine without a display.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

SIZE = re.compile(r"^(\d{3,5})x(\d{3,5})$")


def _font_check(settings) -> None:
    """Fail before a window opens when no Chinese face can be found (the message names the package)."""
    from kiosk.fonts import FontMissing, find_faces

    try:
        find_faces(settings.font_path, settings.data_dir)
    except FontMissing as exc:
        raise click.ClickException(str(exc)) from None


def _size(value: str) -> tuple[int, int]:
    m = SIZE.match(value or "")
    if not m:
        raise click.BadParameter("use WIDTHxHEIGHT, for example 1920x1080", param_hint="--size")
    return int(m.group(1)), int(m.group(2))


def available_roles(ctx) -> dict:
    """Role name -> (plugin, ScreenSpec) from the enabled plugins' ``kiosk_roles`` (no Kivy needed)."""
    from kiosk.types import ScreenSpec

    roles: dict = {}
    for plugin, result in ctx.host.call("kiosk_roles", ctx=ctx, only=ctx.enabled_plugins()):
        for spec in result if isinstance(result, (list, tuple)) else [result]:
            if isinstance(spec, ScreenSpec) and spec.name not in roles and spec.name != "kiosk":
                roles[spec.name] = (plugin, spec)
    return roles


def register(cli: click.Group) -> None:
    @cli.command("run")
    @click.option("--fullscreen", is_flag=True, help="Full screen and locked down: the real terminal.")
    @click.option("--role", default="kiosk", show_default=True,
                  help="What this screen is: the resident kiosk, or a role a plugin offers (display: the hall display).")
    @click.option("--size", "size", default="1920x1080", show_default=True, help="Window size when not full screen.")
    @click.pass_obj
    def run(state, fullscreen: bool, role: str, size: str) -> None:
        """Start the touch shell (windowed unless --fullscreen)."""
        width_height = _size(size)
        ctx = state.ctx
        roles = {}
        if role != "kiosk":
            roles = available_roles(ctx)
            if role not in roles:
                known = ", ".join(["kiosk", *roles])
                raise click.BadParameter(f"unknown role {role!r} (available now: {known})", param_hint="--role")
        _font_check(ctx.settings)
        from kiosk.bootstrap import prepare

        prepare(fullscreen=fullscreen, size=width_height, show_cursor=ctx.settings.show_cursor)
        if role == "kiosk":
            from kiosk.app import KioskApp

            app = KioskApp(ctx, fullscreen=fullscreen)
        else:
            from kiosk.screens.roles import RoleApp

            plugin, spec = roles[role]
            app = RoleApp(ctx, role, plugin, spec, fullscreen=fullscreen)
        from kiosk import watchdog
        from kiosk.heartbeat import Heartbeat

        watchdog.attach(app)  # READY=1 and WATCHDOG=1 for systemd; nothing without NOTIFY_SOCKET
        beat = Heartbeat(ctx, role).start()
        try:
            app.run()
        finally:
            beat.stop(timeout=1.0)
        if app.restart_requested:  # staff pressed "restart": start over as the same command
            os.execv(sys.executable, [sys.executable, "-m", "kiosk.cli", *sys.argv[1:]])

    @cli.command("screenshot")
    @click.argument("screen", required=False)
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="PNG file to write.")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    @click.option("--size", "size", default="1920x1080", show_default=True, help="WIDTHxHEIGHT in pixels.")
    @click.option("--large", is_flag=True, help="Large-text mode (everything 1.25 times bigger).")
    @click.option("--list", "list_only", is_flag=True, help="List the screens that can be captured.")
    @click.pass_obj
    def screenshot(state, screen: str | None, out: Path | None, lang: str, size: str, large: bool, list_only: bool) -> None:
        """Render SCREEN headlessly to a PNG (home, receipt, pin, admin, idle, error, plugin screens)."""
        from kiosk.screens import shots

        ctx = state.ctx
        available = shots.names(ctx)
        if list_only:
            for name in available:
                click.echo(name)
            return
        if not screen or out is None:
            raise click.UsageError("give a SCREEN and --out FILE.png (or --list)")
        if screen not in available:
            raise click.BadParameter(f"unknown screen {screen!r} (known: {', '.join(available)})", param_hint="SCREEN")
        width_height = _size(size)
        _font_check(ctx.settings)
        from kiosk.bootstrap import prepare

        prepare(size=width_height, show_cursor=True)
        from kiosk.app import KioskApp
        from kiosk.screens.harness import Harness

        app = KioskApp(ctx)
        harness = Harness(app).start()
        try:
            app.set_lang("en" if lang == "en" else "zh_CN")
            app.set_large(large)
            harness.step(2)
            shots.show(app, screen)
            harness.step(6)
            owner = app.plugins.owner(screen)
            if owner and app.sm.current != screen:
                raise click.ClickException(f"plugin {owner} could not show {screen}: {app.ctx.last_errors().get(owner, '?')}")
            harness.screenshot(out)
        finally:
            harness.stop()
        click.echo(f"{screen} written to {out}")
