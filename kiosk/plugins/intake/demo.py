"""The Huaxin community in the demo: six 先锋队 teams over 39 buildings, and a dozen cases at every stage.

Cases are made through the service functions (so their timelines are real), then moved back in time
so the desk shows overdue, due-soon and published cases on the demo day. Idempotent: nothing is added
when teams or cases already exist, and staff edits are kept.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kiosk.api import KioskContext, Receipt

from . import deadlines, service, upkeep

from .models import Building, Case, CaseEvent, Team

TEAMS = [("T1", "第一先锋队", "Team 1"), ("T2", "第二先锋队", "Team 2"), ("T3", "第三先锋队", "Team 3"),
         ("T4", "第四先锋队", "Team 4"), ("T5", "第五先锋队", "Team 5"), ("T6", "第六先锋队", "Team 6")]
#: Buildings 1–39: teams 1–3 take seven each, teams 4–6 six each (six to seven buildings per team).
SIZES = (7, 7, 7, 6, 6, 6)

# (days ago, category, problem, building, unit, phone, surname, title, consent, description, steps)
CASES = [
    (12, "repair", "楼道灯不亮", "12", "2", "13853801234", "张", "先生", True, "三楼到五楼的灯都不亮，晚上老人上下楼很危险",
     ["accept", "start", "resolve", "publish"]),
    (9, "env", "垃圾未清运", "5", "1", "13953805678", "李", "女士", False, "", ["accept", "start", "resolve", "publish", "rate:satisfied"]),
    (8, "repair", "下水道堵塞", "21", "3", "15053809876", "", "", False, "一楼下水道返水", ["accept", "start"]),
    (15, "safety", "电动车楼道充电", "30", "1", "0538-6201234", "王", "先生", True, "", ["accept", "start"]),
    (4, "green", "树木需要修剪", "8", "", "18653804321", "", "", False, "树枝挡住了二楼窗户", ["accept"]),
    (3, "mediation", "噪音扰民", "17", "2", "13705381111", "赵", "女士", False, "楼上每天晚上十点以后还在装修", ["accept", "wait"]),
    (1, "aid", "独居老人需要关照", "33", "1", "13805382222", "孙", "先生", False, "", ["accept", "start"]),
    (0, "policy", "老年人优待政策", "2", "1", "13605383333", "", "", False, "", []),
    (0, "suggest", "社区活动建议", "26", "", "15905384444", "周", "女士", True, "希望多组织一些老年人的手机课", []),
    (20, "repair", "单元门损坏", "12", "1", "13853805555", "刘", "先生", True, "", ["accept", "start", "resolve", "publish", "rate:unsatisfied"]),
]


def load(ctx: KioskContext) -> None:
    load_places(ctx)
    load_cases(ctx)


def load_places(ctx: KioskContext) -> None:
    """The six teams and the 39 buildings (when no team exists yet)."""
    with ctx.transaction() as s:
        if s.scalar(select(func.count()).select_from(Team)) == 0:
            for i, (code, name, name_en) in enumerate(TEAMS):
                s.add(Team(code=code, name=name, name_en=name_en, leader=f"{name}队长", sort=i))
            s.flush()
            number = 1
            for (code, *_rest), size in zip(TEAMS, SIZES):
                for _ in range(size):
                    if s.get(Building, str(number)) is None:
                        s.add(Building(code=str(number), name=f"{number}号楼", units=3 if number % 4 else 4, team_code=code, sort=number))
                    number += 1


def load_cases(ctx: KioskContext) -> None:
    """A dozen cases at every stage (when there is no case yet)."""
    with ctx.sessions() as s:
        if s.scalar(select(func.count()).select_from(Case)) > 0:
            return
    for ago, cat, problem, building, unit, phone, surname, title, consent, text, steps in CASES:
        r = service.file_case(ctx, {"category": cat, "problem": problem, "building": building, "unit": unit, "phone": phone,
                                    "surname": surname, "title": title, "name_public": consent, "description": text,
                                    "channel": "kiosk" if ago % 2 == 0 else "walk-in"}, by="demo", receipt=True)
        for step in steps:
            action, _, level = step.partition(":")
            if action == "rate":
                service.rate(ctx, r.case.id, level, "" if level != "unsatisfied" else "门还是关不严，请再来看看", channel="web", by="resident")
            else:
                service.transition(ctx, r.case.case_no, action, by="demo", kind="promised" if action == "accept" else None,
                                   note="需要居民提供装修时间安排" if action == "wait" else "",
                                   response="已更换单元门闭门器并调试。" if problem == "单元门损坏" else
                                   "已安排物业更换楼道灯，并检查线路。" if problem == "楼道灯不亮" else "已协调环卫公司当日清运，并增加清运频次。",
                                   summary=problem)
        if ago:
            _backdate(ctx, r.case.id, ago)
    upkeep.grade_cases(ctx, ctx.today())


def _backdate(ctx: KioskContext, case_id: int, days: int) -> None:
    """Move a demo case ``days`` back: filing day, due date and every timeline row, spread over the days."""
    with ctx.transaction() as s:
        case = s.get(Case, case_id)
        shift = timedelta(days=days)
        case.filed_at -= shift
        case.filed_on -= shift
        from . import catalog

        cat = catalog.category(ctx.settings, case.category)
        if not case.reopen_count:  # a reopened case keeps the new deadline it got when it was reopened
            case.due_date = deadlines.due_date(ctx.calendar, case.filed_on, cat.deadline_days if cat else 5)
        # the number says the filing day, so a back-dated case takes the next number of that day
        day = case.filed_on.strftime("%y%m%d")
        case.case_no = f"MS{day}-{service._next_number(s, day):03d}"
        if case.receipt_id:
            receipt = s.get(Receipt, case.receipt_id)
            receipt.number, receipt.created_at = case.case_no, receipt.created_at - shift
        events = list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))
        for i, ev in enumerate(events):
            ev.at = ev.at - shift + timedelta(days=min(days, i * max(1, days // max(1, len(events)))))
        for attr in ("resolved_at", "published_at", "closed_at"):
            if getattr(case, attr):
                setattr(case, attr, events[-1].at)
