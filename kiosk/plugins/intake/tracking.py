"""The tracking page of a case (from the slip's QR): the four steps with dates, the deadline, the team,
the public response, and the rating form once the case is resolved.

Nothing personal beyond the masked phone (138****1234): the page is reachable by anyone holding the slip.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from kiosk.api import KioskContext, mask_phone, TrackingView

from . import deadlines, service, workflow

_STEP_ACTIONS = {0: ("accept",), 1: ("resolve",), 2: ("publish",), 3: ("rate", "close")}


def _local(ctx: KioskContext, when) -> str:
    return when.astimezone(ctx.settings.tz).strftime("%Y-%m-%d") if when else ""


def steps(ctx: KioskContext, c: service.CaseCard) -> list[tuple[str, str, bool]]:
    """(label, date, done) for 民生受理 → 限期办理 → 公示反馈 → 跟踪监督."""
    out = []
    for i, (zh, en, states) in enumerate(workflow.STEPS):
        done = c.case.state in states or (i == 2 and c.case.published_at is not None and c.case.state == "archived")
        when = ""
        for ev in reversed(c.events):
            if ev.action in _STEP_ACTIONS[i] and (i != 3 or ev.to_state == "closed"):
                when = _local(ctx, ev.at)
                break
        out.append((zh, en, done, when))
    return out


def rating_form(token: str, lang: str, error: str = "", comment: str = "", csrf: Markup | str = "") -> Markup:
    en = lang == "en"
    options = Markup("").join(
        Markup('<label class="choice"><input type="radio" name="level" value="{}" required> {}</label>').format(code, en_ if en else zh)
        for code, (zh, en_) in service.RATINGS.items())
    return Markup(
        '<form method="post" action="/cases/rate/{token}{q}" class="rating"><h2>{h}</h2>{err}<fieldset>{opts}</fieldset>'
        '<label for="comment">{cl}</label><textarea id="comment" name="comment" maxlength="500" rows="3">{comment}</textarea>'
        '{csrf}<button type="submit">{b}</button></form>'
    ).format(token=token, q="?lang=en" if en else "", h="Rate the outcome" if en else "请您评价办理结果",
             err=Markup('<p class="error" role="alert">{}</p>').format(error) if error else "", opts=options,
             cl="Comment (required when unsatisfied)" if en else "意见（不满意时请填写）", comment=comment, csrf=csrf,
             b="Send" if en else "提交评价")


def tracking_view(ctx: KioskContext, receipt, lang: str, token: str = "") -> TrackingView | None:
    if receipt.kind != "case":
        return None
    try:
        c = service.card(ctx, case_id=int(receipt.subject))
    except service.NotFound:
        return None
    en = lang == "en"
    case = c.case
    rows = [("Category" if en else "类别", c.category.title(lang) if c.category else case.category)]
    if case.problem:  # the resident's own words may be on their own page, but a phone typed into them only masked
        rows.append(("Problem" if en else "问题", ctx.mask_personal_data(case.problem, phones=[case.phone] if case.phone else [])))
    rows.append(("Place" if en else "地点", (c.building.name if c.building else case.building) + (f" {case.unit}单元" if case.unit else "")))
    rows.append(("Team in charge" if en else "承办", c.team.name if c.team else ("Service center" if en else "社区服务中心")))
    if workflow.is_open(case.state):
        rows.append(("Due by" if en else "承诺办结", case.due_date.isoformat()))
    if case.phone:
        rows.append(("Phone" if en else "联系电话", mask_phone(case.phone)))
    if c.level:
        rows.append(("Deadline" if en else "期限提醒", deadlines.level_name(c.level, lang)))
    parts = [Markup('<ol class="steps">')]
    for zh, en_, done, when in steps(ctx, c):
        parts.append(Markup('<li class="{}">{} <b>{}</b> <span>{}</span></li>').format(
            "done" if done else "todo", "✓" if done else "○", en_ if en else zh, when or ("" if done else ("pending" if en else "待进行"))))
    parts.append(Markup("</ol>"))
    if case.state == "waiting_resident":
        last = next((e for e in reversed(c.events) if e.action == "wait"), None)
        parts.append(Markup('<p class="message">{} {}</p>').format(
            "We need something from you:" if en else "需要您补充：", last.note if last else ""))
    if case.state == "merged" and case.merged_into:
        parts.append(Markup('<p class="message">{}</p>').format(
            f"This request is handled together with case {case.merged_into}." if en else f"您的诉求已与 {case.merged_into} 合并办理。"))
    if case.public_response and case.state in ("resolved", "published", "closed", "archived"):
        parts.append(Markup('<section class="response"><h2>{}</h2><p>{}</p></section>').format(
            "Response" if en else "办理答复", case.public_response))
    if c.ratings:
        last = c.ratings[-1]
        parts.append(Markup('<p>{} {}</p>').format("Your rating:" if en else "您的评价：", service.rating_name(last.level, lang)))
    if case.state in workflow.RATEABLE and token:
        parts.append(Markup('<p><a class="button" href="/cases/rate/{}{}">{}</a></p>').format(
            token, "?lang=en" if en else "", "Rate the outcome" if en else "评价办理结果"))
    return TrackingView(
        title="Request" if en else "民生诉求",
        status=workflow.state_name(case.state, lang),
        rows=rows,
        html=Markup("").join(parts),
        refresh=0,
        data={"case_no": case.case_no, "state": case.state, "due_date": case.due_date.isoformat(), "team": c.team.name if c.team else None,
              "category": case.category, "steps": [{"name": zh, "done": done, "date": when} for zh, _en, done, when in steps(ctx, c)],
              "response": case.public_response if case.state in ("resolved", "published", "closed", "archived") else None},
    )


__all__ = ["tracking_view", "rating_form", "steps", "escape"]
