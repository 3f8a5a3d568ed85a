"""Kivy's environment and Config for the touch shell, set before ``kivy.app`` is imported.

Why a module of its own: Kivy reads its environment variables when ``kivy`` is first imported and its
Config when the window is created (importing some widgets creates it), so these settings only work
if they come first. ``kiosk run``, ``kiosk screenshot``, the UI tests and the benchmark all call
:func:`prepare` and only then import :mod:`kiosk.app`.

Kiosk lockdown (fullscreen): Escape does not quit, the window manager cannot close the window (the
app refuses ``on_request_close``), the F1 settings panel never opens (the app overrides
``open_settings``), the mouse cursor is hidden unless ``[kiosk] show_cursor``, and the screen saver
is off. The right mouse button does not leave multitouch dots behind.
"""

from __future__ import annotations

import logging
import os

from kiosk.fonts import FontFaces, find_faces


def prepare(*, fullscreen: bool = False, size: tuple[int, int] = (1920, 1080), show_cursor: bool = False) -> None:
    """Set Kivy's environment and Config. Call once, before importing :mod:`kiosk.app`."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # Kivy must not parse the kiosk's (or pytest's) arguments
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs go through logging, at our level
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONFIG", "1")  # all settings come from here, none from ~/.kivy/config.ini
    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")  # no probing for xsel/xclip, which a kiosk lacks
    verbose = 0 < logging.getLogger().level <= logging.DEBUG
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "debug" if verbose else "warning")  # read as Kivy is imported
    import kivy
    from kivy.config import Config
    from kivy.logger import Logger

    kivy.kivy_options.setdefault("cutbuffer", ())  # no X cut buffer: Kivy would probe xsel/xclip and log a traceback
    Logger.addFilter(_NoCutbufferNotice())

    Logger.setLevel(logging.DEBUG if verbose else logging.WARNING)  # Kivy's INFO chatter only with -v

    Config.set("kivy", "exit_on_escape", "0" if fullscreen else "1")
    Config.set("kivy", "allow_screensaver", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    # The on-screen keyboard docks at the bottom on the terminal; a developer types on their own.
    Config.set("kivy", "keyboard_mode", "systemanddock" if fullscreen else "system")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "1" if (show_cursor or not fullscreen) else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "width", str(int(size[0])))
    Config.set("graphics", "height", str(int(size[1])))
    Config.set("graphics", "multisamples", "0")  # software GL (llvmpipe) draws faster without MSAA
    Config.set("input", "mouse", "mouse,multitouch_on_demand")


class _NoCutbufferNotice(logging.Filter):
    """Drop Kivy's one complaint that no X cut buffer exists: a kiosk has none on purpose (see above)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "valuable Cutbuffer provider" not in record.getMessage()


def register_fonts(font_path: str, data_dir) -> FontFaces:
    """Make the Simplified Chinese face Kivy's default font, for every widget (raises FontMissing).

    Kivy's SDL2 text has no glyph fallback, so the default face itself must cover Chinese.
    """
    from kivy.core.text import DEFAULT_FONT, LabelBase

    faces = find_faces(font_path, data_dir)
    LabelBase.register(DEFAULT_FONT, str(faces.regular), fn_bold=str(faces.bold))
    return faces
