"""The band at the bottom of every resident screen: 请工作人员帮助, and 再听一遍 while 朗读 is on.

Why a band of the shell and not a button in each screen: a resident who is lost must find help at the
same place on every screen, whichever plugin drew it; plugins keep their own 返回/首页 buttons. The band
is empty on the staff's PIN pad and admin screen. In large-text mode there is no band: the plugins'
screens were laid out for the whole window and at 1.25× their keypads and headers need every pixel (the
look test proves it); the home screen then shows its own help button, and from a plugin's screen the
resident reaches it through 返回首页. A plugin screen whose layout needs the whole window (the surname
grids) sets ``help_band = False``. The band keeps its room (blank) on the PIN pad, so the staff screens
keep their size; when the room changes the app lays the new screen out at once, so the first tap lands
where the screen is drawn.

Help (:meth:`KioskApp.ask_for_help`) writes a row off the UI thread (:mod:`kiosk.helpdesk`); the box
that answers says calmly that staff are coming, or, when the request could not be recorded (the
database away), to wait or ask at the front desk. A second tap finds the open request: staff are
paged once.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from kiosk.screens.overlays import Overlay

NO_BAND = frozenset({"pin", "admin"})

SENDING = (N_("Please wait here."), N_("Calling the staff…"))
SENT = (N_("The staff have been told. Please wait here."), N_("Someone will come to this kiosk shortly."))
ALREADY = (N_("The staff have been told. Please wait here."), N_("The staff already know and are on their way."))
FAILED = (N_("Please wait here, or ask at the front desk."), N_("The staff could not be called automatically just now."))


class AssistBar(BoxLayout):
    shown = BooleanProperty(True)  # the band takes its room (not in large-text mode)
    active = BooleanProperty(True)  # its buttons are there (not on the staff's screens)

    def place(self, screen, large: bool) -> None:
        """Show, hide or blank the band for ``screen`` (a Screen) in text mode ``large``."""
        wanted = getattr(screen, "help_band", True) is not False
        self.shown = not large and wanted
        self.active = self.shown and getattr(screen, "name", "") not in NO_BAND


class HelpOverlay(Overlay):
    """The answer to 请工作人员帮助, in large type; one tap closes it."""

    title = StringProperty("")
    detail = StringProperty("")
    outcome = StringProperty("sending")  # sending | sent | already | failed

    def show(self, outcome: str, tr) -> None:
        title, detail = {"sending": SENDING, "sent": SENT, "already": ALREADY}.get(outcome, FAILED)
        self.outcome, self.title, self.detail = outcome, tr(title), tr(detail)
