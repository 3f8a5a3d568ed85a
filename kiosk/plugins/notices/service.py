"""The notices' domain: create, edit, publish, withdraw, approve, and what shows now.

Every function opens its own transaction through the context, so the staff web pages, the CLI and the
kiosk share one behaviour; every change writes a :class:`NoticeRevision` row in the same transaction.
Nothing here imports Kivy.

Showing now (kiosk, web pages, feed, banners all ask :func:`is_showing`): state ``published``, and
``start_at <= now < end_at`` (a notice ending at 18:00 is gone at 18:00), and, when the notice is tied
to a season, that season is current (Asia/Shanghai dates, ``ctx.now()`` so ``KIOSK_NOW`` holds).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kiosk.api import KioskContext, DateOutOfRange, usable, utcnow, current_seasons, Refusal
from kiosk.api.storage import StaffUser

from . import boards, markup
from .models import Notice, NoticeImage, NoticeRevision

PLUGIN = "notices"
STATES = ("draft", "pending", "published", "withdrawn")
EDITABLE = ("board", "title", "body", "start_at", "end_at", "pinned", "urgent", "season")
CONTENT = ("board", "title", "body")  # what an approver vouches for: changing it needs a new approval


class NoticeError(Refusal):
    """Something staff asked for that cannot be done, said in both languages. A :class:`~kiosk.refusal.Refusal`: ``NoticeError(code, zh, en)``."""


# -- input -----------------------------------------------------------------------------------------
def parse_time(value: str | datetime | None, tz, end: bool = False) -> datetime | None:
    """An aware UTC time from ISO text or a datetime; naive values are local to the center.

    A date alone means the start of that day, or for an end time the end of it (``--end 2026-12-31``
    keeps the notice up through New Year's Eve).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, str):
            text = value.strip()
            try:
                if len(text) == 10:
                    day = usable(datetime.fromisoformat(text).date())
                    return datetime.combine(day + timedelta(days=1) if end else day, time(0), tz).astimezone(timezone.utc)
                value = datetime.fromisoformat(text.replace(" ", "T", 1))
            except DateOutOfRange:
                raise  # said below, in both languages
            except ValueError:
                raise NoticeError("bad_time", f"时间格式不对：{text[:40]}（例如 2026-12-01 09:00）",
                                  f"{text[:40]!r} is not a time like 2026-12-01T09:00") from None
        usable(value)  # year 1 would overflow on the way to UTC, 9999-12-31 on the way to the end of the day
    except DateOutOfRange as exc:
        raise NoticeError("bad_time", exc.zh, exc.en) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(timezone.utc)


def _person(by: str) -> str:
    """The person behind a signature: ``cli:admin`` and ``admin`` are the same person."""
    return (by or "").split(":", 1)[-1].strip().lower()


def _validate(ctx: KioskContext, values: dict[str, Any]) -> dict[str, Any]:
    """Clean and check a complete set of fields (new notice or an edit merged with the stored one)."""
    out = dict(values)
    board = boards.board(out.get("board"))
    if board is None:
        known = ", ".join(b.code for b in boards.BOARDS)
        raise NoticeError("unknown_board", "没有这个栏目", f"unknown board {str(out.get('board'))[:30]!r} (known: {known})")
    if board.fed:
        raise NoticeError("fed_board", "公示反馈由办件系统自动发布，不能直接添加",
                          f"the {board.code} board is filled by other plugins (published case outcomes); staff cannot post to it")
    out["board"] = board.code
    out["title"] = markup.clean(out.get("title"), single_line=True)
    if not out["title"]:
        raise NoticeError("empty_title", "请填写标题", "the title must not be empty")
    if len(out["title"]) > markup.MAX_TITLE:
        raise NoticeError("long_title", f"标题不能超过 {markup.MAX_TITLE} 个字", f"the title is longer than {markup.MAX_TITLE} characters")
    out["body"] = markup.clean(out.get("body"))
    if len(out["body"]) > markup.MAX_BODY:
        raise NoticeError("long_body", f"正文不能超过 {markup.MAX_BODY} 个字（现在 {len(out['body'])} 个）",
                          f"the body has {len(out['body'])} characters; at most {markup.MAX_BODY} are allowed")
    if out.get("end_at") is not None and out["end_at"] <= out["start_at"]:
        raise NoticeError("end_before_start", "结束时间必须晚于开始时间", "the end time must be after the start time")
    season = (out.get("season") or "").strip() or None
    if season is not None and ctx.settings.season(season) is None:
        known = ", ".join(s.name for s in ctx.settings.seasons) or "none"
        raise NoticeError("unknown_season", "没有这个季节", f"unknown season {season[:40]!r} (known: {known})")
    out["season"] = season
    out["pinned"], out["urgent"] = bool(out.get("pinned")), bool(out.get("urgent"))
    return out


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def record(s: Session, notice: Notice, action: str, by: str, changes: dict[str, Any]) -> None:
    s.add(NoticeRevision(notice_id=notice.id, at=utcnow(), by=by[:64], action=action,
                         changes={k: [_json(a), _json(b)] for k, (a, b) in changes.items()}))


def get_for_update(s: Session, notice_id: int) -> Notice:
    notice = s.get(Notice, int(notice_id)) if str(notice_id).isdigit() else None
    if notice is None:
        raise NoticeError("unknown_notice", "没有这条通知", f"no notice {str(notice_id)[:20]}")
    return notice


def _publish_state(notice: Notice) -> str:
    needs = boards.BY_CODE[notice.board].approval and notice.approved_at is None
    return "pending" if needs else "published"


# -- changes ---------------------------------------------------------------------------------------
def create(ctx: KioskContext, *, board: str, title: str, body: str, start: str | datetime | None = None, end: str | datetime | None = None,
           pinned: bool = False, urgent: bool = False, season: str | None = None, by: str = "", publish: bool = True) -> Notice:
    """A new notice: published at once (or ``pending`` on a board that needs approval), or a draft."""
    tz = ctx.settings.tz
    start_at = parse_time(start, tz) or ctx.now().astimezone(timezone.utc)
    values = _validate(ctx, {"board": board, "title": title, "body": body, "start_at": start_at,
                             "end_at": parse_time(end, tz, end=True), "pinned": pinned, "urgent": urgent, "season": season})
    now = utcnow()
    with ctx.transaction() as s:
        notice = Notice(**values, state="draft", created_by=by[:64], created_at=now, updated_by=by[:64], updated_at=now,
                        content_by=by[:64])
        if publish:
            notice.state = _publish_state(notice)
        s.add(notice)
        s.flush()
        created = {k: (None, v) for k, v in values.items() if v not in (None, False, "")}
        record(s, notice, "create", by, created | {"state": (None, notice.state)})
    return notice


def edit(ctx: KioskContext, notice_id: int, by: str = "", **changes: Any) -> Notice:
    """Change some fields. A content change on an approval board takes the approval back (pending again)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    tz = ctx.settings.tz
    if "start_at" in changes:
        changes["start_at"] = parse_time(changes["start_at"], tz) or ctx.now().astimezone(timezone.utc)
    if "end_at" in changes:
        changes["end_at"] = parse_time(changes["end_at"], tz, end=True)
    with ctx.transaction() as s:
        notice = get_for_update(s, notice_id)
        old = {k: getattr(notice, k) for k in EDITABLE}
        new = _validate(ctx, old | changes)
        diff = {k: (old[k], new[k]) for k in EDITABLE if old[k] != new[k]}
        if not diff:
            return notice
        for key, (_old, value) in diff.items():
            setattr(notice, key, value)
        notice.updated_by, notice.updated_at = by[:64], utcnow()
        if set(diff) & set(CONTENT):
            content_changed(notice, by, diff)
        record(s, notice, "edit", by, diff)
    return notice


def content_changed(notice: Notice, by: str, diff: dict[str, Any]) -> None:
    """Title, body, board or picture changed: an earlier approval no longer vouches for it.

    On a board that needs approval a published notice goes back to ``pending`` (off the screens) until
    another administrator approves the new content. ``diff`` gets the resulting changes.
    """
    notice.content_by = by[:64]
    if notice.approved_at is not None:
        diff["approved_by"] = (notice.approved_by, None)
        notice.approved_by, notice.approved_at = None, None
    if notice.state == "published" and _publish_state(notice) == "pending":
        diff["state"] = ("published", "pending")
        notice.state = "pending"


def publish(ctx: KioskContext, notice_id: int, by: str = "") -> Notice:
    """Make a draft or withdrawn notice public (or submit it for approval)."""
    with ctx.transaction() as s:
        notice = get_for_update(s, notice_id)
        target = _publish_state(notice)
        if notice.state != target:
            record(s, notice, "publish" if target == "published" else "submit", by, {"state": (notice.state, target)})
            notice.state, notice.updated_by, notice.updated_at = target, by[:64], utcnow()
    return notice


def withdraw(ctx: KioskContext, notice_id: int, by: str = "") -> Notice:
    """Take a notice down at once (kept, with its history; it can be published again)."""
    with ctx.transaction() as s:
        notice = get_for_update(s, notice_id)
        if notice.state != "withdrawn":
            record(s, notice, "withdraw", by, {"state": (notice.state, "withdrawn")})
            notice.state, notice.updated_by, notice.updated_at = "withdrawn", by[:64], utcnow()
    return notice


#: Revisions that do not change what an approver vouches for; every other action (create, edit, image, and
#: whatever is added later) makes its author one of the people who may not approve the result.
NOT_CHANGES = ("approve", "publish", "submit", "withdraw")
#: What the approval snapshot keeps (and the approver's diff compares): the fields plus the picture's digest.
SNAPSHOT = EDITABLE + ("image",)


def changers_since_approval(s: Session, notice: Notice) -> set[str]:
    """Everyone who changed ``notice`` since its last approval (or ever, when it has none): authors and editors,
    one person per revision, whatever channel they used (``cli:admin`` is ``admin``)."""
    last = s.scalar(select(NoticeRevision.id).where(NoticeRevision.notice_id == notice.id, NoticeRevision.action == "approve")
                    .order_by(NoticeRevision.id.desc()).limit(1))
    q = select(NoticeRevision.by).where(NoticeRevision.notice_id == notice.id, NoticeRevision.action.not_in(NOT_CHANGES))
    if last is not None:
        q = q.where(NoticeRevision.id > last)
    people = {_person(by) for by in s.scalars(q)}
    people.add(_person(notice.content_by))
    if last is None:
        people.add(_person(notice.created_by))
    return {p for p in people if p}


def _snapshot(s: Session, notice: Notice) -> dict[str, Any]:
    image = s.get(NoticeImage, notice.id)
    values = {k: _json(getattr(notice, k)) for k in EDITABLE}
    return values | {"image": image.digest if image else None}


def changes_since_approval(ctx: KioskContext, notice_id: int) -> dict[str, tuple[Any, Any]]:
    """What the approver is asked to vouch for: each field that differs from the last approved version,
    ``{field: (approved, now)}``; every field that has a value when the notice was never approved."""
    with ctx.sessions() as s:
        notice = get_for_update(s, notice_id)
        now = _snapshot(s, notice)
        before = notice.approved_snapshot or {}
    return {k: (before.get(k), now[k]) for k in SNAPSHOT if before.get(k) != now[k] and not (k not in before and now[k] in (None, False, ""))}


def approve(ctx: KioskContext, notice_id: int, by: str, ip: str = "") -> Notice:
    """The second person's approval on a board that needs one: an active administrator who changed nothing of
    the notice since its last approval (not its author, not any of its editors; issue 14, finding 4).

    The approved version is kept (``approved_snapshot``) so the next approver sees exactly what changed since,
    and the approval is written to the audit log in the same transaction."""
    from kiosk.api import audit

    person = _person(by)
    with ctx.transaction() as s:
        notice = get_for_update(s, notice_id)
        if notice.state != "pending":
            raise NoticeError("not_pending", "这条通知不在待审核状态", f"notice {notice.id} is not waiting for approval (state {notice.state})")
        user = s.scalar(select(StaffUser).where(StaffUser.username == person))
        if user is None or not user.active or user.role != "admin":
            raise NoticeError("not_admin", "只有管理员可以审核", f"{person or 'nobody'!r} is not an active administrator")
        if person in changers_since_approval(s, notice):
            raise NoticeError("same_person", "您撰写或修改过这条通知（自上次审核以来），不能自己审核，请另一位管理员审核",
                              "you wrote or changed this notice since its last approval: another administrator must approve it")
        now = utcnow()
        record(s, notice, "approve", person, {"state": ("pending", "published"), "approved_by": (None, person)})
        notice.state, notice.approved_by, notice.approved_at = "published", person, now
        notice.updated_by, notice.updated_at = person, now
        notice.approved_snapshot = _snapshot(s, notice)
        audit.record(s, person, "notice.approve", f"notice:{notice.id}", {"board": notice.board, "title": notice.title[:60]}, ip)
    return notice


# -- reading ---------------------------------------------------------------------------------------
def season_names(ctx: KioskContext) -> set[str]:
    return {s.name for s in current_seasons(ctx.settings, ctx.today())}


def is_showing(notice: Notice, now: datetime, seasons: set[str]) -> bool:
    """Published, started, not yet ended, and in season."""
    return (
        notice.state == "published"
        and notice.start_at <= now
        and (notice.end_at is None or now < notice.end_at)
        and (notice.season is None or notice.season in seasons)
    )


def sort_key(notice: Notice):
    """Urgent first, then pinned, then newest."""
    return (not notice.urgent, not notice.pinned, -notice.start_at.timestamp(), -notice.id)


def showing(ctx: KioskContext, board: str | None = None) -> list[Notice]:
    """The notices the kiosk and the web show now, in board order."""
    now = ctx.now().astimezone(timezone.utc)
    seasons = season_names(ctx)
    stmt = select(Notice).where(Notice.state == "published", Notice.start_at <= now,
                                or_(Notice.end_at.is_(None), Notice.end_at > now))
    if board:
        stmt = stmt.where(Notice.board == board)
    with ctx.sessions() as s:
        found = [n for n in s.scalars(stmt) if is_showing(n, now, seasons)]
    return sorted(found, key=sort_key)


def all_notices(ctx: KioskContext, board: str | None = None) -> list[Notice]:
    stmt = select(Notice).order_by(Notice.id.desc())
    if board:
        stmt = stmt.where(Notice.board == board)
    with ctx.sessions() as s:
        return list(s.scalars(stmt))


def get(ctx: KioskContext, notice_id: int | str) -> Notice | None:
    if not str(notice_id).isdigit() or len(str(notice_id)) > 12:
        return None
    with ctx.sessions() as s:
        return s.get(Notice, int(notice_id))


def showing_notice(ctx: KioskContext, notice_id: int | str) -> Notice | None:
    """The notice if it shows now, else None (the public pages' and the receipts' view)."""
    notice = get(ctx, notice_id)
    if notice is None or not is_showing(notice, ctx.now().astimezone(timezone.utc), season_names(ctx)):
        return None
    return notice


def history(ctx: KioskContext, notice_id: int) -> list[NoticeRevision]:
    with ctx.sessions() as s:
        return list(s.scalars(select(NoticeRevision).where(NoticeRevision.notice_id == int(notice_id)).order_by(NoticeRevision.id)))


def has_image(ctx: KioskContext, notice_id: int) -> bool:
    with ctx.sessions() as s:
        return s.scalar(select(NoticeImage.notice_id).where(NoticeImage.notice_id == notice_id)) is not None


def urgent_titles(ctx: KioskContext) -> list[str]:
    """Titles of the urgent notices showing now (the home screen's banner)."""
    return [n.title for n in showing(ctx) if n.urgent]


def display_status(notice: Notice, now: datetime, seasons: set[str]) -> str:
    """Why a notice does or does not show now: showing, scheduled, ended, off_season, or its state."""
    if notice.state != "published":
        return notice.state
    if notice.start_at > now:
        return "scheduled"
    if notice.end_at is not None and now >= notice.end_at:
        return "ended"
    if notice.season is not None and notice.season not in seasons:
        return "off_season"
    return "showing"
