"""The touch shell's layers point one way: widgets below the app, printing handed down through the Shell.

Why: a shared widget that imports :mod:`kiosk.app` drags the whole app (and its start-up) into every
plugin screen that uses it, and a receipt screen that fetches the running app can only be tested with
one. Kivy is not needed for these checks.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

from kiosk.screens.api import Shell

SCREENS = Path(__file__).resolve().parent.parent / "kiosk" / "screens"
#: ``kiosk run --role`` is an app itself (a subclass of the kiosk app), not a widget.
APP_MODULES = {"roles.py"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_screen_module_imports_the_app():
    upward = {p.name: sorted(n for n in _imports(p) if n == "kiosk.app" or n.startswith("kiosk.app."))
              for p in SCREENS.glob("*.py") if p.name not in APP_MODULES}
    assert {name: found for name, found in upward.items() if found} == {}


def test_the_receipt_screen_does_not_look_for_the_running_app():
    source = (SCREENS / "receipt.py").read_text(encoding="utf-8")
    assert "get_running_app" not in source


class FakeApp:
    def __init__(self):
        self.shown = []
        self.printed = []
        self.ctx = SimpleNamespace(print_receipt=lambda receipt_id, layout: self.printed.append((receipt_id, layout)) or "ok")

    def show_receipt(self, issued, printer=None):
        self.shown.append((issued, printer))


def test_show_receipt_hands_the_shells_printer_to_the_app():
    app = FakeApp()
    shell = Shell(app, "queue")
    issued = SimpleNamespace(receipt=SimpleNamespace(id=7), layout="slip")
    shell.show_receipt(issued)
    [(shown, printer)] = app.shown
    assert shown is issued and printer is not None
    assert printer(7, "slip") == "ok"  # what the receipt screen runs in its thread
    assert app.printed == [(7, "slip")]
