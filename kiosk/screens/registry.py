"""Plugin screens: which exist, who owns them, building them lazily, resetting them, pausing a plugin.

Why here and not in the app: the shell knows no plugin by name; everything it shows of a plugin comes
through the hooks ``kiosk_home_tiles`` and ``kiosk_screens`` and passes through this one place, which
also keeps one plugin's failure from reaching the others. A plugin whose screen hook, screen factory
or screen code raises is *paused* for this run: its tile shows "暂停服务" until staff clear its error
on the admin screen.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.screens.api import Shell
from kiosk.screens.text import pick
from kiosk.theme import readable_on_white_text, rgba
from kiosk.types import ScreenSpec, Tile

log = logging.getLogger(__name__)

RESERVED = frozenset({"home", "receipt", "pin", "admin"})  # the shell's own screens: no plugin may take a name


@dataclass(frozen=True)
class TileView:
    """A tile ready to draw: texts in the current language, colour made readable, and its state."""

    plugin: str
    screen: str
    title: str
    hint: str
    icon: str
    color: tuple[float, float, float, float]
    paused: bool
    order: int


class PluginScreens:
    def __init__(self, app) -> None:
        self.app = app
        self.specs: dict[str, tuple[str, ScreenSpec]] = {}
        self.built: dict[str, str] = {}  # screen name -> plugin
        self.paused: dict[str, str] = {}  # plugin -> why

    @property
    def ctx(self):
        return self.app.ctx

    # -- what plugins offer ----------------------------------------------------------------------
    def refresh(self, enabled: list[str]) -> None:
        """Ask the enabled plugins for their screens again (on every return to the home screen)."""
        specs: dict[str, tuple[str, ScreenSpec]] = {}
        for plugin, result in self.ctx.host.call("kiosk_screens", ctx=self.ctx, only=enabled):
            for spec in result if isinstance(result, (list, tuple)) else [result]:
                if isinstance(spec, ScreenSpec) and spec.name not in specs and spec.name not in RESERVED:
                    specs[spec.name] = (plugin, spec)
                else:
                    self.ctx.host.record_error(plugin, "kiosk_screens", f"not a ScreenSpec, or a duplicate or reserved name: {spec!r}")
        self.specs = specs
        for name, plugin in list(self.built.items()):  # a plugin switched off keeps no screen behind
            if plugin not in enabled or name not in specs:
                self.discard(name)

    def tiles(self, enabled: list[str], lang: str) -> list[TileView]:
        out: list[TileView] = []
        for plugin, result in self.ctx.host.call("kiosk_home_tiles", ctx=self.ctx, only=enabled):
            for tile in result if isinstance(result, (list, tuple)) else [result]:
                if not isinstance(tile, Tile):
                    self.ctx.host.record_error(plugin, "kiosk_home_tiles", f"not a Tile: {tile!r}")
                    continue
                paused = plugin in self.paused or tile.screen not in self.specs or self.specs[tile.screen][0] != plugin
                hint = self.app.tr("Out of service") if paused else pick(lang, tile.hint, tile.hint_en)
                out.append(TileView(plugin, tile.screen, pick(lang, tile.title, tile.title_en), hint, tile.icon,
                                    rgba(readable_on_white_text(tile.color)), paused, tile.order))
        return sorted(out, key=lambda t: (t.order, t.title))

    def owner(self, screen_name: str) -> str | None:
        found = self.specs.get(screen_name) or (None,)
        return self.built.get(screen_name) or found[0]

    # -- building and resetting ------------------------------------------------------------------
    def open(self, name: str) -> Screen | None:
        """The screen ``name``, built by its plugin's factory on first use; None when unavailable."""
        sm = self.app.sm
        if name in self.built and sm.has_screen(name):
            return sm.get_screen(name)
        entry = self.specs.get(name)
        if entry is None or entry[0] in self.paused:
            return None
        plugin, spec = entry
        try:
            made = spec.factory(Shell(self.app, plugin))
            if not isinstance(made, Widget):
                raise TypeError(f"screen factory returned {type(made).__name__}, not a Kivy widget")
            screen = made if isinstance(made, Screen) else _wrap(made)
            screen.name = name
            sm.add_widget(screen)
        except Exception as exc:
            self.pause(plugin, "screen", exc)
            return None
        self.built[name] = plugin
        return screen

    def pause(self, plugin: str, where: str, exc: BaseException) -> None:
        """Pause ``plugin`` for this run, unless ``exc`` is a database outage: then the whole kiosk waits
        for the database (:meth:`KioskApp.database_trouble`) and the plugin comes back with it."""
        from kiosk.dbhealth import is_outage

        if is_outage(exc):
            log.warning("plugin %s hit a database outage in %s (not paused): %s", plugin, where, exc)
            self.app.database_trouble(exc)
            return
        message = f"{type(exc).__name__}: {exc}"
        log.error("plugin %s failed in %s: %s\n%s", plugin, where, message, "".join(traceback.format_exception(exc)))
        self.paused[plugin] = message
        self.ctx.host.record_error(plugin, where, message)
        for name, owner in list(self.built.items()):
            if owner == plugin:
                self.discard(name)

    def resume(self, plugin: str) -> None:
        self.paused.pop(plugin, None)

    def discard(self, name: str) -> None:
        self.built.pop(name, None)
        sm = self.app.sm
        if sm.has_screen(name):
            screen = sm.get_screen(name)
            if sm.current == name:
                sm.current = "home"
            sm.remove_widget(screen)

    def reset_all(self) -> None:
        """Clear what residents typed: ``reset()`` where a screen has one, else throw the screen away."""
        for name, plugin in list(self.built.items()):
            screen = self.app.sm.get_screen(name) if self.app.sm.has_screen(name) else None
            reset = getattr(screen, "reset", None)
            if not callable(reset):
                self.discard(name)
                continue
            try:
                reset()
                _clear_inputs(screen)
            except Exception as exc:
                self.pause(plugin, "reset", exc)

    def discard_all(self) -> None:
        for name in list(self.built):
            self.discard(name)


def _wrap(widget: Widget) -> Screen:
    screen = Screen()
    screen.add_widget(widget)
    reset = getattr(widget, "reset", None)
    if callable(reset):
        screen.reset = reset  # type: ignore[attr-defined]
    return screen


def _clear_inputs(root: Widget) -> None:
    """A safety net after a plugin's reset(): no text field keeps text or focus."""
    from kivy.uix.textinput import TextInput

    for widget in root.walk(restrict=True):
        if isinstance(widget, TextInput):
            widget.focus = False
            widget.text = ""
