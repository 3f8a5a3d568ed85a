"""The error overlay's handler: an unexpected exception anywhere in the UI becomes a short apology
and a fresh home screen; it is logged (and filed under the plugin whose screen was showing), and the
app keeps running.

Why a burst limit: an error raised on every frame would otherwise loop forever behind the overlay;
after ten errors in thirty seconds the exception is re-raised, the process ends, and the service
manager (systemd ``Restart=always``) starts a clean kiosk. A database outage is neither apologised for
nor counted: restarting cannot bring the database back, so the kiosk pauses and waits for it. Nor is a
:class:`~kiosk.refusal.Refusal` a screen let rise (a full class, a paused counter): it is shown as a notice
in the resident's language, like ``shell.refuse(exc)`` does, and the plugin goes on.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock

from kiosk.refusal import Refusal

log = logging.getLogger(__name__)

MAX_BURST = 10
BURST_SECONDS = 30.0


class UiErrors(ExceptionHandler):
    def __init__(self, app) -> None:
        self.app = app
        self.times: deque[float] = deque()
        self.handled = 0  # how many errors this handler has turned into an apology
        self.outages = 0  # how many were database outages (the pause overlay, no apology, no burst count)

    def handle_exception(self, inst):
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        from kiosk.dbhealth import is_outage

        if is_outage(inst):  # not a bug: the kiosk pauses until the database answers (kiosk.screens.dbwatch)
            log.warning("database outage in the touch shell: %s", inst)
            self.outages += 1
            Clock.schedule_once(lambda _dt: self.app.database_trouble(inst), 0)
            return ExceptionManager.PASS
        if isinstance(inst, Refusal):  # not a bug either: what the resident asked cannot be done, so say why
            log.info("refused in the touch shell: %s", inst.code)
            Clock.schedule_once(lambda _dt: self.app.notify(inst.text(self.app.lang)), 0)
            return ExceptionManager.PASS
        log.error("unexpected error in the touch shell", exc_info=inst)
        self.app.ctx.note_error("screen", f"{type(inst).__name__}: {inst}")
        self.handled += 1
        now = time.monotonic()
        self.times.append(now)
        while self.times and now - self.times[0] > BURST_SECONDS:
            self.times.popleft()
        if len(self.times) > MAX_BURST:
            log.critical("%d errors in %.0f s: stopping so that the service manager restarts the kiosk", len(self.times), BURST_SECONDS)
            return ExceptionManager.RAISE
        Clock.schedule_once(lambda _dt: self.app.recover(inst), 0)
        return ExceptionManager.PASS
