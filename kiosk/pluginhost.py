"""Loading plugins and calling their hooks one plugin at a time, so that one failure stays one failure.

Built-in plugins are the modules in :data:`DEFAULT_PLUGINS`; third-party plugins arrive through the
entry-point group ``kiosk``. Both are registered the same way and listed the same way.

Why not call ``pm.hook.kiosk_x(...)`` directly? pluggy stops at the first exception and does not say
whose it was. :meth:`PluginHost.call` takes each implementation from ``get_hookimpls()`` and calls it on
its own (the pattern simonw/llm uses to know who supplied what): an exception is caught, logged with
the plugin's name, recorded as that plugin's last error, and the loop goes on.

Hangs: with a timeout (:attr:`PluginHost.hook_timeout`, ``[kiosk] hook_timeout`` in the config, per hook
``[kiosk.hook_timeouts]``), each implementation runs in a worker thread and the host waits at most that
long. A call that does not return in time is recorded as that plugin's error ("timed out") and the host
goes on without its result. Python cannot kill a thread, so the hung call keeps running as a daemon
thread: it may still hold a database connection (on SQLite even the write lock, until its transaction
ends) and it ends with the process. While it runs, the host does not call that plugin again (each call
is skipped and recorded at once instead of stacking up another stuck thread); when the thread finally
returns, the plugin is called again as usual. A plugin that hangs for good is therefore cut off
for the rest of the run; restarting the kiosk (the admin screen, or the service manager) clears it.
"""

from __future__ import annotations

import importlib
import logging
import contextvars
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from kiosk import PROJECT_NAME, __version__, hookspecs
from kiosk.types import PluginInfo

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "kiosk"

#: Modules of the built-in plugins (each feature issue adds its module here).
DEFAULT_PLUGINS: tuple[str, ...] = ("kiosk.plugins.queue", "kiosk.plugins.notices", "kiosk.plugins.intake", "kiosk.plugins.timetable")

#: Seconds a hook implementation may take before the host stops waiting (None: no limit, no thread).
DEFAULT_HOOK_TIMEOUT = 10.0
#: Hooks whose work may legitimately take long (erasing a year of data, loading demo content).
SLOW_HOOK_TIMEOUTS: dict[str, float] = {"kiosk_daily_tick": 600.0, "kiosk_demo_data": 600.0}

KNOWN_HOOKS = frozenset(name for name in dir(hookspecs) if name.startswith("kiosk_"))


@dataclass
class LoadedPlugin:
    name: str
    obj: Any
    builtin: bool
    version: str
    distribution: str = ""


class HookTimeout(RuntimeError):
    """A hook implementation did not return within its time limit (recorded as the plugin's error)."""


ErrorSink = Callable[[str, str, str], None]


class PluginHost:
    """The plugin manager plus per-plugin, fault-isolated hook calls and a record of errors."""

    def __init__(
        self,
        builtins: Iterable[str] = DEFAULT_PLUGINS,
        load_entrypoints: bool = True,
        blocked: Iterable[str] = (),
        hook_timeout: float | None = DEFAULT_HOOK_TIMEOUT,
        hook_timeouts: dict[str, float] | None = None,
    ) -> None:
        self.hook_timeout = hook_timeout
        self.hook_timeouts: dict[str, float] = {**SLOW_HOOK_TIMEOUTS, **(hook_timeouts or {})}
        self.hung: dict[str, tuple[str, threading.Thread]] = {}  # plugin -> (hook, the thread still running it)
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.errors: dict[str, str] = {}
        self.error_sinks: list[ErrorSink] = []
        self.blocked = set(blocked)
        for module_name in builtins:
            self._load_module(module_name)
        if load_entrypoints:
            self._load_entrypoints()

    # -- registration ---------------------------------------------------------------------------
    def register(self, obj: Any, name: str, builtin: bool = False, version: str = "", distribution: str = "") -> bool:
        """Register ``obj`` (a module, class instance or class) as plugin ``name``.

        Returns False (and records the error) when the plugin is invalid: a hook with a wrong signature,
        or a ``kiosk_*`` attribute that is no known hook (a misspelling would otherwise be silently ignored).
        """
        if name in self.blocked:
            return False
        if name in self.plugins:
            raise ValueError(f"a plugin named {name!r} is already registered")
        unknown = sorted(
            attr for attr in dir(obj) if attr.startswith("kiosk_") and attr not in KNOWN_HOOKS and callable(getattr(obj, attr, None))
        )
        try:
            if unknown:
                raise pluggy.PluginValidationError(obj, f"unknown hook(s) {', '.join(unknown)} (misspelled?)")
            self.pm.register(obj, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            self.plugins[name] = LoadedPlugin(name, None, builtin, version or __version__, distribution)
            self.record_error(name, "register", str(exc))
            return False
        self.plugins[name] = LoadedPlugin(name, obj, builtin, version or (__version__ if builtin else ""), distribution)
        return True

    def unregister(self, name: str) -> None:
        plugin = self.plugins.pop(name, None)
        if plugin and plugin.obj is not None:
            self.pm.unregister(name=name)
        self.errors.pop(name, None)

    def _load_module(self, module_name: str) -> None:
        name = module_name.rsplit(".", 1)[-1]
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a broken built-in must not take the host down either
            self.plugins[name] = LoadedPlugin(name, None, True, __version__)
            self.record_error(name, "import", f"{type(exc).__name__}: {exc}")
            return
        self.register(module, name=name, builtin=True)

    def _load_entrypoints(self) -> None:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in self.plugins or ep.name in self.blocked:
                continue  # built-ins may also be declared as entry points; register them once
            dist = ep.dist.name if ep.dist else ""
            version = ep.dist.version if ep.dist else ""
            try:
                obj = ep.load()
            except Exception as exc:
                self.plugins[ep.name] = LoadedPlugin(ep.name, None, False, version, dist)
                self.record_error(ep.name, "import", f"{type(exc).__name__}: {exc}")
                continue
            self.register(obj, name=ep.name, builtin=False, version=version, distribution=dist)

    # -- errors ----------------------------------------------------------------------------------
    def record_error(self, plugin: str, hook: str, message: str) -> None:
        self.errors[plugin] = f"{hook}: {message}"
        log.error("plugin %s failed in %s: %s", plugin, hook, message)
        for sink in list(self.error_sinks):
            try:
                sink(plugin, hook, message)
            except Exception:  # recording an error must never raise a new one
                log.exception("could not record the error of plugin %s", plugin)

    # -- calls -----------------------------------------------------------------------------------
    def timeout_for(self, hook: str) -> float | None:
        """Seconds ``hook`` may take (a per-hook setting wins over the default); None or <= 0: no limit."""
        limit = self.hook_timeouts.get(hook, self.hook_timeout)
        return limit if limit is not None and limit > 0 else None

    def call(
        self,
        hook: str,
        only: Iterable[str] | None = None,
        failed: list[str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> list[tuple[str, Any]]:
        """Call ``hook`` on every plugin (or those in ``only``) separately.

        Returns ``(plugin name, result)`` for each plugin that answered something other than None.
        A plugin that raises, or does not answer within the timeout (``timeout``, else
        :meth:`timeout_for`), is skipped, named in the log and recorded in :attr:`errors` (and
        appended to ``failed`` when the caller passes a list).
        """
        limit = timeout if timeout is not None else self.timeout_for(hook)
        limit = limit if limit is not None and limit > 0 else None
        wanted = set(only) if only is not None else None
        caller = getattr(self.pm.hook, hook)
        results: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):  # registration order
            name = impl.plugin_name
            if wanted is not None and name not in wanted:
                continue
            args = {arg: kwargs[arg] for arg in impl.argnames if arg in kwargs}
            try:
                result = impl.function(**args) if limit is None else self._call_with_timeout(name, hook, impl.function, args, limit)
            except Exception as exc:
                self.record_error(name, hook, f"{type(exc).__name__}: {exc}")
                if failed is not None:
                    failed.append(name)
                log.debug("traceback of %s.%s:\n%s", name, hook, traceback.format_exc())
                continue
            if result is not None:
                results.append((name, result))
        return results

    def _call_with_timeout(self, plugin: str, hook: str, function: Callable[..., Any], args: dict[str, Any], limit: float) -> Any:
        """Run one implementation in a daemon thread and wait ``limit`` seconds for it."""
        stuck = self.hung.get(plugin)
        if stuck is not None:
            if stuck[1].is_alive():
                raise HookTimeout(f"not called: still hung in {stuck[0]} (restart the kiosk to clear it)")
            del self.hung[plugin]
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["result"] = function(**args)
            except BaseException as exc:  # handed to the caller's thread, which decides
                outcome["error"] = exc

        context = contextvars.copy_context()  # the hook sees the caller's context variables
        thread = threading.Thread(target=context.run, args=(run,), name=f"hook-{plugin}-{hook}", daemon=True)
        thread.start()
        thread.join(limit)
        if thread.is_alive():
            self.hung[plugin] = (hook, thread)
            raise HookTimeout(f"no answer within {limit:g} s (the call was abandoned and may still be running)")
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    def call_one(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """Call ``hook`` on ``plugin`` only; None when it has no such hook or it failed."""
        for _name, result in self.call(hook, only=[plugin], **kwargs):
            return result
        return None

    def implements(self, plugin: str, hook: str) -> bool:
        return any(impl.plugin_name == plugin for impl in getattr(self.pm.hook, hook).get_hookimpls())

    # -- descriptions ----------------------------------------------------------------------------
    def info(self, name: str) -> PluginInfo:
        loaded = self.plugins[name]
        info = self.call_one(name, "kiosk_plugin_info") if loaded.obj is not None else None
        if not isinstance(info, PluginInfo):
            info = PluginInfo(title=name, title_en=name)
        return info

    def names(self) -> list[str]:
        return list(self.plugins)

    def hooks_of(self, name: str) -> list[str]:
        obj = self.plugins[name].obj
        if obj is None:
            return []
        return sorted(h.name for h in self.pm.get_hookcallers(obj) or [])
