"""The live tracking page of a ticket (opened from the slip's QR): state, people ahead, wait range."""

from __future__ import annotations

from markupsafe import Markup

from kiosk.types import TrackingView

from .service import rating_of, ticket_status

STATES = {
    "waiting": ("等候中", "Waiting"),
    "called": ("请到窗口办理", "Your turn"),
    "served": ("已办结", "Served"),
    "missed": ("已过号", "Missed"),
    "parked": ("暂存中", "Set aside"),
    "closed": ("已结束", "Closed"),
    "cancelled": ("已取消", "Cancelled"),
}


def tracking_view(ctx, receipt, lang: str, token: str = "") -> TrackingView | None:
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
    if ticket.state == "waiting":
        rows += [("People ahead" if en else "前面还有", f"{ahead}" if en else f"{ahead} 人"), ("Estimated wait" if en else "预计等候", wait.text(lang))]
        if ahead <= 3:
            message = "Almost your turn: please stay in the hall." if en else "快到您了，请留在大厅等候。"
    elif ticket.state == "called":
        message = f"Please go to counter {ticket.counter} now." if en else f"轮到您了！请到 {ticket.counter} 号窗口办理。"
        rows.append(("Counter" if en else "窗口", f"{ticket.counter}"))
    elif ticket.state == "parked":
        message = ("Your ticket is set aside: come back to the counter when you are ready."
                   if en else "您的号已暂存，准备好后请回到窗口，工作人员会为您叫号。")
    elif ticket.state == "missed":
        message = ("Your number was called but you were not there. Ask at the front desk soon to be put back in line."
                   if en else "您的号已过，请尽快到前台说明，可为您恢复排队。")
    elif ticket.state == "served":
        message = "Thank you for coming." if en else "业务已办结，感谢您的耐心。"
        if rating_of(ctx, ticket.id) is None:
            link = f"/queue/rate/{token}" + ("?lang=en" if en else "") if token else ""
            extra = Markup('<p><a class="button" href="{}">{}</a></p>').format(link, "Rate this visit" if en else "评价本次服务") if link else ""
    return TrackingView(
        title=f"{'Ticket' if en else '排队号'} {ticket.display}",
        status=status,
        rows=rows,
        refresh=0 if ticket.state in ("served", "closed", "cancelled") else 15,
        data={"state": ticket.state, "number": ticket.display, "ahead": ahead, "counter": ticket.counter,
              "wait_min": wait.low, "wait_max": wait.high, "message": message},
        html=(Markup('<p class="message">{}</p>').format(message) if message else Markup("")) + extra,
    )
