"""What a resident can report: the categories, their common problems, deadlines and public visibility.

The catalogue is data, not code: the defaults below are the Huaxin center's, and a center overrides a
category's deadline or visibility in ``[plugins.intake.categories.CODE]`` of its config. Deadlines are
counted in working days of the core calendar (holidays and 调休 included).

Visibility decides what the public 公示反馈 board may show of a resolved case:
``public`` (summary and response), ``summary_only`` (category, building, dates and the response, not the
problem text) or ``private`` (nothing per case; only counts, e.g. hardship aid).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

VISIBILITIES = ("public", "summary_only", "private")


@dataclass(frozen=True)
class Problem:
    """A common problem a resident picks instead of typing; ``emergency`` names the number to call instead."""

    zh: str
    en: str
    emergency: str = ""  # "110", "119" or "120": show the emergency screen, never a form


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    icon: str
    deadline_days: int
    visibility: str = "public"
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def title(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


def _p(*items) -> tuple[Problem, ...]:
    return tuple(Problem(*item) for item in items)


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("env", "环境卫生", "Sanitation", "扫", 3, "public", _p(
        ("垃圾未清运", "Rubbish not collected"), ("楼道堆放杂物", "Clutter in the stairwell"),
        ("污水外溢", "Sewage overflowing"), ("小广告乱贴", "Flyers stuck everywhere"), ("宠物粪便未清理", "Dog mess"))),
    Category("repair", "设施维修", "Repairs", "修", 5, "public", _p(
        ("楼道灯不亮", "Stairwell light out"), ("下水道堵塞", "Blocked drain"), ("单元门损坏", "Entrance door broken"),
        ("路面破损", "Broken pavement"), ("健身器材损坏", "Exercise equipment broken"), ("屋顶漏水", "Roof leaking"),
        ("闻到燃气味", "Smell of gas", "119"))),
    Category("safety", "治安安全", "Safety", "安", 3, "public", _p(
        ("电动车楼道充电", "E-bikes charged in the stairwell"), ("消防通道堵塞", "Fire lane blocked"),
        ("门禁失灵", "Door entry system broken"), ("监控损坏", "Camera broken"), ("可疑人员出入", "Suspicious visitors"),
        ("正在发生盗窃或打架", "A theft or fight happening now", "110"), ("着火或冒烟", "Fire or smoke", "119"))),
    Category("green", "绿化", "Greenery", "绿", 5, "public", _p(
        ("树木需要修剪", "Trees need pruning"), ("绿地被占用", "Green space occupied"),
        ("枯树有倒伏危险", "Dead tree may fall"), ("草坪缺水", "Lawn needs watering"))),
    Category("mediation", "邻里/家庭调解", "Mediation", "和", 10, "summary_only", _p(
        ("噪音扰民", "Noise"), ("楼上漏水到楼下", "Water leaking to the flat below"),
        ("占用公共空间", "Shared space taken over"), ("家庭矛盾", "Family dispute"))),
    Category("aid", "帮扶救助", "Help & aid", "助", 10, "private", _p(
        ("需要上门帮扶", "Needs a home visit"), ("生活困难申请救助", "Hardship, asking for aid"),
        ("独居老人需要关照", "Elderly person living alone"), ("残疾人帮扶", "Help for a disabled person"))),
    Category("jobs", "就业", "Jobs", "业", 10, "public", _p(
        ("求职登记", "Register as a job seeker"), ("技能培训", "Skills training"),
        ("失业登记咨询", "Unemployment registration"), ("灵活就业社保", "Insurance for the self-employed"))),
    Category("care", "医疗/养老", "Health & elderly care", "医", 10, "summary_only", _p(
        ("上门医疗服务", "Home medical visit"), ("老年助餐", "Meals for the elderly"),
        ("养老服务咨询", "Elderly care services"), ("慢病管理", "Chronic illness care"),
        ("有人突发疾病", "Someone is suddenly ill", "120"))),
    Category("legal", "法律援助", "Legal aid", "法", 10, "summary_only", _p(
        ("劳动纠纷", "Employment dispute"), ("婚姻家庭纠纷", "Marriage or family dispute"),
        ("房屋纠纷", "Housing dispute"), ("法律咨询", "Legal question"))),
    Category("policy", "政策咨询", "Policy questions", "询", 1, "public", _p(
        ("社保医保政策", "Social and medical insurance"), ("低保政策", "Subsistence allowance"),
        ("住房政策", "Housing"), ("老年人优待政策", "Benefits for the elderly"))),
    Category("suggest", "意见建议", "Suggestions", "议", 15, "public", _p(
        ("社区活动建议", "Community activities"), ("服务改进建议", "Improving services"),
        ("增设设施建议", "New facilities"))),
)

EMERGENCY_NUMBERS = (("110", "报警", "Police"), ("119", "火警", "Fire"), ("120", "急救", "Ambulance"))


def categories(settings) -> tuple[Category, ...]:
    """The catalogue with the center's overrides of ``deadline_days``, ``visibility`` and names applied."""
    overrides = (settings.plugin_settings.get("intake", {}) or {}).get("categories", {}) if settings else {}
    out = []
    for cat in DEFAULT_CATEGORIES:
        o = overrides.get(cat.code) or {}
        changes = {}
        if isinstance(o.get("deadline_days"), int) and 0 < o["deadline_days"] <= 60:
            changes["deadline_days"] = o["deadline_days"]
        if o.get("visibility") in VISIBILITIES:
            changes["visibility"] = o["visibility"]
        for key in ("name", "name_en"):
            if isinstance(o.get(key), str) and o[key].strip():
                changes[key] = o[key].strip()
        out.append(replace(cat, **changes) if changes else cat)
    return tuple(out)


def category(settings, code: str) -> Category | None:
    return next((c for c in categories(settings) if c.code == code), None)
