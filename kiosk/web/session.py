"""Who is asking: the staff session, its roles, the CSRF token and the client's address.

The lower half of :mod:`kiosk.web.auth` (which adds the middleware and the login pages): the page
templates need the logged-in user and the CSRF field, and auth renders templates, so these live here
where :mod:`kiosk.web.templating` can import them without importing auth back.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from fastapi import Depends, Request
from markupsafe import Markup
from sqlalchemy import select

from kiosk.models import StaffUser

SESSION_COOKIE = "kiosk_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class StaffIdentity:
    """The logged-in staff member, as routes see them."""

    username: str
    role: str
    display_name: str
    must_change: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginRequired(Exception):
    """Raised by :func:`require_staff`; the app answers with a redirect to the login page (or 401 JSON)."""


class PasswordChangeRequired(Exception):
    """Raised by :func:`require_staff` while the user must still replace a demo or reset password."""


class NotAllowed(Exception):
    """Raised by :func:`require_admin` for a logged-in non-admin; the app answers 403."""


def client_ip(request: Request) -> str:
    """The client's address; X-Forwarded-For counts only from ``[web] trusted_proxies`` (kiosk.web.clientaddr)."""
    from kiosk.web.clientaddr import request_address

    return request_address(request)


# -- CSRF ------------------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (this also starts an anonymous session)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_input(request: Request) -> Markup:
    """The hidden form field every POST form must contain."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token(request))


# -- sessions and roles ------------------------------------------------------------------------------
PASSWORD_PAGE = "/staff/password"
#: What a user who must change their password may still open.
_MUST_CHANGE_ALLOWED = (PASSWORD_PAGE, "/staff/logout")


def log_in(request: Request, user: StaffUser) -> None:
    """Start a fresh session (new CSRF token: nothing from before the login carries over)."""
    request.session.clear()
    request.session["staff"] = {"u": user.username, "at": int(time.time()), "g": int(user.session_gen or 0)}
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.staff_user = _identity(user)


def _identity(row: StaffUser) -> StaffIdentity:
    return StaffIdentity(row.username, row.role, row.display_name or row.username, bool(row.must_change_password))


def current_user(request: Request) -> StaffIdentity | None:
    """The logged-in staff member, or None (checked against the database once per request)."""
    if hasattr(request.state, "staff_user"):
        return request.state.staff_user
    user = None
    data = request.session.get("staff") if "session" in request.scope else None
    if isinstance(data, dict) and 0 <= time.time() - _number(data.get("at")) < SESSION_MAX_AGE:
        with request.app.state.ctx.sessions() as session:
            row = session.scalar(select(StaffUser).where(StaffUser.username == str(data.get("u"))))
            if row is not None and row.active and _number(data.get("g"), -1) == (row.session_gen or 0):
                user = _identity(row)
    request.state.staff_user = user
    return user


def _number(value, default: float = 0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def require_staff(request: Request) -> StaffIdentity:
    """FastAPI dependency: any logged-in staff member (admins included) who need not change their password."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    if user.must_change and request.url.path not in _MUST_CHANGE_ALLOWED:
        raise PasswordChangeRequired()
    return user


def require_admin(user: StaffIdentity = Depends(require_staff)) -> StaffIdentity:
    """FastAPI dependency: a logged-in administrator."""
    if not user.is_admin:
        raise NotAllowed()
    return user
