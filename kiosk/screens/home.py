"""The home screen: the center's name, the date and time, one tile per enabled plugin, language and
text-size switches, and where to ask for help.

Tiles come only from the plugins' ``kiosk_home_tiles`` hook (through :mod:`kiosk.screens.registry`);
the shell names no plugin. Pressing the center's name for three seconds opens the staff PIN pad.
Why pages instead of scrolling: residents only tap, they do not swipe; with more tiles than fit, two
big buttons turn the page.
"""

from __future__ import annotations

import logging
import math

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.screens.text import format_datetime, pick
from kiosk.screens.widgets import TileButton

log = logging.getLogger(__name__)

BANNER_SECONDS = 30  # home.tick runs every second
LANGUAGE_NAMES = (("zh_CN", "中文"), ("en", "English"))  # each in its own language, so never translated


class HomeScreen(Screen):
    center_name = StringProperty("")
    clock_text = StringProperty("")
    banners = ListProperty([])
    page = NumericProperty(0)
    pages = NumericProperty(1)
    has_tiles = BooleanProperty(True)
    name_size = NumericProperty(0)  # the center's name, shrunk to one line when it is long (0: theme size)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tile_views = []
        self._enabled: list[str] = []
        self._relayout = Clock.create_trigger(lambda _dt: self.layout_tiles(), 0)

    @property
    def app(self):
        return App.get_running_app()

    def on_kv_post(self, _base_widget):
        self.ids.tile_area.bind(size=lambda *_: self._relayout())
        self.ids.center_name.bind(width=lambda *_: self._relayout())
        self._pager = self._make_pager()

    # -- data ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Ask the plugins again: enablement, tiles, screens and banners may have changed."""
        app = self.app
        ctx = app.ctx
        try:
            enabled = self._enabled = ctx.enabled_plugins()
        except Exception as exc:  # the database is unreachable: keep showing what was on a moment ago
            log.warning("could not read which plugins are on; keeping the last known list: %s", exc)
            enabled = self._enabled
            from kiosk.dbhealth import is_outage

            if is_outage(exc):
                app.database_trouble(exc)
        app.plugins.refresh(enabled)
        self.tile_views = app.plugins.tiles(enabled, app.lang)
        self.refresh_banners()
        s = ctx.settings
        self.center_name = pick(app.lang, s.center_name, s.center_name_en)
        self.page = 0
        self.tick()
        self.layout_tiles()

    def refresh_banners(self) -> None:
        """Ask the enabled plugins for their banner lines (also every BANNER_SECONDS while home is shown,
        so live lines such as the queue's wait board stay current)."""
        app = self.app
        ctx = app.ctx
        lines = []
        for _plugin, result in ctx.host.call("kiosk_home_banners", ctx=ctx, lang=app.lang, only=self._enabled):
            lines.extend(str(line) for line in (result if isinstance(result, (list, tuple)) else [result]) if line)
        self.banners = lines[:3]
        self._banner_ticks = 0

    def tick(self, *_args) -> None:
        app = self.app
        if app is None or getattr(app, "ctx", None) is None:
            return
        self._banner_ticks = getattr(self, "_banner_ticks", 0) + 1
        if self._banner_ticks >= BANNER_SECONDS and self.manager is not None and self.manager.current == self.name:
            self.refresh_banners()
        text = format_datetime(app.ctx.now(), app.lang)
        if text != self.clock_text:
            self.clock_text = text

    # -- tiles -----------------------------------------------------------------------------------
    def layout_tiles(self) -> None:
        """Place the current page of tiles: as many rows as fit, each tile as tall as allowed."""
        app = self.app
        if app is None:
            return
        theme = app.theme
        grid = self.ids.tiles
        cols = theme.columns
        area_h = self.ids.tile_area.height
        fit_rows = max(1, int((area_h + theme.gap) // (theme.tile_min + theme.gap)))
        page_size = cols * fit_rows
        pages = max(1, math.ceil(len(self.tile_views) / page_size))
        rows = min(fit_rows, max(1, math.ceil(len(self.tile_views) / cols)))
        height = min(theme.tile_height, (area_h - theme.gap * (rows - 1)) / rows) if area_h > 0 else theme.tile_height
        self.pages = pages
        self.page = min(self.page, pages - 1)
        grid.cols = min(cols, max(1, len(self.tile_views)))
        grid.col_default_width = (self.ids.tile_area.width - theme.gap * (cols - 1)) / cols
        grid.row_default_height = max(theme.tile_min, height)  # never so short that a tile's text is cut
        self._fit_name(theme)
        self._show_pager(pages > 1)
        grid.clear_widgets()
        start = self.page * page_size
        for view in self.tile_views[start:start + page_size]:
            tile = TileButton(title=view.title, hint=view.hint, icon=view.icon, tile_color=view.color,
                              paused=view.paused, screen=view.screen, plugin=view.plugin)
            tile.bind(on_release=self.on_tile)
            grid.add_widget(tile)
        self.has_tiles = bool(self.tile_views)

    def _fit_name(self, theme) -> None:
        """In landscape the name shares its line with the clock: shrink it (not below a heading) to fit."""
        from kivy.core.text import Label as CoreLabel

        label = self.ids.center_name
        if theme.portrait or not label.text or label.width <= 1:
            self.name_size = 0
            return
        natural = CoreLabel(text=label.text, font_size=theme.title, bold=True).get_extents(label.text)[0]
        room = label.width - 2
        self.name_size = theme.title if natural <= room else max(theme.heading, theme.title * room / natural)

    def _make_pager(self) -> list:
        from kiosk.screens.widgets import SecondaryButton

        previous = SecondaryButton(on_release=lambda *_: self.turn(-1))
        following = SecondaryButton(on_release=lambda *_: self.turn(1))
        return [previous, following]

    def _show_pager(self, show: bool) -> None:
        app, (previous, following) = self.app, self._pager
        target = self.ids.pager_row if app.theme.portrait else self.ids.footer
        previous.text = app.tr("Previous page")
        following.text = f"{app.tr('Next page')}  {self.page + 1}/{self.pages}"
        for button in (previous, following):
            if button.parent is not None and (not show or button.parent is not target):
                button.parent.remove_widget(button)
            if show and button.parent is None:
                target.add_widget(button, index=0)

    def turn(self, step: int) -> None:
        self.page = (self.page + step) % max(1, self.pages)
        self.layout_tiles()

    def on_tile(self, tile: TileButton) -> None:
        self.app.open_screen(tile.screen)

    def spoken_text(self) -> str:
        """朗读: the center, the services on this page, and where help is."""
        tr = self.app.tr
        titles = [view.title for view in self.tile_views if not view.paused]
        parts = [self.center_name]
        if titles:
            parts.append(tr("Please choose: {items}").format(items="，".join(titles)))
        parts.append(tr("If you need help, tap “Please ask staff for help” at the bottom of the screen"))
        return "。".join(p for p in parts if p) + "。"

    def reset(self) -> None:
        self.page = 0
