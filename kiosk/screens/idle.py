"""When to ask "还需要帮助吗？" and when to clear everything for the next resident.

Why a plain class fed by the app: the rules are time arithmetic, so tests drive them with a fake
clock instead of waiting a minute. The app calls :meth:`touched` on every touch or key and
:meth:`poll` twice a second; ``poll`` answers what to do now.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class IdleMonitor:
    def __init__(self, timeout: float = 60.0, countdown: float = 15.0, clock: Callable[[], float] = time.monotonic):
        self.timeout = float(timeout)
        self.countdown = float(countdown)
        self.clock = clock
        self.last = clock()
        self.prompt_since: float | None = None

    @property
    def prompting(self) -> bool:
        return self.prompt_since is not None

    def touched(self) -> None:
        """A touch or key: the resident is still there (this also cancels a running prompt)."""
        self.last = self.clock()
        self.prompt_since = None

    def poll(self, quiet: bool) -> str | None:
        """``"prompt"`` to open the question, ``"reset"`` when its countdown ran out, else None.

        ``quiet`` means there is nothing to clear (home screen, default language and text size):
        then the kiosk does not nag an empty lobby.
        """
        now = self.clock()
        if self.prompt_since is not None:
            if now - self.prompt_since >= self.countdown:
                self.prompt_since = None
                self.last = now
                return "reset"
            return None
        if now - self.last >= self.timeout:
            if quiet:
                self.last = now
                return None
            self.prompt_since = now
            return "prompt"
        return None

    def seconds_left(self) -> int:
        """Whole seconds left on the prompt's countdown (what the prompt shows)."""
        if self.prompt_since is None:
            return 0
        return max(0, math.ceil(self.countdown - (self.clock() - self.prompt_since)))
