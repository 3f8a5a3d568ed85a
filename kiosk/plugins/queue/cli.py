"""``kiosk queue …``: the same counter actions as the staff web page, for scripts and a counter PC.

A :class:`~.service.QueueError` from the service is a :class:`kiosk.refusal.Refusal`: the commands let it
rise and ``kiosk`` prints it (one line, exit code 2).
"""

from __future__ import annotations

import json

import click

from kiosk.api import KioskContext

from .service import OUTCOMES, QueueError


def _who() -> str:
    """The system user running the command, for the audit log of setup changes."""
    from kiosk.api.cli import who

    return who()


def _hall(ctx: KioskContext, hall: str | None) -> str | None:
    """``--hall CODE`` checked against the halls that exist (None: every hall)."""
    from kiosk.api.cli import UserError

    from .service import find_hall

    if hall is None:
        return None
    hall = hall.strip().lower()
    if find_hall(ctx, hall) is None:
        raise UserError(f"--hall: no hall {hall!r} (see `kiosk queue halls`)")
    return hall


def register(cli: click.Group) -> None:
    from kiosk.api.cli import emit

    from . import answers, service, stats

    @cli.group(name="queue")
    def queue_group():
        """Queue tickets (取号叫号): services, take, call, recall, no-show, transfer, stats."""

    @queue_group.command("halls")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def halls_cmd(state, as_json):
        """The halls of this installation (服务大厅, 便民服务室…) with their services and counters."""
        from sqlalchemy import select

        from .models import QueueCounter, QueueService

        with state.ctx.sessions() as s:
            services = list(s.scalars(select(QueueService).order_by(QueueService.sort, QueueService.code)))
            counters = list(s.scalars(select(QueueCounter).order_by(QueueCounter.number)))
        rows = [{"code": h.code, "name": h.name, "name_en": h.name_en, "services": [x.code for x in services if x.hall == h.code],
                 "counters": [c.number for c in counters if c.hall == h.code]} for h in service.halls(state.ctx)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['code']:<8} {r['name']}  services {''.join(r['services']) or '-'}  counters {', '.join(map(str, r['counters'])) or '-'}")

    @queue_group.command("hall-add")
    @click.argument("code")
    @click.option("--name", required=True, help="e.g. 便民服务室")
    @click.option("--name-en", default="")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def hall_add_cmd(state, code, name, name_en, as_json):
        """Add a hall CODE; then give it services and counters (--hall CODE) and set hall = "CODE" under
        [plugins.queue] in the config of its kiosk and display."""
        hall = service.create_hall(state.ctx, code, name=name, name_en=name_en, by=_who())
        emit({"code": hall.code, "name": hall.name, "name_en": hall.name_en}, as_json, f"hall {hall.code} {hall.name} added")

    @queue_group.command("services")
    @click.option("--hall", default=None, help="Only this hall's services (its code, e.g. main).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def services_cmd(state, hall, as_json):
        """Services with how many are waiting and whether they issue tickets now."""
        rows = [{"code": x.code, "name": x.name, "name_en": x.name_en, "waiting": x.waiting, "open": x.open,
                 "opens_at": x.opens_at.isoformat() if x.opens_at else None, "wait_min": x.wait.low, "wait_max": x.wait.high,
                 "materials": x.materials, "hall": x.hall} for x in service.services_overview(state.ctx, _hall(state.ctx, hall))]
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
        r = service.take_ticket(state.ctx, code, priority=priority, key=key, client="cli")
        data = answers.taken(r)
        emit(data, as_json, f"{data['number']} {data['service']}: {data['ahead']} ahead, ~{data['wait_min']}-{data['wait_max']} min  {r.url}")

    @queue_group.command("call")
    @click.option("--counter", type=int, required=True)
    @click.option("--service", "service_code", default=None, help="Call only this service's letter.")
    @click.option("--number", default=None, help="Call this waiting ticket out of order (e.g. A023).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def call_cmd(state, counter, service_code, number, as_json):
        """Call the next ticket to a counter (finishes the counter's current one)."""
        if number:
            t = service.call_number(state.ctx, counter, number, by="cli")
        else:
            t = service.call_next(state.ctx, counter, service_code, by="cli")
        data = answers.called(t, counter)
        emit(data, as_json, f"counter {counter}: {data['number']}" if t else f"counter {counter}: nobody is waiting")

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
                t = fn(state.ctx, counter, by="cli")
                emit(answers.at_counter(t, counter), as_json, f"{t.display} {t.state}")
            return cmd

        queue_group.command(name, help=helptext)(make())

    @queue_group.command("done")
    @click.option("--counter", type=int, required=True)
    @click.option("--outcome", type=click.Choice(OUTCOMES), default="done", show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def done_cmd(state, counter, outcome, as_json):
        """办结: finish the counter's current ticket with an outcome code."""
        t = service.finish(state.ctx, counter, outcome, by="cli")
        emit(answers.finished(t, counter, outcome), as_json, f"{t.display} served ({outcome})")

    @queue_group.command("transfer")
    @click.option("--counter", type=int, required=True)
    @click.option("--to", "to_service", required=True, help="Letter of the service to send the ticket to.")
    @click.option("--return", "return_after", is_flag=True, help="Come back to this service, in the priority lane, when done there.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def transfer_cmd(state, counter, to_service, return_after, as_json):
        """一票到底: send the current ticket to another service, keeping its arrival time."""
        t = service.transfer(state.ctx, counter, to_service, by="cli", return_after=return_after)
        emit(answers.transferred(t), as_json,
              f"{t.display} now waits for {t.service_code}" + (f", then returns to {t.return_to}" if t.return_to else ""))

    @queue_group.command("restore")
    @click.argument("number")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def restore_cmd(state, number, as_json):
        """Put a missed (过号) ticket back in line, ahead of later arrivals."""
        t = service.restore(state.ctx, number, by="cli")
        emit(answers.restored(t), as_json, f"{t.display} is waiting again")

    @queue_group.command("pause")
    @click.option("--counter", type=int, required=True)
    @click.option("--resume", is_flag=True, help="Resume instead of pausing.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def pause_cmd(state, counter, resume, as_json):
        """Pause a counter (no calls) or resume it."""
        desk = service.set_paused(state.ctx, counter, not resume, by="cli")
        emit(answers.counter_state(desk), as_json, f"counter {desk.number} {'paused' if desk.paused else 'open'}")

    register_more(queue_group)

    @queue_group.command("stats")
    @click.option("--day", default=None, help="Business day YYYY-MM-DD (default today).")
    @click.option("--hall", default=None, help="Only this hall's services (its code, e.g. main).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def stats_cmd(state, day, hall, as_json):
        """Per service and day: tickets, served, no-shows, waits, service times, estimate accuracy."""
        from kiosk.api.cli import UserError
        from kiosk.api import DateOutOfRange, parse_day

        try:
            d = parse_day(day) if day else None
        except DateOutOfRange as exc:
            raise UserError(exc.en) from None
        except ValueError:
            raise UserError(f"{day!r} is not a date like 2026-11-30") from None
        data = stats.day_stats(state.ctx, d, hall=_hall(state.ctx, hall))
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            for r in data["services"]:
                click.echo(f"{r['code']} {r['name']:<6} tickets {r['tickets']:>3} served {r['served']:>3} no-show {r['no_shows']:>2} "
                           f"avg wait {r['avg_wait_min']} p90 {r['p90_wait_min']} min")


def register_more(queue_group: click.Group) -> None:
    """Appointments (预约), remote-ticket activation and setting up services and counters."""
    from kiosk.api.cli import emit

    from . import appointments, remote, service

    @queue_group.command("appoint")
    @click.argument("code")
    @click.option("--at", "at", required=True, help="Slot start, local time: 2026-11-30T10:00 or 10:00 (today).")
    @click.option("--phone", default="", help="Optional; stored masked on pages, erased after the day.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def appoint_cmd(state, code, at, phone, as_json):
        """预约: book a slot for service CODE; prints the six-digit check-in code."""
        from datetime import datetime

        from kiosk.api.cli import UserError

        ctx = state.ctx
        try:
            slot = (datetime.combine(ctx.today(), datetime.strptime(at, "%H:%M").time()) if len(at) <= 5
                    else datetime.fromisoformat(at))
        except ValueError:
            raise UserError(f"{at!r} is not a time like 10:00 or 2026-11-30T10:00") from None
        slot = slot if slot.tzinfo else slot.replace(tzinfo=ctx.settings.tz)
        a = appointments.book(ctx, code, slot, phone=phone, by="cli")
        local = a.slot_at.astimezone(ctx.settings.tz)
        emit({"code": a.code, "service": a.service_code, "slot": local.isoformat(), "phone": appointments.mask_phone(a.phone)},
              as_json, f"appointment {a.code}: {a.service_code} at {local:%Y-%m-%d %H:%M}")

    @queue_group.command("appointments")
    @click.option("--day", default=None, help="YYYY-MM-DD (default today).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def appointments_cmd(state, day, as_json):
        """The day's appointments: code, service, time, state, ticket (phones masked)."""
        rows = appointments.day_list(state.ctx, day)
        data = [{"code": r.code, "service": r.service_code, "slot": r.slot_at.isoformat(), "state": r.state, "number": r.number,
                 "phone": r.phone_masked} for r in rows]
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        for r in ([] if as_json else rows):
            click.echo(f"{r.code} {r.service_code} {r.slot_at:%H:%M} {r.state:<10} {r.number or '-'} {r.phone_masked}")

    @queue_group.command("appoint-cancel")
    @click.argument("code")
    @click.option("--day", default=None, help="YYYY-MM-DD (default today).")
    @click.pass_obj
    def appoint_cancel_cmd(state, code, day):
        """Cancel a booked appointment."""
        appointments.cancel(state.ctx, code, day)
        click.echo(f"appointment {code} cancelled")

    @queue_group.command("checkin")
    @click.argument("code")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def checkin_cmd(state, code, as_json):
        """What the kiosk's keypad does: check in an appointment, or activate a remote ticket, by its code."""
        ctx = state.ctx
        try:
            r = appointments.check_in(ctx, code)
            data = {"kind": "appointment", "number": r.ticket.display, "ahead": r.ahead, "tracking_url": r.url}
        except QueueError as exc:
            if exc.code != "unknown_code":
                raise
            ticket, ahead = remote.activate_with_ticket_code(ctx, code)
            data = {"kind": "remote", "number": ticket.display, "ahead": ahead, "tracking_url": None}
        emit(data, as_json, f"{data['number']} ({data['kind']}): {data['ahead']} ahead")

    @queue_group.command("service-add")
    @click.argument("code")
    @click.option("--name", required=True)
    @click.option("--name-en", default="")
    @click.option("--hours", default="08:30-12:00,13:30-17:00", show_default=True)
    @click.option("--daily-cap", type=int, default=200, show_default=True)
    @click.option("--minutes-per-person", type=int, default=8, show_default=True)
    @click.option("--target-minutes", type=int, default=30, show_default=True)
    @click.option("--material", "materials", multiple=True, help="One item of the materials list (repeat).")
    @click.option("--first-number", default="1", show_default=True, help="起始号: the day's first number.")
    @click.option("--last-number", default="999", show_default=True, help="结束号 (≤ 999): past it numbering wraps to the first.")
    @click.option("--step", "number_step", default="1", show_default=True, help="号码间隔: the increment between numbers.")
    @click.option("--carry-over", is_flag=True, help="跨日保留: tickets still waiting at the daily reset move to the next day.")
    @click.option("--hall", default=service.DEFAULT_HALL, show_default=True, help="The hall it belongs to (see `kiosk queue halls`).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def service_add_cmd(state, code, name, name_en, hours, daily_cap, minutes_per_person, target_minutes, materials,
                        first_number, last_number, number_step, carry_over, hall, as_json):
        """Add a service with ticket letter CODE (unique across all halls)."""
        svc = service.create_service(state.ctx, code, name=name, name_en=name_en, hours=hours, daily_cap=daily_cap,
                                     minutes_per_person=minutes_per_person, target_minutes=target_minutes, materials=list(materials),
                                     first_number=first_number, last_number=last_number, number_step=number_step,
                                     carry_over=carry_over, hall=_hall(state.ctx, hall), by=_who())
        emit({"code": svc.code, "name": svc.name}, as_json, f"service {svc.code} {svc.name} added")

    @queue_group.command("service-set")
    @click.argument("code")
    @click.option("--daily-cap", type=int, default=None, help="每日上限.")
    @click.option("--first-number", default=None, help="起始号: the day's first number.")
    @click.option("--last-number", default=None, help="结束号 (≤ 999): past it numbering wraps to the first.")
    @click.option("--step", "number_step", default=None, help="号码间隔: the increment between numbers.")
    @click.option("--carry-over/--no-carry-over", default=None, help="跨日保留: waiting tickets move to the next day at the reset.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def service_set_cmd(state, code, daily_cap, first_number, last_number, number_step, carry_over, as_json):
        """Change the daily cap, numbering or carry-over of service CODE; options left out keep their value."""
        from .models import QueueService

        with state.ctx.sessions() as s:
            svc = s.get(QueueService, (code or "").strip().upper())
        if svc is None:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {code!r}")
        svc = service.update_service(
            state.ctx, svc.code, name=svc.name, name_en=svc.name_en, hours=svc.hours,
            daily_cap=svc.daily_cap if daily_cap is None else daily_cap, minutes_per_person=svc.minutes_per_person,
            target_minutes=svc.target_minutes, materials=list(svc.materials or []), active=svc.active,
            first_number=first_number, last_number=last_number, number_step=number_step, carry_over=carry_over,
            by=_who())
        data = {"code": svc.code, "daily_cap": svc.daily_cap, "first_number": svc.first_number, "last_number": svc.last_number,
                "number_step": svc.number_step, "carry_over": svc.carry_over}
        emit(data, as_json, f"service {svc.code}: numbers {svc.first_number}–{svc.last_number} step {svc.number_step}, "
                             f"daily cap {svc.daily_cap}, carry over {'on' if svc.carry_over else 'off'}")

    @queue_group.command("counter-add")
    @click.argument("number", type=int)
    @click.option("--name", default="")
    @click.option("--services", required=True, help="Letters of the services it serves, e.g. A,B.")
    @click.option("--hall", default=service.DEFAULT_HALL, show_default=True, help="The hall it stands in; it serves only that hall's services.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def counter_add_cmd(state, number, name, services, hall, as_json):
        """Add a counter (窗口) serving the given services."""
        desk = service.create_counter(state.ctx, number, name=name, services=services.split(","), hall=_hall(state.ctx, hall),
                                      by=_who())
        emit({"counter": desk.number, "name": desk.name, "services": desk.services}, as_json,
              f"counter {desk.number} {desk.name}: {','.join(desk.services)}")
