"""The intake's touch screens: file a request by picking, not typing, in six steps.

1 类别 (big icons; emergencies show 110/119/120 at once) → 2 常见问题 → 3 楼号, then 单元 and an optional
flat number → 4 手机号 on the keypad, then an optional surname with 先生/女士 and the consent to show it
masked → 5 an optional description (pinyin keyboard, tap-to-add phrases, a counter) → 6 review in large
text and submit. The receipt shows the case number, the team, the promised date and the QR.

Why one screen per step, sharing one :class:`Draft`: each step fits a screen without scrolling, "上一步"
is always the same button in the same place, and every step keeps what was entered when the resident
goes back. The draft is kept per kiosk app (every step gets a Shell object of its own) and cleared
by ``reset()`` when the resident goes home or the kiosk resets itself after idling.

A mistake found on submit (the phone, the building…) is shown next to its row on the review screen
with a "修改" button that goes to that step; nothing entered is lost. The case row and its receipt are
committed before the receipt screen opens; a double tap or a retry sends the same idempotency key.
Imported only inside the screen factories: the rest of the plugin never imports Kivy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.api import group_digits, reissued

from . import catalog, service
from .validation import DESCRIPTION_MAX, Invalid

KV = Path(__file__).with_name("intake.kv")
_loaded = False

CATEGORIES, PROBLEM, BUILDING, UNIT, PHONE, NAME, DESCRIBE, REVIEW, EMERGENCY = (
    "intake.categories", "intake.problem", "intake.building", "intake.unit", "intake.phone", "intake.name",
    "intake.describe", "intake.review", "intake.emergency")
STEP_OF = {CATEGORIES: 1, PROBLEM: 2, BUILDING: 3, UNIT: 3, PHONE: 4, NAME: 4, DESCRIBE: 5, REVIEW: 6}
STEPS = 6
#: which step fixes which field (the review's "修改" buttons and the errors found on submit)
FIELD_SCREEN = {"category": CATEGORIES, "problem": PROBLEM, "building": BUILDING, "unit": UNIT, "flat": UNIT, "phone": PHONE,
                "surname": NAME, "title": NAME, "description": DESCRIBE}
OTHER = "其他"
PHRASES = ("已经好几天了", "晚上很黑", "老人出行不便", "影响休息", "请尽快处理", "多次反映过", "有安全隐患", "希望上门看看")


def _load_kv() -> None:
    global _loaded
    if not _loaded:
        from kiosk.api import screens as _screen_kit  # noqa: F401 (registers the shared widgets for the .kv rules)

        Builder.load_file(str(KV))
        _loaded = True


@dataclass
class Draft:
    """Everything the resident entered so far (nothing is stored until "确认提交")."""

    category: str = ""
    problem: str = ""
    building: str = ""
    unit: str = ""
    flat: str = ""
    phone: str = ""
    surname: str = ""
    title: str = ""
    name_public: bool = False
    description: str = ""
    emergency: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def as_form(self) -> dict:
        return {"category": self.category, "problem": "" if self.problem == OTHER else self.problem, "building": self.building,
                "unit": self.unit, "flat": self.flat, "phone": self.phone, "surname": self.surname, "title": self.title,
                "name_public": self.name_public, "description": self.description, "channel": "kiosk"}


#: One draft per kiosk app (keyed by its context): each step gets a Shell object of its own.
_DRAFTS: dict[int, Draft] = {}


def draft_of(shell) -> Draft:
    return _DRAFTS.setdefault(id(shell.ctx), Draft())


def clear_draft(shell) -> None:
    _DRAFTS.pop(id(shell.ctx), None)


class IntakeChoice(ButtonBehavior, BoxLayout):
    """A big choice button: an optional icon glyph over (or beside) a label; ``selected`` is outlined."""

    icon = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")
    selected = BooleanProperty(False)
    vertical = BooleanProperty(False)  # the icon above the label (the big emergency numbers; narrow tiles)
    compact = BooleanProperty(False)  # less padding and body-size text (the grid of 39 buildings)
    color = ListProperty([0.04, 0.29, 0.56, 1])


class IntakeHeader(BoxLayout):
    """The top of every step: "第 n 步，共 6 步", 上一步, 回首页, and the step's question in large type."""

    screen = ObjectProperty(None, rebind=True)  # rebind: the kv rule follows screen.heading once it is set
    portrait_heading = BooleanProperty(True)


class IntakeReviewRow(BoxLayout):
    label = StringProperty("")
    value = StringProperty("")
    error = StringProperty("")
    target = StringProperty("")
    screen = ObjectProperty(None, rebind=True)


class IntakeStep(Screen):
    """What every step has: the shell, the shared draft, a title with "第 n 步 / 共 6 步", 上一步 and 回首页."""

    shell = ObjectProperty(None)
    heading = StringProperty("")
    step = NumericProperty(0)
    previous = StringProperty("")

    @property
    def draft(self) -> Draft:
        return draft_of(self.shell)

    def step_text(self) -> str:
        return self.shell.text(f"第 {self.step}/{STEPS} 步", f"Step {self.step}/{STEPS}") if self.step else ""

    def back(self) -> None:
        self.shell.open(self.previous) if self.previous else self.shell.go_home()

    def go(self, name: str) -> None:
        self.shell.open(name)

    def reset(self) -> None:
        """Clear the shared draft (every step calls this; the first does the work)."""
        clear_draft(self.shell)
        self.clear()

    def clear(self) -> None:  # the step's own widgets
        pass

    def ensure_category(self) -> catalog.Category:
        """The chosen category; opened directly (a screenshot, a restart) the first one is used."""
        cats = service.category_map(self.shell.ctx)
        if self.draft.category not in cats:
            self.draft.category = next(iter(cats))
        return cats[self.draft.category]


class IntakeCategoriesScreen(IntakeStep):
    def on_pre_enter(self, *_args):
        shell = self.shell
        self.heading = shell.text("您要反映什么问题？", "What is it about?")
        grid = self.ids.grid
        grid.clear_widgets()
        for cat in catalog.categories(shell.ctx.settings):
            button = IntakeChoice(icon=cat.icon, label=shell.text(cat.name, cat.name_en), value=cat.code, selected=cat.code == self.draft.category,
                                  vertical=shell.theme.portrait)
            button.bind(on_release=lambda b: self.choose(b.value))
            grid.add_widget(button)

    def spoken_text(self) -> str:
        """朗读: the question, the categories, and the emergency button first of all."""
        shell = self.shell
        names = [shell.text(c.name, c.name_en) for c in catalog.categories(shell.ctx.settings)]
        return "。".join([
            shell.text("民生诉求。遇到着火、打架盗窃、突发急病等紧急情况，请点红色的紧急情况按钮",
                       "Requests. In an emergency such as a fire, a crime or a sudden illness, tap the red emergency button"),
            self.heading + shell.text("请选择：", " Choose: ") + "，".join(names),
        ]) + "。"

    def choose(self, code: str) -> None:
        if code != self.draft.category:
            self.draft.problem = ""
        self.draft.category = code
        self.draft.errors.pop("category", None)
        self.go(PROBLEM)

    def emergency(self) -> None:
        self.draft.emergency = ""
        self.go(EMERGENCY)


class IntakeEmergencyScreen(IntakeStep):
    number = StringProperty("")

    def on_pre_enter(self, *_args):
        self.number = self.draft.emergency
        self.heading = self.shell.text("紧急情况请立即拨打", "In an emergency call now")


class IntakeProblemScreen(IntakeStep):
    def on_pre_enter(self, *_args):
        cat = self.ensure_category()
        shell = self.shell
        self.heading = shell.text(f"{cat.name}：请选择常见问题", f"{cat.name_en}: choose the problem")
        grid = self.ids.grid
        grid.clear_widgets()
        for p in cat.problems:
            b = IntakeChoice(label=shell.text(p.zh, p.en) + (f"  ({p.emergency})" if p.emergency else ""), value=p.zh,
                             selected=p.zh == self.draft.problem, color=shell.theme.c("danger") if p.emergency else shell.theme.c("primary"))
            b.bind(on_release=lambda btn: self.choose(btn.value))
            grid.add_widget(b)
        other = IntakeChoice(label=shell.text("其他问题（自己说明）", "Something else (describe it)"), value=OTHER, selected=self.draft.problem == OTHER,
                             color=shell.theme.c("secondary"))
        other.bind(on_release=lambda btn: self.choose(OTHER))
        grid.add_widget(other)

    def choose(self, problem: str) -> None:
        cat = self.ensure_category()
        found = next((p for p in cat.problems if p.zh == problem), None)
        if found is not None and found.emergency:
            self.draft.emergency = found.emergency
            self.go(EMERGENCY)
            return
        self.draft.problem = problem
        self.draft.errors.pop("problem", None)
        self.go(BUILDING)


class IntakeBuildingScreen(IntakeStep):
    def on_pre_enter(self, *_args):
        shell = self.shell
        self.heading = shell.text("问题在哪栋楼？", "Which building?")
        grid = self.ids.grid
        grid.clear_widgets()
        for b in service.buildings(shell.ctx):
            button = IntakeChoice(label=b.name, value=b.code, selected=b.code == self.draft.building, compact=True)
            button.bind(on_release=lambda btn: self.choose(btn.value))
            grid.add_widget(button)

    def choose(self, code: str) -> None:
        if code != self.draft.building:
            self.draft.unit = ""
        self.draft.building = code
        self.draft.errors.pop("building", None)
        self.go(UNIT)


class IntakeUnitScreen(IntakeStep):
    building_name = StringProperty("")
    unit = StringProperty("")

    def on_pre_enter(self, *_args):
        shell = self.shell
        blds = {b.code: b for b in service.buildings(shell.ctx)}
        if self.draft.building not in blds and blds:
            self.draft.building = next(iter(blds))
        b = blds.get(self.draft.building)
        self.building_name = b.name if b else ""
        self.heading = shell.text(f"{self.building_name}：哪个单元？", f"{self.building_name}: which entrance?")
        self.unit = self.draft.unit
        row = self.ids.units
        row.clear_widgets()
        for n in range(1, (b.units if b else 3) + 1):
            button = IntakeChoice(label=shell.text(f"{n}单元", f"Entrance {n}"), value=str(n), selected=str(n) == self.unit)
            button.bind(on_release=lambda btn: self.pick(btn.value))
            row.add_widget(button)
        unknown = IntakeChoice(label=shell.text("不涉及单元", "Not an entrance"), value="", selected=False, color=shell.theme.c("secondary"))
        unknown.bind(on_release=lambda btn: self.pick(""))
        row.add_widget(unknown)
        pad = self.ids.flat
        pad.max_length = 4
        pad.hint = shell.text("门牌号可不填，例如 302", "Flat number (optional), e.g. 302")
        pad.text = self.draft.flat
        pad.error = self.draft.errors.get("flat", "") or self.draft.errors.get("unit", "")

    def pick(self, unit: str) -> None:
        self.unit = unit
        self.draft.unit = unit
        for child in self.ids.units.children:
            child.selected = child.value == unit and unit != ""

    def next(self) -> None:
        self.draft.flat = self.ids.flat.text
        self.draft.errors.pop("flat", None)
        self.draft.errors.pop("unit", None)
        self.go(PHONE)

    def back(self) -> None:
        self.draft.flat = self.ids.flat.text
        super().back()

    def clear(self) -> None:
        self.unit = ""
        if "flat" in self.ids:
            self.ids.flat.reset()


class IntakePhoneScreen(IntakeStep):
    def on_pre_enter(self, *_args):
        self.heading = self.shell.text("请输入您的联系电话", "Your phone number")
        pad = self.ids.pad
        pad.text = "".join(ch for ch in self.draft.phone if ch.isdigit())
        pad.error = self.draft.errors.get("phone", "")

    def next(self) -> None:
        number = self.ids.pad.check()
        if number is None:
            return  # the pad shows why; the digits stay
        self.draft.phone = number
        self.draft.errors.pop("phone", None)
        self.go(NAME)

    def back(self) -> None:
        self.draft.phone = self.ids.pad.text
        super().back()

    def clear(self) -> None:
        if "pad" in self.ids:
            self.ids.pad.reset()


class IntakeNameScreen(IntakeStep):
    help_band = False  # the surname grid needs the whole window: 先生/女士 must not scroll out of sight
    surname = StringProperty("")
    title = StringProperty("")
    consent = BooleanProperty(False)
    error = StringProperty("")

    def on_pre_enter(self, *_args):
        self.heading = self.shell.text("您贵姓？（可不填）", "Your surname (optional)")
        picker = self.ids.picker
        picker.surname, picker.title = self.draft.surname, self.draft.title
        self.consent = self.draft.name_public
        self.error = self.draft.errors.get("surname", "")

    def next(self) -> None:
        picker = self.ids.picker
        self.draft.surname, self.draft.title = picker.surname, picker.title if picker.surname else ""
        self.draft.name_public = self.consent and bool(picker.surname)
        self.draft.errors.pop("surname", None)
        self.go(DESCRIBE)

    def back(self) -> None:
        picker = self.ids.picker
        self.draft.surname, self.draft.title = picker.surname, picker.title
        super().back()

    def clear(self) -> None:
        self.consent = False
        self.error = ""
        if "picker" in self.ids:
            self.ids.picker.reset()


class IntakeDescribeScreen(IntakeStep):
    limit = NumericProperty(DESCRIPTION_MAX)
    error = StringProperty("")

    def on_pre_enter(self, *_args):
        self.heading = self.shell.text("补充说明（可不填）", "Anything to add? (optional)")
        kb = self.ids.keyboard
        kb.max_length = DESCRIPTION_MAX
        kb.phrases = list(PHRASES)
        kb.text = self.draft.description
        self.error = self.draft.errors.get("description", "")

    def next(self) -> None:
        self.draft.description = self.ids.keyboard.text
        self.draft.errors.pop("description", None)
        self.go(REVIEW)

    def back(self) -> None:
        self.draft.description = self.ids.keyboard.text
        super().back()

    def clear(self) -> None:
        self.error = ""
        if "keyboard" in self.ids:
            self.ids.keyboard.reset()


class IntakeReviewScreen(IntakeStep):
    busy = BooleanProperty(False)
    message = StringProperty("")

    def on_pre_enter(self, *_args):
        self.heading = self.shell.text("请核对，确认后提交", "Check, then submit")
        self.busy = False
        self.fill()

    def rows(self) -> list[tuple[str, str, str]]:
        """(label, value, field) in the order of the steps."""
        shell, d = self.shell, self.draft
        cat = catalog.category(shell.ctx.settings, d.category)
        blds = {b.code: b.name for b in service.buildings(shell.ctx)}
        none = shell.text("（未填）", "(not given)")
        where = blds.get(d.building, "") + (shell.text(f" {d.unit}单元", f", entrance {d.unit}") if d.unit else "") + (
            shell.text(f" {d.flat}室", f", flat {d.flat}") if d.flat else "")
        problem = shell.text("其他", "Other") if d.problem == OTHER else d.problem
        name = (d.surname + d.title) if d.surname else none
        if d.surname:
            name += shell.text("（公示时显示为 ", " (shown as ") + d.surname[0] + "*" + shell.text("）", ")") if d.name_public else shell.text(
                "（不公示姓名）", " (not published)")
        return [(shell.text("类别", "Category"), cat.title(shell.lang) if cat else none, "category"),
                (shell.text("问题", "Problem"), problem or none, "problem"),
                (shell.text("地点", "Place"), where.strip() or none, "building"),
                (shell.text("电话", "Phone"), group_digits("".join(ch for ch in d.phone if ch.isdigit())) or none, "phone"),
                (shell.text("称呼", "Name"), name, "surname"),
                (shell.text("说明", "Description"), d.description or none, "description")]

    def fill(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        errors = self.draft.errors
        for label, value, fld in self.rows():
            err = errors.get(fld, "") or (errors.get("unit", "") or errors.get("flat", "") if fld == "building" else "") or (
                errors.get("title", "") if fld == "surname" else "")
            box.add_widget(IntakeReviewRow(label=label, value=value, error=err, target=FIELD_SCREEN[fld], screen=self))

    def edit(self, target: str) -> None:
        self.go(target)

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.message = ""
        shell, d = self.shell, self.draft
        try:
            result = service.file_case(shell.ctx, d.as_form(), by=f"kiosk:{shell.ctx.terminal}", key=f"kiosk-{d.key}",
                                       client=f"kiosk:{shell.ctx.terminal}")
        except Invalid as exc:
            d.errors = {e.field: e.text("en" if shell.lang == "en" else "zh") for e in exc.errors}
            d.key = uuid.uuid4().hex  # nothing was stored: a corrected form is a new submission
            self.busy = False
            self.message = shell.text("有几处需要修改，请看红字提示", "Please correct the items marked in red")
            self.fill()
            return
        except Exception:  # the database is away: keep everything, the same key makes a retry safe
            import logging

            logging.getLogger(__name__).exception("filing a case failed")
            self.busy = False
            self.message = shell.text("系统暂时无法提交，您填写的内容都已保留，请稍后再点“确认提交”",
                                      "Could not submit just now. Everything you entered is kept: please try again shortly.")
            return
        shell.show_receipt(result.issued or reissued(shell.ctx, result.case.receipt_id, result.url))

    def clear(self) -> None:
        self.busy = False
        self.message = ""


SCREENS = {
    CATEGORIES: (IntakeCategoriesScreen, 1, ""),
    EMERGENCY: (IntakeEmergencyScreen, 0, CATEGORIES),
    PROBLEM: (IntakeProblemScreen, 2, CATEGORIES),
    BUILDING: (IntakeBuildingScreen, 3, PROBLEM),
    UNIT: (IntakeUnitScreen, 3, BUILDING),
    PHONE: (IntakePhoneScreen, 4, UNIT),
    NAME: (IntakeNameScreen, 4, PHONE),
    DESCRIBE: (IntakeDescribeScreen, 5, NAME),
    REVIEW: (IntakeReviewScreen, 6, DESCRIBE),
}


def build_screen(shell, name: str):
    _load_kv()
    cls, step, previous = SCREENS[name]
    return cls(shell=shell, step=step, previous=previous)
