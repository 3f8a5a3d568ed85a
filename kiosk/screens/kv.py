"""Loading the shell's .kv rule files, once per process (Kivy keeps rules globally).

Here, below the app and the shared widgets, so that a widget module (the phone pad, the keyboard) can
load its own rules when it is imported without importing :mod:`kiosk.app` upward.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

SCREENS_DIR = Path(__file__).parent
_kv_loaded: set[str] = set()


def load_kv(*names: str) -> None:
    """Load the shell's ``kiosk/screens/NAME.kv`` files that are not loaded yet."""
    for name in names:
        if name not in _kv_loaded:
            Builder.load_file(str(SCREENS_DIR / f"{name}.kv"))
            _kv_loaded.add(name)
