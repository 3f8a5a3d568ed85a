"""No import circles among the modules of ``kiosk``, function-level imports and TYPE_CHECKING blocks included.

Why: a circle is hidden coupling (two modules that can only be understood, tested and changed together)
and it makes import order matter; a local import or an ``if TYPE_CHECKING:`` block only hides it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KIOSK = ROOT / "kiosk"


def kiosk_modules() -> dict[str, Path]:
    modules = {}
    for path in KIOSK.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` lives in (``kiosk.audit.record`` -> ``kiosk.audit``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(modules: dict[str, Path], sources: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports anywhere in its text.

    ``from kiosk import audit`` is an edge to ``kiosk.audit`` (and ``from kiosk import hookimpl`` to
    ``kiosk``). Importing a package's submodule also runs the package, but that edge is not counted:
    a package's ``__init__`` importing its own submodules is not a circle one could break.
    """
    graph = {}
    for module, path in modules.items():
        source = sources[module] if sources is not None else path.read_text(encoding="utf-8")
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                edges |= {t for a in node.names if (t := _resolve(a.name, modules))}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - (node.level - 1)] + ([base] if base else []))
                for alias in node.names:
                    target = _resolve(f"{base}.{alias.name}", modules)
                    if target:
                        edges.add(target)
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


def test_the_check_finds_circles_hidden_in_functions_and_type_checking_blocks():
    sources = {
        "kiosk": "",
        "kiosk.a": "def f():\n    from kiosk import b\n",
        "kiosk.b": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kiosk.c import C\n",
        "kiosk.c": "import kiosk.a\n",
        "kiosk.d": "from kiosk import hookimpl\n",
        "kiosk.e": "from kiosk.d import x\n",
    }
    modules = {name: Path("__init__.py" if name == "kiosk" else f"{name}.py") for name in sources}
    assert cycles(import_graph(modules, sources)) == [["kiosk.a", "kiosk.b", "kiosk.c"]]


def test_no_import_circles_in_kiosk():
    found = cycles(import_graph(kiosk_modules()))
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(group) for group in found)
