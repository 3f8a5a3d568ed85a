"""What the web security and fuzz tests share: the administrator's password, a clock for the rate limits (``kit.FakeClock``),
and logging in as that administrator (CSRF scraping and the login itself are ``kit``'s)."""

from __future__ import annotations

import kit

ADMIN_PASSWORD = "Adm1n-secret-Pa55"


StepClock = kit.FakeClock  # the rate limits' clock, ``step`` seconds later on every reading

def login(client, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
    """Log ``client`` in (the administrator unless told); returns the session's CSRF token."""
    return kit.login(client, username, password, page="/staff/plugins")
