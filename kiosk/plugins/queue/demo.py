"""The Huaxin service hall in the demo: six services (A–F) and six counters."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import QueueCounter, QueueHall, QueueService
from .service import DEFAULT_HALL

SERVICES = [
    ("A", "社保医保", "Social & medical insurance", ["身份证原件及复印件", "户口本", "一寸照片 1 张", "社保卡（已办理的）"], 8),
    ("B", "低保救助", "Subsistence allowance", ["身份证、户口本", "家庭收入证明", "一卡通申请表（可在窗口领取）", "银行卡或存折"], 12),
    ("C", "劳动就业", "Jobs & re-employment", ["身份证", "失业证或就业创业证", "学历或技能证书（如有）"], 10),
    ("D", "计划生育", "Family planning", ["夫妻双方身份证", "户口本", "结婚证"], 10),
    ("E", "党建服务", "Party affairs", ["身份证", "党组织关系介绍信（转接时）"], 10),
    ("F", "综合咨询", "General enquiries", [], 5),
]

COUNTERS = [
    (1, "1 号窗口", ["A", "F"]),
    (2, "2 号窗口", ["A"]),
    (3, "3 号窗口", ["B", "F"]),
    (4, "4 号窗口", ["C"]),
    (5, "5 号窗口", ["D", "E"]),
    (6, "6 号窗口", ["F", "A", "B", "C", "D", "E"]),
]


def load(s: Session) -> None:
    """Create the demo services and counters where they do not exist (staff edits are kept).

    All in the hall ``main`` (the migration creates it; a second hall is added on /staff/queue/setup).
    """
    if s.get(QueueHall, DEFAULT_HALL) is None:
        s.add(QueueHall(code=DEFAULT_HALL, name="服务大厅", name_en="Service hall"))
        s.flush()
    for sort, (code, name, name_en, materials, minutes) in enumerate(SERVICES):
        if s.get(QueueService, code) is None:
            s.add(QueueService(code=code, name=name, name_en=name_en, materials=materials, minutes_per_person=minutes,
                               hours="08:30-12:00,13:30-17:00", daily_cap=200, target_minutes=30, sort=sort))
    for number, name, services in COUNTERS:
        if s.get(QueueCounter, number) is None:
            s.add(QueueCounter(number=number, name=name, services=services))
