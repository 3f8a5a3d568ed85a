"""What the web security and fuzz tests share: the administrator's password, CSRF scraping, login."""

from __future__ import annotations

import re

MONDAY_9AM = "2026-11-30T09:00:00+08:00"
ADMIN_PASSWORD = "Adm1n-secret-Pa55"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class StepClock:
    """Seconds for the rate limits: ``step`` is added on every reading (0: a still clock)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def login(client, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
    """Log ``client`` in; returns the session's CSRF token."""
    token = CSRF.search(client.get("/staff/login").text).group(1)
    done = client.post("/staff/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return CSRF.search(client.get("/staff/plugins").text).group(1)
