"""The flashing call alert for deaf and hard-of-hearing residents (无障碍: 闪烁提示).

A new call (or a recall) makes its counter's cell invert yellow/black a few times, then stay
highlighted while the call is fresh, so a resident who cannot hear the chime still sees which
counter just called. The hall display (Kivy) and the web board share these timings.

Why these numbers: a flash is one inverted half-period; at ``FLASH_PERIOD`` = 0.8 s that is 1.25
flashes a second, well under the 3 a second of the photosensitive-seizure guideline (WCAG 2.3.1,
GB/T 37668), and four flashes take 3.2 s. Nothing here reads a wall clock: the caller passes one,
so tests can stop time at any phase.
"""

from __future__ import annotations

from collections.abc import Callable

FLASH_PERIOD = 0.8  # seconds: inverted for the first half, normal for the second
FLASHES = 4
FLASH_SECONDS = FLASH_PERIOD * FLASHES
MAX_FLASHES_PER_SECOND = 3
assert 1 / FLASH_PERIOD < MAX_FLASHES_PER_SECOND, "the call alert must flash less than 3 times a second"

ON, OFF, FRESH, NONE = "on", "off", "fresh", ""  # inverted, normal (between flashes), steady highlight, nothing


def phase(age: float, fresh_seconds: float) -> str:
    """The look of a cell whose call is ``age`` seconds old: ON/OFF while flashing, then FRESH, then NONE."""
    if age < 0 or age >= max(fresh_seconds, FLASH_SECONDS):
        return NONE
    if age < FLASH_SECONDS:
        return ON if age % FLASH_PERIOD < FLASH_PERIOD / 2 else OFF
    return FRESH


class CallAlerts:
    """Which counters are flashing now: ``start(counter)`` when a call is shown, ``states()`` on every frame."""

    def __init__(self, clock: Callable[[], float], fresh_seconds: float = 30.0, enabled: bool = True) -> None:
        self.clock = clock
        self.fresh_seconds = fresh_seconds
        self.enabled = enabled
        self.started: dict[int, float] = {}

    def start(self, counter: int) -> None:
        if self.enabled:
            self.started[counter] = self.clock()

    def states(self) -> dict[int, str]:
        """Counter -> ON, OFF or FRESH for every counter with a live alert (expired ones are forgotten)."""
        now = self.clock()
        out = {}
        for counter, started in list(self.started.items()):
            look = phase(now - started, self.fresh_seconds)
            if look:
                out[counter] = look
            else:
                del self.started[counter]
        return out

    def clear(self) -> None:
        self.started.clear()
