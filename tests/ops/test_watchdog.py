"""sd_notify and the touch shell's watchdog, over a real datagram socket as systemd would listen."""

from __future__ import annotations

import os
import socket

import pytest

from kiosk.watchdog import Notifier, ShellWatchdog, watchdog_period


class FakeClock:
    """Kivy's Clock.schedule_interval as far as the watchdog needs it; ``tick`` is one frame's worth."""

    def __init__(self) -> None:
        self.callbacks = []

    def schedule_interval(self, callback, interval):
        self.callbacks.append((callback, interval))
        return self

    def cancel(self):
        self.callbacks.clear()

    def tick(self, times: int = 1) -> None:
        for _ in range(times):
            for callback, interval in list(self.callbacks):
                callback(interval)


def test_without_notify_socket_everything_is_a_no_op():
    notifier = Notifier(env={})
    assert not notifier.enabled
    assert notifier.ready() is False and notifier.ping() is False
    dog = ShellWatchdog(notifier, period=3.0)
    clock = FakeClock()
    dog.start(clock.schedule_interval)
    dog.first_frame()
    assert clock.callbacks == []  # nothing scheduled at all
    assert dog.pings == 0


def test_ready_once_after_the_first_frame_then_pings_from_the_clock(notify_socket):
    dog = ShellWatchdog(Notifier(str(notify_socket.path)), period=3.0)
    clock = FakeClock()
    dog.start(clock.schedule_interval)
    clock.tick(3)
    assert notify_socket.messages(0.05) == []  # neither ready nor pinging before a frame was drawn
    dog.first_frame()
    assert clock.callbacks[0][1] == pytest.approx(1.0)  # three pings per watchdog period
    dog.first_frame()  # a second frame says nothing new
    first = notify_socket.messages(0.1)
    assert first[0].split("\n")[0] == "READY=1" and "STATUS=touch shell on screen" in first[0]
    assert first[1:] == ["WATCHDOG=1"]
    clock.tick(3)
    assert notify_socket.messages(0.1) == ["WATCHDOG=1"] * 3


def test_a_frozen_clock_stops_the_pings(notify_socket):
    dog = ShellWatchdog(Notifier(str(notify_socket.path)), period=3.0)
    clock = FakeClock()
    dog.start(clock.schedule_interval)
    dog.first_frame()
    clock.tick(2)
    assert notify_socket.messages(0.1).count("WATCHDOG=1") == 3  # the first frame's and two ticks
    # The UI thread is stuck: the clock does not run, and nothing else pings on its behalf.
    assert notify_socket.messages(0.3) == []
    clock.tick()
    assert notify_socket.messages(0.1) == ["WATCHDOG=1"]
    dog.stop()
    assert notify_socket.messages(0.1) == ["STOPPING=1"]
    assert clock.callbacks == []


def test_a_staff_restart_does_not_announce_stopping(notify_socket):
    dog = ShellWatchdog(Notifier(str(notify_socket.path)), period=3.0)
    clock = FakeClock()
    dog.start(clock.schedule_interval)
    dog.first_frame()
    notify_socket.messages(0.1)
    dog.stop(stopping=False)  # kiosk run re-executes itself with the same PID
    assert notify_socket.messages(0.1) == [] and clock.callbacks == []


def test_abstract_socket_names_work():
    name = f"kiosk-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind("\0" + name)
    try:
        assert Notifier(env={"NOTIFY_SOCKET": "@" + name}).ready()
        server.settimeout(1)
        assert server.recv(100) == b"READY=1"
    finally:
        server.close()


def test_a_vanished_socket_never_raises(tmp_path):
    notifier = Notifier(str(tmp_path / "gone"))
    assert notifier.enabled and notifier.ping() is False and notifier.ping() is False


@pytest.mark.parametrize("env, pid, expected", [
    ({"WATCHDOG_USEC": "30000000"}, 1, 30.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, 1, 30.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "2"}, 1, None),  # meant for another process
    ({}, 1, None),
    ({"WATCHDOG_USEC": "0"}, 1, None),
    ({"WATCHDOG_USEC": "soon"}, 1, None),
])
def test_watchdog_period_from_systemds_environment(env, pid, expected):
    assert watchdog_period(env, pid) == expected
