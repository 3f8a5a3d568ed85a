"""The Huaxin center's demo notices: what its paper boards would hold in a typical autumn.

Dates are relative to the day the demo is loaded, so the boards are never empty or stale in a demo.
Idempotent: a notice whose board and title already exist is left alone (staff edits are kept).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from kiosk.api.storage import StaffUser
from kiosk.api import KioskContext

from . import service
from .models import Notice

AUTHOR, APPROVER = "clerk", "admin"

UNIVERSITY = """夕阳美老年大学是泰安市第一所免费的老年大学，由社区与圣盛教育培训中心共同开办，10 位志愿者老师授课。

## 开设班级
- 舞蹈班：每周一、周三上午
- 健身班：每周二、周四上午
- 书法班：每周二下午
- 绘画班：每周四下午
- 声乐班：每周五上午

## 报名方法
- 在本机首页点「课程表」选择班级报名，凭条上有上课时间和教室
- 也可以到服务中心一楼前台登记

**全部课程免费**，每班名额有限，额满后可以登记候补。"""

HEATING = """泰安市供暖期为每年 11 月 15 日至次年 3 月 15 日。

家中暖气不热、漏水、停暖，请这样反映：
- 在本机首页点「民生诉求」登记，凭条上的二维码可以随时查看办理进度
- 到服务中心前台登记
- 拨打 12345 政务服务便民热线

社区收到后转给供热单位，并在 **5 个工作日内** 答复您。办理结果会在「公示反馈」栏公开。"""

CARD = """# 一卡通能做什么
持社区「一卡通」的低保家庭和困难家庭成员，到社区卫生服务站体检，可以**减免 15%～25% 的体检费用**。

## 谁可以办理
- 本社区登记的低保户
- 经社区认定的困难家庭

## 要带的材料
- 身份证、户口本
- 低保证或困难家庭认定材料
- 一寸照片 1 张

到 3 号窗口（低保救助）办理，在本机取号时选「低保救助」。"""

PARTY = """根据党务公开有关要求，现将社区党支部本月组织生活安排公示如下：

- 主题党日：本月第二个周五下午 3 点，服务中心二楼多功能厅
- 内容：学习党的基层组织工作条例，开展「党员进楼栋」走访
- 党员义务巡逻队：每周六上午集合巡逻

请各位党员准时参加，因事不能参加的请向所在支部请假。

欢迎居民群众监督。"""

FRAUD = """最近有人以「免费体检」「送鸡蛋」「讲座送礼品」为名，把老人带到会场推销高价保健品。请记住五条：

- **天上不会掉馅饼**：免费领礼品的讲座，多半是为了推销
- **保健品不是药**：不能代替药物治病，有病请到正规医院
- **不给陌生人转账**：自称公检法、社保局要您转账的，都是骗子
- **不轻信高回报**：「养老项目」「以房养老」许诺高利息的，要当心
- **拿不准就问**：问子女，问社区，或拨打反诈专线 96110

科普志愿者队每周三上午在一楼大厅答疑，欢迎来问。"""


def _notices(today) -> list[dict]:
    at = lambda day, hour=8: datetime.combine(day, time(hour))  # noqa: E731 - naive local times
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    closure = (f"因供电线路检修，{saturday.month} 月 {saturday.day} 日（星期六）全天服务大厅暂停办公，"
               "自助服务机同时关闭。\n\n给您带来不便，敬请谅解。急事请拨打 12345 政务服务便民热线。")
    return [
        dict(board="notice", title="本周六服务大厅停电检修，暂停办公", body=closure, start=at(today - timedelta(days=1)),
             end=at(saturday + timedelta(days=1), 0), urgent=True),
        dict(board="notice", title="夕阳美老年大学秋季学期开始报名", body=UNIVERSITY, start=at(today - timedelta(days=5)),
             end=at(today + timedelta(days=60)), pinned=True),
        dict(board="notice", title="供暖季暖气问题反映渠道", body=HEATING, start=at(today - timedelta(days=3)), season="heating"),
        dict(board="policy", title="一卡通政策解读：困难家庭体检费用减免", body=CARD, start=at(today - timedelta(days=20))),
        dict(board="science", title="老年人防诈骗五要点：警惕保健品骗局", body=FRAUD, start=at(today - timedelta(days=7)), pinned=True),
        dict(board="party", title="社区党支部本月组织生活安排公示", body=PARTY, start=at(today - timedelta(days=2)),
             end=at(today + timedelta(days=30))),
    ]


def load(ctx: KioskContext) -> list[int]:
    """Create the demo notices that do not exist yet; returns their ids. The 党务公开 one is approved by
    ``admin`` when that login exists (``kiosk demo-data`` creates it first)."""
    made = []
    for spec in _notices(ctx.today()):
        with ctx.sessions() as s:
            exists = s.scalar(select(Notice.id).where(Notice.board == spec["board"], Notice.title == spec["title"]))
            admin = s.scalar(select(StaffUser.username).where(StaffUser.username == APPROVER, StaffUser.role == "admin"))
        if exists:
            continue
        notice = service.create(ctx, by=AUTHOR, **spec)
        if notice.state == "pending" and admin:
            service.approve(ctx, notice.id, by=APPROVER)
        made.append(notice.id)
    return made
