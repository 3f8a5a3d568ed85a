"""The sign-up's page, opened from the slip's QR: status, every session date, the .ics, and cancelling.

No personal data: neither the phone nor the surname is shown. Links that act on the sign-up carry the
page's token (never stored in clear); cancelling goes through a confirmation page with a CSRF-checked form.
"""

from __future__ import annotations

from markupsafe import Markup

from kiosk.api import KioskContext, TrackingView

from .models import Course
from .schedule import WEEKDAYS_EN, WEEKDAYS_ZH, course_occurrences
from .service import signup_status

STATES = {"enrolled": ("已报名", "Enrolled"), "waitlisted": ("候补中", "On the waiting list"), "cancelled": ("已取消", "Cancelled")}


def session_items(occurrences, en: bool, today) -> Markup:
    """Every session date; cancelled or moved ones struck through with their reason, past ones greyed."""
    out = Markup("")
    names = WEEKDAYS_EN if en else WEEKDAYS_ZH
    for o in occurrences:
        when = f"{o.day:%Y-%m-%d} {names[o.weekday]} {o.start}–{o.end}" if en else f"{o.day.month}月{o.day.day}日 {names[o.weekday]} {o.start}–{o.end}"
        css = "past" if o.day < today else ""
        if o.status == "cancelled":
            reason = (o.reason_en or o.reason) if en else o.reason
            out += Markup('<li class="tt-cancelled {}"><s>{}</s> <span class="tt-reason">{}：{}</span></li>').format(
                css, when, "Cancelled" if en else "停课", reason)
        elif o.status == "moved":
            to_day, to_start, _ = o.moved_to
            moved = f"moved to {to_day:%Y-%m-%d} {to_start}" if en else f"调至 {to_day.month}月{to_day.day}日 {to_start}"
            out += Markup('<li class="tt-cancelled {}"><s>{}</s> <span class="tt-reason">{}（{}）</span></li>').format(css, when, moved, o.reason)
        else:
            note = ""
            if o.kind == "makeup":
                note = " (make-up day)" if en else "（调休补课）"
            elif o.kind == "moved":
                note = " (moved)" if en else "（调课）"
            out += Markup('<li class="{}">{}{}</li>').format(css, when, note)
    return out


def _number(state: str, position: int | None, en: bool) -> str:
    """The big line of the page, as on the slip but current: 已报名 / 候补 2 / 已取消."""
    if state == "waitlisted":
        return f"Waiting {position}" if en else f"候补 {position}"
    return STATES.get(state, (state, state))[1 if en else 0]


def tracking_view(ctx: KioskContext, receipt, lang: str, token: str = "") -> TrackingView | None:
    if receipt.kind != "signup":
        return None
    found = signup_status(ctx, int(receipt.subject))
    if found is None:
        return None
    signup, info, position = found
    en = lang == "en"
    course = info.course
    status = STATES.get(signup.state, (signup.state, signup.state))[1 if en else 0]
    if signup.state == "waitlisted":
        status = f"Waiting list, position {position}" if en else f"候补第 {position} 位"
    rows = [("Class" if en else "课程", (course.name_en if en else course.name) or course.name)]
    if info.teacher:
        rows.append(("Teacher" if en else "老师", info.teacher))
    rows += [("Room" if en else "教室", f"{info.room}（{info.place}）" if info.place and not en else info.room),
             ("When" if en else "时间", info.times_text(lang)), ("Term" if en else "学期", f"{info.term.name} {info.term.start:%Y-%m-%d} – {info.term.end:%Y-%m-%d}")]
    if info.bring:
        rows.append(("Bring" if en else "请带", "、".join(info.bring) if not en else ", ".join(info.bring)))
    message = ""
    if signup.state == "enrolled" and signup.promoted_at is not None:
        message = ("Good news: a seat became free and you moved up from the waiting list. You are now enrolled."
                   if en else "好消息：有人取消了报名，您已从候补转为正式报名，请按时上课。")
    elif signup.state == "waitlisted":
        message = ("You are on the waiting list. When a seat becomes free, the first in line gets it: this page will say so."
                   if en else "您在候补名单中。有人取消时，排在最前面的候补会自动转为正式报名，本页会显示。")
    elif signup.state == "cancelled":
        message = "This sign-up was cancelled." if en else "这个报名已取消。"
    suffix = "?lang=en" if en else ""
    html = Markup('<p class="message">{}</p>').format(message) if message else Markup("")
    with ctx.sessions() as s:
        every = course_occurrences(s, ctx.calendar, s.get(Course, course.id))
    html += Markup('<h2>{}</h2><ul class="tt-dates">{}</ul>').format("All sessions" if en else "全部上课日期",
                                                                     session_items(every, en, ctx.today()))
    if token and signup.state != "cancelled":
        html += Markup('<p class="tt-actions"><a class="button" href="/classes/signup/{}.ics">{}</a> '
                       '<a class="button danger" href="/classes/cancel/{}{}">{}</a></p>').format(
            token, "Add to my calendar (.ics)" if en else "加入手机日历（.ics）", token, suffix, "Cancel my sign-up" if en else "取消报名")
    return TrackingView(
        title=f"{'Sign-up' if en else '报名'}：{(course.name_en if en else course.name) or course.name}",
        status=status, rows=rows, html=html,
        data={"state": signup.state, "position": position, "promoted": signup.promoted_at is not None, "course_id": course.id,
              "number": _number(signup.state, position, en)},
    )
