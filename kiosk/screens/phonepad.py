"""``PhonePad``: a phone number typed on big on-screen digit keys, for plugin forms.

Why a keypad and not a text field with the system keyboard: many residents cannot find digits on a
QWERTY layout, and a read-only display cannot be selected, dragged or filled with letters. The pad
only collects digits (no '-' key: the display groups them by itself, ``138 1234 1234`` or
``0538 620 1234``); what counts as a valid number is decided by :mod:`kiosk.phone`.

Use in a plugin screen (Kivy is imported inside the factory)::

    from kiosk.screens.phonepad import PhonePad

    pad = PhonePad()                      # or ``PhonePad:`` in the plugin's .kv after importing this module
    pad.bind(text=lambda _pad, digits: ...)
    ...
    number = pad.check()                  # "13812341234" / "0538-6201234", or None and the error shows
    pad.error = shell._(some_msgid)       # or set any message yourself; typed digits stay
    pad.reset()                           # in the screen's reset()

Properties: ``text`` (digits only, "" at first; setting it also works), ``max_length`` (12 = a 4-digit
area code and 8 digits), ``error`` (a translated message shown under the number; "" hides it),
``hint`` (shown while empty), ``local_area_code`` (see :func:`kiosk.phone.parse_phone`),
``number`` (read-only: the last number :meth:`check` accepted, else ""). A change of ``text`` is
the event: ``pad.bind(text=callback)`` in Python, ``on_text: ...`` in a .kv rule.
Typing clears a shown error (it may no longer apply); a digit past ``max_length`` is refused with
"电话号码最多{n}位".
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kv import load_kv
from kiosk.i18n import N_
from kiosk.phone import LOCAL_AREA_CODE, PhoneError, group_digits, parse_phone
from kiosk.screens import widgets  # noqa: F401 - the rules of KioskButton & co. are used by phonepad.kv

TOO_LONG = N_("A phone number has at most {n} digits.")
HINT = N_("Tap the digits below")
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "clear")


def _tr(msgid: str) -> str:
    app = App.get_running_app()
    return app.tr(msgid) if app is not None and app.tr is not None else msgid


class PhonePad(BoxLayout):
    text = StringProperty("")
    max_length = NumericProperty(12)
    error = StringProperty("")
    hint = StringProperty("")
    number = StringProperty("")
    local_area_code = ObjectProperty(LOCAL_AREA_CODE, allownone=True)
    shown = StringProperty("")  # ``text`` grouped for reading: what the display shows

    def on_text(self, _instance, value: str) -> None:
        digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())[: int(self.max_length)]
        if digits != value:
            self.text = digits  # fires on_text again with the clean value
            return
        self.shown = group_digits(digits)
        self.number = ""

    def on_max_length(self, _instance, value) -> None:
        if len(self.text) > value:
            self.text = self.text[: int(value)]

    def press(self, key: str) -> None:
        """One key of the pad: a digit, "back" (删除) or "clear" (清空)."""
        if key == "back":
            self._edit(self.text[:-1])
        elif key == "clear":
            self._edit("")
        elif key.isdigit() and len(key) == 1:
            if len(self.text) >= self.max_length:
                self.error = _tr(TOO_LONG).format(n=int(self.max_length))
                return
            self._edit(self.text + key)

    def _edit(self, digits: str) -> None:
        self.error = ""
        self.text = digits

    def check(self) -> str | None:
        """The normalized number (also kept in ``number``), or None with the reason shown in ``error``."""
        try:
            phone = parse_phone(self.text, self.local_area_code)
        except PhoneError as err:
            self.error = _tr(err.msgid)
            self.number = ""
            return None
        self.error = ""
        self.number = phone.number
        return phone.number

    def reset(self) -> None:
        self.text = ""
        self.error = ""
        self.number = ""

    def key(self, name: str):
        """The button of key ``name`` (a digit, "back" or "clear"): for tests and screen readers."""
        return self.ids[f"key_{name}"]


load_kv("phonepad")
