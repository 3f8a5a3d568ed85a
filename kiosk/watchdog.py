"""systemd's notify protocol (sd_notify) and the touch shell's watchdog, without a new dependency.

Why: on the terminal the kiosk runs as a ``Type=notify`` service with ``WatchdogSec=``. systemd then
waits for ``READY=1`` (sent once the first frame is on the screen) and expects ``WATCHDOG=1`` more
often than the watchdog period. The pings come from the Kivy clock, i.e. from the UI thread between
frames: when the UI freezes (a deadlock, an endless loop, a blocked call), the pings stop and systemd
kills and restarts the kiosk. A ping from a helper thread would keep a frozen UI alive, so there is
none.

The protocol is one datagram per message to the AF_UNIX socket named in ``NOTIFY_SOCKET`` (a leading
``@`` means the abstract namespace). Without ``NOTIFY_SOCKET`` (a developer's ``kiosk run``, the
tests, screenshots) everything here is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

#: Ping this many times per watchdog period (systemd's advice is at least twice).
PINGS_PER_PERIOD = 3


class Notifier:
    """Sends sd_notify messages; silently does nothing when not started by systemd."""

    def __init__(self, address: str | None = None, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        raw = address if address is not None else env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + raw[1:] if raw.startswith("@") else raw
        self._sock: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *fields: str) -> bool:
        """Send ``fields`` (``"READY=1"``, ``"STATUS=…"``) as one message; False when not sent."""
        if not self.address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(fields).encode("utf-8"), self.address)
            return True
        except OSError as exc:  # systemd gone or the socket misnamed: never take the kiosk down for it
            if not self._warned:
                log.warning("sd_notify to %r failed: %s", self.address, exc)
                self._warned = True
            return False

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def ping(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_period(env: Mapping[str, str] | None = None, pid: int | None = None) -> float | None:
    """The watchdog period in seconds that systemd expects of this process, or None when there is none.

    ``WATCHDOG_USEC`` is set by systemd for ``WatchdogSec=``; ``WATCHDOG_PID``, when set, names the
    process meant (a child must not ping for its parent).
    """
    env = os.environ if env is None else env
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = env.get("WATCHDOG_PID", "")
    if owner and owner != str(pid if pid is not None else os.getpid()):
        return None
    return usec / 1_000_000


class ShellWatchdog:
    """READY=1 after the first drawn frame, then WATCHDOG=1 from the UI clock.

    ``schedule_interval(callback, seconds)`` is Kivy's ``Clock.schedule_interval`` on the terminal and a
    fake clock in tests; whatever stops that clock (a frozen UI) stops the pings.
    """

    def __init__(self, notifier: Notifier | None = None, period: float | None = None) -> None:
        self.notifier = notifier or Notifier()
        self.period = watchdog_period() if period is None else period
        self.is_ready = False
        self.pings = 0
        self._event = None
        self._schedule: Callable | None = None

    @property
    def interval(self) -> float | None:
        return self.period / PINGS_PER_PERIOD if self.period else None

    def start(self, schedule_interval: Callable) -> None:
        """Feed the watchdog from ``schedule_interval`` once the first frame is drawn (see first_frame)."""
        self._schedule = schedule_interval

    def first_frame(self, *_args) -> None:
        """Tell systemd the kiosk is up and start the pings: call once a frame has been drawn.

        Later calls do nothing. Until then systemd's ``TimeoutStartSec`` covers a slow start.
        """
        if self.is_ready:
            return
        self.is_ready = True
        self.notifier.ready("touch shell on screen")
        if self.notifier.enabled and self.interval and self._schedule is not None:
            self.feed()
            self._event = self._schedule(self.feed, self.interval)

    def feed(self, *_args) -> None:
        if self.notifier.ping():
            self.pings += 1

    def stop(self, stopping: bool = True) -> None:
        """Stop pinging; ``stopping`` tells systemd the service is going down (not for a re-exec)."""
        if self._event is not None:
            cancel = getattr(self._event, "cancel", None)
            if callable(cancel):
                cancel()
            self._event = None
        if stopping:
            self.notifier.stopping()
        self.notifier.close()


def attach(app) -> ShellWatchdog:
    """Wire a :class:`ShellWatchdog` into a running Kivy app: READY=1 on the first flip, pings from
    the Kivy clock, STOPPING=1 when the app stops. A no-op outside systemd."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    dog = ShellWatchdog()

    def flipped(*_args):
        Window.unbind(on_flip=flipped)
        dog.first_frame()

    if dog.notifier.enabled:
        Window.bind(on_flip=flipped)
        dog.start(Clock.schedule_interval)
        # Staff "restart" re-executes the same process (same PID): no STOPPING=1, or systemd would wait
        # for an exit that never comes; the new image sends READY=1 again after its first frame.
        app.bind(on_stop=lambda *_a: dog.stop(stopping=not getattr(app, "restart_requested", False)))
    return dog
