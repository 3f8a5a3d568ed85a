"""网上取号: a remote ticket from a phone, activated on arrival in the hall.

A phone takes a remote ticket on the public page; it gets its number at once (so the daily cap counts
it) but stays "pending" and is in nobody's way. On arrival the resident activates it, either by
scanning the hall's rotating QR (the phone keeps its ticket in a cookie; the page also takes the six
digits shown under the QR) or by typing the ticket's own activation code at the kiosk.

The order rule: a remote ticket joins the line at the moment it is activated, behind everyone already
waiting then (its ``arrived_at`` becomes the activation time), exactly as if the resident had taken a
paper ticket at that moment. Taking a remote ticket early therefore buys no place in the line; it only
saves the queue at the kiosk and gives a number and a live page. Pending tickets never block calls,
and the daily tick closes those never activated.

Abuse limits (the QLess/Nevada lesson): remote tickets of a service per day are capped at
``remote_share_percent`` of its daily cap; one address may take ``remote_per_client_per_hour`` per hour
(web); a remote ticket may be moved back ("推后", when the resident needs more time) at most
``remote_pushback_limit`` times, ``remote_pushback_places`` places each time.

The hall code is an HMAC of the period number (``here_code_seconds``) under the site's secret key:
nothing to store, the current and the previous period are accepted, and a code seen on a photo stops
working within two periods.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kiosk.api import KioskContext, utcnow

from .appointments import new_code
from .hours import is_open, next_opening
from .models import QueueEvent, QueueService, Ticket
from .service import QueueError, QueueSettings, TakeResult, _existing, stored_key, _next_number, _other_hall, _when_zh, business_day, issue, people_ahead

_DIGITS = re.compile(r"^\d{6}$")


def remote_quota(ctx: KioskContext, service: QueueService) -> int:
    return service.daily_cap * QueueSettings.of(ctx).remote_share_percent // 100


def take_remote(ctx: KioskContext, code: str, key: str | None = None, client: str | None = None) -> TakeResult:
    """A pending remote ticket for service ``code``; the same ``key`` from the same ``client`` (the browser) twice
    returns the first. A key another client used (the REST API's, another phone's) finds nothing of theirs."""
    code = (code or "").strip().upper()
    key = stored_key(key, client)
    if key:
        found = _existing(ctx, key)
        if found:
            return found
    try:
        return _take(ctx, code, key)
    except IntegrityError:  # the same submit twice at once (or a code drawn twice): the first one wins
        found = _existing(ctx, key) if key else None
        if found is None:
            raise
        return found


def enabled(ctx: KioskContext) -> bool:
    """Remote tickets are offered at all (a share of 0 switches them off, and the hall QR with them)."""
    return QueueSettings.of(ctx).remote_share_percent > 0


def _take(ctx: KioskContext, code: str, key: str | None) -> TakeResult:
    now = ctx.now()
    day = business_day(ctx)
    with ctx.transaction() as s:
        service = s.get(QueueService, code) if len(code) == 1 else None
        if service is None or not service.active:
            raise QueueError("unknown_service", "没有这项业务，请重新选择", f"no service with code {code!r}")
        if not is_open(service.hours, ctx.calendar, now):
            opens = next_opening(service.hours, ctx.calendar, now)
            raise QueueError("closed", f"{service.name}现在不办理，{_when_zh(opens, now)}开始取号",
                             f"{service.name_en or service.name} is closed now; it opens {opens:%Y-%m-%d %H:%M}")
        remote_today = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.business_day == day, Ticket.service_code == code, Ticket.source == "remote")) or 0
        if remote_today >= remote_quota(ctx, service):
            raise QueueError("remote_full", f"{service.name}今天的网上取号名额已满，请到大厅取号机取号",
                             f"today's remote tickets for {service.name_en or service.name} are all taken: take one at the kiosk in the hall")
        number = _next_number(s, day, service, service.daily_cap)
        if number is None:
            raise QueueError("full", f"{service.name}今天的号已取完，请明天再来", f"today's tickets for {service.name_en or service.name} are all taken")
        return issue(ctx, s, service, number, key=key, source="remote", state="pending", activation_code=new_code(s, day), by="web:remote")


def _period(ctx: KioskContext, offset: int = 0) -> int:
    return int(utcnow().timestamp()) // QueueSettings.of(ctx).here_code_seconds - offset


def here_code(ctx: KioskContext, offset: int = 0) -> str:
    """The hall's current six-digit arrival code (changes every ``here_code_seconds``)."""
    digest = hmac.new(ctx.settings.secret_key().encode(), f"queue-here:{_period(ctx, offset)}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def here_code_valid(ctx: KioskContext, code: str) -> bool:
    code = (code or "").strip()
    return bool(_DIGITS.match(code)) and any(hmac.compare_digest(code, here_code(ctx, k)) for k in (0, 1))


def here_url(ctx: KioskContext) -> str:
    """What the hall's QR holds: the arrival page with the current code ("" when remote tickets are off)."""
    return f"{ctx.settings.base_url}/queue/here/{here_code(ctx)}" if enabled(ctx) else ""


def _activate(s, ticket: Ticket, by: str) -> Ticket:
    """The ticket joins the line now (see the module's order rule): behind everyone already waiting for its service,
    even one who took a ticket in the same instant (a pinned KIOSK_NOW, or a coarse clock), whose id is larger."""
    last = s.scalar(select(func.max(Ticket.arrived_at)).where(
        Ticket.business_day == ticket.business_day, Ticket.service_code == ticket.service_code, Ticket.state == "waiting"))
    now = utcnow()
    if last is not None:
        last = last if last.tzinfo else last.replace(tzinfo=now.tzinfo)
        now = max(now, last + timedelta(milliseconds=1))
    ticket.state, ticket.arrived_at = "waiting", now
    s.add(QueueEvent(ticket_id=ticket.id, action="activate", by=by, detail={"number": ticket.display}))
    s.flush()
    return ticket


def activate_with_hall_code(ctx: KioskContext, ticket_id: int, code: str) -> Ticket:
    """The phone's activation: the ticket's own page plus the hall's rotating code."""
    if not here_code_valid(ctx, code):
        raise QueueError("bad_here_code", "到场码不对或已过期，请扫描大厅屏幕上最新的二维码",
                         "the hall code is wrong or expired: scan the latest QR on the hall screen")
    with ctx.transaction() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None or ticket.business_day != business_day(ctx):
            raise QueueError("unknown_ticket", "没有找到这张号", "ticket not found")
        if ticket.state != "pending":
            raise QueueError("not_pending", f"{ticket.display} 已经激活，无需再扫码", f"{ticket.display} is active already")
        _activate(s, ticket, "resident:qr")
        return ticket


def activate_with_ticket_code(ctx: KioskContext, code: str, hall: str | None = None) -> tuple[Ticket, int]:
    """The kiosk's activation: the ticket's six-digit activation code; returns the ticket and people ahead.
    With ``hall`` (the kiosk's own) a ticket for another hall's service is refused, naming where to go."""
    code = (code or "").strip()
    if not _DIGITS.match(code):
        raise QueueError("bad_code", "请输入 6 位数字", "please enter the 6 digits")
    with ctx.transaction() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.business_day == business_day(ctx), Ticket.activation_code == code))
        if ticket is None:
            raise QueueError("unknown_code", "没有找到这个码，请核对后再输入，或到前台咨询",
                             "no ticket or appointment today with this code: please check it, or ask at the front desk")
        if ticket.state != "pending":
            raise QueueError("not_pending", f"{ticket.display} 已经激活，请留意叫号", f"{ticket.display} is active already: wait for your call")
        service = s.get(QueueService, ticket.service_code)
        if hall is not None and service is not None and service.hall != hall:
            raise _other_hall(s, service)
        _activate(s, ticket, f"kiosk:{ctx.terminal}")
        return ticket, people_ahead(s, ticket)


def push_back(ctx: KioskContext, ticket_id: int) -> Ticket:
    """推后: a waiting remote ticket lets the next few walk-ins go first (limited times)."""
    settings = QueueSettings.of(ctx)
    with ctx.transaction() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None or ticket.source != "remote" or ticket.state != "waiting" or ticket.priority:
            raise QueueError("not_waiting", "只有等候中的网上取号可以推后", "only a waiting remote ticket can be moved back")
        if ticket.pushbacks >= settings.remote_pushback_limit:
            raise QueueError("pushback_limit", f"最多只能推后 {settings.remote_pushback_limit} 次", f"a ticket can be moved back at most {settings.remote_pushback_limit} times")
        behind = list(s.scalars(select(Ticket).where(
            Ticket.business_day == ticket.business_day, Ticket.state == "waiting", Ticket.service_code == ticket.service_code,
            Ticket.priority.is_(False), Ticket.source != "appt", Ticket.id != ticket.id,
            (Ticket.arrived_at > ticket.arrived_at) | ((Ticket.arrived_at == ticket.arrived_at) & (Ticket.id > ticket.id)),
        ).order_by(Ticket.arrived_at, Ticket.id).limit(settings.remote_pushback_places)))
        if not behind:
            raise QueueError("nobody_behind", "您后面没有人，不需要推后", "nobody is behind you: there is nothing to move back")
        ticket.arrived_at = behind[-1].arrived_at + timedelta(milliseconds=1)
        ticket.pushbacks += 1
        s.add(QueueEvent(ticket_id=ticket.id, action="push_back", by="resident", detail={"number": ticket.display, "places": len(behind)}))
        s.flush()
        return ticket


def remote_left(ctx: KioskContext) -> dict[str, int]:
    """Remote tickets still available today per service (for the public page)."""
    day = business_day(ctx)
    with ctx.sessions() as s:
        used = dict(s.execute(select(Ticket.service_code, func.count()).where(Ticket.business_day == day, Ticket.source == "remote")
                              .group_by(Ticket.service_code)).all())
        return {svc.code: max(0, remote_quota(ctx, svc) - used.get(svc.code, 0))
                for svc in s.scalars(select(QueueService).where(QueueService.active.is_(True)))}
