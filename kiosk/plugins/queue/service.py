"""The queue's domain: take a ticket, call, recall, no-show, restore, transfer, finish, pause.

Every function opens its own transaction through the context and commits before returning, so the
kiosk screen, the counter web page and the CLI share one behaviour. Nothing here imports Kivy.

Numbering: one row per (business day, letter) incremented with INSERT … ON CONFLICT DO UPDATE …
RETURNING inside the ticket's transaction (SQLite: BEGIN IMMEDIATE serialises writers; PostgreSQL:
the conflicting row is locked), and UNIQUE(business_day, letter, number) as the backstop. The
business day is the date in the center's zone, so numbers restart at local midnight while old
tickets stay in the table as history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.clock import utcnow
from kiosk.receipts import IssuedReceipt
from kiosk.security import seal_token, unseal_token

from .estimate import WaitRange, typical_minutes, wait_range
from .hours import is_open, next_opening
from .models import DayNumber, QueueCounter, QueueEvent, QueueService, Ticket

PLUGIN = "queue"
OUTCOMES = ("done", "consulted", "incomplete", "referred", "other")  # 办结 咨询 材料不全 转办 其他
_NUMBER = re.compile(r"^([A-Za-z])(\d{1,3})$")
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")


class QueueError(Exception):
    """Something a resident or a clerk asked for that cannot be done, said in both languages."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class QueueSettings:
    normal_per_priority: int = 2  # one 绿色通道 call after every N normal calls at a counter
    missed_window_minutes: int = 30  # a missed number can be put back within this time
    receipt_days: int = 2

    @classmethod
    def of(cls, ctx) -> "QueueSettings":
        raw = ctx.settings.plugin_settings.get(PLUGIN, {})
        return cls(
            normal_per_priority=max(0, int(raw.get("normal_per_priority", 2))),
            missed_window_minutes=max(0, int(raw.get("missed_window_minutes", 30))),
            receipt_days=max(1, int(raw.get("receipt_days", 2))),
        )


@dataclass
class ServiceStatus:
    code: str
    name: str
    name_en: str
    materials: list[str]
    waiting: int
    open: bool
    opens_at: datetime | None
    wait: WaitRange
    full: bool


@dataclass
class TakeResult:
    ticket: Ticket
    service: QueueService
    ahead: int
    wait: WaitRange
    issued: IssuedReceipt | None
    url: str
    repeated: bool = False


def business_day(ctx) -> str:
    return ctx.today().isoformat()


# -- reading ----------------------------------------------------------------------------------------
def _recent_service_minutes(s: Session, code: str, since: datetime) -> list[float]:
    rows = s.execute(
        select(Ticket.called_at, Ticket.finished_at)
        .where(Ticket.service_code == code, Ticket.state == "served", Ticket.finished_at >= since, Ticket.called_at.is_not(None))
        .order_by(Ticket.finished_at.desc())
        .limit(20)
    ).all()
    return [max(0.0, (done - called).total_seconds() / 60) for called, done in rows]


def _open_counters(s: Session, code: str) -> int:
    return sum(1 for c in s.scalars(select(QueueCounter).where(QueueCounter.paused.is_(False))) if code in (c.services or []))


def _waiting(s: Session, day: str, code: str):
    return select(Ticket).where(Ticket.business_day == day, Ticket.state == "waiting", Ticket.service_code == code)


def people_ahead(s: Session, ticket: Ticket) -> int:
    """Waiting tickets of the same service that will be called before ``ticket``."""
    if ticket.state != "waiting":
        return 0
    base = select(func.count()).select_from(Ticket).where(
        Ticket.business_day == ticket.business_day, Ticket.state == "waiting", Ticket.service_code == ticket.service_code, Ticket.id != ticket.id
    )
    earlier = (Ticket.arrived_at < ticket.arrived_at) | ((Ticket.arrived_at == ticket.arrived_at) & (Ticket.id < ticket.id))
    if ticket.priority:
        return s.scalar(base.where(Ticket.priority.is_(True), earlier)) or 0
    # A normal ticket waits for every earlier normal ticket and for the priority lane too.
    return s.scalar(base.where(earlier | Ticket.priority.is_(True))) or 0


def estimate(s: Session, service: QueueService, ahead: int) -> WaitRange:
    since = utcnow() - timedelta(days=14)
    per_person = typical_minutes(_recent_service_minutes(s, service.code, since), service.minutes_per_person)
    return wait_range(ahead, per_person, _open_counters(s, service.code))


def services_overview(ctx) -> list[ServiceStatus]:
    """Every active service with its waiting count, whether it issues now, and the wait range."""
    now = ctx.now()
    day = business_day(ctx)
    out = []
    with ctx.sessions() as s:
        for svc in s.scalars(select(QueueService).where(QueueService.active.is_(True)).order_by(QueueService.sort, QueueService.code)):
            waiting = s.scalar(select(func.count()).select_from(_waiting(s, day, svc.code).subquery())) or 0
            issued_today = s.scalar(select(func.count()).select_from(Ticket).where(Ticket.business_day == day, Ticket.letter == svc.code)) or 0
            open_now = is_open(svc.hours, ctx.calendar, now)
            out.append(ServiceStatus(
                code=svc.code, name=svc.name, name_en=svc.name_en or svc.name, materials=list(svc.materials or []),
                waiting=waiting, open=open_now and issued_today < svc.daily_cap,
                opens_at=None if open_now else next_opening(svc.hours, ctx.calendar, now),
                wait=estimate(s, svc, waiting), full=issued_today >= svc.daily_cap,
            ))
    return out


# -- taking a ticket ---------------------------------------------------------------------------------
def _next_number(s: Session, day: str, letter: str) -> int:
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(DayNumber)
        .values(business_day=day, letter=letter, last=1)
        .on_conflict_do_update(index_elements=[DayNumber.business_day, DayNumber.letter], set_={"last": DayNumber.last + 1})
        .returning(DayNumber.last)
    )
    return s.execute(stmt).scalar_one()


def _slip_lines(service: QueueService, ahead: int, wait: WaitRange, priority: bool) -> list[str]:
    lines = [f"办理业务：{service.name}"]
    if priority:
        lines.append("绿色通道（优先办理）")
    lines += [f"前面还有 {ahead} 人", f"预计等候 {wait.text()}"]
    if service.materials:
        lines.append("请备好：")
        lines += [f"· {m}" for m in service.materials[: 12 - len(lines) - 1]]
    return lines[:12]


def _existing(ctx, key: str) -> TakeResult | None:
    with ctx.sessions() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.idempotency_key == key))
        if ticket is None:
            return None
        service = s.get(QueueService, ticket.service_code)
        token = unseal_token(ctx.settings.secret_key(), f"queue-ticket:{ticket.id}", ticket.token_sealed or "")
        return TakeResult(ticket, service, people_ahead(s, ticket), WaitRange(ticket.estimate_min, ticket.estimate_max), None,
                          ctx.tracking_url(token), repeated=True)


def take_ticket(ctx, code: str, priority: bool = False, key: str | None = None) -> TakeResult:
    """Issue a ticket for service ``code``; the same ``key`` twice returns the first ticket."""
    code = (code or "").strip().upper()
    if key is not None and not _KEY.match(key):
        raise QueueError("bad_key", "请求无效，请重试", "the idempotency key must be 1–80 letters, digits or . _ : -")
    if key:
        found = _existing(ctx, key)
        if found:
            return found
    now = ctx.now()
    day = business_day(ctx)
    settings = QueueSettings.of(ctx)
    try:
        with ctx.transaction() as s:
            service = s.get(QueueService, code) if len(code) == 1 else None
            if service is None or not service.active:
                raise QueueError("unknown_service", "没有这项业务，请重新选择", f"no service with code {code!r}")
            if not is_open(service.hours, ctx.calendar, now):
                opens = next_opening(service.hours, ctx.calendar, now)
                raise QueueError(
                    "closed",
                    f"{service.name}现在不办理，{_when_zh(opens, now)}开始取号",
                    f"{service.name_en or service.name} is closed now; it opens {opens:%Y-%m-%d %H:%M}",
                )
            # The cap is checked on the number itself: the counter row is locked by the increment, so two
            # kiosks at the last ticket cannot both pass (the rollback gives the number back).
            number = _next_number(s, day, code)
            if number > service.daily_cap:
                raise QueueError("full", f"{service.name}今天的号已取完，请明天再来", f"today's tickets for {service.name_en or service.name} are all taken")
            ticket = Ticket(
                business_day=day, letter=code, number=number, service_code=code, priority=bool(priority), state="waiting",
                arrived_at=utcnow(), idempotency_key=key, terminal=ctx.terminal,
            )
            s.add(ticket)
            s.flush()
            ahead = people_ahead(s, ticket)
            wait = estimate(s, service, ahead)
            ticket.estimate_min, ticket.estimate_max = wait.low, wait.high
            issued = ctx.issue_receipt(
                s, plugin=PLUGIN, kind="ticket", subject=str(ticket.id), number=ticket.display,
                title=f"{service.name} 排队凭条", lines=_slip_lines(service, ahead, wait, priority), valid_days=settings.receipt_days,
            )
            ticket.receipt_id = issued.receipt.id
            if key:
                ticket.token_sealed = seal_token(ctx.settings.secret_key(), f"queue-ticket:{ticket.id}", issued.token)
            s.add(QueueEvent(ticket_id=ticket.id, action="take", by=f"kiosk:{ctx.terminal}", detail={"priority": bool(priority)}))
            result = TakeResult(ticket, service, ahead, wait, issued, issued.url)
    except IntegrityError:
        if key:  # the same tap arrived twice at once: the other transaction won, return its ticket
            found = _existing(ctx, key)
            if found:
                return found
        raise
    return result


def _when_zh(opens: datetime, now: datetime) -> str:
    if opens.date() == now.date():
        return f"今天 {opens:%H:%M} "
    if opens.date() == now.date() + timedelta(days=1):
        return f"明天 {opens:%H:%M} "
    return f"{opens.month}月{opens.day}日 {opens:%H:%M} "


# -- counters ---------------------------------------------------------------------------------------
def _counter(s: Session, number: int) -> QueueCounter:
    counter = s.get(QueueCounter, number)
    if counter is None:
        raise QueueError("unknown_counter", f"没有 {number} 号窗口", f"no counter {number}")
    return counter


def current_ticket(s: Session, day: str, counter: int) -> Ticket | None:
    return s.scalar(
        select(Ticket).where(Ticket.business_day == day, Ticket.state == "called", Ticket.counter == counter).order_by(Ticket.called_at.desc())
    )


def _first_waiting(s: Session, day: str, services: list[str], priority: bool) -> Ticket | None:
    stmt = (
        select(Ticket)
        .where(Ticket.business_day == day, Ticket.state == "waiting", Ticket.service_code.in_(services), Ticket.priority.is_(priority))
        .order_by(Ticket.arrived_at, Ticket.id)
        .limit(1)
    )
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two counters never take the same ticket
    return s.scalar(stmt)


def call_next(ctx, counter: int, service: str | None = None, by: str = "") -> Ticket | None:
    """Call the next ticket to ``counter``, finishing the one it had; None when nobody is waiting."""
    day = business_day(ctx)
    ratio = QueueSettings.of(ctx).normal_per_priority
    with ctx.transaction() as s:
        desk = _counter(s, counter)
        if desk.paused:
            raise QueueError("paused", f"{counter} 号窗口已暂停，请先恢复", f"counter {counter} is paused: resume it first")
        services = list(desk.services or [])
        if service:
            service = service.strip().upper()
            if service not in services:
                raise QueueError("not_served", f"{counter} 号窗口不办理 {service} 类业务", f"counter {counter} does not serve {service}")
            services = [service]
        current = current_ticket(s, day, counter)
        if current is not None:
            _finish(s, current, "done", by, counter)
        prio = _first_waiting(s, day, services, True)
        normal = _first_waiting(s, day, services, False)
        if prio is not None and (normal is None or desk.normal_since_priority >= ratio):
            chosen, desk.normal_since_priority = prio, 0
        elif normal is not None:
            chosen = normal
            desk.normal_since_priority += 1
        else:
            return None
        now = utcnow()
        claimed = s.execute(
            update(Ticket).where(Ticket.id == chosen.id, Ticket.state == "waiting")
            .values(state="called", called_at=now, counter=counter, call_count=Ticket.call_count + 1,
                    first_called_at=func.coalesce(Ticket.first_called_at, now))
        ).rowcount
        if claimed != 1:  # pragma: no cover - only under a lost race; the caller may simply call again
            raise QueueError("busy", "请稍后再试", "another counter took that ticket; call again")
        s.add(QueueEvent(ticket_id=chosen.id, action="call", counter=counter, by=by, detail={"number": chosen.display}))
        s.flush()
        s.refresh(chosen)
        return chosen


def call_number(ctx, counter: int, number: str, by: str = "") -> Ticket:
    """Call one waiting (or parked) ticket out of order: a resident who cannot wait, one back with the
    missing document; audited."""
    day = business_day(ctx)
    with ctx.transaction() as s:
        desk = _counter(s, counter)
        if desk.paused:
            raise QueueError("paused", f"{counter} 号窗口已暂停，请先恢复", f"counter {counter} is paused: resume it first")
        ticket = find_ticket(s, day, number)
        if ticket.state not in ("waiting", "parked"):
            raise QueueError("not_waiting", f"{ticket.display} 不在等候中", f"{ticket.display} is not waiting")
        current = current_ticket(s, day, counter)
        if current is not None:
            _finish(s, current, "done", by, counter)
        now = utcnow()
        ticket.state, ticket.called_at, ticket.counter = "called", now, counter
        ticket.first_called_at = ticket.first_called_at or now
        ticket.call_count += 1
        s.add(QueueEvent(ticket_id=ticket.id, action="call", counter=counter, by=by,
                         detail={"number": ticket.display, "out_of_order": True}))
        return ticket


def _finish(s: Session, ticket: Ticket, outcome: str, by: str, counter: int | None) -> None:
    ticket.state = "served"
    ticket.outcome = outcome
    ticket.finished_at = utcnow()
    s.add(QueueEvent(ticket_id=ticket.id, action="finish", counter=counter, by=by, detail={"outcome": outcome}))


def _require_current(s: Session, day: str, counter: int) -> Ticket:
    _counter(s, counter)
    current = current_ticket(s, day, counter)
    if current is None:
        raise QueueError("no_current", f"{counter} 号窗口现在没有叫号", f"counter {counter} has no called ticket")
    return current


def recall(ctx, counter: int, by: str = "") -> Ticket:
    """重呼: announce the counter's current ticket again."""
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        ticket.call_count += 1
        s.add(QueueEvent(ticket_id=ticket.id, action="recall", counter=counter, by=by, detail={"number": ticket.display}))
        return ticket


def no_show(ctx, counter: int, by: str = "") -> Ticket:
    """过号: the resident did not come; the ticket can be put back within the missed window."""
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        ticket.state, ticket.missed_at = "missed", utcnow()
        s.add(QueueEvent(ticket_id=ticket.id, action="missed", counter=counter, by=by, detail={"number": ticket.display}))
        return ticket


def park(ctx, counter: int, by: str = "") -> Ticket:
    """暂存: the resident steps away (a missing document); the ticket waits aside to be called back today."""
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        ticket.state, ticket.counter = "parked", None
        s.add(QueueEvent(ticket_id=ticket.id, action="park", counter=counter, by=by, detail={"number": ticket.display}))
        return ticket


def finish(ctx, counter: int, outcome: str = "done", by: str = "") -> Ticket:
    """办结: the counter's current ticket is served, with an outcome code."""
    if outcome not in OUTCOMES:
        raise QueueError("bad_outcome", "办理结果无效", f"outcome must be one of {', '.join(OUTCOMES)}")
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        _finish(s, ticket, outcome, by, counter)
        return ticket


def find_ticket(s: Session, day: str, number: str) -> Ticket:
    m = _NUMBER.match((number or "").strip())
    if not m:
        raise QueueError("bad_number", "号码格式不对，例如 A023", f"{number!r} is not a ticket number like A023")
    ticket = s.scalar(select(Ticket).where(Ticket.business_day == day, Ticket.letter == m.group(1).upper(), Ticket.number == int(m.group(2))))
    if ticket is None:
        raise QueueError("unknown_ticket", f"今天没有 {number} 号", f"no ticket {number.upper()} today")
    return ticket


def restore(ctx, number: str, by: str = "") -> Ticket:
    """Put a missed ticket back in line, ahead of everyone who arrived after it."""
    window = timedelta(minutes=QueueSettings.of(ctx).missed_window_minutes)
    with ctx.transaction() as s:
        ticket = find_ticket(s, business_day(ctx), number)
        if ticket.state != "missed":
            raise QueueError("not_missed", f"{ticket.display} 没有过号", f"{ticket.display} is not a missed ticket")
        if ticket.missed_at is None or utcnow() - ticket.missed_at > window:
            raise QueueError("too_late", f"{ticket.display} 过号已超过 {window.seconds // 60} 分钟，请重新取号",
                             f"{ticket.display} was missed more than {window.seconds // 60} minutes ago: take a new ticket")
        ticket.state, ticket.counter = "waiting", None
        s.add(QueueEvent(ticket_id=ticket.id, action="restore", by=by, detail={"number": ticket.display}))
        return ticket


def transfer(ctx, counter: int, to_service: str, by: str = "") -> Ticket:
    """一票到底: send the counter's current ticket to another service, keeping its arrival time."""
    to_service = (to_service or "").strip().upper()
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        target = s.get(QueueService, to_service) if len(to_service) == 1 else None
        if target is None or not target.active:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {to_service!r}")
        if target.code == ticket.service_code:
            raise QueueError("same_service", "已经在这项业务中", f"{ticket.display} is already in service {target.code}")
        s.add(QueueEvent(ticket_id=ticket.id, action="transfer", counter=counter, by=by,
                         detail={"number": ticket.display, "from": ticket.service_code, "to": target.code}))
        ticket.service_code, ticket.state, ticket.counter = target.code, "waiting", None
        return ticket


def set_paused(ctx, counter: int, paused: bool, by: str = "") -> QueueCounter:
    with ctx.transaction() as s:
        desk = _counter(s, counter)
        desk.paused = paused
        return desk


def ticket_status(ctx, ticket_id: int) -> tuple[Ticket, QueueService, int, WaitRange] | None:
    """A ticket, its service, people ahead and the live wait range (for the tracking page)."""
    with ctx.sessions() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            return None
        service = s.get(QueueService, ticket.service_code)
        ahead = people_ahead(s, ticket)
        return ticket, service, ahead, estimate(s, service, ahead)


def close_previous_days(ctx, today) -> int:
    """The daily reset: tickets of earlier days still open end as "closed" (kept as history, never deleted)."""
    iso = today.isoformat()
    with ctx.transaction() as s:
        return s.execute(
            update(Ticket).where(Ticket.business_day < iso, Ticket.state.in_(("waiting", "called", "parked")))
            .values(state="closed", outcome="reset", finished_at=utcnow())
        ).rowcount


RATING_LEVELS = {5: ("非常满意", "Very satisfied"), 4: ("满意", "Satisfied"), 3: ("基本满意", "Mostly satisfied"),
                 2: ("不满意", "Unsatisfied"), 1: ("非常不满意", "Very unsatisfied")}
REASON_MAX = 200


def rate(ctx, ticket_id: int, level: int, reason: str = ""):
    """好差评: one rating per served ticket; an unsatisfied rating needs a reason (as the national system asks)."""
    from .models import QueueRating

    reason = "".join(ch for ch in (reason or "") if ch.isprintable() or ch == "\n").strip()
    if level not in RATING_LEVELS:
        raise QueueError("bad_level", "请选择一个评价", "choose one of the five ratings")
    if level <= 2 and not reason:
        raise QueueError("reason_needed", "请写一下不满意的原因，我们会改进", "please say what was wrong")
    if len(reason) > REASON_MAX:
        raise QueueError("reason_too_long", f"原因请不超过 {REASON_MAX} 字", f"at most {REASON_MAX} characters, please")
    with ctx.transaction() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None or ticket.state != "served":
            raise QueueError("not_served", "办结后才能评价", "you can rate once the service is done")
        if s.scalar(select(QueueRating.id).where(QueueRating.ticket_id == ticket_id)) is not None:
            raise QueueError("already_rated", "您已经评价过了，谢谢", "this visit has been rated already, thank you")
        rating = QueueRating(ticket_id=ticket_id, level=level, reason=reason)
        s.add(rating)
        s.add(QueueEvent(ticket_id=ticket_id, action="rate", counter=ticket.counter, by="resident", detail={"level": level}))
        return rating


def rating_of(ctx, ticket_id: int):
    from .models import QueueRating

    with ctx.sessions() as s:
        return s.scalar(select(QueueRating).where(QueueRating.ticket_id == ticket_id))


def update_service(ctx, code: str, *, name: str, name_en: str, hours: str, daily_cap: int, minutes_per_person: int,
                   target_minutes: int, materials: list[str], active: bool) -> QueueService:
    """Staff edit a service: everything is checked first, so a bad field changes nothing."""
    from .hours import HoursError, parse_hours

    name, name_en = name.strip(), name_en.strip()
    if not name or len(name) > 20:
        raise QueueError("bad_name", "业务名称不能为空，且不超过 20 字", "the name must be 1–20 characters")
    try:
        parse_hours(hours)
    except HoursError as exc:
        raise QueueError("bad_hours", f"办理时间格式不对：{exc}", f"opening hours: {exc}") from None
    if not 1 <= daily_cap <= 999:
        raise QueueError("bad_cap", "每日上限应在 1–999 之间", "the daily cap must be 1–999 (three-digit numbers)")
    if not 1 <= minutes_per_person <= 120 or not 1 <= target_minutes <= 480:
        raise QueueError("bad_minutes", "分钟数不合理", "minutes per person 1–120, target wait 1–480")
    cleaned = [m.strip()[:40] for m in materials if m.strip()][:8]
    with ctx.transaction() as s:
        svc = s.get(QueueService, (code or "").upper())
        if svc is None:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {code!r}")
        svc.name, svc.name_en, svc.hours = name, name_en[:60], ",".join(part.strip() for part in hours.split(",") if part.strip())
        svc.daily_cap, svc.minutes_per_person, svc.target_minutes = daily_cap, minutes_per_person, target_minutes
        svc.materials, svc.active = cleaned, active
        return svc


def update_counter(ctx, number: int, *, name: str, services: list[str]) -> QueueCounter:
    codes = sorted({c.strip().upper() for c in services if c.strip()})
    with ctx.transaction() as s:
        desk = _counter(s, number)
        known = {x.code for x in s.scalars(select(QueueService))}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise QueueError("unknown_service", f"没有业务 {', '.join(unknown)}", f"unknown service(s) {', '.join(unknown)}")
        desk.name = (name.strip() or f"{number} 号窗口")[:40]
        desk.services = codes
        return desk


def busy_services(ctx) -> list[ServiceStatus]:
    """Services whose wait now runs past their target: the hint to open a temporary counter (临时增开窗口)."""
    with ctx.sessions() as s:
        targets = {x.code: x.target_minutes for x in s.scalars(select(QueueService))}
    return [x for x in services_overview(ctx) if x.open and x.wait.high > targets.get(x.code, 10**6)]
