"""预约签到: appointments booked by staff, checked in at the kiosk with a six-digit code.

Staff book a slot for a service (web or CLI) and hand the resident the code (on paper or by phone).
At the kiosk the resident types the code; within the check-in window (``appointment_early_minutes``
before the slot to ``appointment_late_minutes`` after it) they get a ticket in the appointment lane,
which counters call ahead of walk-ins (``walkins_per_appointment``). An appointment is idempotent: the
same code again returns the same ticket, never a second one.

No personal data is needed. A phone number, when staff keep one, is shown masked (138****5678) and
erased by the daily tick once the appointment's day is over.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.api import KioskContext, DateOutOfRange, usable, utcnow

from .hours import is_open
from .models import QueueAppointment, QueueService, Ticket
from .service import QueueError, QueueSettings, TakeResult, _existing, _next_number, _other_hall, business_day, issue

_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class AppointmentRow:
    code: str
    service_code: str
    service_name: str
    slot_at: datetime  # local time
    phone_masked: str
    state: str  # booked checked_in no_show cancelled
    number: str | None


def mask_phone(phone: str) -> str:
    """138****5678 / 0538-***1234 (the shell's rule): enough for staff to recognise a caller, never the whole number."""
    from kiosk.api import mask_phone as shell_mask

    return shell_mask(phone) if phone else ""


def _checked_phone(phone: str) -> str:
    """The shell's phone rules (mobile, landline, local numbers get 0538); empty stays empty."""
    from kiosk.api import translator, PhoneError, parse_phone

    if not (phone or "").strip():
        return ""
    try:
        return parse_phone(phone).number
    except PhoneError as exc:
        raise QueueError("bad_phone", translator("zh_CN", "shell")(exc.msgid) + "（也可以不填）", exc.msgid + " (It may be left empty.)") from None


def new_code(s: Session, day: str) -> str:
    """Six random digits, unused today by an appointment or a remote ticket's activation code (the kiosk
    takes both on one keypad). The UNIQUE constraints are the backstop."""
    for _ in range(50):
        code = f"{secrets.randbelow(900_000) + 100_000}"
        taken = s.scalar(select(func.count()).select_from(QueueAppointment).where(
            QueueAppointment.business_day == day, QueueAppointment.code == code)) or s.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.business_day == day, Ticket.activation_code == code))
        if not taken:
            return code
    raise QueueError("busy", "请稍后再试", "could not find a free code; try again")  # pragma: no cover


def book(ctx: KioskContext, service_code: str, slot: datetime, phone: str = "", by: str = "") -> QueueAppointment:
    """Book ``slot`` (local, aware) for a service; returns the appointment with its code."""
    phone = _checked_phone(phone)
    try:
        usable(slot)  # a typed 9999-12-31 would overflow in the arithmetic below
    except DateOutOfRange as exc:
        raise QueueError("bad_time", exc.zh, exc.en) from None
    local = slot.astimezone(ctx.settings.tz)
    late = timedelta(minutes=QueueSettings.of(ctx).appointment_late_minutes)
    if local + late < ctx.now():
        raise QueueError("past", "预约时间已过，请选择以后的时间", "that time has passed: choose a later one")
    if local.date() > ctx.today() + timedelta(days=30):
        raise QueueError("too_far", "只能预约 30 天以内", "appointments can be made up to 30 days ahead")
    code = (service_code or "").strip().upper()
    for attempt in range(3):  # two bookings drawing the same random code at once: the loser draws again
        try:
            return _book(ctx, code, service_code, local, phone, by)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _book(ctx: KioskContext, code: str, service_code: str, local: datetime, phone: str, by: str) -> QueueAppointment:
    with ctx.transaction() as s:
        svc = s.get(QueueService, code) if len(code) == 1 else None
        if svc is None or not svc.active:
            raise QueueError("unknown_service", "没有这项业务", f"no service with code {service_code!r}")
        if not is_open(svc.hours, ctx.calendar, local):
            raise QueueError("closed", f"{svc.name}在 {local:%m-%d %H:%M} 不办理，请选择办理时间内的时段",
                             f"{svc.name_en or svc.name} is not open at {local:%Y-%m-%d %H:%M}: choose a time within its hours")
        day = local.date().isoformat()
        appointment = QueueAppointment(business_day=day, code=new_code(s, day), service_code=code, slot_at=local,
                                       phone=phone, state="booked", created_by=by[:64])
        s.add(appointment)
        s.flush()
        return appointment


def _find(s: Session, ctx: KioskContext, code: str) -> QueueAppointment:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise QueueError("bad_code", "请输入 6 位数字的预约码", "please enter the 6-digit code")
    found = s.scalar(select(QueueAppointment).where(QueueAppointment.business_day == business_day(ctx), QueueAppointment.code == code))
    if found is None:
        raise QueueError("unknown_code", "没有找到这个预约码，请核对后再输入，或到前台咨询",
                         "no appointment today with this code: please check it, or ask at the front desk")
    return found


def check_in(ctx: KioskContext, code: str, hall: str | None = None) -> TakeResult:
    """The resident's arrival: a ticket in the appointment lane, within the window; the same code twice
    returns the same ticket. With ``hall`` (a kiosk passes its own) an appointment for a service of another
    hall is refused, naming where it is served: its counters are there."""
    settings = QueueSettings.of(ctx)
    now = ctx.now()
    with ctx.sessions() as s:
        found = _find(s, ctx, code)
        appointment_id, state = found.id, found.state
        slot = found.slot_at.astimezone(ctx.settings.tz)
        booked_for = s.get(QueueService, found.service_code)
        if hall is not None and booked_for is not None and booked_for.hall != hall:
            raise _other_hall(s, booked_for)
    key = f"appt-{appointment_id}"
    if state == "checked_in":
        again = _existing(ctx, key)
        if again is not None and again.ticket.state in ("waiting", "called", "parked"):
            return again  # a double tap or a lost slip: the same ticket, never a second one
        number = again.ticket.display if again is not None else ""
        raise QueueError("already", f"这个预约已签到并办理（{number}），如需再办请取普通号",
                         f"this appointment was checked in and served ({number}): take a normal ticket for anything else")
    if state == "cancelled":
        raise QueueError("cancelled", "这个预约已取消，请取普通号或到前台咨询", "this appointment was cancelled: take a normal ticket or ask at the desk")
    if state == "no_show":
        raise QueueError("too_late", "预约已过签到时间，请取普通号", "the check-in time has passed: please take a normal ticket")
    opens = slot - timedelta(minutes=settings.appointment_early_minutes)
    closes = slot + timedelta(minutes=settings.appointment_late_minutes)
    if now < opens:
        raise QueueError("too_early", f"您预约的是 {slot:%H:%M}，请在 {opens:%H:%M} 以后签到",
                         f"your appointment is at {slot:%H:%M}: please check in from {opens:%H:%M}")
    if now > closes:
        raise QueueError("too_late", f"您预约的是 {slot:%H:%M}，签到时间已过（{closes:%H:%M} 前），请取普通号",
                         f"your appointment was at {slot:%H:%M}; check-in closed at {closes:%H:%M}: please take a normal ticket")
    try:
        with ctx.transaction() as s:
            appointment = s.get(QueueAppointment, appointment_id)
            if appointment.state != "booked":  # another kiosk checked it in a moment ago
                raise IntegrityError("check-in", None, Exception("checked in meanwhile"))
            service = s.get(QueueService, appointment.service_code)
            number = _next_number(s, business_day(ctx), service)  # not bound by the walk-in cap, only by the range
            if number is None:
                raise QueueError("full", "今天的号已用完，请到前台咨询", "no numbers left today: please ask at the desk")
            result = issue(ctx, s, service, number, key=key, source="appt", by=f"kiosk:{ctx.terminal}")
            appointment.state, appointment.ticket_id = "checked_in", result.ticket.id
    except IntegrityError:  # two kiosks with the same code at once: the other one's ticket is the ticket
        again = _existing(ctx, key)
        if again is None:
            raise
        return again
    return result


def cancel(ctx: KioskContext, code: str, day: str | None = None) -> QueueAppointment:
    with ctx.transaction() as s:
        found = s.scalar(select(QueueAppointment).where(QueueAppointment.business_day == (day or business_day(ctx)),
                                                        QueueAppointment.code == (code or "").strip()))
        if found is None:
            raise QueueError("unknown_code", "没有找到这个预约码", "no appointment with this code")
        if found.state != "booked":
            raise QueueError("not_booked", "这个预约已签到或已结束，不能取消", "this appointment is checked in or over: it cannot be cancelled")
        found.state = "cancelled"
        return found


def day_list(ctx: KioskContext, day: str | None = None) -> list[AppointmentRow]:
    """The appointments of a day, earliest first; a booked one whose window has closed shows as no-show."""
    day = day or business_day(ctx)
    late = timedelta(minutes=QueueSettings.of(ctx).appointment_late_minutes)
    now = utcnow()
    with ctx.sessions() as s:
        rows = s.execute(select(QueueAppointment, QueueService.name, Ticket.letter, Ticket.number)
                         .join(QueueService, QueueService.code == QueueAppointment.service_code)
                         .outerjoin(Ticket, Ticket.id == QueueAppointment.ticket_id)
                         .where(QueueAppointment.business_day == day).order_by(QueueAppointment.slot_at, QueueAppointment.id)).all()
    out = []
    for a, name, letter, number in rows:
        state = "no_show" if a.state == "booked" and a.slot_at + late < now else a.state
        out.append(AppointmentRow(a.code, a.service_code, name, a.slot_at.astimezone(ctx.settings.tz), mask_phone(a.phone), state,
                                  f"{letter}{number:03d}" if letter else None))
    return out


def close_previous_days(ctx: KioskContext, today) -> int:
    """Daily tick: earlier days' unchecked appointments become no-shows, and every phone of an earlier day
    is erased (through the core's one erasure routine; the ticket's rating has its own retention)."""
    from sqlalchemy import update

    iso = today.isoformat()
    with ctx.transaction() as s:
        count = s.execute(update(QueueAppointment).where(QueueAppointment.business_day < iso, QueueAppointment.state == "booked")
                          .values(state="no_show")).rowcount
        ids = list(s.scalars(select(QueueAppointment.id).where(QueueAppointment.business_day < iso, QueueAppointment.phone != "")))
        if ids:
            ctx.erase_personal_data(s, {"queue_appointment": ids}, follow=False)
    return count
