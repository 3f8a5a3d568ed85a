"""The hall display (``kiosk run --role display``): the calls per counter in very large type, the last
few calls, waiting counts, and every call announced with a chime and Mandarin speech, twice.

Why a Kivy screen and not a web page: the display must speak. A TV browser blocks sound until someone
interacts with the page, and would need a network service to speak; a Kivy screen on the mini-PC that
drives the TV plays local WAV files from espeak-ng with no one touching it, and shares the kiosk's
fonts and theme. (The public web board /queue/board shows the same data on phones, silently.)

New calls are read from the queue's event log every second, off the UI thread. Each one is shown as a
caption for at least ``MIN_SECONDS`` (so a burst of calls stays readable) while its clips play in
order. Sound failing (no engine, no card) only leaves the caption: the call itself is already a row.
When its caption comes up, the call's counter cell also flashes yellow/black and then stays
highlighted for a while (``alert``: for residents who cannot hear the chime; ``call_flash`` in the
queue's settings). The display shows only the calls and services of its own hall (``hall``).
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.api.screens import Announcer

from . import board as board_mod
from . import alert as call_alert
from . import remote, service, voice
from .service import QueueSettings

log = logging.getLogger(__name__)

KV = Path(__file__).with_name("display.kv")
MIN_SECONDS = 6.0
POLL_SECONDS = 1.0
ALERT_TICK = 0.1  # how often the flashing cells are repainted (the flash itself is 0.4 s on, 0.4 s off)
_loaded = False


class HallCall(BoxLayout):
    """One counter's current call: the number huge, the counter below."""

    number = StringProperty("")
    desk = StringProperty("")
    counter = ObjectProperty(None)
    alert = OptionProperty(call_alert.NONE, options=[call_alert.NONE, call_alert.ON, call_alert.OFF, call_alert.FRESH])


class HallDisplayScreen(Screen):
    help_band = False  # the hall TV: nobody touches it, and the calls need the whole screen
    shell = ObjectProperty(None)
    caption = StringProperty("")
    title = StringProperty("")  # 叫号信息 (· the hall, when there are several)
    current = ListProperty([])  # [(number, counter text, counter)]
    recent = StringProperty("")
    waiting = StringProperty("")
    here_url = StringProperty("")  # the rotating arrival QR for remote tickets (网上取号)
    here_code = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pending: deque = deque()
        self.last_event = board_mod.last_event_id(self.shell.ctx) if self.shell else 0
        self.announcer = Announcer()
        self._showing_until = 0.0
        self._busy = False
        self._events: list = []
        settings = QueueSettings.of(self.shell.ctx) if self.shell else QueueSettings()
        self.hall = settings.hall
        self.title = self._title()
        # The flashing alert's clock is the boot time; a test or a screenshot may swap in its own.
        self.alerts = call_alert.CallAlerts(Clock.get_boottime, settings.call_fresh_seconds, settings.call_flash)

    def _title(self) -> str:
        """叫号信息, with the hall's name once the installation has several halls (two displays may face each other)."""
        if not self.shell:
            return ""
        base = self.shell.text("叫号信息", "Now serving")
        try:
            halls = service.halls(self.shell.ctx)
        except Exception:  # noqa: BLE001 - the database away at start: the title without the hall, the poll retries
            return base
        if len(halls) < 2:
            return base
        hall = next((h for h in halls if h.code == self.hall), None)
        name = (hall.name if self.shell.lang != "en" else hall.name_en or hall.name) if hall else self.hall
        return f"{base} · {name}"

    def on_enter(self, *_args):
        """Poll and announce only while the display is on screen."""
        self.stop()
        self.title = self._title()
        self._events = [Clock.schedule_interval(self.poll, POLL_SECONDS), Clock.schedule_interval(self.rotate, 0.5),
                        Clock.schedule_interval(self.paint_alerts, ALERT_TICK)]
        self.poll()

    def poll(self, *_args) -> None:
        if self._busy:
            return
        self._busy = True
        ctx = self.shell.ctx
        after, hall = self.last_event, self.hall

        def work():
            url = remote.here_url(ctx)
            return (board_mod.calls_since(ctx, after, hall=hall), board_mod.board(ctx, hall=hall),
                    (url, remote.here_code(ctx) if url else ""))

        self.shell.run_in_background(work, self._polled, name="display-poll")

    def on_current(self, _instance, current) -> None:
        grid = self.ids.calls
        grid.clear_widgets()
        for number, desk, counter in current:
            grid.add_widget(HallCall(number=number, desk=desk, counter=counter))
        self.paint_alerts()

    def paint_alerts(self, *_args) -> None:
        """Give every counter cell its alert look for this instant (flashing, highlighted or plain)."""
        states = self.alerts.states()
        for cell in self.ids.calls.children:
            cell.alert = states.get(cell.counter, call_alert.NONE)

    def _polled(self, result, error) -> None:
        self._busy = False
        if error is not None or result is None:
            self.caption = self.shell.text("系统连接中，请稍候…", "Reconnecting…") if not self.caption else self.caption
            return
        calls, board, (self.here_url, self.here_code) = result
        for call in calls:
            self.last_event = max(self.last_event, call.event_id)
            self.pending.append(call)
        shell = self.shell
        self.current = [(c.number, shell.text(f"{c.counter} 号窗口", f"Counter {c.counter}"), c.counter) for c in board.current[:6]]
        self.recent = "   ".join(f"{c.number}→{c.counter}" for c in board.recent[:8])
        self.waiting = "    ".join(shell.text(f"{name} {count} 人", f"{name_en} {count}") for _code, name, name_en, count in board.waiting)

    def rotate(self, *_args) -> None:
        """Show the next pending call when the current caption has been up long enough."""
        now = Clock.get_boottime()
        if now < self._showing_until or not self.pending:
            if now >= self._showing_until and not self.pending:
                self.caption = ""
            return
        call = self.pending.popleft()
        self.caption = voice.caption(call.number, call.counter, self.shell.lang)
        self._showing_until = now + MIN_SECONDS
        self.alerts.start(call.counter)
        self.paint_alerts()
        cache = self.shell.ctx.settings.data_dir / "voice"
        number, counter = call.number, call.counter
        self.shell.run_in_background(lambda: voice.announcement(number, counter, cache), self._speak, name="voice")

    def _speak(self, clips, error) -> None:
        if error is None and clips:
            self.announcer.play(list(clips))

    def on_leave(self, *_args):
        self.stop()

    def reset(self) -> None:
        """Going home on the kiosk: stop polling and sounds (they start again when shown)."""
        self.stop()
        self.pending.clear()
        self.alerts.clear()
        self.caption = ""

    def stop(self) -> None:
        for event in self._events:
            event.cancel()
        self._events = []
        self.announcer.stop()


def build_display_screen(shell):
    global _loaded
    if not _loaded:
        # QRCode and the shell's rules: `kiosk run --role display` loads no other screen that would import them
        from kiosk.api import screens as _screen_kit  # noqa: F401 (registers the shared widgets for the .kv rules)

        Builder.load_file(str(KV))
        _loaded = True
    return HallDisplayScreen(shell=shell)
