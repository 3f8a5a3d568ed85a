"""``SurnamePicker``: a resident's surname and 先生/女士 with a few taps, for plugin forms.

Why not a text field: most residents' surname is one of a few dozen, and tapping "王" is far easier
than spelling it in pinyin. The grid holds :data:`SURNAMES`, the common surnames roughly in order of
frequency in northern China (the national ranking with surnames frequent in Shandong, such as 于,
孔, 田, moved up; an approximate order, not a measured table). "其他姓氏" opens the pinyin keyboard
(:mod:`kiosk.screens.hanzi_keyboard`) in a box for one or two characters (复姓 such as 欧阳 included);
"不留姓名" leaves no name at all, which a form must accept.

Use in a plugin screen::

    from kiosk.screens.surname import SurnamePicker

    picker = SurnamePicker()
    picker.bind(value=lambda p, value: ...)   # "王女士", "王", "" …
    picker.surname, picker.title, picker.declined
    picker.reset()                            # in the screen's reset()

Properties: ``surname`` (one or two hanzi, "" when none), ``title`` ("先生", "女士" or ""),
``declined`` (True after "不留姓名"), ``value`` (read-only: surname + title, e.g. "王先生"; "" when
declined or nothing chosen). Events: changes of these properties (``picker.bind(value=callback)``
in Python, ``on_value: ...`` in a .kv rule).
Tapping the chosen surname or title again un-chooses it.
"""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kv import load_kv
from kiosk.i18n import N_
from kiosk.screens import hanzi_keyboard  # noqa: F401 - its rules are used in surname.kv
from kiosk.screens.overlays import Overlay
from kiosk.screens.widgets import KioskButton

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林"
            "郑梁宋谢韩唐冯于董曹许田吕魏孟姜崔贾石杜"
            "程袁范丁侯尹秦孔")
TITLES = ("先生", "女士")
NOT_A_SURNAME = N_("Please enter one or two Chinese characters.")
OTHER = N_("Other surname")
NO_NAME = N_("No name")


def is_surname(text: str) -> bool:
    """One or two Chinese characters (CJK unified ideographs), nothing else."""
    return 1 <= len(text) <= 2 and all("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def _tr(msgid: str) -> str:
    app = App.get_running_app()
    return app.tr(msgid) if app is not None and app.tr is not None else msgid


class ChoiceButton(KioskButton):
    """A button that shows whether it is the current choice (green with a tick-like border)."""

    chosen = BooleanProperty(False)


class SurnamePicker(BoxLayout):
    surname = StringProperty("")
    title = StringProperty("")
    declined = BooleanProperty(False)
    value = StringProperty("")
    columns = NumericProperty(12)

    def __init__(self, **kwargs):
        self._buttons: dict[str, ChoiceButton] = {}
        self._overlay = None
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget) -> None:
        """The rules are applied (ids exist): fill the grid and follow size and theme."""
        for name in ("surname", "title", "declined"):
            self.fbind(name, self._update)
        self._relayout = Clock.create_trigger(self._fit_columns, -1)
        self.fbind("width", lambda *_: self._relayout())
        app = App.get_running_app()
        if app is not None:
            app.fbind("theme", lambda *_: self._relayout())
        grid = self.ids.grid
        for name in SURNAMES:
            button = ChoiceButton(text=name, size_hint=(None, None))
            button.bind(on_release=lambda _b, n=name: self.choose(n))
            grid.add_widget(button)
            self._buttons[name] = button
        self._fit_columns()
        self._update()

    def _fit_columns(self, *_args) -> None:
        """As many columns as fit with keys of at least the theme's touch size (12 at most)."""
        theme = App.get_running_app().theme
        gap = theme.px(16)
        columns = max(1, min(12, int((self.width + gap) // (theme.touch + gap)))) if self.width > 1 else 12
        width = (self.width - (columns - 1) * gap) / columns if self.width > 1 else theme.touch
        self.columns = columns
        for button in self._buttons.values():
            button.size = (width, theme.touch)
            button.font_size = theme.heading

    def _update(self, *_args) -> None:
        for name, button in self._buttons.items():
            button.chosen = name == self.surname
        self.value = "" if self.declined else (self.surname + self.title if self.surname else "")

    def choose(self, surname: str) -> None:
        """Pick ``surname`` (tap again to un-pick it)."""
        self.surname = "" if surname == self.surname else surname
        self.declined = False

    def choose_title(self, title: str) -> None:
        self.title = "" if title == self.title else title
        self.declined = False

    def decline(self) -> None:
        """不留姓名: no surname and no title."""
        self.surname, self.title, self.declined = "", "", True

    def key(self, name: str):
        """The button for a surname in the grid, or "other", "none", "先生", "女士"."""
        if name in self._buttons:
            return self._buttons[name]
        return self.ids[{"other": "other", "none": "none", "先生": "mr", "女士": "ms"}[name]]

    def open_other(self) -> OtherSurname:
        """The box with the pinyin keyboard for a surname not in the grid."""
        self._overlay = OtherSurname(picker=self)
        self._overlay.open()
        return self._overlay

    def reset(self) -> None:
        if self._overlay is not None:
            self._overlay.dismiss()
            self._overlay = None
        self.surname, self.title, self.declined = "", "", False


class OtherSurname(Overlay):
    """One or two characters typed on the pinyin keyboard; 确定 checks them, 取消 changes nothing.

    A refusal ("请输入一到两个汉字") is shown in the keyboard's bar (``keyboard.message``) until the next key.
    """

    picker = ObjectProperty(None)

    def confirm(self) -> None:
        keyboard = self.ids.keyboard
        keyboard.commit_composition()
        typed = keyboard.text.strip()
        if not is_surname(typed):
            keyboard.message = _tr(NOT_A_SURNAME)
            return
        self.picker.surname = typed
        self.picker.declined = False
        self.dismiss()

    def button(self, which: str):
        """The visible "ok" or "cancel" button (top row in landscape, bottom row in portrait)."""
        portrait = App.get_running_app().theme.portrait
        return self.ids[f"{which}_{'bottom' if portrait else 'top'}"]


load_kv("surname")
