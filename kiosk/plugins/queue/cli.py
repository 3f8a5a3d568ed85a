"""``kiosk queue …``: the same counter actions as the staff web page, for scripts and a counter PC."""

from __future__ import annotations

import json

import click

from .service import OUTCOMES, QueueError


def _emit(data, as_json: bool, line: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False) if as_json else line)


def _fail(exc: QueueError) -> None:
    from kiosk.cli import UserError

    raise UserError(exc.en)


def register(cli: click.Group) -> None:
    from . import service, stats

    @cli.group(name="queue")
    def queue_group():
        """Queue tickets (取号叫号): services, take, call, recall, no-show, transfer, stats."""

    @queue_group.command("services")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def services_cmd(state, as_json):
        """Services with how many are waiting and whether they issue tickets now."""
        rows = [{"code": x.code, "name": x.name, "name_en": x.name_en, "waiting": x.waiting, "open": x.open,
                 "opens_at": x.opens_at.isoformat() if x.opens_at else None, "wait_min": x.wait.low, "wait_max": x.wait.high,
                 "materials": x.materials} for x in service.services_overview(state.ctx)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['code']} {r['name']:<6} waiting {r['waiting']:>3}  {'open' if r['open'] else 'closed'}  ~{r['wait_min']}-{r['wait_max']} min")

    @queue_group.command("take")
    @click.argument("code")
    @click.option("--priority", is_flag=True, help="绿色通道: over 70, disabled, pregnant.")
    @click.option("--key", default=None, help="Idempotency key: the same key twice returns the same ticket.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def take_cmd(state, code, priority, key, as_json):
        """Take a ticket for service CODE (the letter)."""
        try:
            r = service.take_ticket(state.ctx, code, priority=priority, key=key)
        except QueueError as exc:
            _fail(exc)
        url = r.url
        data = {"number": r.ticket.display, "service": r.service.name, "code": r.service.code, "priority": r.ticket.priority,
                "ahead": r.ahead, "wait_min": r.wait.low, "wait_max": r.wait.high, "tracking_url": url, "repeated": r.repeated}
        _emit(data, as_json, f"{data['number']} {data['service']}: {data['ahead']} ahead, ~{data['wait_min']}-{data['wait_max']} min  {url}")

    @queue_group.command("call")
    @click.option("--counter", type=int, required=True)
    @click.option("--service", "service_code", default=None, help="Call only this service's letter.")
    @click.option("--number", default=None, help="Call this waiting ticket out of order (e.g. A023).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def call_cmd(state, counter, service_code, number, as_json):
        """Call the next ticket to a counter (finishes the counter's current one)."""
        try:
            if number:
                t = service.call_number(state.ctx, counter, number, by="cli")
            else:
                t = service.call_next(state.ctx, counter, service_code, by="cli")
        except QueueError as exc:
            _fail(exc)
        data = {"number": t.display if t else None, "counter": counter, "service": t.service_code if t else None}
        _emit(data, as_json, f"counter {counter}: {data['number']}" if t else f"counter {counter}: nobody is waiting")

    for name, fn, helptext in (
        ("recall", service.recall, "重呼: call the counter's current ticket again."),
        ("no-show", service.no_show, "过号: the counter's current ticket did not come."),
        ("park", service.park, "暂存: set the current ticket aside (call it back later with call --number)."),
    ):
        def make(fn=fn):
            @click.option("--counter", type=int, required=True)
            @click.option("--json", "as_json", is_flag=True)
            @click.pass_obj
            def cmd(state, counter, as_json):
                try:
                    t = fn(state.ctx, counter, by="cli")
                except QueueError as exc:
                    _fail(exc)
                _emit({"number": t.display, "counter": counter, "state": t.state}, as_json, f"{t.display} {t.state}")
            return cmd

        queue_group.command(name, help=helptext)(make())

    @queue_group.command("done")
    @click.option("--counter", type=int, required=True)
    @click.option("--outcome", type=click.Choice(OUTCOMES), default="done", show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def done_cmd(state, counter, outcome, as_json):
        """办结: finish the counter's current ticket with an outcome code."""
        try:
            t = service.finish(state.ctx, counter, outcome, by="cli")
        except QueueError as exc:
            _fail(exc)
        _emit({"number": t.display, "counter": counter, "outcome": outcome}, as_json, f"{t.display} served ({outcome})")

    @queue_group.command("transfer")
    @click.option("--counter", type=int, required=True)
    @click.option("--to", "to_service", required=True, help="Letter of the service to send the ticket to.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def transfer_cmd(state, counter, to_service, as_json):
        """一票到底: send the current ticket to another service, keeping its arrival time."""
        try:
            t = service.transfer(state.ctx, counter, to_service, by="cli")
        except QueueError as exc:
            _fail(exc)
        _emit({"number": t.display, "service": t.service_code}, as_json, f"{t.display} now waits for {t.service_code}")

    @queue_group.command("restore")
    @click.argument("number")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def restore_cmd(state, number, as_json):
        """Put a missed (过号) ticket back in line, ahead of later arrivals."""
        try:
            t = service.restore(state.ctx, number, by="cli")
        except QueueError as exc:
            _fail(exc)
        _emit({"number": t.display, "state": t.state}, as_json, f"{t.display} is waiting again")

    @queue_group.command("pause")
    @click.option("--counter", type=int, required=True)
    @click.option("--resume", is_flag=True, help="Resume instead of pausing.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def pause_cmd(state, counter, resume, as_json):
        """Pause a counter (no calls) or resume it."""
        try:
            desk = service.set_paused(state.ctx, counter, not resume, by="cli")
        except QueueError as exc:
            _fail(exc)
        _emit({"counter": desk.number, "paused": desk.paused}, as_json, f"counter {desk.number} {'paused' if desk.paused else 'open'}")

    @queue_group.command("stats")
    @click.option("--day", default=None, help="Business day YYYY-MM-DD (default today).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def stats_cmd(state, day, as_json):
        """Per service and day: tickets, served, no-shows, waits, service times, estimate accuracy."""
        from datetime import date

        try:
            d = date.fromisoformat(day) if day else None
        except ValueError:
            from kiosk.cli import UserError

            raise UserError(f"{day!r} is not a date like 2026-11-30") from None
        data = stats.day_stats(state.ctx, d)
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            for r in data["services"]:
                click.echo(f"{r['code']} {r['name']:<6} tickets {r['tickets']:>3} served {r['served']:>3} no-show {r['no_shows']:>2} "
                           f"avg wait {r['avg_wait_min']} p90 {r['p90_wait_min']} min")
