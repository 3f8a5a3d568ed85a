"""``kiosk cases …``: file, list and show cases, and every staff transition, for scripts and a staff PC.

Invalid input exits with code 2 and one line naming the field (the contract of the issue): the service's
``Invalid``, ``Refused`` and ``NotFound`` are :class:`kiosk.refusal.Refusal` s, which ``kiosk`` prints.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import click

from kiosk.api import KioskContext

from .validation import CHANNELS


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    from kiosk.api.cli import UserError
    from kiosk.api import DateOutOfRange, parse_day

    try:
        return parse_day(value)
    except DateOutOfRange as exc:
        raise UserError(f"{name}: {exc.en}") from None
    except ValueError:
        raise UserError(f"{name}: {value!r} is not a date like 2026-12-01") from None


def card_json(ctx: KioskContext, c, timeline: bool = False) -> dict:
    from kiosk.api import mask_phone

    from . import workflow

    case = c.case
    data = {"case_no": case.case_no, "state": case.state, "state_name": workflow.state_name(case.state), "category": case.category,
            "problem": case.problem, "building": case.building, "unit": case.unit, "channel": case.channel, "kind": case.kind,
            "team": c.team.name if c.team else None, "team_code": case.team_code, "due_date": case.due_date.isoformat(),
            "filed_at": case.filed_at.isoformat(), "deadline": c.level, "reopen_count": case.reopen_count, "extended": case.extended,
            "merged_into": case.merged_into, "phone": mask_phone(case.phone) if case.phone else None,
            "public_summary": case.public_summary, "public_response": case.public_response}
    if timeline:
        data["timeline"] = [{"action": e.action, "from": e.from_state, "to": e.to_state, "at": e.at.isoformat(), "by": e.by,
                             "note": e.note, "detail": e.detail} for e in c.events]
        data["ratings"] = [{"level": r.level, "comment": r.comment, "channel": r.channel, "at": r.at.isoformat()} for r in c.ratings]
    return data


def register(cli: click.Group) -> None:
    from . import catalog, reports, service

    @cli.group(name="cases")
    def cases():
        """民生诉求 requests: file, list, show, and the 民生流水线 staff actions."""

    @cases.command("categories")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def categories_cmd(state, as_json):
        """Categories residents choose from, with their deadline in working days."""
        rows = [{"code": c.code, "name": c.name, "name_en": c.name_en, "deadline_days": c.deadline_days, "visibility": c.visibility,
                 "problems": [p.zh for p in c.problems]} for c in catalog.categories(state.ctx.settings)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['code']:<10} {r['name']:<8} {r['deadline_days']:>2} working days  {r['visibility']}")

    @cases.command("file")
    @click.option("--category", required=True)
    @click.option("--building", required=True)
    @click.option("--unit", default="")
    @click.option("--flat", default="")
    @click.option("--phone", default="")
    @click.option("--surname", default="")
    @click.option("--title", type=click.Choice(["", "先生", "女士"]), default="")
    @click.option("--name-public", is_flag=True, help="The resident agrees that the masked surname (张*) is published.")
    @click.option("--problem", default="", help="The common problem picked (e.g. 楼道灯不亮).")
    @click.option("--text", default="", help="The resident's description.")
    @click.option("--channel", type=click.Choice(list(CHANNELS)), default="kiosk")
    @click.option("--key", default=None, help="Idempotency key: the same key twice returns the same case.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def file_cmd(state, category, building, unit, flat, phone, surname, title, name_public, problem, text, channel, key, as_json):
        """File a case (from the kiosk, or entered by staff from another channel)."""
        r = service.file_case(state.ctx, {"category": category, "building": building, "unit": unit, "flat": flat, "phone": phone,
                                          "surname": surname, "title": title, "name_public": name_public, "problem": problem,
                                          "description": text, "channel": channel}, by=f"cli:{channel}", key=key, client="cli")
        data = {"case_no": r.case.case_no, "tracking_url": r.url, "due_date": r.case.due_date.isoformat(),
                "team": r.team.name if r.team else None, "state": r.case.state, "repeated": r.repeated}
        click.echo(json.dumps(data, ensure_ascii=False) if as_json else
                   f"{data['case_no']} {data['state']}, team {data['team']}, due {data['due_date']}  {data['tracking_url']}")

    @cases.command("show")
    @click.argument("case_no")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def show_cmd(state, case_no, as_json):
        """One case with its timeline."""
        data = card_json(state.ctx, service.card(state.ctx, case_no), timeline=True)
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            click.echo(f"{data['case_no']} {data['state_name']} due {data['due_date']} team {data['team']}")
            for e in data["timeline"]:
                click.echo(f"  {e['at'][:16]} {e['action']:<9} {e['from']}->{e['to']} {e['by']} {e['note']}")

    @cases.command("list")
    @click.option("--state", "state_", default=None)
    @click.option("--overdue", is_flag=True, help="Only open cases past their due date.")
    @click.option("--team", default=None)
    @click.option("--category", default=None)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def list_cmd(state, state_, overdue, team, category, as_json):
        """Cases, the most overdue first."""
        from . import workflow

        if state_ and state_ not in workflow.STATES:
            from kiosk.api.cli import UserError

            raise UserError(f"state: unknown state {state_!r} (one of {', '.join(workflow.STATES)})")
        rows = [card_json(state.ctx, c) for c in service.list_cases(state.ctx, state=state_, overdue=overdue, team=team, category=category)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['case_no']} {r['state']:<16} due {r['due_date']} {r['deadline'] or '':<12} {r['category']} {r['building']}")

    def _action(name: str, helptext: str, *options):
        def run(state, case_no, as_json, **kw):
            if "due_s" in kw:
                kw["due"] = _date(kw.pop("due_s"), "--due")
            service.transition(state.ctx, case_no, name, by=f"cli:{_who()}", **kw)
            data = card_json(state.ctx, service.card(state.ctx, case_no))
            click.echo(json.dumps(data, ensure_ascii=False) if as_json else f"{data['case_no']} {data['state_name']} due {data['due_date']}")

        cmd = click.pass_obj(run)
        for opt in reversed(options):
            cmd = opt(cmd)
        cmd = click.option("--json", "as_json", is_flag=True)(cmd)
        cmd = click.argument("case_no")(cmd)
        cases.command(name, help=helptext)(cmd)

    note = click.option("--note", default="", help="The timeline note.")
    need_note = click.option("--note", required=True, help="Required: the reason or what it is about.")
    _action("accept", "民生受理: accept with a kind, a team and a due date.",
            click.option("--kind", type=click.Choice(["instant", "promised", "needs_docs", "escalated", "suggestion"]), required=True),
            click.option("--team", default=None, help="Override the building's team."),
            click.option("--due", "due_s", default=None, help="Due date YYYY-MM-DD (default: the category's deadline)."), note)
    _action("start", "Start handling.", note)
    _action("wait", "Wait for the resident (pauses the deadline).", need_note)
    _action("resume", "The resident answered: handling resumes, the due date moves by the days paused.", note)
    _action("escalate", "Escalate upward (街道, 12345…).", need_note)
    _action("reply", "The higher level replied: handling resumes.", need_note)
    _action("extend", "Extend the deadline once, with a reason.", click.option("--days", type=int, required=True), need_note)
    _action("resolve", "Resolve with the public response.", click.option("--response", required=True),
            click.option("--summary", default="", help="Public summary of the request (staff-written)."), note)
    _action("publish", "Publish the outcome on the 公示反馈 board (refused while the texts hold personal data).",
            click.option("--summary", default=None, help="Replace the public summary (staff-written, no personal data)."),
            click.option("--response", default=None, help="Replace the public response."), note)
    _action("close", "Close (a submitted case: not accepted, with a reason).", note)
    _action("reopen", "Reopen with a reason.", need_note)
    _action("withdraw", "The resident withdrew the request.", note)
    _action("merge", "Merge as a duplicate of another case.", click.option("--into", required=True), note)

    @cases.command("note")
    @click.argument("case_no")
    @click.argument("text")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def note_cmd(state, case_no, text, as_json):
        """Add a note to the timeline."""
        service.transition(state.ctx, case_no, "note", by=f"cli:{_who()}", note=text)
        click.echo(json.dumps({"case_no": case_no, "ok": True}) if as_json else "noted")

    @cases.command("reprint")
    @click.argument("case_no")
    @click.pass_obj
    def reprint_cmd(state, case_no):
        """Print a case's slip again on the configured printer (a new QR; the old one keeps working)."""
        from kiosk.api.cli import UserError

        result = service.reprint(state.ctx, case_no)
        if result is None:
            raise UserError(f"case {case_no} was filed without a slip")
        if not result.ok:
            raise click.ClickException(f"printing failed: {result.error}")
        click.echo(f"slip {case_no.strip().upper()} printed")

    @cases.command("rate")
    @click.argument("case_no")
    @click.option("--level", type=click.Choice(["satisfied", "basic", "unsatisfied"]), required=True)
    @click.option("--comment", default="")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def rate_cmd(state, case_no, level, comment, as_json):
        """Enter the resident's rating from a phone follow-up (回访)."""
        c = service.card(state.ctx, case_no)
        service.rate(state.ctx, c.case.id, level, comment, channel="phone", by=f"cli:{_who()}")
        data = card_json(state.ctx, service.card(state.ctx, case_no))
        click.echo(json.dumps(data, ensure_ascii=False) if as_json else f"{data['case_no']} {data['state_name']}")

    @cases.command("supervision")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def supervision_cmd(state, as_json):
        """督办: long overdue (通报), overdue, and cases reopened twice."""
        lists = service.supervision(state.ctx)
        data = {k: [card_json(state.ctx, c) for c in v] for k, v in lists.items()}
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            for k, rows in data.items():
                click.echo(f"{k}: " + (", ".join(r["case_no"] for r in rows) or "-"))

    @cases.command("report")
    @click.option("--from", "start", default=None, help="First day (default: 30 days ago).")
    @click.option("--to", "end", default=None, help="Last day (default: today).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def report_cmd(state, start, end, as_json):
        """Recurring issues by category and building (the 党建协调会 agenda) and the period's rates."""
        end_d = _date(end, "--to") or state.ctx.today()
        start_d = _date(start, "--from") or end_d - timedelta(days=30)
        data = {"from": start_d.isoformat(), "to": end_d.isoformat(), "summary": reports.summary_stats(state.ctx, start_d, end_d),
                "groups": reports.recurring(state.ctx, start_d, end_d)}
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            click.echo(f"{data['from']} – {data['to']}: {data['summary']}")
            for g in data["groups"]:
                click.echo(f"  {g['count']:>3}  {g['category_name']} · {g['building_name']}")

    @cases.command("buildings")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def buildings_cmd(state, as_json):
        """The building → 先锋队 routing map."""
        teams = {t.code: t.name for t in service.teams(state.ctx)}
        rows = [{"code": b.code, "name": b.name, "units": b.units, "team": b.team_code, "team_name": teams.get(b.team_code or "")}
                for b in service.buildings(state.ctx)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['name']:<8} {r['units']} 单元  {r['team_name'] or '-'}")

    @cases.command("route")
    @click.argument("building")
    @click.option("--team", required=True, help="The team code (see `kiosk cases buildings`).")
    @click.option("--units", type=int, default=None)
    @click.pass_obj
    def route_cmd(state, building, team, units):
        """Give a building (new or existing) to a team."""
        b = service.set_building(state.ctx, building, team=team, units=units, by=_who())
        click.echo(f"{b.name} → {b.team_code}")

    @cases.command("api-key")
    @click.argument("name")
    @click.pass_obj
    def api_key_cmd(state, name):
        """Create an Open311 API key for POST requests.json (printed once; only its hash is kept).

        The same as ``kiosk api-key create NAME --scope open311``: list and revoke keys with ``kiosk api-key``."""
        from kiosk.api import ApiKeyError
        from kiosk.api.cli import UserError

        from .open311 import create_api_key

        try:
            click.echo(create_api_key(state.ctx, name, by=_who()))
        except ApiKeyError as exc:
            raise UserError(f"{exc.field}: {exc.en}") from None


def _who() -> str:
    from kiosk.api.cli import who

    return who()
