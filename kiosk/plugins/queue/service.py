"""The queue's domain: take a ticket, call, recall, no-show, restore, transfer, finish, pause.

Every function opens its own transaction through the context and commits before returning, so the
kiosk screen, the counter web page and the CLI share one behaviour. Nothing here imports Kivy.

Numbering: one row per (business day, letter) advanced with INSERT … ON CONFLICT DO UPDATE …
RETURNING inside the ticket's transaction (SQLite: BEGIN IMMEDIATE serialises writers; PostgreSQL:
the conflicting row is locked), and UNIQUE(business_day, letter, number) as the backstop. Each
service numbers from its first number in steps of its increment and wraps past its last number;
a number still present that day is skipped, and the daily cap (counted in tickets, not read off
the number) may not exceed the numbers the range holds. The business day is the date in the
center's zone, so numbers restart at local midnight while old tickets stay in the table as history.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.api import KioskContext, audit, utcnow, IssuedReceipt, scoped_key, seal_token, unseal_token, Refusal
from kiosk.api.storage import bump_counter

from .estimate import WaitRange, typical_minutes, wait_range
from .hours import is_open, next_opening
from .models import DayNumber, QueueCounter, QueueEvent, QueueHall, QueueRating, QueueService, Ticket

PLUGIN = "queue"
OUTCOMES = ("done", "consulted", "incomplete", "referred", "other")  # 办结 咨询 材料不全 转办 其他
_NUMBER = re.compile(r"^([A-Za-z])(\d{1,3})$")
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
DEFAULT_HALL = "main"  # every installation has this hall; existing services and counters belong to it


class QueueError(Refusal):
    """Something a resident or a clerk asked for that cannot be done, said in both languages. A :class:`~kiosk.refusal.Refusal`: ``QueueError(code, zh, en)``."""


@dataclass(frozen=True)
class QueueSettings:
    """``[plugins.queue]`` in the config; every number is clamped to a sane range."""

    normal_per_priority: int = 2  # one 绿色通道 call after every N normal calls at a counter
    missed_window_minutes: int = 30  # a missed number can be put back within this time
    receipt_days: int = 2
    walkins_per_appointment: int = 0  # 0: a checked-in appointment is called before every walk-in
    appointment_early_minutes: int = 15  # check-in opens this long before the slot
    appointment_late_minutes: int = 10  # and closes this long after it
    remote_share_percent: int = 30  # at most this share of a service's daily cap goes to remote tickets
    remote_pushback_limit: int = 2  # how often a remote ticket may be moved back
    remote_pushback_places: int = 3  # how many places one push back moves it
    remote_per_client_per_hour: int = 3  # remote tickets one address may take per hour (web)
    here_code_seconds: int = 60  # the hall's rotating activation code changes this often
    self_rejoin_minutes: int = 10  # a missed ticket may rejoin from its page within this time (0: off)
    auto_recall_after: int = 0  # put a missed ticket back after N other calls of its service (0: off)
    rate_pad_minutes: int = 5  # the counter's rating pad offers the last served ticket this long
    call_flash: bool = True  # a new call flashes its counter's cell on the display and board (for deaf residents)
    call_fresh_seconds: int = 30  # after flashing, the cell stays highlighted this long
    rating_retention_days: int = 365  # a rating's reason and staff notes on a ticket are erased this long after its day
    hall: str = DEFAULT_HALL  # the hall this terminal stands in: its kiosk lists, its display shows only this hall

    @classmethod
    def of(cls, ctx: KioskContext) -> "QueueSettings":
        raw = ctx.settings.plugin_settings.get(PLUGIN, {})

        def num(name: str, low: int, high: int) -> int:
            try:
                value = int(raw.get(name, getattr(cls, name)))
            except (TypeError, ValueError):
                value = getattr(cls, name)
            return min(high, max(low, value))

        return cls(
            normal_per_priority=num("normal_per_priority", 0, 100),
            missed_window_minutes=num("missed_window_minutes", 0, 24 * 60),
            receipt_days=num("receipt_days", 1, 365),
            walkins_per_appointment=num("walkins_per_appointment", 0, 100),
            appointment_early_minutes=num("appointment_early_minutes", 0, 240),
            appointment_late_minutes=num("appointment_late_minutes", 0, 240),
            remote_share_percent=num("remote_share_percent", 0, 100),
            remote_pushback_limit=num("remote_pushback_limit", 0, 10),
            remote_pushback_places=num("remote_pushback_places", 1, 50),
            remote_per_client_per_hour=num("remote_per_client_per_hour", 1, 100),
            here_code_seconds=num("here_code_seconds", 20, 600),
            self_rejoin_minutes=num("self_rejoin_minutes", 0, 240),
            auto_recall_after=num("auto_recall_after", 0, 100),
            rate_pad_minutes=num("rate_pad_minutes", 1, 60),
            call_flash=_flag(raw.get("call_flash", True)),
            call_fresh_seconds=num("call_fresh_seconds", 5, 600),
            rating_retention_days=num("rating_retention_days", 1, 3650),
            hall=str(raw.get("hall") or DEFAULT_HALL).strip() or DEFAULT_HALL,
        )


def _flag(value) -> bool:
    """A config switch: TOML booleans, or the usual words when it comes from a string."""
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


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
    hall: str = DEFAULT_HALL


@dataclass
class TakeResult:
    ticket: Ticket
    service: QueueService
    ahead: int
    wait: WaitRange
    issued: IssuedReceipt | None
    url: str
    repeated: bool = False


def business_day(ctx: KioskContext) -> str:
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
    appointment = Ticket.priority.is_(False) & (Ticket.source == "appt")
    if ticket.priority:
        return s.scalar(base.where(Ticket.priority.is_(True), earlier)) or 0
    if ticket.source == "appt":  # the appointment lane waits for the priority lane and earlier appointments
        return s.scalar(base.where(Ticket.priority.is_(True) | (appointment & earlier))) or 0
    # A walk-in waits for every earlier walk-in and for the priority and appointment lanes too.
    return s.scalar(base.where(earlier | Ticket.priority.is_(True) | appointment)) or 0


def estimate(s: Session, service: QueueService, ahead: int) -> WaitRange:
    since = utcnow() - timedelta(days=14)
    per_person = typical_minutes(_recent_service_minutes(s, service.code, since), service.minutes_per_person)
    return wait_range(ahead, per_person, _open_counters(s, service.code))


def services_overview(ctx: KioskContext, hall: str | None = None) -> list[ServiceStatus]:
    """Every active service (of ``hall``; None: of every hall) with its waiting count, whether it issues
    now, and the wait range."""
    now = ctx.now()
    day = business_day(ctx)
    out = []
    listed = select(QueueService).where(QueueService.active.is_(True)).order_by(QueueService.sort, QueueService.code)
    if hall is not None:
        listed = listed.where(QueueService.hall == hall)
    with ctx.sessions() as s:
        for svc in s.scalars(listed):
            waiting = s.scalar(select(func.count()).select_from(_waiting(s, day, svc.code).subquery())) or 0
            issued_today = s.scalar(select(func.count()).select_from(Ticket).where(Ticket.business_day == day, Ticket.letter == svc.code)) or 0
            open_now = is_open(svc.hours, ctx.calendar, now)
            out.append(ServiceStatus(
                code=svc.code, name=svc.name, name_en=svc.name_en or svc.name, materials=list(svc.materials or []),
                waiting=waiting, open=open_now and issued_today < svc.daily_cap,
                opens_at=None if open_now else next_opening(svc.hours, ctx.calendar, now),
                wait=estimate(s, svc, waiting), full=issued_today >= svc.daily_cap, hall=svc.hall,
            ))
    return out


# -- taking a ticket ---------------------------------------------------------------------------------
def numbers_in_range(first: int, last: int, step: int) -> int:
    """How many distinct numbers one turn of a service's range holds (first, first+step, … ≤ last)."""
    return (last - first) // step + 1 if step >= 1 and last >= first else 0


def _next_number(s: Session, day: str, service: QueueService, cap: int | None = None) -> int | None:
    """The service's next number today, or None when today's ``cap`` tickets (default: every number of
    the range) are out.

    The counter row is advanced first, so it stays locked to the end of the transaction: the count
    and the skip below then see every ticket committed before, on both databases. Past the last
    number (or outside the range after staff changed it) the counter goes back to the first; a
    number a ticket still holds today (carried over from yesterday) is skipped.
    """
    first, last, step = service.first_number or 1, service.last_number or 999, service.number_step or 1
    size = numbers_in_range(first, last, step)
    step_on = DayNumber.last + step
    advance = case(((step_on > last) | (step_on < first), first), else_=step_on)
    keys = {"business_day": day, "letter": service.code}
    number = bump_counter(s, DayNumber, keys, first=first, next_value=advance)
    issued = s.scalar(select(func.count()).select_from(Ticket).where(Ticket.business_day == day, Ticket.letter == service.code)) or 0
    if issued >= (size if cap is None else min(cap, size)):
        return None
    for _ in range(2 * size + 1):  # fewer tickets than numbers: a free one comes within one turn (two if the range just changed)
        if s.scalar(select(Ticket.id).where(Ticket.business_day == day, Ticket.letter == service.code, Ticket.number == number)) is None:
            return number
        number = bump_counter(s, DayNumber, keys, first=first, next_value=advance)
    return None


def _slip_lines(service: QueueService, ahead: int, wait: WaitRange, priority: bool) -> list[str]:
    lines = [f"办理业务：{service.name}"]
    if priority:
        lines.append("绿色通道（优先办理）")
    lines += [f"前面还有 {ahead} 人", f"预计等候 {wait.text()}"]
    if service.materials:
        lines.append("请备好：")
        lines += [f"· {m}" for m in service.materials[: 12 - len(lines) - 1]]
    return lines[:12]


def _existing(ctx: KioskContext, key: str) -> TakeResult | None:
    with ctx.sessions() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.idempotency_key == key))
        if ticket is None:
            return None
        service = s.get(QueueService, ticket.service_code)
        token = unseal_token(ctx.settings.secret_key(), f"queue-ticket:{ticket.id}", ticket.token_sealed or "")
        return TakeResult(ticket, service, people_ahead(s, ticket), WaitRange(ticket.estimate_min, ticket.estimate_max), None,
                          ctx.tracking_url(token), repeated=True)


def stored_key(key: str | None, client: str | None) -> str | None:
    """Check a client's idempotency key and return what is stored for it (see :func:`kiosk.receipts.scoped_key`).

    ``client`` names who sent the key (``kiosk:<terminal>``, ``web:<browser>``, ``api:<key id>``, ``cli``): the
    same key from another client finds nothing. Without a client (in-process callers only) the key is kept as it is.
    """
    if key is None:
        return None
    if not _KEY.match(key):
        raise QueueError("bad_key", "请求无效，请重试", "the idempotency key must be 1–80 letters, digits or . _ : -")
    return scoped_key(client, key) if client else key


def take_ticket(ctx: KioskContext, code: str, priority: bool = False, key: str | None = None, hall: str | None = None, by: str = "",
                client: str | None = None) -> TakeResult:
    """Issue a ticket for service ``code``; the same ``key`` from the same ``client`` twice returns the first ticket.

    With ``hall`` (a kiosk passes its own) a service of another hall is refused: its counters are elsewhere.
    ``by`` goes into the audit trail (default: this kiosk; the REST API passes ``api:<key name>``).
    """
    code = (code or "").strip().upper()
    key = stored_key(key, client)
    if key:
        found = _existing(ctx, key)
        if found:
            return found
    now = ctx.now()
    day = business_day(ctx)
    try:
        with ctx.transaction() as s:
            service = s.get(QueueService, code) if len(code) == 1 else None
            if service is None or not service.active:
                raise QueueError("unknown_service", "没有这项业务，请重新选择", f"no service with code {code!r}")
            if hall is not None and service.hall != hall:
                raise _other_hall(s, service)
            if not is_open(service.hours, ctx.calendar, now):
                opens = next_opening(service.hours, ctx.calendar, now)
                raise QueueError(
                    "closed",
                    f"{service.name}现在不办理，{_when_zh(opens, now)}开始取号",
                    f"{service.name_en or service.name} is closed now; it opens {opens:%Y-%m-%d %H:%M}",
                )
            # The cap is checked after the counter row is locked by the increment, so two kiosks at the
            # last ticket cannot both pass (the rollback gives the number back).
            number = _next_number(s, day, service, service.daily_cap)
            if number is None:
                raise QueueError("full", f"{service.name}今天的号已取完，请明天再来", f"today's tickets for {service.name_en or service.name} are all taken")
            result = issue(ctx, s, service, number, priority=priority, key=key, by=by)
    except IntegrityError:
        if key:  # the same tap arrived twice at once: the other transaction won, return its ticket
            found = _existing(ctx, key)
            if found:
                return found
        raise
    return result


def issue(ctx: KioskContext, s: Session, service: QueueService, number: int, *, priority: bool = False, key: str | None = None,
          source: str = "walkin", state: str = "waiting", activation_code: str | None = None, by: str = "") -> TakeResult:
    """Create the ticket row and its slip inside the caller's transaction (kiosk, appointment, remote)."""
    ticket = Ticket(
        business_day=business_day(ctx), letter=service.code, number=number, service_code=service.code, priority=bool(priority),
        state=state, arrived_at=utcnow(), idempotency_key=key, terminal=ctx.terminal, source=source, activation_code=activation_code,
    )
    s.add(ticket)
    s.flush()
    ahead = people_ahead(s, ticket)
    wait = estimate(s, service, ahead)
    ticket.estimate_min, ticket.estimate_max = wait.low, wait.high
    lines = _slip_lines(service, ahead, wait, priority)
    if source == "appt":
        lines.insert(1, "预约签到（优先叫号）")
    if state == "pending":
        lines = [f"办理业务：{service.name}", "网上取号：到达大厅后激活", f"激活码 {activation_code}", "扫描大厅屏幕上的二维码，", "或在取号机输入激活码"]
    issued = ctx.issue_receipt(
        s, plugin=PLUGIN, kind="ticket", subject=str(ticket.id), number=ticket.display,
        title=f"{service.name} 排队凭条", lines=lines[:12], valid_days=QueueSettings.of(ctx).receipt_days,
    )
    ticket.receipt_id = issued.receipt.id
    if key:
        ticket.token_sealed = seal_token(ctx.settings.secret_key(), f"queue-ticket:{ticket.id}", issued.token)
    s.add(QueueEvent(ticket_id=ticket.id, action="take", by=by or f"kiosk:{ctx.terminal}",
                     detail={"priority": bool(priority), "source": source}))
    return TakeResult(ticket, service, ahead, wait, issued, issued.url)


def _other_hall(s: Session, service: QueueService) -> QueueError:
    where = s.get(QueueHall, service.hall)
    zh, en = (where.name, where.name_en or where.name) if where else (service.hall, service.hall)
    return QueueError("other_hall", f"{service.name}在{zh}办理，请到那里取号", f"{service.name_en or service.name} is served in {en}: take a number there")


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


def _hall_codes(s: Session, hall: str, codes) -> list[str]:
    """The codes among ``codes`` that belong to ``hall``, in their order: a counter calls only its own hall's tickets."""
    ours = set(s.scalars(select(QueueService.code).where(QueueService.hall == hall)))
    return [c for c in codes if c in ours]


def _first_waiting(s: Session, day: str, services: list[str], priority: bool, appointment: bool = False) -> Ticket | None:
    """The first ticket of a lane: 绿色通道 (priority), appointments (预约签到), or walk-ins."""
    stmt = select(Ticket).where(Ticket.business_day == day, Ticket.state == "waiting", Ticket.service_code.in_(services),
                                Ticket.priority.is_(priority))
    if not priority:
        stmt = stmt.where(Ticket.source == "appt") if appointment else stmt.where(Ticket.source != "appt")
    stmt = stmt.order_by(Ticket.arrived_at, Ticket.id).limit(1)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two counters never take the same ticket
    return s.scalar(stmt)


def _auto_recall(s: Session, ctx: KioskContext, day: str, services: list[str]) -> None:
    """过号 auto-recall: a missed ticket goes back in line once, after N other calls of its service."""
    settings = QueueSettings.of(ctx)
    if not settings.auto_recall_after:
        return
    since = utcnow() - timedelta(minutes=settings.missed_window_minutes)
    for ticket in s.scalars(select(Ticket).where(Ticket.business_day == day, Ticket.state == "missed",
                                                 Ticket.service_code.in_(services), Ticket.missed_at >= since)):
        done_before = s.scalar(select(func.count()).select_from(QueueEvent).where(
            QueueEvent.ticket_id == ticket.id, QueueEvent.action == "auto_restore"))
        if done_before:
            continue
        calls = s.scalar(select(func.count()).select_from(QueueEvent).join(Ticket, Ticket.id == QueueEvent.ticket_id).where(
            QueueEvent.action == "call", QueueEvent.at > ticket.missed_at, Ticket.service_code == ticket.service_code,
            Ticket.id != ticket.id)) or 0
        if calls >= settings.auto_recall_after:
            ticket.state, ticket.counter = "waiting", None
            s.add(QueueEvent(ticket_id=ticket.id, action="auto_restore", by="system", detail={"number": ticket.display, "after": calls}))
    s.flush()


def call_next(ctx: KioskContext, counter: int, service: str | None = None, by: str = "") -> Ticket | None:
    """Call the next ticket to ``counter``, finishing the one it had; None when nobody is waiting.

    Three lanes: 绿色通道 after every ``normal_per_priority`` other calls, checked-in appointments after
    every ``walkins_per_appointment`` walk-in calls (0: always before walk-ins), then walk-ins.
    """
    day = business_day(ctx)
    settings = QueueSettings.of(ctx)
    ratio = settings.normal_per_priority
    with ctx.transaction() as s:
        desk = _counter(s, counter)
        if desk.paused:
            raise QueueError("paused", f"{counter} 号窗口已暂停，请先恢复", f"counter {counter} is paused: resume it first")
        services = _hall_codes(s, desk.hall, desk.services or [])
        if service:
            service = service.strip().upper()
            if service not in services:
                raise QueueError("not_served", f"{counter} 号窗口不办理 {service} 类业务", f"counter {counter} does not serve {service}")
            services = [service]
        current = current_ticket(s, day, counter)
        if current is not None:
            _finish(s, current, "done", by, counter)
        _auto_recall(s, ctx, day, services)
        prio = _first_waiting(s, day, services, True)
        appt = _first_waiting(s, day, services, False, appointment=True)
        normal = _first_waiting(s, day, services, False)
        since_appt = desk.normal_since_appointment if desk.normal_since_appointment is not None else 1000
        if prio is not None and ((normal is None and appt is None) or desk.normal_since_priority >= ratio):
            chosen, desk.normal_since_priority = prio, 0
        elif appt is not None and (normal is None or since_appt >= settings.walkins_per_appointment):
            chosen, desk.normal_since_appointment = appt, 0
            desk.normal_since_priority += 1
        elif normal is not None:
            chosen = normal
            desk.normal_since_priority += 1
            desk.normal_since_appointment = since_appt + 1
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


def call_number(ctx: KioskContext, counter: int, number: str, by: str = "") -> Ticket:
    """Call one waiting (or parked) ticket out of order: a resident who cannot wait, one back with the
    missing document; audited."""
    day = business_day(ctx)
    with ctx.transaction() as s:
        desk = _counter(s, counter)
        if desk.paused:
            raise QueueError("paused", f"{counter} 号窗口已暂停，请先恢复", f"counter {counter} is paused: resume it first")
        ticket = find_ticket(s, day, number)
        if not _hall_codes(s, desk.hall, [ticket.service_code]):
            raise QueueError("other_hall", f"{ticket.display} 不是本大厅的号", f"{ticket.display} belongs to another hall")
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
    if ticket.return_to:  # 一票到底 auto-return: back to the first service, ahead of its walk-ins
        back = ticket.return_to
        s.add(QueueEvent(ticket_id=ticket.id, action="return", counter=counter, by=by,
                         detail={"number": ticket.display, "from": ticket.service_code, "to": back, "outcome": outcome}))
        ticket.service_code, ticket.state, ticket.counter, ticket.return_to, ticket.priority = back, "waiting", None, None, True
        return
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


def recall(ctx: KioskContext, counter: int, by: str = "") -> Ticket:
    """重呼: announce the counter's current ticket again."""
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        ticket.call_count += 1
        s.add(QueueEvent(ticket_id=ticket.id, action="recall", counter=counter, by=by, detail={"number": ticket.display}))
        return ticket


def no_show(ctx: KioskContext, counter: int, by: str = "") -> Ticket:
    """过号: the resident did not come; the ticket can be put back within the missed window."""
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        ticket.state, ticket.missed_at = "missed", utcnow()
        s.add(QueueEvent(ticket_id=ticket.id, action="missed", counter=counter, by=by, detail={"number": ticket.display}))
        return ticket


def park(ctx: KioskContext, counter: int, by: str = "") -> Ticket:
    """暂存: the resident steps away (a missing document); the ticket waits aside to be called back today."""
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        ticket.state, ticket.counter = "parked", None
        s.add(QueueEvent(ticket_id=ticket.id, action="park", counter=counter, by=by, detail={"number": ticket.display}))
        return ticket


def finish(ctx: KioskContext, counter: int, outcome: str = "done", by: str = "") -> Ticket:
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


def restore(ctx: KioskContext, number: str, by: str = "") -> Ticket:
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


def transfer(ctx: KioskContext, counter: int, to_service: str, by: str = "", return_after: bool = False) -> Ticket:
    """一票到底: send the counter's current ticket to another service, keeping its arrival time.

    With ``return_after`` the ticket comes back to this service when the other one is done, in the
    priority lane (QSystem's auto-return), so the resident finishes where they started.
    """
    to_service = (to_service or "").strip().upper()
    with ctx.transaction() as s:
        ticket = _require_current(s, business_day(ctx), counter)
        target = s.get(QueueService, to_service) if len(to_service) == 1 else None
        if target is None or not target.active:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {to_service!r}")
        if target.hall != _counter(s, counter).hall:
            raise QueueError("other_hall", f"{target.code} 类业务不在本大厅，只能转到本大厅的业务",
                             f"service {target.code} is in another hall: transfer within this hall only")
        if target.code == ticket.service_code:
            raise QueueError("same_service", "已经在这项业务中", f"{ticket.display} is already in service {target.code}")
        s.add(QueueEvent(ticket_id=ticket.id, action="transfer", counter=counter, by=by,
                         detail={"number": ticket.display, "from": ticket.service_code, "to": target.code, "return": return_after}))
        if return_after:
            ticket.return_to = ticket.service_code
        ticket.service_code, ticket.state, ticket.counter = target.code, "waiting", None
        return ticket


def rejoin(ctx: KioskContext, ticket_id: int) -> Ticket:
    """过号 self-rejoin from the ticket's page: once, within ``self_rejoin_minutes`` of the miss; the
    ticket goes back in line like a restore (ahead of everyone who arrived after it)."""
    minutes = QueueSettings.of(ctx).self_rejoin_minutes
    with ctx.transaction() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None or ticket.business_day != business_day(ctx) or ticket.state != "missed":
            raise QueueError("not_missed", "这张号现在不能重新排队", "this ticket cannot rejoin now")
        if not minutes or ticket.missed_at is None or utcnow() - ticket.missed_at > timedelta(minutes=minutes):
            raise QueueError("too_late", "已超过重新排队的时间，请到前台咨询或重新取号",
                             "the time to rejoin has passed: ask at the front desk or take a new ticket")
        if rejoin_count(s, ticket.id):
            raise QueueError("rejoined", "每张号只能自助重新排队一次，请到前台咨询", "a ticket can rejoin by itself only once: ask at the front desk")
        ticket.state, ticket.counter = "waiting", None
        s.add(QueueEvent(ticket_id=ticket.id, action="rejoin", by="resident", detail={"number": ticket.display}))
        return ticket


def rejoin_count(s: Session, ticket_id: int) -> int:
    return s.scalar(select(func.count()).select_from(QueueEvent).where(QueueEvent.ticket_id == ticket_id, QueueEvent.action == "rejoin")) or 0


def rejoin_deadline(ctx: KioskContext, ticket: Ticket) -> datetime | None:
    """Until when the tracking page offers 重新排队 (None: not offered)."""
    minutes = QueueSettings.of(ctx).self_rejoin_minutes
    if ticket.state != "missed" or not minutes or ticket.missed_at is None:
        return None
    with ctx.sessions() as s:
        if rejoin_count(s, ticket.id):
            return None
    deadline = ticket.missed_at + timedelta(minutes=minutes)
    return deadline if utcnow() <= deadline else None


def set_paused(ctx: KioskContext, counter: int, paused: bool, by: str = "") -> QueueCounter:
    with ctx.transaction() as s:
        desk = _counter(s, counter)
        desk.paused = paused
        return desk


def ticket_status(ctx: KioskContext, ticket_id: int) -> tuple[Ticket, QueueService, int, WaitRange] | None:
    """A ticket, its service, people ahead and the live wait range (for the tracking page)."""
    with ctx.sessions() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            return None
        service = s.get(QueueService, ticket.service_code)
        ahead = people_ahead(s, ticket)
        return ticket, service, ahead, estimate(s, service, ahead)


def erase_old_words(ctx: KioskContext, today) -> int:
    """Daily tick: rating reasons and notes of tickets older than ``rating_retention_days`` are erased
    (the core's one erasure routine; the rating's level stays for the statistics). Returns rows erased."""
    cutoff = (today - timedelta(days=QueueSettings.of(ctx).rating_retention_days)).isoformat()
    old = select(Ticket.id).where(Ticket.business_day < cutoff)
    with ctx.transaction() as s:
        rows = {"queue_rating": list(s.scalars(select(QueueRating.id).where(QueueRating.ticket_id.in_(old), QueueRating.reason != ""))),
                "queue_event": list(s.scalars(select(QueueEvent.id).where(QueueEvent.ticket_id.in_(old), QueueEvent.note != "")))}
        if not any(rows.values()):
            return 0
        return sum(ctx.erase_personal_data(s, rows, follow=False).values())


def close_previous_days(ctx: KioskContext, today) -> int:
    """The daily reset: tickets of earlier days still open end as "closed" (kept as history, never deleted).

    Services with ``carry_over`` first move their still-waiting tickets into today (see
    :func:`_carry_over`); returns how many tickets were closed.
    """
    iso = today.isoformat()
    with ctx.transaction() as s:
        _carry_over(s, iso)
        return s.execute(
            update(Ticket).where(Ticket.business_day < iso, Ticket.state.in_(("waiting", "called", "parked", "pending")))
            .values(state="closed", outcome="reset", finished_at=utcnow())
        ).rowcount


def _carry_over(s: Session, iso: str) -> int:
    """TheQ #969 carry-over: waiting tickets of earlier days, in services that carry over, become today's.

    A ticket keeps its number, arrival time, priority and lane, so it stays ahead of today's arrivals
    (the queue is ordered by arrival). Today's numbering of its letter continues after the last
    number of the day before (and skips numbers still held), so a new ticket never collides with a
    carried one. If a number is taken today already (tickets issued before the reset ran) the
    carried ticket gets the letter's next free number instead: it keeps its place either way. Each
    move is a "carry" event.
    """
    carrying = [svc.code for svc in s.scalars(select(QueueService).where(QueueService.carry_over.is_(True)))]
    if not carrying:
        return 0
    tickets = list(s.scalars(select(Ticket).where(Ticket.business_day < iso, Ticket.state == "waiting", Ticket.service_code.in_(carrying))
                             .order_by(Ticket.arrived_at, Ticket.id)))
    for letter in sorted({t.letter for t in tickets}):
        last = s.scalar(select(DayNumber.last).where(DayNumber.letter == letter, DayNumber.business_day < iso)
                        .order_by(DayNumber.business_day.desc()).limit(1))
        if last is not None and s.get(DayNumber, (iso, letter)) is None:
            s.add(DayNumber(business_day=iso, letter=letter, last=last))
    s.flush()
    moved = 0
    for ticket in tickets:
        old_day, old_display = ticket.business_day, ticket.display
        number = ticket.number
        if s.scalar(select(Ticket.id).where(Ticket.business_day == iso, Ticket.letter == ticket.letter, Ticket.number == number)) is not None:
            letter_service = s.get(QueueService, ticket.letter)
            number = _next_number(s, iso, letter_service) if letter_service is not None else None
            if number is None:
                continue  # no free number left today: the reset below closes it as before
        ticket.business_day, ticket.number = iso, number
        s.add(QueueEvent(ticket_id=ticket.id, action="carry", by="system",
                         detail={"number": ticket.display, "from_day": old_day, "to_day": iso, "was": old_display}))
        s.flush()
        moved += 1
    return moved


RATING_LEVELS = {5: ("非常满意", "Very satisfied"), 4: ("满意", "Satisfied"), 3: ("基本满意", "Mostly satisfied"),
                 2: ("不满意", "Unsatisfied"), 1: ("非常不满意", "Very unsatisfied")}
REASON_MAX = 200


def rate(ctx: KioskContext, ticket_id: int, level: int, reason: str = ""):
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


def rating_of(ctx: KioskContext, ticket_id: int):
    from .models import QueueRating

    with ctx.sessions() as s:
        return s.scalar(select(QueueRating).where(QueueRating.ticket_id == ticket_id))


def _whole_number(raw, field: str, zh: str, en: str) -> int:
    """A form or CLI value that must be a whole number; the refusal names the field."""
    text = str(raw).strip()
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 6:
        return int(text)
    shown = "".join(ch for ch in text if ch.isprintable())[:12] + ("…" if len(text) > 12 else "")  # echo a short, printable copy
    raise QueueError(f"bad_{field}", f"{zh}应为整数，您填的是“{shown}”", f"{en} must be a whole number, not {shown!r}")


def checked_numbering(first_number, last_number, number_step, daily_cap: int) -> dict:
    """First number, last number and increment of a service, checked together with its daily cap.

    The cap may not exceed the numbers one turn of the range holds: past the last number the
    numbering wraps to the first, and a day must never hand out a number twice.
    """
    first = _whole_number(first_number, "first_number", "起始号", "The first number")
    last = _whole_number(last_number, "last_number", "结束号", "The last number")
    step = _whole_number(number_step, "number_step", "号码间隔", "The increment")
    if not 1 <= first <= 999:
        raise QueueError("bad_first_number", "起始号应在 1–999 之间", "the first number must be 1–999")
    if not first <= last <= 999:
        raise QueueError("bad_last_number", f"结束号应在起始号 {first} 到 999 之间（号码为字母加三位数）",
                         f"the last number must be between the first number ({first}) and 999 (numbers have three digits)")
    if not 1 <= step <= max(1, last - first):
        raise QueueError("bad_number_step", f"号码间隔应在 1–{max(1, last - first)} 之间",
                         f"the increment must be 1–{max(1, last - first)}")
    size = numbers_in_range(first, last, step)
    if daily_cap > size:
        raise QueueError("bad_cap", f"每日上限 {daily_cap} 超过了号码范围 {first}–{last}（间隔 {step}）能发的 {size} 个号，同一天会出现重号；"
                                    f"请把每日上限改为不超过 {size}，或放宽号码范围",
                         f"the daily cap {daily_cap} is more than the {size} numbers of {first}–{last} in steps of {step}: a day would "
                         f"repeat numbers; lower the daily cap to {size} or widen the range")
    return {"first_number": first, "last_number": last, "number_step": step}


def _checked_service_fields(name: str, name_en: str, hours: str, daily_cap: int, minutes_per_person: int,
                            target_minutes: int, materials: list[str], first_number=1, last_number=999, number_step=1) -> dict:
    """The fields of a service, checked and cleaned; a bad one raises before anything is written."""
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
    numbering = checked_numbering(first_number, last_number, number_step, daily_cap)
    return {"name": name, "name_en": name_en[:60], "hours": ",".join(part.strip() for part in hours.split(",") if part.strip()),
            "daily_cap": daily_cap, "minutes_per_person": minutes_per_person, "target_minutes": target_minutes,
            "materials": [m.strip()[:40] for m in materials if m.strip()][:8]} | numbering


def update_service(ctx: KioskContext, code: str, *, name: str, name_en: str, hours: str, daily_cap: int, minutes_per_person: int,
                   target_minutes: int, materials: list[str], active: bool, first_number=None, last_number=None,
                   number_step=None, carry_over: bool | None = None, hall: str | None = None, by: str = "",
                   ip: str = "") -> QueueService:
    """Staff edit a service: everything is checked first, so a bad field changes nothing.

    Numbering (and ``carry_over``) left as None keeps the service's current value. A change applies from the next ticket;
    numbers already given today stay reserved (they are skipped until tomorrow). Moving it to another ``hall`` is
    refused while counters of its old hall still serve it.
    """
    with ctx.sessions() as s:
        svc = s.get(QueueService, (code or "").upper())
        if svc is None:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {code!r}")
        current = (svc.first_number, svc.last_number, svc.number_step)
    numbering = [current[i] if value is None else value for i, value in enumerate((first_number, last_number, number_step))]
    fields = _checked_service_fields(name, name_en, hours, daily_cap, minutes_per_person, target_minutes, materials, *numbering)
    with ctx.transaction() as s:
        svc = s.get(QueueService, (code or "").upper())
        if svc is None:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {code!r}")
        if hall is not None and hall != svc.hall:
            _require_hall(s, hall)
            serving = sorted(d.number for d in s.scalars(select(QueueCounter)) if svc.code in (d.services or []))
            if serving:
                listed = "、".join(str(n) for n in serving)
                raise QueueError("served_in_hall", f"{listed} 号窗口还在办理 {svc.code} 类业务，请先在窗口设置中取消勾选，再换大厅",
                                 f"counter(s) {', '.join(map(str, serving))} still serve {svc.code}: untick it there before moving it")
            svc.hall = hall
        for key, value in fields.items():
            setattr(svc, key, value)
        svc.active = active
        if carry_over is not None:
            svc.carry_over = bool(carry_over)
        audit.record(s, by, "setup.service", f"queue-service:{svc.code}", {"change": "edit", "active": active}, ip)
        return svc


def create_service(ctx: KioskContext, code: str, *, name: str, name_en: str = "", hours: str = "08:30-12:00,13:30-17:00", daily_cap: int = 200,
                   minutes_per_person: int = 8, target_minutes: int = 30, materials: list[str] | None = None,
                   first_number=1, last_number=999, number_step=1, carry_over: bool = False, hall: str = DEFAULT_HALL,
                   by: str = "", ip: str = "") -> QueueService:
    """A new service of ``hall`` with its own ticket letter (A–Z, not used yet in any hall); it is listed after the others."""
    code = (code or "").strip().upper()
    if len(code) != 1 or not ("A" <= code <= "Z"):
        raise QueueError("bad_code", "业务字母应为 A–Z 中的一个", "the service letter must be one of A–Z")
    fields = _checked_service_fields(name, name_en, hours, daily_cap, minutes_per_person, target_minutes, materials or [],
                                     first_number, last_number, number_step)
    with ctx.transaction() as s:
        _require_hall(s, hall)
        taken = s.get(QueueService, code)
        if taken is not None:
            where = s.get(QueueHall, taken.hall)
            name_zh, name_en_ = (where.name, where.name_en or where.name) if where else (taken.hall, taken.hall)
            raise QueueError("code_taken",
                             f"字母 {code} 已被其他业务使用（{name_zh}的“{taken.name}”）；字母在全中心各大厅都不能重复，其他大厅请用别的字母",
                             f"the letter {code} is already used (“{taken.name_en or taken.name}” in {name_en_}); letters are unique "
                             "across all halls, so another hall uses other letters")
        last = s.scalar(select(func.max(QueueService.sort))) or 0
        svc = QueueService(code=code, active=True, sort=last + 1, carry_over=bool(carry_over), hall=hall, **fields)
        s.add(svc)
        audit.record(s, by, "setup.service", f"queue-service:{code}", {"change": "add", "hall": hall}, ip)
        return svc


def _checked_counter_services(s: Session, services: list[str], hall: str) -> list[str]:
    codes = sorted({c.strip().upper() for c in services if c.strip()})
    known = {x.code: x.hall for x in s.scalars(select(QueueService))}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise QueueError("unknown_service", f"没有业务 {', '.join(unknown)}", f"unknown service(s) {', '.join(unknown)}")
    elsewhere = [c for c in codes if known[c] != hall]
    if elsewhere:
        raise QueueError("other_hall", f"业务 {', '.join(elsewhere)} 属于其他大厅，窗口只能办理本大厅的业务",
                         f"service(s) {', '.join(elsewhere)} belong to another hall: a counter serves its own hall only")
    return codes


def update_counter(ctx: KioskContext, number: int, *, name: str, services: list[str], hall: str | None = None, by: str = "",
                   ip: str = "") -> QueueCounter:
    with ctx.transaction() as s:
        desk = _counter(s, number)
        if hall is not None and hall != desk.hall:
            _require_hall(s, hall)
            desk.hall = hall
        desk.services = _checked_counter_services(s, services, desk.hall)
        desk.name = (name.strip() or f"{number} 号窗口")[:40]
        audit.record(s, by, "setup.counter", f"queue-counter:{number}", {"change": "edit", "services": desk.services}, ip)
        return desk


def create_counter(ctx: KioskContext, number: int, *, name: str = "", services: list[str], hall: str = DEFAULT_HALL, by: str = "",
                   ip: str = "") -> QueueCounter:
    """A new counter (窗口 1–99) of ``hall``, e.g. a temporary one opened at a peak (numbers are unique across halls)."""
    if not 1 <= number <= 99:
        raise QueueError("bad_counter", "窗口号应在 1–99 之间", "the counter number must be 1–99")
    with ctx.transaction() as s:
        if s.get(QueueCounter, number) is not None:
            raise QueueError("counter_taken", f"{number} 号窗口已存在", f"counter {number} exists already")
        _require_hall(s, hall)
        codes = _checked_counter_services(s, services, hall)
        if not codes:
            raise QueueError("no_services", "请至少选择一项业务", "choose at least one service")
        desk = QueueCounter(number=number, name=(name.strip() or f"{number} 号窗口")[:40], services=codes, paused=False, hall=hall)
        s.add(desk)
        audit.record(s, by, "setup.counter", f"queue-counter:{number}", {"change": "add", "hall": hall, "services": codes}, ip)
        return desk


# -- 好差评 at the counter --------------------------------------------------------------------------
def rate_pad_ticket(ctx: KioskContext, counter: int) -> Ticket | None:
    """The ticket the counter's rating pad offers: the one this counter finished last, within
    ``rate_pad_minutes``, not rated yet."""
    from .models import QueueRating

    since = utcnow() - timedelta(minutes=QueueSettings.of(ctx).rate_pad_minutes)
    with ctx.sessions() as s:
        _counter(s, counter)
        ticket = s.scalar(select(Ticket).where(Ticket.business_day == business_day(ctx), Ticket.state == "served",
                                               Ticket.counter == counter, Ticket.finished_at >= since)
                          .order_by(Ticket.finished_at.desc(), Ticket.id.desc()).limit(1))
        if ticket is None or s.scalar(select(QueueRating.id).where(QueueRating.ticket_id == ticket.id)) is not None:
            return None
        return ticket


def rate_at_counter(ctx: KioskContext, counter: int, ticket_id: int, level: int, reason: str = ""):
    """A rating from the counter's pad, accepted only for the ticket the pad offers now."""
    offered = rate_pad_ticket(ctx, counter)
    if offered is None or offered.id != ticket_id:
        raise QueueError("not_offered", "这次服务已评价或已超时，谢谢", "this visit was rated already or the time has passed")
    return rate(ctx, ticket_id, level, reason)


def bad_ratings(ctx: KioskContext) -> list[tuple[int, str, int | None, int, str]]:
    """Today's unsatisfied ratings not yet handled: (rating id, number, counter, level, reason)."""
    from .models import QueueRating

    with ctx.sessions() as s:
        rows = s.execute(select(QueueRating.id, Ticket.letter, Ticket.number, Ticket.counter, QueueRating.level, QueueRating.reason)
                         .join(Ticket, Ticket.id == QueueRating.ticket_id)
                         .where(Ticket.business_day == business_day(ctx), QueueRating.level <= 2, QueueRating.handled_at.is_(None))
                         .order_by(QueueRating.id)).all()
    return [(r[0], f"{r[1]}{r[2]:03d}", r[3], r[4], r[5]) for r in rows]


def handle_rating(ctx: KioskContext, rating_id: int, by: str = "") -> None:
    from .models import QueueRating

    with ctx.transaction() as s:
        rating = s.get(QueueRating, rating_id)
        if rating is None:
            raise QueueError("unknown_rating", "没有这条评价", "no such rating")
        if rating.handled_at is None:
            rating.handled_at, rating.handled_by = utcnow(), by[:64]


def busy_services(ctx: KioskContext, hall: str | None = None) -> list[ServiceStatus]:
    """Services whose wait now runs past their target: the hint to open a temporary counter (临时增开窗口)."""
    with ctx.sessions() as s:
        targets = {x.code: x.target_minutes for x in s.scalars(select(QueueService))}
    return [x for x in services_overview(ctx, hall) if x.open and x.wait.high > targets.get(x.code, 10**6)]


# -- halls ------------------------------------------------------------------------------------------
_HALL_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,15}$")


def halls(ctx: KioskContext) -> list[QueueHall]:
    """Every hall, in their order (``main`` first unless staff sorted otherwise)."""
    with ctx.sessions() as s:
        return list(s.scalars(select(QueueHall).order_by(QueueHall.sort, QueueHall.code)))


def _require_hall(s: Session, code: str) -> QueueHall:
    hall = s.get(QueueHall, code) if isinstance(code, str) else None
    if hall is None:
        raise QueueError("unknown_hall", f"没有大厅 {code}", f"no hall {code!r}")
    return hall


def find_hall(ctx: KioskContext, code: str) -> QueueHall | None:
    with ctx.sessions() as s:
        return s.get(QueueHall, code)


def create_hall(ctx: KioskContext, code: str, *, name: str, name_en: str = "", by: str = "", ip: str = "") -> QueueHall:
    """A new hall (e.g. a 便民服务室): then give it services (new letters) and counters, and set
    ``hall = "CODE"`` under ``[plugins.queue]`` in the config of its kiosk and display."""
    code = (code or "").strip().lower()
    name, name_en = ("".join(ch for ch in (value or "") if ch.isprintable()).strip() for value in (name, name_en))
    if not _HALL_CODE.match(code):
        raise QueueError("bad_hall_code", "大厅代码应为 1–16 位小写字母、数字、- 或 _，例如 bm2",
                         "the hall code must be 1–16 lowercase letters, digits, - or _, e.g. bm2")
    if not name or len(name) > 20:
        raise QueueError("bad_name", "大厅名称不能为空，且不超过 20 字", "the hall name must be 1–20 characters")
    if any(ord(ch) > 0xFFFF or unicodedata.category(ch) == "So" for ch in name + name_en):
        raise QueueError("bad_name", "大厅名称请只用文字和数字（叫号屏显示不了表情符号）",
                         "the hall name may hold letters and digits only (the hall display cannot show emoji)")
    with ctx.transaction() as s:
        if s.get(QueueHall, code) is not None:
            raise QueueError("hall_taken", f"大厅代码 {code} 已存在", f"the hall code {code} exists already")
        last = s.scalar(select(func.max(QueueHall.sort))) or 0
        hall = QueueHall(code=code, name=name, name_en=name_en[:60], sort=last + 1)
        s.add(hall)
        audit.record(s, by, "setup.hall", f"queue-hall:{code}", {"change": "add"}, ip)
        return hall
