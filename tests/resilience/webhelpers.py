"""What the web security and fuzz tests share: the administrator's password, a clock for the rate limits,
and logging in as that administrator (CSRF scraping and the login itself are ``kit``'s)."""

from __future__ import annotations

import kit

ADMIN_PASSWORD = "Adm1n-secret-Pa55"


class StepClock:
    """Seconds for the rate limits: ``step`` is added on every reading (0: a still clock)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def login(client, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
    """Log ``client`` in (the administrator unless told); returns the session's CSRF token."""
    return kit.login(client, username, password, page="/staff/plugins")
