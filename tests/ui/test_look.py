"""Every screen, in both languages, landscape and portrait, normal and large text: no missing glyph,
nothing cut off or outside the window, text and touch targets at least the theme's minimums."""

from __future__ import annotations

from functools import lru_cache

import pytest
from uihelpers import overlays, visible_widgets

pytestmark = pytest.mark.ui

LAYOUTS = [
    ("zh_CN", (1920, 1080), False),
    ("en", (1920, 1080), False),
    ("zh_CN", (1080, 1920), False),
    ("en", (1080, 1920), True),
    ("zh_CN", (1920, 1080), True),
    ("en", (1920, 1080), True),
]


@lru_cache(maxsize=4)
def cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


def font_chars() -> frozenset[int]:
    from kivy.core.text import DEFAULT_FONT, LabelBase

    regular, _italic, bold, _bolditalic = LabelBase._fonts[DEFAULT_FONT]
    return cmap(regular) & cmap(bold)


def window_box(widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def in_scrollview(widget) -> bool:
    from kivy.uix.scrollview import ScrollView

    parent, seen = widget.parent, set()
    while parent is not None and id(parent) not in seen:  # the window is its own parent
        if isinstance(parent, ScrollView):
            return True
        seen.add(id(parent))
        parent = getattr(parent, "parent", None)
    return False


def problems_on_screen(app, name: str) -> list[str]:
    from kivy.core.window import Window
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    theme = app.theme
    chars = font_chars()
    roots = [app.sm.current_screen] + ([app.assist] if app.assist.active else [])  # the help band below every screen
    if overlays():
        roots = overlays()  # a modal covers the screen below
    found: list[str] = []
    buttons = []
    for root in roots:
        for w in visible_widgets(root):
            where = f"{name}/{type(w).__name__}"
            texts = [w.text] if isinstance(w, Label) else [w.text, w.hint_text] if isinstance(w, TextInput) else []
            for text in texts:
                missing = {ch for ch in text if not ch.isspace() and ord(ch) not in chars}
                if missing:
                    found.append(f"{where} {text!r}: no glyph for {''.join(sorted(missing))}")
            if isinstance(w, Label) and w.text:
                if w.font_size < theme.body - 0.5:
                    found.append(f"{where} {w.text[:30]!r}: font {w.font_size} < {theme.body}")
                tw, th = w.texture_size
                if not w.shorten and (th > w.height + 2 or tw > w.width + 2):
                    found.append(f"{where} {w.text[:30]!r}: text {tw}x{th} cut off in {w.width:.0f}x{w.height:.0f}")
            if isinstance(w, ButtonBehavior):
                buttons.append(w)
                if min(w.width, w.height) < theme.touch - 0.5:
                    found.append(f"{where} {getattr(w, 'text', '')[:30]!r}: touch target {w.width:.0f}x{w.height:.0f}")
            if not in_scrollview(w):
                x1, y1, x2, y2 = window_box(w)
                if x1 < -1 or y1 < -1 or x2 > Window.width + 1 or y2 > Window.height + 1:
                    found.append(f"{where}: outside the window at ({x1:.0f},{y1:.0f})-({x2:.0f},{y2:.0f})")
    from kiosk.screens.widgets import TileButton

    for root in roots:
        for tile in (w for w in visible_widgets(root) if isinstance(w, TileButton)):
            tx1, ty1, tx2, ty2 = window_box(tile)
            for part in visible_widgets(tile):
                x1, y1, x2, y2 = window_box(part)
                label = getattr(part, "text", "")
                if x1 < tx1 - 1 or y1 < ty1 - 1 or x2 > tx2 + 1 or y2 > ty2 + 1:
                    found.append(f"{name}: tile {tile.title!r}: {type(part).__name__} {label!r} sticks out")
    if name == "receipt":
        number = app.screen("receipt").ids.number
        if number.texture_size[1] > number.font_size * 1.6:
            found.append(f"receipt: the number {number.text!r} wraps")
    boxes = [(b, window_box(b)) for b in buttons if not in_scrollview(b)]
    for i, (a, (ax1, ay1, ax2, ay2)) in enumerate(boxes):
        for b, (bx1, by1, bx2, by2) in boxes[i + 1:]:
            gap = max(bx1 - ax2, ax1 - bx2, by1 - ay2, ay1 - by2)
            if gap < theme.px(16) - 0.5:
                found.append(f"{name}: buttons {getattr(a, 'text', '')!r} and {getattr(b, 'text', '')!r} only {gap:.0f} px apart")
    return found


@pytest.mark.parametrize("lang,size,large", LAYOUTS, ids=lambda v: "x".join(map(str, v)) if isinstance(v, tuple) else str(v))
def test_every_screen_is_readable_and_complete(ui, lang, size, large):
    from kivy.core.window import Window

    from kiosk.screens import shots

    app, harness, _clock = ui
    Window.size = size
    harness.step(2)
    app.set_lang(lang)
    app.set_large(large)
    harness.step(2)
    assert app.theme.large is large and (app.theme.width, app.theme.height) == size
    problems: list[str] = []
    for name in shots.names(app.ctx):
        app.dismiss_overlays()
        shots.show(app, name)
        harness.step(4)
        problems += problems_on_screen(app, name)
    app.dismiss_overlays()
    assert not problems, "\n".join(problems)


def test_large_text_scales_everything_by_one_and_a_quarter(ui):
    app, harness, _clock = ui
    normal = (app.theme.body, app.theme.heading, app.theme.touch, app.assist.ids.help.font_size, app.home.ids.large.height)
    harness.tap(app.home.ids.large, frames=2)
    large = (app.theme.body, app.theme.heading, app.theme.touch, app.assist.ids.help.font_size, app.home.ids.large.height)
    assert normal[:3] == (28, 48, 100)
    assert all(abs(b - a * 1.25) <= 1 for a, b in zip(normal, large))
    assert app.home.ids.large.text == "标准字"


def test_every_catalog_string_has_glyphs_in_the_font(ui):
    from kiosk.i18n import catalog

    chars = font_chars()
    for lang in ("zh_CN", "en"):
        for msgid, text in catalog("shell", lang).items():
            missing = {ch for ch in msgid + text if not ch.isspace() and ord(ch) not in chars}
            assert not missing, f"{lang}: {text!r} needs {''.join(sorted(missing))}"


def test_text_fields_have_no_selection_gestures(ui):
    from kiosk.screens.widgets import KioskInput

    field = KioskInput()
    assert field.use_bubble is False and field.use_handles is False and field.font_size >= 48
