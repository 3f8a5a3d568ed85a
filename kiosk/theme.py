"""The elderly-first theme: every size and colour of the touch shell, in one place.

Why one immutable object: the app holds the current :class:`Theme` in one Kivy property, every .kv
rule reads ``app.theme.<size>``, and a resize or the large-text switch replaces the object, so every
widget re-lays itself out at once. No Kivy import here: the numbers are checked by plain tests.

Sizes are pixels on a 1920×1080 screen (a 21.5" kiosk seen from about 50 cm), scaled by the window's
short side, so a portrait 1080×1920 screen gets the same sizes, and by 1.25 in large-text mode.
Minimums at scale 1 (above the MIIT 2021 适老化 rules): body text 28 px, headings 48 px, touch targets
100 px (about 25 mm on a 21.5" 1080p screen) with at least 24 px between them. Every text colour on its
background reaches 7:1 contrast (WCAG AAA); :func:`contrast` lets a test prove it.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_SHORT_SIDE = 1080
LARGE_FACTOR = 1.25
MIN_SCALE = 0.5
MIN_CONTRAST = 7.0

# Colours: (name, hex). Text colours are listed with the backgrounds they are used on in PAIRS.
COLORS = {
    "bg": "#F7F5F0",  # warm off-white: less glare than pure white in a bright lobby
    "text": "#111111",
    "muted": "#3A3A3A",  # secondary text, still 10:1
    "primary": "#0B4A8F",  # buttons: white text on dark blue
    "on_primary": "#FFFFFF",
    "secondary": "#33415C",  # less important buttons
    "ok": "#1B5E20",
    "danger": "#8E1B1B",
    "paused": "#4A4A4A",  # tile of a plugin that is out of service
    "banner": "#FFE08A",
    "paper": "#FFFFFF",  # the slip on the receipt screen, text fields
    "hint": "#555555",  # placeholder text in a field: lighter than typed text, still 7:1
    "ink": "#000000",
    "panel": "#E3E8EF",  # cards and rows on the admin screen
    "scrim": "#000000",  # behind overlays (drawn at 70 % opacity)
}

#: (text colour, background colour) pairs that appear on screen.
PAIRS = (
    ("text", "bg"),
    ("danger", "bg"),  # error messages under a form field
    ("muted", "bg"),
    ("on_primary", "primary"),
    ("on_primary", "secondary"),
    ("on_primary", "ok"),
    ("on_primary", "danger"),
    ("on_primary", "paused"),
    ("text", "banner"),
    ("ink", "paper"),
    ("hint", "paper"),
    ("text", "panel"),
    ("muted", "panel"),
)


def rgba(hex_color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """``"#RRGGBB"`` as the 0..1 tuple Kivy wants."""
    h = hex_color.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


def _luminance(hex_color: str) -> float:
    r, g, b, _ = rgba(hex_color)
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of two colours (1..21)."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on_white_text(hex_color: str) -> str:
    """``hex_color`` darkened until white text on it reaches 7:1 (plugins choose their tile colour)."""
    try:
        r, g, b, _ = rgba(hex_color)
    except (ValueError, IndexError):
        return COLORS["primary"]
    for _ in range(40):
        candidate = "#{:02X}{:02X}{:02X}".format(round(r * 255), round(g * 255), round(b * 255))
        if contrast("#FFFFFF", candidate) >= MIN_CONTRAST:
            return candidate
        r, g, b = r * 0.92, g * 0.92, b * 0.92
    return COLORS["primary"]


@dataclass(frozen=True)
class Theme:
    """Sizes in pixels for a window of ``width`` × ``height``; ``large`` is the large-text mode."""

    width: int = 1920
    height: int = 1080
    large: bool = False

    @property
    def scale(self) -> float:
        base = max(MIN_SCALE, min(self.width, self.height) / BASE_SHORT_SIDE)
        return base * (LARGE_FACTOR if self.large else 1.0)

    def px(self, value: float) -> float:
        return round(value * self.scale)

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    # text
    @property
    def body(self) -> float:
        return self.px(28)

    @property
    def label(self) -> float:  # button labels and hints: a little larger than body
        return self.px(34)

    @property
    def heading(self) -> float:
        return self.px(48)

    @property
    def title(self) -> float:  # the center's name and screen titles
        return self.px(56)

    @property
    def number(self) -> float:  # the receipt number: readable from arm's length
        return self.px(160)

    # touch and spacing
    @property
    def touch(self) -> float:  # the smallest touch target
        return self.px(100)

    @property
    def button_height(self) -> float:
        return self.px(120)

    @property
    def gap(self) -> float:  # space between touch targets
        return self.px(28)

    @property
    def pad(self) -> float:
        return self.px(40)

    @property
    def tile_height(self) -> float:  # the tallest a tile gets (portrait tiles stack icon over text)
        return self.px(400 if self.portrait else 300)

    @property
    def tile_min(self) -> float:  # the shortest a tile may get before tiles go to the next page
        return self.px(340 if self.portrait else 220)

    @property
    def qr(self) -> float:  # on-screen QR, scannable from 40 cm; never below 240 px
        return max(240, self.px(360 if self.portrait else 400))

    @property
    def columns(self) -> int:  # tiles per row
        return 2 if self.portrait else 3

    # colours as Kivy tuples (c("primary"))
    def c(self, name: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
        return rgba(COLORS[name], alpha)
