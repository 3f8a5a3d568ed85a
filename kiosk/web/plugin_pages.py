"""Plugin pages from templates, plugin files from ``/static/{plugin}/``: found by convention, not declared.

A plugin package may hold two folders next to its hook module:

- ``templates/``: Jinja templates, reached as ``"{plugin}/{name}"`` (``"notices/board.html"``). They
  extend the core's ``base.html``, may import the shared macros (``{% import "_forms.html" as forms
  with context %}``, ``"_table.html"``) and get everything the core's pages get (language, ``_``,
  ``url``, ``csrf_input``, the logged-in staff member) plus ``t(zh, en)`` and ``link(path, **params)``.
  Core templates are looked up first, so a plugin adds pages but cannot replace the core's.
- ``static/``: files served as they are at ``/static/{plugin}/{file}`` (stylesheets, sounds, pictures).

Why a convention: a plugin author copies the sample plugin's two folders and writes no loader, no
static route and no layout of their own, and the built-ins work exactly the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import FileSystemLoader

from kiosk.web import templating


def package_dir(obj: Any) -> Path | None:
    """The folder of a plugin object's module (a hook module, a class or an instance): for a package's
    ``__init__`` and for a module inside a package alike, the folder that holds it."""
    if isinstance(obj, ModuleType):
        module_name = obj.__name__
    else:
        module_name = obj.__module__ if isinstance(obj, type) else type(obj).__module__
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    return Path(path).parent if path else None


def plugin_folder(ctx, plugin: str, folder: str) -> Path | None:
    """``templates`` or ``static`` of plugin ``plugin`` when that folder exists."""
    loaded = ctx.host.plugins.get(plugin)
    if loaded is None or loaded.obj is None:
        return None
    base = package_dir(loaded.obj)
    path = base / folder if base else None
    return path if path is not None and path.is_dir() else None


def register_templates(ctx, plugin: str) -> bool:
    """Make ``"{plugin}/…"`` templates loadable; False when the plugin has no ``templates/`` folder."""
    folder = plugin_folder(ctx, plugin, "templates")
    if folder is None:
        return False
    known = templating.PLUGIN_LOADERS.get(plugin)
    if known is None or known.searchpath != [str(folder)]:
        templating.PLUGIN_LOADERS[plugin] = FileSystemLoader(folder)
        if known is not None and templating.env.cache is not None:
            templating.env.cache.clear()  # another host registered a plugin of that name from elsewhere
    return True


def mount_plugin_files(app: FastAPI, ctx) -> None:
    """Serve each plugin's ``static/`` at ``/static/{plugin}/`` and load its templates.

    Must run before the core's ``/static`` mount: Starlette takes the first mount whose prefix matches.
    """
    for plugin in ctx.host.names():
        register_templates(ctx, plugin)
        folder = plugin_folder(ctx, plugin, "static")
        if folder is not None:
            app.mount(f"/static/{plugin}", StaticFiles(directory=folder), name=f"static-{plugin}")


def static_url(plugin: str, filename: str) -> str:
    """Where ``static/{filename}`` of ``plugin`` is served."""
    return f"/static/{plugin}/{filename}"


def render_plugin(
    request: Request, plugin: str, template: str, status_code: int = 200, headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``templates/{template}`` of ``plugin`` with everything the core's pages get.

    ``context`` may set the layout's ``title``, ``refresh`` (seconds), ``stylesheets`` and ``body_class``.
    """
    register_templates(request.app.state.ctx, plugin)
    extra = {
        "t": lambda zh, en: templating.text_for(request, zh, en),
        "link": lambda path, **params: templating.link(request, path, **params),
        "plugin": plugin,
    }
    return templating.render(request, f"{plugin}/{template}", status_code, headers, **extra, **context)
