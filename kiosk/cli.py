"""The ``kiosk`` command. Plugins add their own sub-commands through ``kiosk_cli_commands``.

Human output by default, ``--json`` for scripts. A user mistake is one clear line on stderr and exit
code 2, never a traceback; a broken environment (database down) is one line and exit code 1. A command
raises :class:`UserError` for a mistake in its options and lets a service's
:class:`kiosk.refusal.Refusal` rise: :func:`main` prints it the same way for every command, plugins' too.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from kiosk import __version__
from kiosk.clock import ClockError
from kiosk.config import ConfigError
from kiosk.context import KioskContext
from kiosk.pluginhost import PluginHost
from kiosk.cli_support import STAFF_PASSWORD_ENV, CliState, UserError, _who, emit, staff_by  # noqa: F401 (re-exported)
from kiosk.refusal import Refusal

log = logging.getLogger("kiosk")

#: The language of the command's messages (its help and output are English): a refusal prints its English text.
CLI_LANG = "en"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kiosk", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to stderr.")
@click.pass_context
def cli(click_ctx: click.Context, verbose: bool) -> None:
    """kiosk: the self-service terminal of a community service center."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if click_ctx.obj is None:
        click_ctx.obj = CliState(host=PluginHost())


# -- db --------------------------------------------------------------------------------------------
@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def db_upgrade(state: CliState, as_json: bool) -> None:
    """Apply every pending migration of the core and the plugins (idempotent)."""
    ctx = state.ctx  # building the context migrates
    from kiosk.migrate import current_heads

    heads = current_heads(ctx.engine)
    emit({"heads": heads, "database": ctx.engine.url.render_as_string(hide_password=True)}, as_json,
         lambda d: click.echo(f"database is up to date ({', '.join(d['heads'])}) at {d['database']}"))


# -- demo data -------------------------------------------------------------------------------------
@cli.command("demo-data")
@click.pass_obj
def demo_data(state: CliState) -> None:
    """Load the Huaxin center's demo content for the core and every installed plugin (idempotent)."""
    from kiosk.staff import DEMO_STAFF, ensure_user  # published in the README: must be changed at first login

    ctx = state.ctx
    with ctx.transaction() as session:
        for username, display, role, password in DEMO_STAFF:
            ensure_user(session, username, password, role=role, display_name=display, must_change=True)
    failed: list[str] = []
    ctx.host.call("kiosk_demo_data", ctx=ctx, failed=failed)
    loaded = [n for n in ctx.host.plugins if ctx.host.implements(n, "kiosk_demo_data") and n not in failed]
    click.echo(f"demo data loaded: core (staff logins admin / clerk), plugins: {', '.join(loaded) or 'none'}")
    if failed:
        raise click.ClickException(f"demo data of {', '.join(failed)} failed: see `kiosk plugins list`")


# -- plugins ---------------------------------------------------------------------------------------
@cli.group()
def plugins() -> None:
    """Installed plugins and their enablement per season."""


def plugin_rows(ctx: KioskContext) -> list[dict]:
    enabled = set(ctx.enabled_plugins())
    errors = ctx.last_errors()
    rows = []
    for name, loaded in ctx.host.plugins.items():
        info = ctx.host.info(name)
        rows.append({
            "name": name,
            "title": info.title,
            "title_en": info.title_en or info.title,
            "version": loaded.version,
            "builtin": loaded.builtin,
            "enabled": name in enabled,
            "error": errors.get(name),
            "hooks": ctx.host.hooks_of(name),
        })
    return rows


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def plugins_list(state: CliState, as_json: bool) -> None:
    """Every installed plugin: built-in or not, on today or not, and its last error."""
    rows = plugin_rows(state.ctx)

    def human(data):
        if not data:
            click.echo("no plugins installed")
        for r in data:
            flag = "on " if r["enabled"] else "off"
            kind = "built-in" if r["builtin"] else "third-party"
            click.echo(f"[{flag}] {r['name']:<12} {r['title']} ({kind} {r['version']})" + (f"  ERROR {r['error']}" if r["error"] else ""))

    emit(rows, as_json, human)


def _toggle(state: CliState, name: str, season: str | None, enabled: bool, as_json: bool) -> None:
    from kiosk.seasons import UnknownSeason, set_enabled

    ctx = state.ctx
    if name not in ctx.host.plugins:
        known = ", ".join(ctx.host.plugins) or "none installed"
        raise UserError(f"unknown plugin {name!r} (installed: {known})")
    try:
        with ctx.transaction() as session:
            seasons = set_enabled(session, ctx.settings, name, enabled, by=_who(), day=ctx.today(), season=season)
    except UnknownSeason as exc:
        raise UserError(str(exc)) from None
    word = "enabled" if enabled else "disabled"
    emit({"name": name, "enabled": enabled, "seasons": seasons}, as_json,
         lambda d: click.echo(f"{name} {word} for season(s): {', '.join(seasons)}"))


@plugins.command("enable")
@click.argument("name")
@click.option("--season", default=None, help="Season name; default: the season(s) current today.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def plugins_enable(state: CliState, name: str, season: str | None, as_json: bool) -> None:
    """Switch plugin NAME on for a season."""
    _toggle(state, name, season, True, as_json)


@plugins.command("disable")
@click.argument("name")
@click.option("--season", default=None, help="Season name; default: the season(s) current today.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def plugins_disable(state: CliState, name: str, season: str | None, as_json: bool) -> None:
    """Switch plugin NAME off for a season."""
    _toggle(state, name, season, False, as_json)


# -- seasons ---------------------------------------------------------------------------------------
def season_rows(ctx: KioskContext) -> list[dict]:
    from kiosk.seasons import enablement

    today = ctx.today()
    installed = list(ctx.host.plugins)
    with ctx.sessions() as session:
        snap = enablement(session, ctx.settings)
    rows = []
    for s in ctx.settings.seasons:
        names = sorted(set(s.plugins) | {p for p in installed if snap.in_season(s, p)})
        rows.append({
            "name": s.name,
            "title": s.title,
            "title_en": s.title_en,
            "start": s.start,
            "end": s.end,
            "plugins": [p for p in names if snap.in_season(s, p)],
            "current": s.contains(today),
        })
    return rows


@cli.group()
def seasons() -> None:
    """Seasons and the plugins each enables."""


@seasons.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def seasons_list(state: CliState, as_json: bool) -> None:
    """Every configured season, its plugins (with staff overrides) and whether it is current."""

    def human(data):
        for r in data:
            mark = "*" if r["current"] else " "
            click.echo(f"{mark} {r['name']:<14} {r['title']:<6} {r['start']}..{r['end']}  {', '.join(r['plugins'])}")

    emit(season_rows(state.ctx), as_json, human)


# -- calendar --------------------------------------------------------------------------------------
@cli.command("calendar")
@click.argument("day", required=False)
@click.option("--add-workdays", type=int, default=None, help="Also show the date N working days later.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def calendar_cmd(state: CliState, day: str | None, add_workdays: int | None, as_json: bool) -> None:
    """Is DAY (default today) a working day? Public holidays and 调休 included."""
    from kiosk.workdays import WorkCalendar

    cal = WorkCalendar.from_settings(state.settings)
    from kiosk.clock import DateOutOfRange, parse_day, today

    try:
        d = parse_day(day) if day else today(state.settings.tz)
    except DateOutOfRange as exc:
        raise UserError(exc.en) from None
    except ValueError:
        raise UserError(f"{day!r} is not a date like 2026-10-01") from None
    if add_workdays is not None and add_workdays < 0:
        raise UserError("--add-workdays must not be negative")
    data = {
        "date": d.isoformat(),
        "workday": cal.is_workday(d),
        "holiday": cal.holiday_name(d),
        "makeup_workday": cal.is_makeup_workday(d),
        "known_year": cal.is_known_year(d),
    }
    if add_workdays is not None:
        data["plus_workdays"] = cal.add_workdays(d, add_workdays).isoformat()
    emit(data, as_json, lambda r: click.echo(
        f"{r['date']}: {'working day' if r['workday'] else 'day off'}"
        + (f" ({r['holiday']})" if r["holiday"] else "") + (" (调休 make-up day)" if r["makeup_workday"] else "")
        + (f"; +{add_workdays} working days = {r['plus_workdays']}" if add_workdays is not None else "")))


# -- housekeeping ----------------------------------------------------------------------------------
@cli.command("tick")
@click.option("--force", is_flag=True, help="Run even if another terminal already ran today's tick.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def tick(state: CliState, force: bool, as_json: bool) -> None:
    """Run the plugins' daily housekeeping once for today (safe to call from cron on every terminal)."""
    from kiosk.housekeeping import run_daily_tick

    ran = run_daily_tick(state.ctx, force=force)
    emit({"day": state.ctx.today().isoformat(), "ran": ran}, as_json,
         lambda d: click.echo(f"daily tick {d['day']}: " + (", ".join(d["ran"]) or "already done or nothing to do")))


# -- receipts --------------------------------------------------------------------------------------
@cli.group()
def receipt() -> None:
    """Receipts (QR slips): render, print, show."""


def _find(ctx: KioskContext, token: str):
    from kiosk.receipts import find_receipt

    token = token.rstrip("/").rsplit("/t/", 1)[-1]  # a whole tracking URL works too
    with ctx.sessions() as session:
        found = find_receipt(session, token)
    if found is None:
        raise UserError("no receipt has this token (check the tracking link)")
    return found, token


@receipt.command("show")
@click.argument("token")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def receipt_show(state: CliState, token: str, as_json: bool) -> None:
    """What a receipt says (TOKEN or its tracking URL)."""
    from kiosk.receipts import receipt_json

    ctx = state.ctx
    found, token = _find(ctx, token)
    data = receipt_json(found, ctx.settings) | {"url": ctx.tracking_url(token)}
    emit(data, as_json, lambda d: click.echo(f"{d['number']} {d['title']} [{d['state']}] {d['url']}"))


@receipt.command("render")
@click.argument("token")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PNG file to write.")
@click.pass_obj
def receipt_render(state: CliState, token: str, out: Path) -> None:
    """Render the paper slip of a receipt as a PNG image."""
    from kiosk.fonts import FontMissing, find_faces
    from kiosk.receipts import layout_for
    from kiosk.slip_image import save_slip_png

    ctx = state.ctx
    found, token = _find(ctx, token)
    try:
        faces = find_faces(ctx.settings.font_path, ctx.settings.data_dir)
    except FontMissing as exc:
        raise click.ClickException(str(exc)) from None
    try:
        save_slip_png(layout_for(found, ctx.tracking_url(token), ctx.settings), faces, out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"slip {found.number} written to {out}")


@receipt.command("print")
@click.argument("token")
@click.pass_obj
def receipt_print(state: CliState, token: str) -> None:
    """Reprint a receipt's slip on the configured printer."""
    from kiosk.receipts import layout_for

    ctx = state.ctx
    found, token = _find(ctx, token)
    result = ctx.print_receipt(found.id, layout_for(found, ctx.tracking_url(token), ctx.settings))
    if result.status == "disabled":
        raise click.ClickException("no printer is configured ([printer] backend = \"none\")")
    if not result.ok:
        raise click.ClickException(f"printing failed: {result.error}")
    click.echo(f"slip {found.number} printed")


# -- staff -----------------------------------------------------------------------------------------
@cli.group()
def staff() -> None:
    """Staff logins for the web staff area."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "staff"]), default="staff", show_default=True)
@click.option("--name", "display_name", default="", help="Name shown in the staff area.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def staff_add(state: CliState, username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create or update a staff login (the password is stored hashed)."""
    from kiosk.staff import set_user

    password = _read_password(password_stdin)
    from kiosk import audit
    from kiosk.staff import find

    with state.ctx.transaction() as session:
        existed = find(session, username) is not None
        set_user(session, username, password, role=role, display_name=display_name)
        audit.record(session, _who(), "staff.password" if existed else "staff.add", f"staff:{username}", {"role": role})
    click.echo(f"staff login {username} ({role}) saved" + (" (its sessions have ended)" if existed else ""))


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("new password", hide_input=True, confirmation_prompt=True)


@staff.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.option("--must-change", is_flag=True, help="The user must choose their own password at the next web login.")
@click.pass_obj
def staff_passwd(state: CliState, username: str, password_stdin: bool, must_change: bool) -> None:
    """Set a new password for USERNAME; every session of that login ends at once."""
    from kiosk import audit
    from kiosk.staff import change_password

    password = _read_password(password_stdin)
    with state.ctx.transaction() as session:
        change_password(session, username, password, must_change=must_change)
        audit.record(session, _who(), "staff.password", f"staff:{username}", {"by": "cli"})
    click.echo(f"password of {username} changed; its sessions have ended")


@staff.command("deactivate")
@click.argument("username")
@click.pass_obj
def staff_deactivate(state: CliState, username: str) -> None:
    """Switch USERNAME off (kept for the history); every session of that login ends at once."""
    from kiosk import audit
    from kiosk.staff import deactivate

    with state.ctx.transaction() as session:
        deactivate(session, username)
        audit.record(session, _who(), "staff.deactivate", f"staff:{username}")
    click.echo(f"{username} deactivated; its sessions have ended")


@staff.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def staff_list(state: CliState, as_json: bool) -> None:
    """Staff logins (never their passwords)."""
    from sqlalchemy import select

    from kiosk.models import StaffUser

    with state.ctx.sessions() as session:
        rows = [{"username": u.username, "name": u.display_name, "role": u.role, "active": u.active,
                 "must_change_password": u.must_change_password}
                for u in session.scalars(select(StaffUser).order_by(StaffUser.username))]
    emit(rows, as_json, lambda d: [click.echo(f"{r['username']:<16} {r['role']:<6} {'' if r['active'] else '(inactive) '}{r['name']}")
                                   for r in d])


# -- audit -----------------------------------------------------------------------------------------
@cli.group("audit")
def audit_group() -> None:
    """The audit log of staff actions (logins, setup changes, approvals, exports, phone views)."""


@audit_group.command("list")
@click.option("--since", default=None, help="Only entries from this date or ISO date-time on (the center's zone if none given).")
@click.option("--action", default=None, help="Only this action (auth.login) or area (auth).")
@click.option("--actor", default=None, help="Only this actor (web:admin, cli:root).")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit_list(state: CliState, since: str | None, action: str | None, actor: str | None, limit: int, as_json: bool) -> None:
    """Entries newest first: at, actor, action, target (and detail, ip)."""
    from kiosk import audit

    ctx = state.ctx
    try:
        start = audit.parse_since(since, ctx.settings.tz)
    except audit.BadSince:
        raise UserError(f"--since {since!r} is not a date (2026-12-01) or an ISO date-time (2026-12-01T08:30:00+08:00)") from None
    rows = [r.as_json() for r in audit.entries(ctx, since=start, action=audit.action_filter(action), actor=actor or None, limit=limit)]

    def human(data):  # times in the center's zone, as staff read clocks (--json keeps UTC with its offset)
        from datetime import datetime

        for r in data:
            local = datetime.fromisoformat(r["at"]).astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"{local}  {r['actor']:<20} {r['action']:<18} {r['target']}")

    emit(rows, as_json, human)


# -- api keys --------------------------------------------------------------------------------------
@cli.group("api-key")
def api_key() -> None:
    """API keys for other systems (Open311, the queue's REST API): create, list, revoke."""


@api_key.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="What the key may do (repeat for several): see `kiosk api-key scopes`.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def api_key_create(state: CliState, name: str, scopes: tuple[str, ...], as_json: bool) -> None:
    """Create a key for NAME (the system that uses it); the key is printed once, only its hash is kept."""
    from kiosk.apikeys import ApiKeyError, create

    try:
        info, key = create(state.ctx, name, [p for s in scopes for p in s.replace(",", " ").split()], by=_who())
    except ApiKeyError as exc:
        raise UserError(f"{exc.field}: {exc.en}") from None
    emit({**info.as_dict(), "key": key}, as_json, lambda d: click.echo(key))


@api_key.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Revoked keys too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def api_key_list(state: CliState, include_revoked: bool, as_json: bool) -> None:
    """Keys with their id, name and scopes (never the keys themselves)."""
    from kiosk.apikeys import list_keys

    rows = [k.as_dict() for k in list_keys(state.ctx, include_revoked)]
    emit(rows, as_json, lambda d: [click.echo(f"{r['id']:>4} {r['name']:<24} {' '.join(r['scopes']):<20} "
                                              f"{'revoked' if r['revoked_at'] else 'active'}") for r in d])


@api_key.command("revoke")
@click.argument("key_id_or_name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def api_key_revoke(state: CliState, key_id_or_name: str, as_json: bool) -> None:
    """Revoke a key by its id (see list) or its name: it is refused from now on."""
    from kiosk.apikeys import ApiKeyError, revoke

    try:
        info = revoke(state.ctx, key_id_or_name, by=_who())
    except ApiKeyError as exc:
        raise UserError(f"{exc.field}: {exc.en}") from None
    emit(info.as_dict(), as_json, lambda d: click.echo(f"key {d['id']} ({d['name']}) revoked"))


@api_key.command("scopes")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def api_key_scopes(state: CliState, as_json: bool) -> None:
    """The scopes the loaded plugins check."""
    from kiosk.apikeys import known_scopes

    rows = [{"scope": k, "zh": zh, "en": en} for k, (zh, en) in sorted(known_scopes(state.ctx).items())]
    emit(rows, as_json, lambda d: [click.echo(f"{r['scope']:<10} {r['zh']} / {r['en']}") for r in d])


@cli.command("pin-hash")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input.")
def pin_hash(pin_stdin: bool) -> None:
    """Hash a staff PIN for [staff] pin_hash in the config file."""
    from kiosk.security import hash_secret

    pin = sys.stdin.readline().strip() if pin_stdin else click.prompt("PIN", hide_input=True, confirmation_prompt=True)
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise UserError("a PIN is 4 to 12 digits")
    click.echo(hash_secret(pin))


# -- web -------------------------------------------------------------------------------------------
@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Worker processes (each with its own database connections).")
@click.pass_obj
def serve(state: CliState, host: str, port: int, workers: int) -> None:
    """Start the web host: tracking pages for phones, the staff area, the JSON API."""
    import uvicorn

    from kiosk.heartbeat import Heartbeat
    from kiosk.web.app import create_app

    ctx = state.ctx  # migrates once here, before any worker starts
    if workers > 1:  # each worker process builds its own context (kiosk.web.asgi) and beats itself
        uvicorn.run("kiosk.web.asgi:create", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", proxy_headers=False)
        return
    app = create_app(ctx)
    beat = Heartbeat(ctx, "web").start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    finally:
        beat.stop(timeout=1.0)


def _register_plugin_commands(host: PluginHost) -> None:
    host.call("kiosk_cli_commands", cli=cli)


def _register_shell_commands() -> None:
    """``kiosk run`` and ``kiosk screenshot`` live beside the shell; Kivy is imported only when they run."""
    try:
        from kiosk.shell_cli import register
    except ImportError:
        return
    register(cli)


def _register_ops_commands() -> None:
    """``kiosk doctor``, ``terminals``, ``backup``, ``restore`` (operations) and ``privacy`` (residents' rights)."""
    from kiosk.ops_cli import register
    from kiosk.privacy_cli import register as register_privacy

    register(cli)
    register_privacy(cli)


def main(argv: list[str] | None = None) -> int:
    host = PluginHost()
    _register_shell_commands()
    _register_ops_commands()
    _register_plugin_commands(host)
    try:
        cli.main(args=argv, prog_name="kiosk", obj=CliState(host=host), standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as exc:  # one "error: …" line for every command, plugins' too
        click.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (ConfigError, ClockError) as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except Refusal as exc:  # any command's refusal, the core's or a plugin's: one line, exit code 2
        click.echo(f"error: {exc.text(CLI_LANG)}", err=True)
        return 2
    except Exception as exc:  # the environment is broken (database down…): one line, no traceback
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError):
            click.echo(f"error: the database is not reachable: {str(exc.orig).strip().splitlines()[0]}", err=True)
            return 1
        log.debug("unexpected error", exc_info=True)
        click.echo(f"error: {type(exc).__name__}: {exc} (run with -v for details)", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
