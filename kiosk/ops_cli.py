"""Operations commands: ``kiosk doctor``, ``kiosk terminals``, ``kiosk help``, ``kiosk backup``, ``kiosk restore``.

They live apart from :mod:`kiosk.cli` because they are about the machine and the deployment rather
than the center's work; :func:`register` adds them to the ``kiosk`` group.
"""

from __future__ import annotations

from pathlib import Path

import click


class ChecksFailed(click.ClickException):
    """``kiosk doctor`` found problems: exit code 1 (the lines above say what to fix)."""

    exit_code = 1


def register(cli: click.Group) -> None:
    from kiosk.cli_support import CliState, UserError, emit

    # -- doctor ----------------------------------------------------------------------------------
    @cli.command("doctor")
    @click.option("--role", type=click.Choice(["kiosk", "display", "web"]), default="kiosk", show_default=True,
                  help="What this machine is: a resident kiosk, the hall display, or the web host (server).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def doctor(state: CliState, role: str, as_json: bool) -> None:
        """Check this machine: config, database, schema, font, printer, sound, time zone and clock.

        One line per check says what is wrong and how to fix it; exit code 0 only when all pass.
        """
        from kiosk.config import ConfigError, load_settings
        from kiosk.doctor import Environment, report, run_checks

        env = Environment(host=state.host, role=role)
        try:
            env.settings = load_settings()
        except ConfigError as exc:
            env.settings_error = str(exc)
        try:
            checks = run_checks(env)
        finally:
            if env.engine is not None:
                env.engine.dispose()
        data = report(checks)
        emit(data, as_json, lambda _d: [click.echo(c.line()) for c in checks])
        if not data["ok"]:
            failed = sum(not c.ok for c in checks)
            raise ChecksFailed(f"{failed} of {len(checks)} checks failed")

    # -- terminals -------------------------------------------------------------------------------
    @cli.command("terminals")
    @click.option("--forget", "forget_id", default=None, metavar="TERMINAL",
                  help="Remove a retired terminal from the list (all its roles).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def terminals_cmd(state: CliState, forget_id: str | None, as_json: bool) -> None:
        """Every terminal's last heartbeat: role, version, printer, last error; stale ones flagged."""
        from kiosk.heartbeat import forget, terminals

        ctx = state.ctx
        if forget_id is not None:
            removed = forget(ctx, forget_id)
            if not removed:
                raise UserError(f"no terminal named {forget_id!r} has reported")
            emit({"forgotten": forget_id, "rows": removed}, as_json, lambda d: click.echo(f"{forget_id} removed from the list"))
            return
        rows = [t.as_json() for t in terminals(ctx)]

        def human(data):
            if not data:
                click.echo("no terminal has reported yet")
            for r in data:
                flag = "STALE" if r["stale"] else "ok   "
                line = (f"{flag} {r['terminal']:<16} {r['role']:<8} {r['version']:<8} last beat {r['age_seconds']} s ago"
                        f"  printer {r['printer_state'] or '-'}")
                if r["last_error"]:
                    line += f"  last error: {r['last_error'].splitlines()[0][:100]}"
                click.echo(line)

        emit(rows, as_json, human)

    # -- help requests ---------------------------------------------------------------------------
    @cli.group("help")
    def help_group() -> None:
        """Residents' "请工作人员帮助" calls from the kiosks: list the open ones, mark one handled."""

    @help_group.command("list")
    @click.option("--all", "show_done", is_flag=True, help="Also the last handled requests.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def help_list(state: CliState, show_done: bool, as_json: bool) -> None:
        """Open help requests, the longest waiting first: id, terminal, screen, seconds waiting."""
        from kiosk.helpdesk import open_requests, recent_done

        ctx = state.ctx
        rows = [c.as_json() for c in open_requests(ctx) + (recent_done(ctx) if show_done else [])]

        def human(data):
            if not data:
                click.echo("no open help requests")
            for r in data:
                state_text = "OPEN" if r["open"] else f"done by {r['done_by']}"
                click.echo(f"#{r['id']:<5} {r['terminal']:<16} {r['screen'] or '-':<24} "
                           f"{r['age_seconds'] // 60} min ago  {state_text}")

        emit(rows, as_json, human)

    @help_group.command("done")
    @click.argument("request_id", metavar="ID", type=int)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def help_done(state: CliState, request_id: int, as_json: bool) -> None:
        """Mark help request ID as handled (staff went to the terminal)."""
        from kiosk.cli_support import _who
        from kiosk.helpdesk import UnknownHelpRequest, mark_done

        try:
            call, closed = mark_done(state.ctx, request_id, _who())
        except UnknownHelpRequest:
            raise UserError(f"ID: no help request #{request_id}") from None
        emit({**call.as_json(), "closed_now": closed}, as_json, lambda d: click.echo(
            f"#{request_id} ({d['terminal']}) marked as handled" if closed else f"#{request_id} was already handled by {d['done_by']}"))

    # -- backup ----------------------------------------------------------------------------------
    @cli.command("backup")
    @click.option("--out", "out", type=click.Path(path_type=Path), default=None,
                  help="File to write, or a folder to name it in (default: <data dir>/backups).")
    @click.option("--keep", type=click.IntRange(1, 10000), default=None,
                  help="Afterwards keep only the N newest backups in that folder.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def backup_cmd(state: CliState, out: Path | None, keep: int | None, as_json: bool) -> None:
        """Back up the whole database while the terminals keep running (SQLite or PostgreSQL)."""
        from kiosk.backup import BackupError, create_backup, prune

        ctx = state.ctx
        try:
            info = create_backup(ctx, out)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
        removed = [str(p) for p in prune(info.path.parent, keep)] if keep else []
        data = {"file": str(info.path), "meta": info.meta, "removed": removed}
        emit(data, as_json, lambda d: click.echo(
            f"backup written to {d['file']} ({info.meta['payload_bytes']} bytes of {info.backend})"
            + (f"; {len(removed)} older removed" if removed else "")))

    # -- restore ---------------------------------------------------------------------------------
    @cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Really replace the database (without it, only say what would happen).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def restore_cmd(state: CliState, file: Path, yes: bool, as_json: bool) -> None:
        """Replace the whole database with a backup FILE (the current one is saved first)."""
        from sqlalchemy.engine import make_url

        from kiosk.backup import BackupError, check_restorable, read_backup, restore_backup, row_counts
        from kiosk.migrate import current_heads

        try:
            info = read_backup(file)
        except BackupError as exc:
            raise UserError(str(exc)) from None
        ctx = state.ctx
        dirs = ctx.migration_dirs()
        try:
            check_restorable(ctx, info, dirs)
        except BackupError as exc:
            raise UserError(str(exc)) from None
        target = make_url(ctx.settings.database_url).render_as_string(hide_password=True)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(row_counts(ctx).items()))
        plan = (f"this replaces ALL data of {target} (now: {counts}; schema {', '.join(current_heads(ctx.engine))}) "
                f"with the {info.describe()}")
        if not yes:
            click.echo(plan)
            raise UserError("nothing was changed: run again with --yes to replace the database")
        try:
            saved = restore_backup(ctx, info, dirs)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        data = {"restored": str(file), "database": target, "previous_saved_to": str(saved), "meta": info.meta}
        emit(data, as_json, lambda d: click.echo(
            f"restored {file} into {target}; the data it replaced is saved in {saved}"))
