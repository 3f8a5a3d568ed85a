"""``kiosk classes …``: the week, sign-up and cancellation (the contract), and the staff's changes.

A :class:`~.service.TimetableError` is a :class:`kiosk.refusal.Refusal`: the commands let it rise and
``kiosk`` prints it (one line, exit code 2).
"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from kiosk.api import write_csv


def _edit(given: dict[str, object], change, show, as_json: bool) -> None:
    """The edit commands' one shape: at least one option given, the change made through the service (a refusal
    is one line and exit 2), then the changed row as JSON or a line. ``show(row)`` returns (data, line)."""
    from kiosk.api.cli import UserError, emit

    if all(value is None for value in given.values()):
        names = list(given)
        raise UserError("nothing to change: give " + (", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]))
    data, line = show(change())
    emit(data, as_json, line)


def _delete(what: str, ref: str, remove) -> None:
    """Delete a room or teacher no class uses; a refusal names the classes (one line, exit 2)."""
    remove(ref)
    click.echo(f"{what} {ref} deleted")


def _day(value: str) -> date:
    from kiosk.api import DateOutOfRange, parse_day
    from kiosk.api.cli import UserError

    try:
        return parse_day(value)
    except DateOutOfRange as exc:
        raise UserError(exc.en) from None
    except (TypeError, ValueError):
        raise UserError(f"{value!r} is not a date like 2026-12-02") from None


def register(cli: click.Group) -> None:
    from kiosk.api.cli import emit

    from . import service
    from .schedule import WEEKDAYS_ZH, parse_week

    @cli.group(name="classes")
    def classes():
        """Class timetable (课程表): the week, sign-up, cancellation, and the staff's timetable."""

    @classes.command("list")
    @click.option("--week", default=None, help="ISO week like 2026-W49 (default: this week).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def list_cmd(state, week, as_json):
        """The week's sessions: id (the class), name, teacher, room, weekday 1–7, start, end, seats_left."""
        try:
            monday = parse_week(week) if week else None
        except ValueError as exc:
            from kiosk.api.cli import UserError

            raise UserError(str(exc)) from None
        rows = [service.listing_json(o) for o in service.week(state.ctx, monday)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            mark = "" if r["status"] == "scheduled" else f"  [{r['status']}: {r['reason']}]"
            click.echo(f"{r['id']:>3} {WEEKDAYS_ZH[r['weekday']]} {r['date']} {r['start']}-{r['end']} {r['name']} "
                       f"{r['teacher']} {r['room']} seats left {r['seats_left']}{mark}")

    @classes.command("signup")
    @click.argument("course_id", type=int)
    @click.option("--phone", required=True)
    @click.option("--surname", default="")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def signup_cmd(state, course_id, phone, surname, as_json):
        """报名: a seat, or the waiting list (候补) when the class is full."""
        r = service.sign_up(state.ctx, course_id, phone, surname)
        data = {"state": r.state, "position": r.position, "tracking_url": r.url, "course": r.course.name, "course_id": r.course.id,
                "first_session": r.first_session.starts_at(state.ctx.settings.tz).isoformat() if r.first_session else None}
        line = f"{r.course.name}: enrolled" if r.state == "enrolled" else f"{r.course.name}: waiting list position {r.position}"
        emit(data, as_json, f"{line}  {r.url}")

    @classes.command("cancel-signup")
    @click.argument("token_or_url")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def cancel_cmd(state, token_or_url, as_json):
        """取消报名 by the slip's token or tracking URL; the first on the waiting list moves up."""
        r = service.cancel_signup(state.ctx, token_or_url, by="cli")
        data = {"state": r.signup.state, "course": r.course.name, "course_id": r.course.id, "promoted": r.promoted is not None}
        emit(data, as_json, f"{r.course.name}: sign-up cancelled" + ("; the first on the waiting list now has the seat" if r.promoted else ""))

    # -- staff ------------------------------------------------------------------------------------------
    @classes.command("terms")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def terms_cmd(state, as_json):
        """Terms with their season and dates."""
        from sqlalchemy import select

        from .models import Term

        with state.ctx.sessions() as s:
            rows = [{"id": t.id, "name": t.name, "season": t.season, "start": t.start.isoformat(), "end": t.end.isoformat()}
                    for t in s.scalars(select(Term).order_by(Term.start))]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['id']:>3} {r['name']} ({r['season']}) {r['start']} – {r['end']}")

    @classes.command("add-term")
    @click.argument("name")
    @click.option("--season", required=True, help="A configured season, e.g. autumn-term.")
    @click.option("--start", required=True)
    @click.option("--end", required=True)
    @click.pass_obj
    def add_term_cmd(state, name, season, start, end):
        """Add a term within a season."""
        t = service.add_term(state.ctx, name, season, _day(start), _day(end))
        click.echo(f"term {t.id} {t.name} added")

    @classes.command("add-room")
    @click.argument("name")
    @click.option("--place", default="", help="夕阳美老年大学, 银龄幸福之家, 妇女儿童家园 …")
    @click.pass_obj
    def add_room_cmd(state, name, place):
        """Add a room."""
        r = service.add_room(state.ctx, name, place)
        click.echo(f"room {r.id} {r.name} added")

    @classes.command("add-teacher")
    @click.argument("name")
    @click.option("--subject", default="")
    @click.pass_obj
    def add_teacher_cmd(state, name, subject):
        """Add a volunteer teacher (a name such as 王老师; no contact details are kept)."""
        t = service.add_teacher(state.ctx, name, subject)
        click.echo(f"teacher {t.id} {t.name} added")

    @classes.command("add-course")
    @click.argument("name")
    @click.option("--term", required=True, help="Term id or name.")
    @click.option("--room", required=True, help="Room id or name.")
    @click.option("--seats", type=int, required=True)
    @click.option("--teacher", default=None, help="Teacher id or name.")
    @click.option("--organizer", default="夕阳美老年大学")
    @click.option("--bring", default="", help="What to bring, lines separated by ';'.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def add_course_cmd(state, name, term, room, seats, teacher, organizer, bring, as_json):
        """Add a class to a term."""
        c = service.add_course(state.ctx, term, name, room, seats, teacher, organizer, bring="\n".join(bring.split(";")))
        emit({"id": c.id, "name": c.name}, as_json, f"class {c.id} {c.name} added")

    @classes.command("add-slot")
    @click.argument("course_id", type=int)
    @click.option("--weekday", type=int, required=True, help="1 = Monday … 7 = Sunday.")
    @click.option("--start", required=True)
    @click.option("--end", required=True)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def add_slot_cmd(state, course_id, weekday, start, end, as_json):
        """Add a weekly slot; refused when the room is taken then (the clashing class is named)."""
        slot = service.add_slot(state.ctx, course_id, weekday, start, end)
        emit({"slot_id": slot.id}, as_json, f"slot {slot.id} added")

    @classes.command("set-seats")
    @click.argument("course_id", type=int)
    @click.argument("seats", type=int)
    @click.pass_obj
    def set_seats_cmd(state, course_id, seats):
        """Change a class's seats (more seats move the waiting list up)."""
        service.update_course(state.ctx, course_id, capacity=seats)
        click.echo(f"class {course_id}: {seats} seats")

    @classes.command("edit-course")
    @click.argument("course_id", type=int)
    @click.option("--name", default=None, help="New name of the class.")
    @click.option("--teacher", default=None, help="Teacher id or name.")
    @click.option("--room", default=None, help="Room id or name (refused when the room is taken at the class's times).")
    @click.option("--bring", default=None, help="What to bring, lines separated by ';' ('' clears it).")
    @click.option("--seats", type=int, default=None, help="Seats (more seats move the waiting list up).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def edit_course_cmd(state, course_id, name, teacher, room, bring, seats, as_json):
        """Change a class's name, teacher, room, what to bring or seats; options left out stay as they are."""
        from kiosk.api.cli import UserError

        if all(x is None for x in (name, teacher, room, bring, seats)):
            raise UserError("nothing to change: give --name, --teacher, --room, --bring or --seats")
        for option, value in (("--teacher", teacher), ("--room", room)):
            if value is not None and not value.strip():
                raise UserError(f"{option} must not be empty")
        service.update_course(state.ctx, course_id, name=name, teacher=teacher, room=room, capacity=seats,
                              bring=None if bring is None else "\n".join(x.strip() for x in bring.split(";") if x.strip()))
        info = service.course_info(state.ctx, course_id)
        c = info.course
        data = {"id": c.id, "name": c.name, "teacher": info.teacher, "room": info.room, "bring": info.bring, "seats": c.capacity}
        emit(data, as_json, f"class {c.id} {c.name}: {info.teacher or '—'}, {info.room}, {c.capacity} seats")

    @classes.command("edit-term")
    @click.argument("term")
    @click.option("--name", default=None)
    @click.option("--start", default=None, help="New first day (within the term's season).")
    @click.option("--end", default=None, help="New last day (within the term's season).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def edit_term_cmd(state, term, name, start, end, as_json):
        """Rename a term (id or name) or change its dates within its season."""
        _edit({"--name": name, "--start": start, "--end": end},
              lambda: service.edit_term(state.ctx, term, name, _day(start) if start else None, _day(end) if end else None),
              lambda t: ({"id": t.id, "name": t.name, "season": t.season, "start": t.start.isoformat(), "end": t.end.isoformat()},
                         f"term {t.id} {t.name}: {t.start} – {t.end}"), as_json)

    @classes.command("edit-room")
    @click.argument("room")
    @click.option("--name", default=None)
    @click.option("--place", default=None)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def edit_room_cmd(state, room, name, place, as_json):
        """Rename a room (id or name) or change the home it belongs to."""
        _edit({"--name": name, "--place": place}, lambda: service.edit_room(state.ctx, room, name, place),
              lambda r: ({"id": r.id, "name": r.name, "place": r.place}, f"room {r.id} {r.name} ({r.place})"), as_json)

    @classes.command("edit-teacher")
    @click.argument("teacher")
    @click.option("--name", default=None)
    @click.option("--subject", default=None, help="What they teach (the teacher's note).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def edit_teacher_cmd(state, teacher, name, subject, as_json):
        """Change a teacher's name (id or name) or what they teach."""
        _edit({"--name": name, "--subject": subject}, lambda: service.edit_teacher(state.ctx, teacher, name, subject),
              lambda x: ({"id": x.id, "name": x.name, "subject": x.subject}, f"teacher {x.id} {x.name} ({x.subject})"), as_json)

    @classes.command("delete-room")
    @click.argument("room")
    @click.pass_obj
    def delete_room_cmd(state, room):
        """Delete a room no class uses (else refused, naming the classes)."""
        _delete("room", room, lambda ref: service.delete_room(state.ctx, ref))

    @classes.command("delete-teacher")
    @click.argument("teacher")
    @click.pass_obj
    def delete_teacher_cmd(state, teacher):
        """Delete a teacher no class names (else refused, naming the classes)."""
        _delete("teacher", teacher, lambda ref: service.delete_teacher(state.ctx, ref))

    @classes.command("cancel-session")
    @click.argument("slot_id", type=int)
    @click.argument("day")
    @click.option("--reason", required=True)
    @click.pass_obj
    def cancel_session_cmd(state, slot_id, day, reason):
        """停课: cancel one session (SLOT_ID on DAY) with a reason residents see."""
        service.cancel_session(state.ctx, slot_id, _day(day), reason, by="cli")
        click.echo(f"session {slot_id} on {day} cancelled")

    @classes.command("move-session")
    @click.argument("slot_id", type=int)
    @click.argument("day")
    @click.option("--to", "to_day", required=True, help="New date.")
    @click.option("--start", required=True)
    @click.option("--end", required=True)
    @click.option("--reason", required=True)
    @click.pass_obj
    def move_session_cmd(state, slot_id, day, to_day, start, end, reason):
        """调课: move one session to another day and time (refused on a room clash)."""
        service.move_session(state.ctx, slot_id, _day(day), _day(to_day), start, end, reason, by="cli")
        click.echo(f"session {slot_id} on {day} moved to {to_day} {start}")

    @classes.command("makeup-day")
    @click.argument("term")
    @click.argument("day")
    @click.option("--follows", type=int, required=True, help="Weekday whose classes are held (1 = Monday …).")
    @click.pass_obj
    def makeup_cmd(state, term, day, follows):
        """Hold classes on a 调休 working day, following one weekday's timetable."""
        service.add_makeup_day(state.ctx, term, _day(day), follows, by="cli")
        click.echo(f"{day} holds the classes of weekday {follows}")

    @classes.command("signups")
    @click.argument("course_id", type=int)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def signups_cmd(state, course_id, as_json):
        """The sign-up list of a class (phones masked)."""
        rows = service.signups(state.ctx, course_id)
        data = [{"id": x.id, "state": x.state, "position": pos, "surname": x.surname, "phone": service.mask_phone(x.phone)}
                for x, pos in rows]
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            for r in data:
                click.echo(f"{r['id']:>4} {r['state']:<10} {r['position'] or '':>3} {r['surname']:<4} {r['phone']}")

    @classes.command("attend")
    @click.argument("signup_id", type=int)
    @click.argument("slot_id", type=int)
    @click.argument("day")
    @click.option("--absent", is_flag=True)
    @click.pass_obj
    def attend_cmd(state, signup_id, slot_id, day, absent):
        """Mark attendance of one enrolled resident at one session."""
        service.mark_attendance(state.ctx, signup_id, slot_id, _day(day), not absent, by="cli")
        click.echo("absent" if absent else "present")

    @classes.command("export")
    @click.argument("course_id", type=int)
    @click.pass_obj
    def export_cmd(state, course_id):
        """The sign-up list with attendance as CSV on stdout."""
        rows = service.export_rows(state.ctx, course_id)
        from kiosk.api import audit
        from kiosk.api.cli import who as _who

        with state.ctx.transaction() as s:
            audit.record(s, _who(), "export.signups", f"course:{course_id}", {"rows": max(len(rows) - 1, 0)})
        write_csv(sys.stdout, rows)  # formula-looking cells neutralised
