"""What tests in every folder share: the pinned Monday, CSRF scraping, staff logins, the ``kiosk`` command.

Import it as ``from kit import ...`` from any test folder: ``tests/`` is on ``sys.path`` because pytest
puts the folder of the top ``conftest.py`` there (the test folders are not packages). These are plain
functions, not fixtures, so that conftests, helper modules and spawned worker processes can use them too;
the shared fixtures (``kiosk_now``, ``make_ctx``, ``db_url``...) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

# The demo week: Monday 30 November 2026, 09:00 in Tai'an — a working day, in the autumn term and the
# heating season, with every counter open. The fixtures of every plugin pin the clock here.
MONDAY_9AM = "2026-11-30T09:00:00+08:00"

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# The login each role gets in the fixtures, and the password convention of the tests: "<user>-password".
ROLE_USERS = {"staff": "clerk", "admin": "boss"}

KIOSK = [sys.executable, "-m", "kiosk"]


class FakeClock:
    """Seconds for the web's rate limits and locks: still until a test moves ``now``, or ``step`` later on
    every reading (the fuzzer's requests a minute apart)."""

    def __init__(self, now: float = 1000.0, step: float = 0.0) -> None:
        self.now, self.step = now, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def csrf(page) -> str:
    """The CSRF token in ``page`` (a response or its text); AssertionError if the page has no form with one."""
    text = page if isinstance(page, str) else page.text
    found = CSRF.search(text)
    assert found, f"no csrf_token on the page: {text[:300]!r}"
    return found.group(1)


def password_of(user: str) -> str:
    return f"{user}-password"


def add_staff(ctx, user: str, role: str = "staff", password: str | None = None) -> str:
    """Create (or reset) the login ``user`` with ``role``; returns its name."""
    from kiosk.staff import set_user

    with ctx.transaction() as s:
        set_user(s, user, password or password_of(user), role=role)
    return user


def sign_in(client, user: str = "clerk", password: str | None = None, *, next: str | None = "/staff", headers=None):
    """Post the login form as ``user`` with a fresh CSRF token; the response, redirects not followed."""
    token = csrf(client.get("/staff/login", headers=headers))
    data = {"username": user, "password": password or password_of(user), "csrf_token": token}
    if next is not None:
        data["next"] = next
    return client.post("/staff/login", data=data, headers=headers, follow_redirects=False)


def login(client, user: str = "clerk", password: str | None = None, *, page: str = "/staff") -> str:
    """Log ``client`` in as ``user`` and return the session's CSRF token, read from the staff ``page``.

    The token changes at login, so it is read afterwards, from a page the tests go on to use.
    """
    done = sign_in(client, user, password, next=page)
    assert done.status_code == 303, f"login as {user} refused: {done.status_code} {done.text[:300]}"
    return csrf(client.get(page))


def staff_client(ctx, role: str = "staff", *, user: str | None = None, page: str = "/staff", **app_options):
    """A web client of a fresh app on ``ctx``, logged in as a new ``role`` login; ``client.csrf`` is its token."""
    from fastapi.testclient import TestClient

    from kiosk.web.app import create_app

    user = add_staff(ctx, user or ROLE_USERS.get(role, role), role)
    client = TestClient(create_app(ctx, **app_options))
    client.csrf = login(client, user, page=page)
    return client


def run_kiosk(*args: str, now: str | None = None, env: dict | None = None, input: str | None = None,
              check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``kiosk ARGS`` in a subprocess, as staff and scripts do (``now`` pins KIOSK_NOW for it)."""
    merged = {**os.environ, **(env or {})}
    if now is not None:
        merged["KIOSK_NOW"] = now
    proc = subprocess.run([*KIOSK, *args], capture_output=True, text=True, env=merged, input=input, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"kiosk {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc
