"""The database watch of the touch shell: "服务暂停，请稍候" while the database does not answer.

Why a watch and not just error handling: a kiosk idle on its home screen touches the database only
now and then, and a resident should learn that the service is paused before tapping a tile, not after.
Every ``db_check_seconds`` (config ``[kiosk]``, default 5) a probe (:func:`kiosk.dbhealth.probe`) runs
off the UI thread, so a database that hangs never freezes the screen. Errors the shell catches that
are an outage (:func:`kiosk.dbhealth.is_outage`) report here too, instead of pausing the plugin that
happened to be on screen: the plugin did nothing wrong.

While the database is away the pause overlay covers the screen (no button: there is nothing a resident
can do), the screen below keeps its state (a half-filled form stays filled), and the probe goes on.
When the database answers again the overlay closes by itself; no restart, no staff needed.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock

from kiosk.dbhealth import probe
from kiosk.screens import background

log = logging.getLogger(__name__)


def _quiet_probe(engine) -> BaseException | None:
    """The probe's failure as a value: an outage is logged once by the watch, not every few seconds."""
    try:
        probe(engine)
    except Exception as exc:
        return exc
    return None


class DatabaseWatch:
    def __init__(self, app, interval: float) -> None:
        self.app = app
        self.interval = max(0.1, float(interval))
        self.down = False
        self.since: float | None = None  # Clock time the outage was first seen
        self.outages = 0  # how many outages this run has seen (and recovered from, when not down)
        self.last_error = ""
        self.overlay = None
        self._checking = False
        self._event = None

    def start(self) -> None:
        self._event = Clock.schedule_interval(self.check, self.interval)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    # -- probing ---------------------------------------------------------------------------------
    def check(self, _dt=None) -> None:
        """Start one probe in the background, unless one is still running (a slow database)."""
        if self._checking:
            return
        self._checking = True
        engine = self.app.ctx.engine
        background.run(lambda: _quiet_probe(engine), self._checked, name="kiosk-db-check")

    def _checked(self, failure, error) -> None:
        self._checking = False
        failure = failure or error
        if failure is None:
            self.recovered()
        else:
            self.report(failure)

    # -- state -----------------------------------------------------------------------------------
    def report(self, exc: BaseException) -> None:
        """The database is away: pause the kiosk (once), keep probing."""
        self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if self.down:
            return
        self.down = True
        self.outages += 1
        self.since = Clock.get_time()
        log.warning("database unreachable, kiosk paused until it answers: %s", self.last_error)
        from kiosk.screens.overlays import DatabasePaused

        self.overlay = DatabasePaused()
        self.overlay.open()

    def recovered(self) -> None:
        if not self.down:
            return
        self.down = False
        log.warning("database answers again after %.0f s: kiosk resumed", Clock.get_time() - (self.since or Clock.get_time()))
        self.since = None
        if self.overlay is not None:
            self.overlay.dismiss()
            self.overlay = None
        self.app.database_back()
