"""``kiosk privacy export|erase --phone P``: a resident's rights under PIPL (个人信息保护法) as commands.

The resident asks the center, staff run the command (or use /staff/privacy): ``export`` shows everything
held about the phone (a copy to hand over, JSON with ``--json``), ``erase`` first says what would go and,
with ``--yes``, erases it with the same routine the retention jobs use. Both are audited with the phone
masked. The phone may be typed in any spacing, full-width digits or with +86.
"""

from __future__ import annotations

import click


def _rows_line(table: dict) -> str:
    return f"  {table['label']} ({table['table']}): {len(table['rows'])}"


def register(cli: click.Group) -> None:
    from kiosk.cli_support import CliState, UserError, _who, emit

    def number_of(raw: str) -> str:
        from kiosk.i18n import translator
        from kiosk.phone import PhoneError
        from kiosk.privacy import normalized

        try:
            return normalized(raw)
        except PhoneError as exc:
            raise UserError(f"电话号码无效：{translator('zh_CN', 'shell')(exc.msgid)} / invalid phone number: {exc.msgid}") from None

    @cli.group()
    def privacy() -> None:
        """A resident's personal data: a copy of everything held about a phone, or its erasure."""

    @privacy.command("export")
    @click.option("--phone", required=True, help="The resident's phone number (any spacing).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def export_cmd(state: CliState, phone: str, as_json: bool) -> None:
        """Everything held about PHONE: cases, timelines, ratings, consent, sign-ups, appointments, slips."""
        from kiosk import privacy

        report = privacy.export(state.ctx, number_of(phone), actor=_who())

        def human(_data) -> None:
            if not report.tables:
                click.echo(f"nothing is held about {report.masked}")
                return
            click.echo(f"held about {report.masked}: {report.total} rows")
            for table in report.tables:
                click.echo(_rows_line(table))
                for row in table["rows"]:
                    click.echo("    " + ", ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "", [], {})))

        emit(report.as_json(), as_json, human)

    @privacy.command("erase")
    @click.option("--phone", required=True, help="The resident's phone number (any spacing).")
    @click.option("--yes", is_flag=True, help="Erase. Without it nothing changes: the command says what would go.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def erase_cmd(state: CliState, phone: str, yes: bool, as_json: bool) -> None:
        """Erase everything held about PHONE everywhere (with --yes; first run it without to see what goes)."""
        from kiosk import privacy

        report = privacy.erase(state.ctx, number_of(phone), actor=_who(), confirm=yes)

        def human(_data) -> None:
            if not report.tables:
                click.echo(f"nothing is held about {report.masked}: nothing to erase")
                return
            click.echo(f"{'erased' if yes else 'would erase'} the personal data of {report.total} rows about {report.masked}:")
            for table in report.tables:
                click.echo(_rows_line(table))
            if not yes:
                click.echo("nothing was changed; run again with --yes to erase")

        emit(report.as_json(with_rows=False), as_json, human)
