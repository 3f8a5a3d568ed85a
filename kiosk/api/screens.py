"""The screen kit: what a plugin's touch screens use of the shell (imports Kivy: screen modules only).

A screen factory receives a ``Shell`` (see :mod:`kiosk.screens.api` for what it offers). The widgets
have the elderly-first sizes and colours of the theme: ``KioskLabel``, ``Heading``, ``KioskButton``,
``SecondaryButton``, ``KioskInput``; for residents who cannot type well ``PhonePad``, ``HanziKeyboard``,
``SurnamePicker``; ``Announcer`` speaks on a hall display. Importing this module registers them all, so a
plugin's own .kv file may use them by name.
"""

from __future__ import annotations

from kiosk.screens.announcer import Announcer
from kiosk.screens.api import Shell
from kiosk.screens.hanzi_keyboard import HanziKeyboard
from kiosk.screens.phonepad import PhonePad
from kiosk.screens.surname import SurnamePicker
from kiosk.screens.widgets import Heading, KioskButton, KioskInput, KioskLabel, SecondaryButton

__all__ = [
    "Shell", "KioskLabel", "Heading", "KioskButton", "SecondaryButton", "KioskInput", "PhonePad", "HanziKeyboard",
    "SurnamePicker", "Announcer",
]

