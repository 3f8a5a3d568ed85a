"""Staff sessions, roles and CSRF protection, and the login/logout pages.

* The session is Starlette's signed cookie (itsdangerous, key from ``settings.secret_key()``),
  HttpOnly, SameSite=Lax, valid 12 hours after login. It holds the username, the login time and the
  user's session generation (``StaffUser.session_gen``), and the staff row is re-read on every
  request. Logout, deactivation and a password change bump the generation, so every session of that
  user (and every copy of its cookie) ends at once: a signed cookie alone cannot be revoked.
* A user whose ``must_change_password`` is set (the demo logins, a password an administrator reset)
  reaches no staff page but the change-password page until they have picked their own.
* Logins, failed logins and logouts go to the audit log (the username as typed, never the password).
* CSRF: each session (an anonymous one too, for the login form) carries a random token; every
  POST/PUT/PATCH/DELETE outside ``/api/`` must send it back in the form field ``csrf_token`` (or the
  ``X-CSRF-Token`` header). :class:`CSRFMiddleware` checks it before any route runs, so a plugin's
  staff form is protected as soon as it renders :func:`csrf_input`.
* Plugin routes depend on :func:`require_staff` or :func:`require_admin`.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk import audit
from kiosk.models import StaffUser
from kiosk.staff import authenticate, end_sessions, is_demo_password
from kiosk.staff import find as find_user
from kiosk.web.templating import gettext_for, lang_url, message, render, request_lang

log = logging.getLogger(__name__)

SESSION_COOKIE = "kiosk_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 1_000_000
#: How much of a mistyped username the audit log keeps (someone may type their password there).
USERNAME_SHOWN = 32

router = APIRouter()


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


CSRF_EXEMPT = ("/api/", "/open311/")


class CSRFMiddleware:
    """Reject unsafe requests outside the API prefixes whose CSRF token does not match the session's.

    ``/api/`` and ``/open311/`` are exempt: they authenticate with keys, not with the session cookie.

    Sits inside the session middleware. The body is read once, checked, then replayed to the route.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS or scope["path"].startswith(CSRF_EXEMPT):
            await self.app(scope, receive, send)
            return
        body, too_big = await _read_body(receive)
        replay = _replayer(body)
        request = Request(scope, receive=_replayer(body))
        if too_big:
            _ = gettext_for(request)
            response = message(request, _("The form is too large"), _("Please shorten what you entered and try again."), 413)
            await response(scope, replay, send)
            return
        sent = request.headers.get(CSRF_HEADER)
        if not sent:
            try:
                form = await request.form()
                sent = form.get(CSRF_FIELD)
                await form.close()
            except Exception:  # not a form at all
                sent = None
        expected = scope.get("session", {}).get("csrf")
        if not (isinstance(sent, str) and expected and hmac.compare_digest(sent.encode(), str(expected).encode())):
            _ = gettext_for(request)
            response = message(
                request,
                _("This form has expired"),
                _("For your security the form could not be accepted. Please go back, reload the page and try again."),
                403,
            )
            await response(scope, replay, send)
            return
        await self.app(scope, replay, send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks, size, more = [], 0, True
    while more:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            break
        chunk = msg.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return b"", True
        chunks.append(chunk)
        more = msg.get("more_body", False)
    return b"".join(chunks), False


def _replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


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


def login_redirect(request: Request) -> RedirectResponse:
    """Where :class:`LoginRequired` sends a browser: the login page, coming back afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = lang_url(request_lang(request), "/staff/login")
    sep = "&" if "?" in login else "?"
    return RedirectResponse(f"{login}{sep}next={quote(target, safe='')}", status_code=303)


def safe_next(target: str | None) -> str:
    """Only local paths, so the login page cannot be used to send someone to another site.

    A backslash or a control character anywhere is refused too: browsers read ``/\\host`` as ``//host``
    and drop tabs and line breaks from a URL, so a tab between two slashes would leave the site.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or target.startswith("/staff/log"):
        return "/staff"
    if any(ch == "\\" or ch < " " or ch == "\x7f" for ch in target):
        return "/staff"
    return target


# -- pages -------------------------------------------------------------------------------------------
@router.get("/staff/login")
def login_form(request: Request, next: str = "/staff"):
    if current_user(request) is not None:
        return RedirectResponse(lang_url(request_lang(request), safe_next(next)), status_code=303)
    return _login_page(request, next, "", 200)


def _login_page(request: Request, next: str, error: str, status_code: int, headers=None, username: str = ""):
    _ = gettext_for(request)
    return render(request, "login.html", status_code, headers, title=_("Staff login"), next=safe_next(next), error=error,
                  username=username[:64])


@router.post("/staff/login")
def login_submit(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/staff")):
    _ = gettext_for(request)
    typed = username
    username = username.strip().lower()
    throttle = request.app.state.login_throttle
    ip = client_ip(request)
    key = f"{username}|{ip}"
    wait = throttle.locked_for(key)
    if wait:
        text = _("Too many failed attempts. Please wait {minutes} minutes and try again.").format(minutes=-(-wait // 60))
        return _login_page(request, next, text, 429, {"Retry-After": str(wait)}, typed)
    with request.app.state.ctx.transaction() as session:
        user = authenticate(session, username, password)
        if user is None:
            # Who tried and from where, never what was typed as the password.
            audit.record(session, "anonymous", "auth.login_failed", f"staff:{_shown_username(username)}", ip=ip)
        else:
            if is_demo_password(user.username, password):
                user.must_change_password = True  # also a demo login loaded before the flag existed
            audit.record(session, f"web:{user.username}", "auth.login", f"staff:{user.username}", ip=ip)
            log_in(request, user)
    if user is None:
        throttle.failed(key)
        log.warning("failed staff login for %r from %s", _shown_username(username), ip)
        return _login_page(request, next, _("Wrong username or password."), 401, None, typed)
    throttle.succeeded(key)
    log.info("staff %s logged in from %s", username, ip)
    target = PASSWORD_PAGE if request.state.staff_user.must_change else safe_next(next)
    return RedirectResponse(lang_url(request_lang(request), target), status_code=303)


_DIGIT_RUN = re.compile(r"\d{7,}")


def _shown_username(text: str) -> str:
    """A mistyped username as the audit log and the server log keep it: printable, truncated, and with a
    long run of digits masked (someone may type their phone number there)."""
    text = "".join(ch for ch in text if ch.isprintable())[:USERNAME_SHOWN]
    return _DIGIT_RUN.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 5) + m.group()[-2:], text)


@router.post("/staff/logout")
def logout(request: Request):
    """End this session and every other of the same user (a copied cookie included)."""
    user = current_user(request)
    if user is not None:
        with request.app.state.ctx.transaction() as session:
            row = find_user(session, user.username)
            if row is not None:
                end_sessions(row)
            audit.record(session, f"web:{user.username}", "auth.logout", f"staff:{user.username}", ip=client_ip(request))
    request.session.clear()
    request.state.staff_user = None
    return RedirectResponse(lang_url(request_lang(request), "/staff/login"), status_code=303)


def password_change_redirect(request: Request) -> RedirectResponse:
    """Where :class:`PasswordChangeRequired` sends a browser."""
    return RedirectResponse(lang_url(request_lang(request), PASSWORD_PAGE), status_code=303)
