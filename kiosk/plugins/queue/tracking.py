"""The live tracking page of a ticket (opened from the slip's QR): state, people ahead, wait range.

Beyond the state it offers what the resident can do from the phone: activate a remote ticket with the
hall's code, move a remote ticket back (推后), rejoin after a missed call (重新排队). When three or fewer
are ahead it says so in a large alert and plays a short chime where the browser allows sound to start
by itself (the site runs no scripts, so vibration is not available).
"""

from __future__ import annotations

from markupsafe import Markup

from kiosk.api import KioskContext, TrackingView

from .service import QueueSettings, rating_of, rejoin_deadline, ticket_status

NEAR = 3  # "you are nearly up" at this many people ahead or fewer

STATES = {
    "waiting": ("等候中", "Waiting"),
    "called": ("请到窗口办理", "Your turn"),
    "served": ("已办结", "Served"),
    "missed": ("已过号", "Missed"),
    "parked": ("暂存中", "Set aside"),
    "closed": ("已结束", "Closed"),
    "cancelled": ("已取消", "Cancelled"),
    "pending": ("待激活", "Not active yet"),
}


def _link(action: str, token: str, en: bool, label: str) -> Markup:
    """A button to one of the queue's resident pages; that page asks again and posts with its CSRF field."""
    return Markup('<p><a class="button" href="/queue/{}/{}{}">{}</a></p>').format(action, token, "?lang=en" if en else "", label)


def tracking_view(ctx: KioskContext, receipt, lang: str, token: str = "") -> TrackingView | None:
    if receipt.kind != "ticket":
        return None
    found = ticket_status(ctx, int(receipt.subject))
    if found is None:
        return None
    ticket, service, ahead, wait = found
    en = lang == "en"
    status = STATES.get(ticket.state, (ticket.state, ticket.state))[1 if en else 0]
    rows = [("Service" if en else "业务", (service.name_en if en else service.name) or service.name)]
    message = ""
    extra = Markup("")
    near = ticket.state == "waiting" and ahead <= NEAR
    if ticket.state == "waiting":
        rows += [("People ahead" if en else "前面还有", f"{ahead}" if en else f"{ahead} 人"), ("Estimated wait" if en else "预计等候", wait.text(lang))]
        if near:
            message = "Almost your turn: please stay in the hall." if en else "快到您了，请留在大厅等候。"
            extra += Markup('<p class="notice nearly" role="alert"><strong>{}</strong><br>{}</p>'
                            '<audio src="/static/queue/near.wav" autoplay controls></audio>').format(
                "You are nearly up!" if en else "快到您了！",
                (f"{ahead} ahead of you. Please go back to the hall and watch the board." if en
                 else f"前面还有 {ahead} 人，请回到大厅，留意叫号屏和广播。"))
        if ticket.source == "remote" and token:
            left = QueueSettings.of(ctx).remote_pushback_limit - ticket.pushbacks
            if left > 0 and ahead > 0:
                places = QueueSettings.of(ctx).remote_pushback_places
                extra += _link("pushback", token, en, f"Let {places} people go first ({left} left)" if en else f"推后 {places} 位（还可推后 {left} 次）")
    elif ticket.state == "pending":
        rows.append(("Activation code" if en else "激活码", ticket.activation_code or ""))
        message = ("Not active yet: when you are in the hall, scan the QR code on the hall screen, or type the activation code "
                   "at the kiosk (预约签到). You join the line when you activate." if en else
                   "尚未激活：到达大厅后，请扫描大厅屏幕上的二维码，或在取号机点“预约签到”输入激活码。激活后开始排队。")
        if token:
            extra += _link("activate", token, en, "I am here: activate" if en else "我已到达，激活")
    elif ticket.state == "called":
        message = f"Please go to counter {ticket.counter} now." if en else f"轮到您了！请到 {ticket.counter} 号窗口办理。"
        rows.append(("Counter" if en else "窗口", f"{ticket.counter}"))
    elif ticket.state == "parked":
        message = ("Your ticket is set aside: come back to the counter when you are ready."
                   if en else "您的号已暂存，准备好后请回到窗口，工作人员会为您叫号。")
    elif ticket.state == "missed":
        message = ("Your number was called but you were not there. Ask at the front desk soon to be put back in line."
                   if en else "您的号已过，请尽快到前台说明，可为您恢复排队。")
        deadline = rejoin_deadline(ctx, ticket) if token else None
        if deadline is not None:
            until = deadline.astimezone(ctx.settings.tz)
            extra += Markup("<p>{}</p>").format(f"You may rejoin the line once, until {until:%H:%M}." if en
                                                 else f"您可以自助重新排队一次（{until:%H:%M} 前有效）。")
            extra += _link("rejoin", token, en, "Rejoin the line" if en else "重新排队")
    elif ticket.state == "served":
        message = "Thank you for coming." if en else "业务已办结，感谢您的耐心。"
        if rating_of(ctx, ticket.id) is None:
            link = f"/queue/rate/{token}" + ("?lang=en" if en else "") if token else ""
            extra = Markup('<p><a class="button" href="{}">{}</a></p>').format(link, "Rate this visit" if en else "评价本次服务") if link else ""
    return TrackingView(
        title=f"{'Ticket' if en else '排队号'} {ticket.display}",
        status=status,
        rows=rows,
        refresh=0 if ticket.state in ("served", "closed", "cancelled") else (10 if near else 15),
        data={"state": ticket.state, "number": ticket.display, "ahead": ahead, "counter": ticket.counter,
              "wait_min": wait.low, "wait_max": wait.high, "message": message, "nearly_up": near, "source": ticket.source},
        html=(Markup('<p class="message">{}</p>').format(message) if message and not near else Markup("")) + extra,
    )
