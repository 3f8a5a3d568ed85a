"""A plugin imports nothing of the core but ``kiosk.api``: checked over every module of every plugin.

Why: the plugin API is a promise to third-party authors ("you get exactly what the built-ins get"), and
it holds only if the built-ins keep it. Module-level and function-level imports count alike, the
plugins' migrations included, and so do ``importlib.import_module("kiosk....")`` calls.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "kiosk" / "plugins"
SAMPLE = ROOT / "tests" / "sample_plugin" / "kiosk_sample"


def plugin_packages() -> list[tuple[str, Path]]:
    """(dotted package name, folder) of every built-in plugin and of the sample plugin."""
    found = [(f"kiosk.plugins.{d.name}", d) for d in sorted(PLUGINS.iterdir()) if (d / "__init__.py").is_file()]
    return found + [("kiosk_sample", SAMPLE)]


def module_name(package: str, folder: Path, path: Path) -> str:
    parts = list(path.relative_to(folder).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _allowed(name: str, package: str) -> bool:
    if _within(name, package) or _within(name, "kiosk.api"):
        return True
    return not _within(name, "kiosk")  # the standard library, sqlalchemy, fastapi, kivy…: not ours to police


def imported_names(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module ``source`` imports, absolute (relative imports resolved against ``module``), with its line.

    ``from kiosk import audit`` counts as importing ``kiosk.audit``: what is taken from a package is what matters.
    """
    here = module.split(".") if is_package else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level - 1 <= len(here) else []
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            out += [(node.lineno, f"{base_name}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _is_import_call(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append((node.lineno, first.value))
    return out


def _is_import_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def violations(source: str, module: str, package: str, is_package: bool = False) -> list[str]:
    return [f"line {line}: {name}" for line, name in imported_names(source, module, is_package)
            if not _allowed(name, package)]


def test_the_checker_sees_what_a_plugin_could_sneak_past():
    """The walk finds function-level, ``from kiosk import``, relative and importlib imports (so it can fail)."""
    source = '''
import json
from kiosk.api import hookimpl, KioskContext
from kiosk.api.web import page
import kiosk.api.storage
from . import service
from .models import Ticket
from kiosk.apikeys import KeyInfo

def later():
    from kiosk.db import Base
    from kiosk import audit
    from .. import intake
    import kiosk.cli
    importlib.import_module("kiosk.receipts")
'''
    found = violations(source, "kiosk.plugins.queue.web", "kiosk.plugins.queue")
    assert found == [
        "line 8: kiosk.apikeys.KeyInfo",  # kiosk.apikeys is not kiosk.api
        "line 11: kiosk.db.Base",
        "line 12: kiosk.audit",
        "line 13: kiosk.plugins.intake",  # another plugin
        "line 14: kiosk.cli",
        "line 15: kiosk.receipts",
    ]


def test_every_plugin_module_is_walked():
    modules = {module_name(pkg, folder, p) for pkg, folder in plugin_packages() for p in folder.rglob("*.py")}
    assert {"kiosk.plugins.queue.service", "kiosk.plugins.intake.screens", "kiosk.plugins.notices.web",
            "kiosk.plugins.timetable.cli", "kiosk_sample.plugin"} <= modules
    assert any(".migrations." in m for m in modules)


@pytest.mark.parametrize("package,folder", plugin_packages(), ids=[name for name, _ in plugin_packages()])
def test_a_plugin_imports_only_the_plugin_api_and_itself(package, folder):
    problems = []
    for path in sorted(folder.rglob("*.py")):
        module = module_name(package, folder, path)
        for problem in violations(path.read_text(encoding="utf-8"), module, package, path.name == "__init__.py"):
            problems.append(f"{path.relative_to(ROOT)} {problem}")
    assert not problems, "imports outside kiosk.api and the plugin's own package:\n" + "\n".join(problems)


API = ROOT / "kiosk" / "api"


def _exported(path: Path) -> list[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{path} has no __all__")


@pytest.mark.parametrize("path", sorted(API.glob("*.py")), ids=lambda p: p.stem)
def test_every_api_name_is_documented_in_one_place(path):
    """The docstring of kiosk.api lists every name of every kiosk.api module (a plugin author reads one page)."""
    import kiosk.api

    missing = [name for name in _exported(path) if f"``{name}``" not in kiosk.api.__doc__]
    assert not missing


@pytest.mark.parametrize("module", ["kiosk.api", "kiosk.api.storage", "kiosk.api.web", "kiosk.api.cli"])
def test_every_api_name_is_there(module):
    """(kiosk.api.screens loads Kivy, so its names are checked by the plugin UI tests that use them.)"""
    import importlib

    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
