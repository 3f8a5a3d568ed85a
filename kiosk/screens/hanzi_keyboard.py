"""``HanziKeyboard``: an on-screen pinyin keyboard with big keys that writes Chinese into a form field.

Why the shell has its own: the system's virtual keyboard has small keys, no Chinese input method and
pops up over the form; residents describing a broken street lamp need big keys, the words of their
community first (:mod:`kiosk.ime`), and phrases they can tap instead of typing.

How it works: letters build the pinyin shown above the candidate bar; tapping a candidate inserts it
(the pinyin it did not use stays, so 楼道 then 灯); ◀ ▶ page through more candidates. When nothing
is being composed, the bar shows the caller's ``phrases`` (e.g. "已经坏了一周") to add with one tap.
删除 deletes pinyin first, then text. 空格 inserts the first candidate while composing (as every
Chinese input method does), else a space; a punctuation key first inserts the first candidate of
what is being composed. "123" switches the letter keys to digits and the words of an address
(号 楼 单元 室 …). Text is added at the end; a counter shows "23/200" and text past
``max_length`` is refused with a message (nothing already typed is lost).

Layout: QWERTY rows of 10 keys in landscape. In portrait a QWERTY row of 10 cannot have keys of the
theme's 100 px on a 1080 px wide screen, so the letters are in alphabetical order, six to a row
(the order residents learnt pinyin in).

Use in a plugin screen::

    from kiosk.screens.hanzi_keyboard import HanziKeyboard
    from kiosk.screens.widgets import KioskInput

    field = KioskInput(multiline=True)                  # made read-only: no system keyboard pops up
    keyboard = HanziKeyboard(target=field, max_length=200, phrases=["已经坏了一周", "晚上很黑"])
    keyboard.bind(text=lambda kb, text: ...)             # every change; or read keyboard.text
    keyboard.reset()                                     # in the screen's reset()

Properties: ``text`` (what is written; kept equal to ``target.text`` when a target is given),
``target`` (any widget with a ``text`` property, optional; a text field is made read-only), ``max_length`` (200), ``phrases``
(list of str), ``pinyin`` (being composed), ``message`` (the refusal shown, "" when none),
``digits`` (True while the "123" keys are shown), ``counter`` ("23/200"). A change of ``text`` is the
event: ``keyboard.bind(text=callback)`` in Python, ``on_text: ...`` in a .kv rule.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk import ime
from kiosk.screens.kv import load_kv
from kiosk.i18n import N_
from kiosk.screens.widgets import KioskButton, KioskLabel, SecondaryButton

TOO_LONG = N_("At most {n} characters: please delete some first.")
SPACE = N_("Space")
PINYIN = N_("Pinyin")
BAR_HINT = N_("Type pinyin letters, then tap a word.")
PUNCTUATION = ("，", "。", "？", "！")
FUNCTION_KEYS = frozenset({"back", "space", "digits", *PUNCTUATION})  # drawn in the secondary colour
QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
DIGIT_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
ADDRESS_KEYS = ("号", "楼", "单元", "室", "层", "年", "月", "日", "点")
SYMBOL_KEYS = ("、", "：", "-", "/", "（", "）", "@")


def _tr(msgid: str) -> str:
    app = App.get_running_app()
    return app.tr(msgid) if app is not None and app.tr is not None else msgid


def _theme():
    return App.get_running_app().theme


@lru_cache(maxsize=2)
def _font_chars(regular: str, bold: str) -> frozenset[int]:
    """Code points both faces of the kiosk's font can draw: Kivy has no glyph fallback."""
    from fontTools.ttLib import TTFont

    chars = None
    for path in {regular, bold}:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            table = frozenset(font.getBestCmap())
        chars = table if chars is None else chars & table
    return chars or frozenset()


def drawable(text: str) -> bool:
    """Whether the kiosk's font has every character of ``text`` (rare dictionary characters may not)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    fonts = LabelBase._fonts.get(DEFAULT_FONT)
    if not fonts:
        return True
    chars = _font_chars(fonts[0], fonts[2])
    return all(ord(ch) in chars for ch in text)


def _sized(button, width: float, height: float, font_size: float):
    """Set a button's size after it is built: the KioskButton rule would override constructor values."""
    button.size_hint = (None, None)
    button.size = (width, height)
    button.font_size = font_size
    return button


class CandidateButton(KioskButton):
    """A word to insert: dark text on white, so it reads as text rather than as a command."""


class HanziKeyboard(BoxLayout):
    text = StringProperty("")
    target = ObjectProperty(None, allownone=True)
    max_length = NumericProperty(200)
    phrases = ListProperty([])
    pinyin = StringProperty("")
    message = StringProperty("")
    digits = BooleanProperty(False)
    candidates = ListProperty([])  # ime.Candidate, drawable ones only
    page = NumericProperty(0)
    pages = NumericProperty(1)
    counter = StringProperty("0/200")

    def __init__(self, **kwargs):
        self._keys: dict[str, KioskButton] = {}
        self._bar_pages: list[list] = [[]]
        self._rebuild = Clock.create_trigger(self._build_keys, -1)
        self._rebar = Clock.create_trigger(self._fill_bar, -1)
        super().__init__(**kwargs)
        threading.Thread(target=ime.warm_up, name="ime-warm-up", daemon=True).start()

    def on_kv_post(self, base_widget) -> None:
        """The rules are applied (ids exist): build the keys and the bar, and follow size and theme."""
        app = App.get_running_app()
        if app is not None:
            app.fbind("theme", lambda *_: self._rebuild())
        self.fbind("width", lambda *_: (self._rebuild(), self._rebar()))
        self.fbind("digits", lambda *_: self._rebuild())
        self.ids.bar.fbind("width", lambda *_: self._rebar())
        for name in ("candidates", "phrases", "page", "message"):
            self.fbind(name, lambda *_: self._rebar())
        self._update_counter()
        self._build_keys()
        self._fill_bar()

    # -- the field being edited ------------------------------------------------------------------
    def on_target(self, _instance, target) -> None:
        if target is not None:
            if hasattr(target, "readonly"):
                target.readonly = True  # this keyboard is its only input: no system keyboard pops up
            target.fbind("text", self._target_changed)
            self.text = target.text

    def _target_changed(self, _target, value) -> None:
        if value != self.text:
            self.text = value  # the screen cleared or filled its field itself

    def on_text(self, _instance, value: str) -> None:
        if self.target is not None and self.target.text != value:
            self.target.text = value
            if hasattr(self.target, "cursor"):
                self.target.cursor = self.target.get_cursor_from_index(len(value))
        self._update_counter()

    def on_max_length(self, *_args) -> None:
        self._update_counter()

    def _update_counter(self) -> None:
        self.counter = f"{len(self.text)}/{int(self.max_length)}"

    def _insert(self, addition: str) -> bool:
        """Add ``addition`` at the end, or refuse it (message shown) when it would pass the maximum."""
        if len(self.text) + len(addition) > self.max_length:
            self.message = _tr(TOO_LONG).format(n=int(self.max_length))
            return False
        self.message = ""
        self.text += addition
        return True

    # -- keys ------------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        """One key: a letter, "back", "space", "digits" (the 123/拼音 toggle), or a character to insert."""
        if key == "back":
            self.message = ""
            if self.pinyin:
                self._compose(self.pinyin[:-1])
            else:
                self.text = self.text[:-1]
        elif key == "space":
            if self.pinyin:
                self.choose(0)
            else:
                self._insert(" ")
        elif key == "digits":
            self.digits = not self.digits
        elif len(key) == 1 and "a" <= key <= "z":
            if len(self.pinyin) < ime.MAX_INPUT:
                self.message = ""
                self._compose(self.pinyin + key)
        elif key:
            self.commit_composition()
            self._insert(key)

    def add_phrase(self, phrase: str) -> None:
        """A phrase from the bar (or any text the screen offers): appended like typed text."""
        self.commit_composition()
        self._insert(phrase)

    def _compose(self, pinyin: str) -> None:
        self.pinyin = pinyin
        found = ime.candidates(pinyin) if pinyin else []
        self.candidates = [c for c in found if drawable(c.text)]
        self.page = 0

    def choose(self, index: int) -> None:
        """Insert candidate ``index`` (of all, not of the page); its unused pinyin stays composed."""
        if 0 <= index < len(self.candidates):
            candidate = self.candidates[index]
            if self._insert(candidate.text):
                self._compose(candidate.rest)

    def commit_composition(self) -> None:
        """Insert the first candidate until nothing is composed (before punctuation, digits, phrases)."""
        for _ in range(ime.MAX_INPUT):
            if not self.pinyin or not self.candidates:
                break
            before = self.pinyin
            self.choose(0)
            if self.pinyin == before:  # refused: too long
                break
        if self.pinyin and not self.candidates:
            self._compose("")  # letters that make no syllable are dropped, not written as Latin text

    def reset(self) -> None:
        self._compose("")
        self.text = ""
        self.message = ""
        self.digits = False

    def key(self, name: str) -> KioskButton:
        """The button of key ``name`` (a letter, "back", "space", "digits", a punctuation mark …)."""
        return self._keys[name]

    # -- building the keys -----------------------------------------------------------------------
    def _rows(self, portrait: bool) -> list[list[tuple[str, str, float]]]:
        """Rows of (key name, label, width in key units); every row is at most ``columns`` units."""
        if self.digits:
            plain = [DIGIT_KEYS, ADDRESS_KEYS, SYMBOL_KEYS]
        elif portrait:
            plain = [ALPHABET[i:i + 6] for i in range(0, 24, 6)] + ["yz"]
        else:
            plain = list(QWERTY)
        columns = 6 if portrait else 10
        rows: list[list[tuple[str, str, float]]] = []
        for keys in plain:
            for start in range(0, len(keys), columns):
                rows.append([(k, k, 1) for k in keys[start:start + columns]])
        last = rows[-1]
        free = columns - sum(units for *_, units in last)
        if free >= 3:
            last.append(("space", _tr(SPACE), free - 2))
            last.append(("back", _tr("Delete"), 2))
        else:
            rows.append([("space", _tr(SPACE), columns - 2), ("back", _tr("Delete"), 2)])
        toggle = ("digits", _tr(PINYIN) if self.digits else "123", 2)
        rows.append([toggle] + [(p, p, 1) for p in PUNCTUATION])
        return rows

    def _build_keys(self, *_args) -> None:
        theme = _theme()
        box = self.ids.keyrows
        box.clear_widgets()
        self._keys = {}
        columns = 6 if theme.portrait else 10
        gap = theme.px(16)
        unit = min(theme.px(170), (self.width - (columns - 1) * gap) / columns) if self.width > 1 else theme.touch
        height = theme.touch
        for row in self._rows(theme.portrait):
            line = BoxLayout(size_hint=(None, None), height=height, spacing=gap, pos_hint={"center_x": 0.5})
            for name, label, units in row:
                cls = SecondaryButton if name in FUNCTION_KEYS else KioskButton
                button = _sized(cls(text=label), units * unit + (units - 1) * gap, height,
                                theme.heading if len(label) == 1 else theme.label)
                button.bind(on_release=lambda _b, key=name: self.press(key))
                line.add_widget(button)
                self._keys[name] = button
            line.width = sum(b.width for b in line.children) + gap * (len(line.children) - 1)
            box.add_widget(line)
        box.height = len(box.children) * height + (len(box.children) - 1) * box.spacing

    # -- the candidate / phrase bar --------------------------------------------------------------
    def _bar_items(self) -> list[tuple[str, object]]:
        if self.pinyin:
            return [(c.text, i) for i, c in enumerate(self.candidates)]
        return [(p, p) for p in self.phrases]

    def _fill_bar(self, *_args) -> None:
        """Pack the candidates (or phrases) into pages as wide as the bar, then show the current page."""
        theme = _theme()
        bar = self.ids.bar
        bar.clear_widgets()
        if self.message:  # a refusal takes the bar until the next key
            self._bar_pages, self.pages = [[]], 1
            bar.add_widget(KioskLabel(text=self.message, auto_height=False, color=theme.c("danger"),
                                      font_size=theme.label, bold=True))
            return
        font = theme.heading if self.pinyin else theme.label
        pad, gap = theme.px(24), theme.px(16)
        room = max(theme.touch, self.ids.bar.width)
        pages: list[list[tuple[str, object, float]]] = [[]]
        used = 0.0
        for label, value in self._bar_items():
            width = max(theme.touch, len(label) * font + 2 * pad)
            if width > room:
                continue  # a composed sentence longer than the bar: its parts are offered too
            if pages[-1] and used + gap + width > room:
                pages.append([])
                used = 0.0
            used += (gap if pages[-1] else 0) + width
            pages[-1].append((label, value, width))
        self._bar_pages = pages
        self.pages = len(pages)
        page = pages[min(int(self.page), len(pages) - 1)]
        if not page and not self.pinyin:
            hint = KioskLabel(text=_tr(BAR_HINT), auto_height=False, color=theme.c("muted"), font_size=theme.body)
            bar.add_widget(hint)
        for label, value, width in page:
            button = _sized(CandidateButton(text=label), width, theme.touch, font)
            if self.pinyin:
                button.bind(on_release=lambda _b, i=value: self.choose(i))
            else:
                button.bind(on_release=lambda _b, p=value: self.add_phrase(p))
            bar.add_widget(button)

    def candidate_buttons(self) -> list[KioskButton]:
        """The buttons of the bar's current page, left to right."""
        return list(reversed(self.ids.bar.children))

    def next_page(self) -> None:
        if self.page + 1 < self.pages:
            self.page += 1

    def previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1


load_kv("hanzi_keyboard")
