"""预约签到 at the kiosk: one keypad for an appointment code or a remote ticket's activation code.

An appointment code within its window gives a ticket in the appointment lane (the receipt screen, as
for any ticket); an activation code puts the phone's remote ticket in line now (a message on this
screen: the resident already follows it on the phone). Too early, too late, unknown: a plain message
under the digits, which stay. The right-hand side shows the hall's rotating QR for phones that took a
ticket online. Imported only inside the screen factory (Kivy).
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.api.screens import PhonePad

from . import appointments, remote
from .service import QueueError, QueueSettings

CHECKIN_SCREEN = "queue.checkin"
CODE_LENGTH = 6


class CodePad(PhonePad):
    """The shell's digit pad for a six-digit code: shown as "123 456", its own too-long message."""

    message_too_long = StringProperty("")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", CODE_LENGTH)
        super().__init__(**kwargs)

    def on_text(self, instance, value: str) -> None:
        super().on_text(instance, value)
        digits = self.text
        self.shown = " ".join(p for p in (digits[:3], digits[3:]) if p)

    def press(self, key: str) -> None:
        if key.isdigit() and len(self.text) >= self.max_length:
            self.error = self.message_too_long
            return
        super().press(key)


class QueueCheckinScreen(Screen):
    """Type the code, tap 确定; the hall QR for phones beside it."""

    shell = ObjectProperty(None)
    result = StringProperty("")  # the last success message (an activated remote ticket)
    here_url = StringProperty("")
    here_code = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._tick = None

    @property
    def hall(self) -> str:
        """This kiosk's hall (``[plugins.queue] hall``): appointments and remote tickets of other halls are refused here."""
        return QueueSettings.of(self.shell.ctx).hall

    def on_kv_post(self, _base):
        from kivy.app import App

        app = App.get_running_app()
        if app is not None:
            app.bind(theme=lambda *_: self.place_header())
        self.place_header()

    def place_header(self) -> None:
        """Title and back button on top in portrait, atop the right column in landscape."""
        from kivy.app import App

        app = App.get_running_app()
        if app is None or "header" not in self.ids:
            return
        header, top, side = self.ids.header, self.ids.root_box, self.ids.side
        target = side if not app.theme.portrait else top
        if header.parent is target:
            return
        header.parent.remove_widget(header)
        target.add_widget(header, index=len(target.children))

    def on_pre_enter(self, *_args):
        self.place_header()
        self.refresh_here()
        seconds = QueueSettings.of(self.shell.ctx).here_code_seconds
        self._tick = Clock.schedule_interval(lambda _dt: self.refresh_here(), min(10, seconds / 2))

    def on_leave(self, *_args):
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def refresh_here(self) -> None:
        ctx = self.shell.ctx
        self.here_url = remote.here_url(ctx)
        self.here_code = remote.here_code(ctx) if self.here_url else ""

    def confirm(self) -> None:
        shell = self.shell
        pad = self.ids.pad
        code = pad.text
        self.result = ""
        if len(code) != CODE_LENGTH:
            pad.error = shell.text("请输入 6 位数字", "Please enter all 6 digits")
            return
        if self.busy:
            return
        self.busy = True
        try:
            try:
                taken = appointments.check_in(shell.ctx, code, hall=self.hall)
            except QueueError as exc:
                if exc.code != "unknown_code":
                    raise
                ticket, ahead = remote.activate_with_ticket_code(shell.ctx, code, hall=self.hall)
                pad.reset()
                self.result = shell.text(f"{ticket.display} 已激活，前面还有 {ahead} 人。请在大厅留意叫号。",
                                         f"{ticket.display} is active: {ahead} ahead of you. Please wait in the hall.")
                return
        except QueueError as exc:
            pad.error = exc.text(shell.lang)
            return
        finally:
            self.busy = False
        from kiosk.api import reissued

        pad.reset()
        shell.show_receipt(taken.issued or reissued(shell.ctx, taken.ticket.receipt_id, taken.url))

    def back(self) -> None:
        from .screens import SERVICES_SCREEN

        self.shell.open(SERVICES_SCREEN)

    def reset(self) -> None:
        self.result = ""
        self.busy = False
        if "pad" in self.ids:
            self.ids.pad.reset()


def build_checkin_screen(shell):
    from .screens import _load_kv

    _load_kv()
    return QueueCheckinScreen(shell=shell)
