"""``kiosk notices …``: the same actions as the staff web pages, for scripts and the acceptance checks.

Mistakes (empty title, unknown board, end before start, a body too long) are one line and exit code 2:
the service's :class:`~.service.NoticeError` is a :class:`kiosk.refusal.Refusal`, which ``kiosk`` prints;
a mistake in the options themselves is a :class:`kiosk.cli.UserError` (:func:`_fail`).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.api import KioskContext

from . import boards
from .service import NoticeError


def _fail(message: str):
    """A mistake in the options (not a refusal of the service): one line, exit code 2."""
    from kiosk.api.cli import UserError

    raise UserError(message)


def _who(state, by: str | None, approval: bool = False) -> str:
    """``--by`` must be an active staff login (with its password for an approval); default: the system user."""
    from kiosk.api.cli import staff_by

    return staff_by(state, by, approval=approval)


def notice_json(ctx: KioskContext, notice) -> dict:
    from . import service

    tz = ctx.settings.tz
    showing = service.is_showing(notice, ctx.now(), service.season_names(ctx))
    return {
        "id": notice.id, "kind": "notice", "board": notice.board, "title": notice.title, "state": notice.state, "showing": showing,
        "start": notice.start_at.astimezone(tz).isoformat(), "end": notice.end_at.astimezone(tz).isoformat() if notice.end_at else None,
        "pinned": notice.pinned, "urgent": notice.urgent, "season": notice.season,
        "url": f"{ctx.settings.base_url}/notices/{notice.id}",
        "approved_by": notice.approved_by, "created_by": notice.created_by,
    }


def _read_body(body: str | None, body_file: str | None, required: bool) -> str | None:
    if body is not None and body_file is not None:
        _fail("give either --body or --body-file, not both")
    if body_file is not None:
        try:
            return Path(body_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"cannot read --body-file {body_file}: {exc.__class__.__name__}")
    if body is None and required:
        _fail("a notice needs --body TEXT or --body-file FILE")
    return body


def _image(ctx: KioskContext, notice_id: int, path: str, by: str) -> None:
    from .images import set_image

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        _fail(f"cannot read --image {path}: {exc.__class__.__name__}")
    set_image(ctx, notice_id, data, by=by)


def register(cli: click.Group) -> None:
    from kiosk.api.cli import emit

    from . import entries, service

    @cli.group(name="notices")
    def notices_group():
        """Notices (通知公告): boards, add, edit, publish, withdraw, approve, list, history."""

    @notices_group.command("boards")
    @click.option("--json", "as_json", is_flag=True)
    def boards_cmd(as_json):
        """The boards: code, name, whether they need approval, whether staff may post there."""
        rows = [{"code": b.code, "name": b.name, "name_en": b.name_en, "approval": b.approval, "staff_can_post": not b.fed}
                for b in boards.BOARDS]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                flags = " (needs approval)" if r["approval"] else (" (fed by other plugins)" if not r["staff_can_post"] else "")
                click.echo(f"{r['code']:<9} {r['name']}{flags}")

    @notices_group.command("add")
    @click.option("--board", required=True, help="Board code (see `kiosk notices boards`).")
    @click.option("--title", required=True)
    @click.option("--body", default=None, help="The text, in the notices' small markup.")
    @click.option("--body-file", default=None, help="Read the text from this UTF-8 file.")
    @click.option("--start", default=None, help="ISO time; local to the center without an offset (default: now).")
    @click.option("--end", default=None, help="ISO time the notice disappears (a date alone: the end of that day).")
    @click.option("--pinned", is_flag=True)
    @click.option("--urgent", is_flag=True, help="Marked urgent, listed first, shown on the home screen's banner.")
    @click.option("--season", default=None, help="Show only while this season is current.")
    @click.option("--image", default=None, help="A picture file (JPEG, PNG…).")
    @click.option("--draft", is_flag=True, help="Save without publishing.")
    @click.option("--by", default=None, help="Author: an active staff login (default: the system user).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def add_cmd(state, board, title, body, body_file, start, end, pinned, urgent, season, image, draft, by, as_json):
        """Add a notice: published at once, or pending on a board that needs an administrator's approval."""
        text = _read_body(body, body_file, required=True)
        ctx, who = state.ctx, _who(state, by)
        notice = service.create(ctx, board=board, title=title, body=text, start=start, end=end, pinned=pinned, urgent=urgent,
                                season=season, by=who, publish=not draft)
        if image:
            _image(ctx, notice.id, image, who)
            notice = service.get(ctx, notice.id)
        data = notice_json(ctx, notice)
        emit(data, as_json, f"notice {data['id']} {data['state']}: {data['url']}")

    @notices_group.command("edit")
    @click.argument("notice_id", type=int)
    @click.option("--board", default=None)
    @click.option("--title", default=None)
    @click.option("--body", default=None)
    @click.option("--body-file", default=None)
    @click.option("--start", default=None)
    @click.option("--end", default=None, help="ISO time, or 'none' for no end.")
    @click.option("--pinned/--not-pinned", default=None)
    @click.option("--urgent/--not-urgent", default=None)
    @click.option("--season", default=None, help="Season name, or 'none'.")
    @click.option("--image", default=None, help="A new picture file, or 'none' to remove it.")
    @click.option("--by", default=None)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def edit_cmd(state, notice_id, board, title, body, body_file, start, end, pinned, urgent, season, image, by, as_json):
        """Change a notice; the history keeps who changed what."""
        changes = {k: v for k, v in {"board": board, "title": title, "body": _read_body(body, body_file, required=False),
                                     "start_at": start, "pinned": pinned, "urgent": urgent}.items() if v is not None}
        if end is not None:
            changes["end_at"] = None if end.lower() == "none" else end
        if season is not None:
            changes["season"] = None if season.lower() == "none" else season
        ctx, who = state.ctx, _who(state, by)
        notice = service.edit(ctx, notice_id, by=who, **changes) if changes else service.get(ctx, notice_id)
        if notice is None:
            raise NoticeError("unknown_notice", f"没有编号为 {notice_id} 的通知", f"no notice {notice_id}")
        if image:
            from .images import remove_image

            remove_image(ctx, notice_id, by=who) if image.lower() == "none" else _image(ctx, notice_id, image, who)
            notice = service.get(ctx, notice_id)
        data = notice_json(ctx, notice)
        emit(data, as_json, f"notice {data['id']} {data['state']}")

    for name, helptext in (("publish", "Publish a draft or withdrawn notice (pending when it needs approval)."),
                           ("withdraw", "Take a notice down at once.")):
        def make(name=name):
            @click.argument("notice_id", type=int)
            @click.option("--by", default=None)
            @click.option("--json", "as_json", is_flag=True)
            @click.pass_obj
            def cmd(state, notice_id, by, as_json):
                notice = getattr(service, name)(state.ctx, notice_id, by=_who(state, by))
                data = notice_json(state.ctx, notice)
                emit(data, as_json, f"notice {data['id']} {data['state']}")
            return cmd

        notices_group.command(name, help=helptext)(make())

    @notices_group.command("approve")
    @click.argument("notice_id", type=int)
    @click.option("--by", required=True, help="An administrator's username (not the author); its password is asked "
                  "for, or read from $KIOSK_STAFF_PASSWORD.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def approve_cmd(state, notice_id, by, as_json):
        """Approve a pending 党务公开 notice: a second person with the admin role."""
        notice = service.approve(state.ctx, notice_id, by=_who(state, by, approval=True))
        data = notice_json(state.ctx, notice)
        emit(data, as_json, f"notice {data['id']} {data['state']} (approved by {notice.approved_by})")

    @notices_group.command("list")
    @click.option("--board", default=None)
    @click.option("--all", "show_all", is_flag=True, help="Every notice in any state, not only what shows now.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def list_cmd(state, board, show_all, as_json):
        """What the kiosk shows now (urgent, pinned, newest first), or with --all every notice."""
        if board is not None and boards.board(board) is None:
            _fail(f"unknown board {board!r} (known: {', '.join(b.code for b in boards.BOARDS)})")
        ctx = state.ctx
        code = boards.board(board).code if board else None
        if show_all:
            rows = [notice_json(ctx, n) for n in service.all_notices(ctx, code)]
        else:
            rows = [notice_json(ctx, n) for n in service.showing(ctx, code)] if code != boards.OUTCOMES else []
        if code in (None, boards.OUTCOMES):
            rows += [{"id": e.key, "kind": "outcome", "board": e.board, "title": e.title, "state": "published", "showing": True,
                      "start": e.date.isoformat(), "url": e.link or f"{ctx.settings.base_url}{e.path}"}
                     for e in entries.outcome_entries(ctx)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                marks = ("!" if r.get("urgent") else " ") + ("^" if r.get("pinned") else " ")
                click.echo(f"{r['id']!s:>5} {marks} {r['board']:<9} {r['state']:<9} {r['start'][:16]}  {r['title']}")

    @notices_group.command("show")
    @click.argument("notice_id", type=int)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def show_cmd(state, notice_id, as_json):
        """One notice with its body source."""
        notice = service.get(state.ctx, notice_id)
        if notice is None:
            _fail(f"no notice {notice_id}")
        data = notice_json(state.ctx, notice) | {"body": notice.body}
        emit(data, as_json, f"{data['title']}\n\n{notice.body}")

    @notices_group.command("history")
    @click.argument("notice_id", type=int)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def history_cmd(state, notice_id, as_json):
        """Who changed what and when."""
        if service.get(state.ctx, notice_id) is None:
            _fail(f"no notice {notice_id}")
        tz = state.ctx.settings.tz
        rows = [{"at": r.at.astimezone(tz).isoformat(), "by": r.by, "action": r.action, "changes": r.changes}
                for r in service.history(state.ctx, notice_id)]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                click.echo(f"{r['at'][:16]} {r['by']:<12} {r['action']:<9} {', '.join(sorted(r['changes']))}")
