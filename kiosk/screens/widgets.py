"""Shared widgets of the shell, styled by the theme in ``widgets.kv``; plugin screens use them too.

Why own classes and no global ``<Label>``/``<Button>`` rules: a kv rule bound to the theme would
silently override sizes that plugin code passes in Python. These classes carry the elderly-first
defaults (28 px text, 120 px buttons, 7:1 colours); use them by name in kv (``KioskButton:``) or import
them inside a screen factory.

- :class:`KioskLabel`, :class:`Heading`: wrapped text in the theme's sizes.
- :class:`KioskButton` (dark blue), :class:`SecondaryButton`: at least 100 px tall, one tap.
- :class:`KioskInput`: a text field without selection bubbles or drag handles (single tap only).
- :class:`HoldLabel`: a label that fires ``on_hold`` after a long press (the staff's hidden door).
- :class:`TileButton`: a plugin's tile on the home screen.
- :class:`QRCode`: a QR drawn module by module with sharp edges.
"""

from __future__ import annotations

import os

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.receipts import qr_matrix


class KioskLabel(Label):
    """Wrapped text; with ``size_hint_y: None`` it is as tall as its text (at least one comfortable line).

    Why in Python and not in the .kv rule: a class rule's bound ``height`` keeps firing even where an
    instance sets its own, and whichever fires last would win. Set ``auto_height: False`` to size it
    yourself.
    """

    auto_height = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in ("texture_size", "font_size", "auto_height", "size_hint_y"):
            self.fbind(name, self._fit)
        self._fit()

    def _fit(self, *_args):
        if self.auto_height and self.size_hint_y is None:
            self.height = max(self.texture_size[1], self.font_size * 1.4)


class Heading(KioskLabel):
    pass


class KioskButton(Button):
    pass


class SecondaryButton(KioskButton):
    pass


class KioskInput(TextInput):
    pass


class Panel(BoxLayout):
    """A box with the theme's panel colour behind it."""


class HoldLabel(KioskLabel):
    """Fires ``on_hold`` when pressed for ``hold_time`` seconds without letting go."""

    hold_time = NumericProperty(3.0)
    __events__ = ("on_hold",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending = None

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        self._pending = Clock.schedule_once(lambda _dt: self.dispatch("on_hold"), self.hold_time)
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        return True

    def on_hold(self):
        self._pending = None


class TileButton(ButtonBehavior, BoxLayout):
    """A home-screen tile: icon (image path or a short glyph), title and one-line hint."""

    title = StringProperty("")
    hint = StringProperty("")
    icon = StringProperty("")
    tile_color = ListProperty([0.04, 0.29, 0.56, 1])
    paused = BooleanProperty(False)
    screen = StringProperty("")
    plugin = StringProperty("")
    icon_is_image = BooleanProperty(False)

    def on_icon(self, _instance, value):
        self.icon_is_image = bool(value) and os.path.isfile(value)


class QRCode(Widget):
    """The QR of ``data`` on a white square; each module is a whole number of pixels."""

    data = StringProperty("")
    modules = NumericProperty(0)
    texture = ObjectProperty(None, allownone=True)
    drawn = NumericProperty(0)  # edge of the drawn code in pixels: a multiple of ``modules``

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fbind("size", self._fit)
        self.fbind("modules", self._fit)

    def on_data(self, _instance, value):
        if not value:
            self.texture, self.modules = None, 0
            return
        matrix = qr_matrix(value)
        n = len(matrix)
        dark, light = b"\x00\x00\x00\xff", b"\xff\xff\xff\xff"
        buf = b"".join(dark if cell else light for row in reversed(matrix) for cell in row)  # textures start at the bottom
        tex = Texture.create(size=(n, n), colorfmt="rgba")
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
        tex.blit_buffer(buf, colorfmt="rgba", bufferfmt="ubyte")
        self.modules = n
        self.texture = tex

    def _fit(self, *_args):
        n = int(self.modules)
        self.drawn = max(1, int(min(self.width, self.height) // n)) * n if n else 0
