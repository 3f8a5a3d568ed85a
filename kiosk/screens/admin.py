"""The staff admin screen on the kiosk: plugins on/off per season, each plugin's last error, the
printer with a test print, the version, and exit/restart.

Thin on purpose: enablement goes through :func:`kiosk.seasons.set_enabled` inside
``ctx.transaction()`` (the same function the CLI and the web staff area use), errors come from
``ctx.last_errors()``, and the printer is asked in a background thread because a network printer
that is down takes seconds to time out.
"""

from __future__ import annotations

from datetime import datetime

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk import __version__
from kiosk.i18n import N_
from kiosk.receipts import SlipLayout
from kiosk.screens import background
from kiosk.screens.text import pick
from kiosk.screens.widgets import KioskButton, KioskLabel, Panel, SecondaryButton
from kiosk.seasons import UnknownSeason, current_seasons, enablement, set_enabled

PRINTER_STATES = {
    "": N_("Checking the printer…"),
    "disabled": N_("No printer configured"),
    "online": N_("Printer ready"),
    "offline": N_("Printer not answering"),
    "paper-out": N_("Printer out of paper"),
    "unknown": N_("Printer state unknown"),
}
TEST_RESULTS = {
    "": "",
    "printing": N_("Printing a test slip…"),
    "printed": N_("Test slip printed"),
    "failed": N_("Test print failed"),
    "disabled": N_("No printer configured"),
}


class PluginRow(Panel):
    """One installed plugin: its name, on or off for the chosen season, its last error, two buttons."""

    title = StringProperty("")
    plugin = StringProperty("")
    error = StringProperty("")
    on = BooleanProperty(False)
    broken = BooleanProperty(False)  # could not be loaded: nothing to switch
    __events__ = ("on_toggle", "on_clear")

    def on_toggle(self, plugin, on):
        pass

    def on_clear(self, plugin):
        pass


class AdminScreen(Screen):
    season = StringProperty("")  # "" means the seasons current today
    printer_state = StringProperty("")
    printer_detail = StringProperty("")
    test_result = StringProperty("")
    notice = StringProperty("")
    version = StringProperty(__version__)

    @property
    def app(self):
        return App.get_running_app()

    def on_pre_enter(self, *_args) -> None:
        self.season = ""
        self.notice = ""
        self.test_result = ""
        self.refresh()
        self.check_printer()

    # -- plugins ---------------------------------------------------------------------------------
    def plugin_states(self) -> list[dict]:
        """One dict per installed plugin: name, title, on (for the selected season), error."""
        ctx = self.app.ctx
        settings = ctx.settings
        today = ctx.today()
        with ctx.sessions() as session:
            snap = enablement(session, settings)
        chosen = [settings.season(self.season)] if self.season else current_seasons(settings, today)
        errors = ctx.last_errors()
        rows = []
        for name, loaded in ctx.host.plugins.items():
            info = ctx.host.info(name)
            rows.append({
                "name": name,
                "title": pick(self.app.lang, info.title, info.title_en),
                "on": any(snap.in_season(s, name) for s in chosen if s is not None),
                "error": self.app.plugins.paused.get(name) or errors.get(name) or "",
                "broken": loaded.obj is None,
            })
        return rows

    def refresh(self) -> None:
        self._build_seasons()
        self._build_rows()

    def _build_seasons(self) -> None:
        app, box = self.app, self.ids.seasons
        box.clear_widgets()
        today = [pick(app.lang, s.title, s.title_en) for s in current_seasons(app.ctx.settings, app.ctx.today())]
        if today:
            label = app.tr("Today") + (f" ({', '.join(today)})" if app.lang == "en" else f"（{'、'.join(today)}）")
        else:
            label = app.tr("Today")
        choices = [("", label)] + [(s.name, pick(app.lang, s.title, s.title_en)) for s in app.ctx.settings.seasons]
        for name, text in choices:
            cls = KioskButton if name == self.season else SecondaryButton
            button = cls(text=text)
            button.bind(on_release=lambda _b, n=name: self.choose_season(n))
            box.add_widget(button)

    def _build_rows(self) -> None:
        app, box = self.app, self.ids.rows
        box.clear_widgets()
        for row in self.plugin_states():
            widget = PluginRow(title=f"{row['title']} ({row['name']})", plugin=row["name"], on=row["on"],
                               broken=row["broken"], error=row["error"][:300])
            widget.bind(on_toggle=lambda _w, n, on: self.toggle(n, on), on_clear=lambda _w, n: self.clear_error(n))
            box.add_widget(widget)
        if not box.children:
            box.add_widget(KioskLabel(text=app.tr("No plugins are installed.")))

    def choose_season(self, name: str) -> None:
        self.season = name
        self.refresh()

    def toggle(self, plugin: str, on: bool) -> None:
        ctx = self.app.ctx
        try:
            with ctx.transaction() as session:
                set_enabled(session, ctx.settings, plugin, on, by="kiosk-admin", day=ctx.today(), season=self.season or None)
        except UnknownSeason:
            self.notice = N_("No season covers today: choose a season first.")
            return
        self.notice = ""
        self.refresh()

    def clear_error(self, plugin: str) -> None:
        self.app.ctx.clear_errors(plugin)
        self.app.plugins.resume(plugin)
        self.refresh()

    # -- printer ---------------------------------------------------------------------------------
    def check_printer(self) -> None:
        from kiosk.printing import printer_status

        settings = self.app.ctx.settings
        self.printer_state, self.printer_detail = "", ""
        background.run(lambda: printer_status(settings), self._printer_checked, name="kiosk-printer-status")

    def _printer_checked(self, result, error) -> None:
        state, detail = result if error is None and result else ("unknown", str(error or ""))
        self.printer_state = state if state in PRINTER_STATES else "unknown"
        self.printer_detail = detail

    def test_print(self) -> None:
        from kiosk.printing import print_slip

        ctx = self.app.ctx
        now: datetime = ctx.now()
        layout = SlipLayout(title="测试打印 Test print", number="TEST", lines=("打印机工作正常", "Printer works"),
                            url=ctx.settings.base_url, center=ctx.settings.center_name,
                            issued=now.strftime("%Y-%m-%d %H:%M"), footer=f"kiosk {__version__}")
        self.test_result = "printing"
        background.run(lambda: print_slip(ctx.settings, layout), self._test_printed, name="kiosk-test-print")

    def _test_printed(self, result, error) -> None:
        status = "failed" if error is not None or result is None else result.status
        self.test_result = status if status in TEST_RESULTS else "failed"
        self.check_printer()

    def reset(self) -> None:
        self.ids.rows.clear_widgets()
        self.notice = ""
