"""The timetable's touch screens: the week grid, today's list, one class, and the sign-up with the
phone keypad. Imported only inside the screen factories: the rest of the plugin never imports Kivy.

The week grid is Monday–Sunday × 上午/下午/晚上 in large cells (landscape: days across; portrait: days
down, so every cell keeps a readable width), today highlighted, cancelled sessions struck through with
their reason. Every session is a big button that opens its class. The sign-up is committed by the
service (with its receipt) before the receipt screen opens and before anything prints.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.api import screens as _screen_kit  # noqa: F401 (registers the shared widgets for the .kv rules)

from . import service
from .schedule import PERIODS, WEEKDAYS_EN, WEEKDAYS_ZH, week_bounds
from .service import TimetableError

KV = Path(__file__).with_name("timetable.kv")
_loaded = False

WEEK_SCREEN = "timetable.week"
TODAY_SCREEN = "timetable.today"
COURSE_SCREEN = "timetable.course"
SIGNUP_SCREEN = "timetable.signup"
SURNAME_SCREEN = "timetable.surname"


def _load_kv() -> None:
    global _loaded
    if not _loaded:
        Builder.load_file(str(KV))
        _loaded = True


def _esc(text: str) -> str:
    """Escape Kivy markup in data (a reason typed by staff may contain brackets)."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def day_text(shell, day: date) -> str:
    return shell.text(f"{WEEKDAYS_ZH[day.isoweekday()]} {day.month}月{day.day}日", f"{WEEKDAYS_EN[day.isoweekday()]} {day:%d %b}")


def session_markup(shell, occ, with_room: bool = True, with_teacher: bool = False) -> str:
    """A session as Kivy markup: name, time, room; cancelled/moved struck through with the reason."""
    name = _esc(shell.text(occ.name, occ.name_en))
    when = f"{occ.start} – {occ.end}"  # spaces: a narrow cell wraps between the two times, never inside one
    parts = [f"[b]{name}[/b]", when]
    if with_room:
        parts.append(_esc(occ.room))
    if with_teacher and occ.teacher:
        parts.append(_esc(occ.teacher))
    if occ.status == "cancelled":
        reason = _esc(shell.text(occ.reason, occ.reason_en or occ.reason))
        return "[s]" + "  ".join(parts) + "[/s]\n" + shell.text(f"停课：{reason}", f"Cancelled: {reason}")
    if occ.status == "moved":
        to_day, to_start, _ = occ.moved_to
        moved = shell.text(f"调至 {to_day.month}月{to_day.day}日 {to_start}", f"Moved to {to_day:%d %b} {to_start}")
        return "[s]" + "  ".join(parts) + f"[/s]\n{moved}：{_esc(occ.reason)}"
    if occ.kind == "makeup":
        parts.append(shell.text("调休补课", "Make-up day"))
    elif occ.kind == "moved":
        parts.append(shell.text("调课", "Moved here"))
    return "\n".join(parts[:1] + ["  ".join(parts[1:])]) if not with_room else "\n".join(parts)


class TTLabel(Label):
    """A wrapped label as tall as its text (cells and rows grow with large text)."""

    min_height = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fbind("width", self._wrap)
        self.fbind("texture_size", self._fit)
        self.fbind("min_height", self._fit)
        self._wrap()

    def _wrap(self, *_args):
        self.text_size = (max(1, self.width - self.padding[0] * 2), None)

    def _fit(self, *_args):
        self.height = max(self.min_height, self.texture_size[1] + self.padding[1] * 2)


class SessionButton(ButtonBehavior, TTLabel):
    """One session in the grid or the list: opens its class."""

    course_id = NumericProperty(0)
    cancelled = BooleanProperty(False)
    today = BooleanProperty(False)


class TimetableWeekScreen(Screen):
    """本周/下周: the week grid."""

    shell = ObjectProperty(None)
    offset = NumericProperty(0)  # weeks after this one (0 or 1)
    week_title = StringProperty("")

    def on_pre_enter(self, *_args):
        self.refresh()

    def on_offset(self, *_args):
        if self.manager is not None:
            self.refresh()

    def refresh(self) -> None:
        shell = self.shell
        today = shell.ctx.today()
        monday = week_bounds(today)[0] + timedelta(days=7 * int(self.offset))
        sunday = monday + timedelta(days=6)
        self.week_title = shell.text(f"课程表 {monday.month}月{monday.day}日–{sunday.month}月{sunday.day}日",
                                     f"Timetable {monday:%d %b} – {sunday:%d %b}")
        found = service.week(shell.ctx, monday)
        self._found, self._today = found, today
        self._build(monday, today, found)

    def spoken_text(self) -> str:
        """朗读: the week, today's classes with their times (the grid itself is not read cell by cell)."""
        shell = self.shell
        found, today = getattr(self, "_found", []), getattr(self, "_today", None)
        parts = [self.week_title.replace("–", shell.text("到", " to "))]
        todays = [o for o in found if o.day == today]
        if todays:
            parts.append(shell.text("今天的课：", "Today: ") + "，".join(
                f"{o.start} {shell.text(o.name, o.name_en)}" + (shell.text("，停课", ", cancelled") if o.status != "scheduled" else "")
                for o in sorted(todays, key=lambda o: o.start)))
        elif today is not None and found is not None and int(self.offset) == 0:
            parts.append(shell.text("今天没有课", "No classes today"))
        parts.append(shell.text(f"这一周共有 {len(found)} 节课。点课程可以看详情和报名",
                                f"{len(found)} sessions this week. Tap a class for details and to sign up"))
        return "。".join(parts) + "。"

    def _build(self, monday: date, today: date, found) -> None:
        from kivy.app import App
        from kivy.uix.widget import Widget

        theme = App.get_running_app().theme
        grid = self.ids.grid
        grid.clear_widgets()
        days = [monday + timedelta(days=i) for i in range(7)]
        portrait = theme.portrait
        grid.cols = 4 if portrait else 8
        head = theme.px(190 if portrait else 120)
        pad = theme.px(6)

        def header(text: str) -> TTLabel:
            return TTLabel(text=text, font_size=theme.label, bold=True, halign="center", valign="middle", color=theme.c("text"),
                           size_hint_y=None, min_height=theme.touch, padding=(pad, pad))

        def first(widget):  # the label column keeps a fixed width; the day (or period) columns share the rest
            widget.size_hint_x, widget.width = None, head
            return widget

        def cell(occs, day: date):
            box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=theme.px(16), padding=(pad, pad))
            for occ in occs:
                b = SessionButton(text=session_markup(self.shell, occ), markup=True, font_size=theme.body, course_id=occ.course_id,
                                  cancelled=not occ.happens, today=day == today, size_hint_y=None, min_height=theme.touch,
                                  padding=(pad + theme.px(4), theme.px(10)), halign="left", valign="middle")
                b.bind(on_release=lambda btn: self.open_course(btn.course_id))
                box.add_widget(b)
            box.add_widget(Widget())  # sessions sit at the top of a taller cell
            return box

        def row(label: TTLabel, cells: list) -> None:
            """One grid row: every cell as tall as the tallest, the label centred beside them."""
            def fit(*_args):
                tallest = max([c.minimum_height for c in cells] + [label.texture_size[1] + 2 * pad, theme.touch])
                for c in cells:
                    c.height = tallest
                label.min_height = tallest

            for c in cells:
                c.bind(minimum_height=fit)
            label.bind(texture_size=fit)
            grid.add_widget(label)
            for c in cells:
                grid.add_widget(c)
            fit()

        corner = first(TTLabel(text="", size_hint_y=None, min_height=theme.touch))
        grid.add_widget(corner)
        if portrait:
            for _key, zh, en in PERIODS:
                grid.add_widget(header(self.shell.text(zh, en)))
            for day in days:
                hot = day == today
                row(self._mark(first(header(self._day_label(day, today))), hot),
                    [self._mark(cell([o for o in found if o.day == day and o.period == key], day), hot) for key, _zh, _en in PERIODS])
        else:
            for day in days:
                grid.add_widget(self._mark(header(self._day_label(day, today)), day == today))
            for key, zh, en in PERIODS:
                row(first(header(self.shell.text(zh, en))),
                    [self._mark(cell([o for o in found if o.day == day and o.period == key], day), day == today) for day in days])

    def _day_label(self, day: date, today: date) -> str:
        shell = self.shell
        text = shell.text(f"{WEEKDAYS_ZH[day.isoweekday()]}\n{day.month}月{day.day}日", f"{WEEKDAYS_EN[day.isoweekday()]}\n{day:%d %b}")
        return text + ("\n" + shell.text("今天", "Today") if day == today else "")

    @staticmethod
    def _mark(widget, highlight: bool):
        """Today's column (or row) on the banner colour."""
        if highlight:
            from kivy.app import App
            from kivy.graphics import Color, Rectangle

            with widget.canvas.before:
                Color(*App.get_running_app().theme.c("banner"))
                rect = Rectangle(pos=widget.pos, size=widget.size)
            widget.bind(pos=lambda w, v: setattr(rect, "pos", v), size=lambda w, v: setattr(rect, "size", v))
        return widget

    def open_course(self, course_id: int) -> None:
        open_course(self.shell, self.manager, course_id, back=WEEK_SCREEN)

    def show_today(self) -> None:
        self.shell.open(TODAY_SCREEN)

    def reset(self) -> None:
        self.offset = 0


def open_course(shell, manager, course_id: int, back: str) -> None:
    shell.open(COURSE_SCREEN)
    if manager is not None and manager.has_screen(COURSE_SCREEN):
        manager.get_screen(COURSE_SCREEN).show(course_id, back)


class TimetableTodayScreen(Screen):
    """今天: today's sessions as a list in very large type, for quick reading."""

    shell = ObjectProperty(None)
    day_title = StringProperty("")
    empty = StringProperty("")

    def on_pre_enter(self, *_args):
        self.refresh()

    def refresh(self) -> None:
        from kivy.app import App

        theme = App.get_running_app().theme
        shell = self.shell
        today = shell.ctx.today()
        self.day_title = shell.text(f"今天 {day_text(shell, today)}", f"Today, {day_text(shell, today)}")
        found = service.day_sessions(shell.ctx, today)
        box = self.ids.list
        box.clear_widgets()
        for occ in found:
            seats = occ.extra.get("seats_left", 0)
            extra = (shell.text(f"剩余 {seats} 个名额", f"{seats} seats left") if seats else shell.text("已满，可候补", "Full: waiting list open")) \
                if occ.happens else ""
            text = session_markup(shell, occ, with_teacher=True).replace("\n", "    ", 1) + (f"\n{extra}" if extra else "")
            b = SessionButton(text=text, markup=True, font_size=theme.label, course_id=occ.course_id, cancelled=not occ.happens,
                              size_hint_y=None, min_height=theme.button_height, padding=(theme.px(24), theme.px(14)),
                              halign="left", valign="middle")
            b.bind(on_release=lambda btn: open_course(self.shell, self.manager, btn.course_id, TODAY_SCREEN))
            box.add_widget(b)
        self.empty = "" if found else shell.text("今天没有课程和活动", "No classes or activities today")

    def reset(self) -> None:
        pass


class TimetableCourseScreen(Screen):
    """One class: teacher, room, times, what to bring, seats left, the next sessions, and 报名."""

    shell = ObjectProperty(None)
    course_id = NumericProperty(0)
    title = StringProperty("")
    details = StringProperty("")
    upcoming = StringProperty("")
    full = BooleanProperty(False)
    can_sign_up = BooleanProperty(False)
    back_to = StringProperty(WEEK_SCREEN)

    def show(self, course_id: int, back: str = WEEK_SCREEN) -> None:
        shell = self.shell
        try:
            info = service.course_info(shell.ctx, course_id)
        except TimetableError:
            self.reset()
            return
        c = info.course
        self.course_id = c.id
        self.back_to = back
        self.title = shell.text(c.name, c.name_en or c.name)
        self.full = info.seats_left <= 0
        self.can_sign_up = c.active and info.term.end >= shell.ctx.today()
        seats = (shell.text(f"已满（候补 {info.waiting} 人），可以排候补", f"Full ({info.waiting} waiting): join the waiting list")
                 if self.full else shell.text(f"剩余 {info.seats_left} 个名额（共 {c.capacity} 个）", f"{info.seats_left} of {c.capacity} seats left"))
        bring = ("、" if shell.lang != "en" else ", ").join(info.bring) or shell.text("无需准备", "Nothing")
        rows = [(shell.text("老师", "Teacher"), info.teacher or "—"),
                (shell.text("教室", "Room"), f"{info.room}（{info.place}）" if info.place else info.room),
                (shell.text("时间", "When"), info.times_text(shell.lang)),
                (shell.text("请带", "Bring"), bring),
                (shell.text("名额", "Seats"), seats)]
        self.details = "\n".join(f"[b]{_esc(a)}[/b]  {_esc(b)}" for a, b in rows)
        nxt = info.upcoming[:3]
        lines = []
        for o in nxt:
            when = f"{day_text(shell, o.day)} {o.start}"
            if o.happens:
                lines.append(when)
            else:
                reason = _esc(shell.text(o.reason, o.reason_en or o.reason))
                lines.append(f"[s]{when}[/s]  " + shell.text(f"停课：{reason}", f"cancelled: {reason}"))
        self.upcoming = shell.text("最近上课：", "Next sessions: ") + ("\n" + "\n".join(lines) if lines else shell.text("本学期已结束", "the term is over"))

    def on_pre_enter(self, *_args):
        if not self.course_id:  # opened directly (a screenshot, a restart): the first class this week
            first = next(iter(service.week(self.shell.ctx)), None)
            if first is not None:
                self.show(first.course_id)

    def sign_up(self) -> None:
        if not self.course_id or not self.can_sign_up:
            return
        manager = self.manager
        self.shell.open(SIGNUP_SCREEN)
        if manager is not None and manager.has_screen(SIGNUP_SCREEN):
            manager.get_screen(SIGNUP_SCREEN).show(self.course_id)

    def back(self) -> None:
        self.shell.open(self.back_to or WEEK_SCREEN)

    def reset(self) -> None:
        self.course_id = 0
        self.title = self.details = self.upcoming = ""
        self.full = self.can_sign_up = False
        self.back_to = WEEK_SCREEN


class TimetableSignupScreen(Screen):
    """报名: the phone number on the keypad; a full class offers the waiting list with the position."""

    shell = ObjectProperty(None)
    course_id = NumericProperty(0)
    title = StringProperty("")
    info = StringProperty("")
    full = BooleanProperty(False)
    busy = BooleanProperty(False)

    def show(self, course_id: int) -> None:
        shell = self.shell
        try:
            info = service.course_info(shell.ctx, course_id)
        except TimetableError:
            self.reset()
            return
        self.course_id = course_id
        self.full = info.seats_left <= 0
        name = shell.text(info.course.name, info.course.name_en or info.course.name)
        self.title = shell.text(f"报名：{name}", f"Sign up: {name}") if not self.full else shell.text(f"候补报名：{name}", f"Waiting list: {name}")
        status = (shell.text(f"名额已满，您将排在候补第 {info.waiting + 1} 位。有人取消时自动转为正式报名。",
                             f"The class is full: you will be number {info.waiting + 1} on the waiting list.")
                  if self.full else shell.text(f"还有 {info.seats_left} 个名额。", f"{info.seats_left} seats left."))
        self.info = "\n".join([info.times_text(shell.lang), status,
                               shell.text("请输入您的电话号码。号码只用于联系您，不会打印在凭条上。",
                                          "Enter your phone number. It is only used to contact you and is never printed.")])
        self.busy = False
        self.ids.pad.reset()

    def on_pre_enter(self, *_args):
        if not self.course_id:
            first = next(iter(service.week(self.shell.ctx)), None)
            if first is not None:
                self.show(first.course_id)

    def confirm(self) -> None:
        """下一步: the number is checked here (the digits stay on a refusal); the surname step stores the sign-up."""
        if self.busy or not self.course_id:
            return
        pad = self.ids.pad
        number = pad.check()
        if number is None:
            return  # the pad shows what is wrong; the digits stay
        shell = self.shell
        try:
            service.check_not_signed_up(shell.ctx, self.course_id, number)
        except TimetableError as exc:
            pad.error = exc.text(shell.lang)
            return
        manager = self.manager
        course_id = self.course_id
        shell.open(SURNAME_SCREEN)
        if manager is not None and manager.has_screen(SURNAME_SCREEN):
            manager.get_screen(SURNAME_SCREEN).show(course_id, number)

    def back(self) -> None:
        course_id = self.course_id
        manager = self.manager
        self.shell.open(COURSE_SCREEN)
        if manager is not None and manager.has_screen(COURSE_SCREEN) and course_id:
            manager.get_screen(COURSE_SCREEN).show(course_id)

    def reset(self) -> None:
        self.course_id = 0
        self.title = self.info = ""
        self.full = self.busy = False
        if "pad" in self.ids:
            self.ids.pad.reset()


class TimetableSurnameScreen(Screen):
    help_band = False  # the surname grid needs the whole window: 先生/女士 must not scroll out of sight
    """The optional second step of 报名: 您贵姓？ with the shell's SurnamePicker (or 不留姓名), then the receipt.

    Why a step of its own: one thing per screen for elderly residents, and the picker's big grid needs the
    room. The phone number was checked on the keypad before; nothing is stored until 确认报名 here.
    """

    shell = ObjectProperty(None)
    course_id = NumericProperty(0)
    number = StringProperty("")
    title = StringProperty("")
    full = BooleanProperty(False)
    busy = BooleanProperty(False)
    error = StringProperty("")

    def show(self, course_id: int, number: str) -> None:
        shell = self.shell
        try:
            info = service.course_info(shell.ctx, course_id)
        except TimetableError:
            self.reset()
            return
        self.course_id, self.number = course_id, number
        self.full = info.seats_left <= 0
        name = shell.text(info.course.name, info.course.name_en or info.course.name)
        self.title = shell.text(f"{name}：您贵姓？（可以不填）", f"{name}: your surname? (optional)")
        self.busy, self.error = False, ""
        self.ids.picker.reset()

    def on_pre_enter(self, *_args):
        if not self.course_id:  # opened directly (a screenshot): the first class this week, an example number
            first = next(iter(service.week(self.shell.ctx)), None)
            if first is not None:
                self.show(first.course_id, "")

    def confirm(self) -> None:
        if self.busy or not self.course_id:
            return
        if not self.number:  # a screenshot or a restart lost the number: back to the keypad
            self.back()
            return
        self.busy = True
        shell = self.shell
        try:
            result = service.sign_up(shell.ctx, self.course_id, self.number, self.ids.picker.value)
        except TimetableError as exc:
            self.busy = False
            self.error = exc.text(shell.lang)
            return
        shell.show_receipt(result.issued)

    def back(self) -> None:
        course_id, number = self.course_id, self.number
        manager = self.manager
        self.shell.open(SIGNUP_SCREEN)
        if manager is not None and manager.has_screen(SIGNUP_SCREEN) and course_id:
            screen = manager.get_screen(SIGNUP_SCREEN)
            screen.show(course_id)
            screen.ids.pad.text = "".join(ch for ch in number if ch.isdigit())  # what was typed stays

    def reset(self) -> None:
        self.course_id, self.number, self.title, self.error = 0, "", "", ""
        self.full = self.busy = False
        if "picker" in self.ids:
            self.ids.picker.reset()


def build_week_screen(shell):
    _load_kv()
    return TimetableWeekScreen(shell=shell)


def build_today_screen(shell):
    _load_kv()
    return TimetableTodayScreen(shell=shell)


def build_course_screen(shell):
    _load_kv()
    return TimetableCourseScreen(shell=shell)


def build_signup_screen(shell):
    _load_kv()
    return TimetableSignupScreen(shell=shell)


def build_surname_screen(shell):
    _load_kv()
    return TimetableSurnameScreen(shell=shell)
