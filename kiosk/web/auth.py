"""Staff sessions, roles and CSRF protection, and the login/logout pages.

* The session is Starlette's signed cookie (itsdangerous, key from ``settings.secret_key()``),
  HttpOnly, SameSite=Lax, valid 12 hours after login. It holds the username, the login time and a
  fingerprint of the password hash, and the staff row is re-read on every request: a deactivated
  user or a changed password ends old sessions at once.
* CSRF: each session (an anonymous one too, for the login form) carries a random token; every
  POST/PUT/PATCH/DELETE outside ``/api/`` must send it back in the form field ``csrf_token`` (or the
  ``X-CSRF-Token`` header). :class:`CSRFMiddleware` checks it before any route runs, so a plugin's
  staff form is protected as soon as it renders :func:`csrf_input`.
* Plugin routes depend on :func:`require_staff` or :func:`require_admin`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.models import StaffUser
from kiosk.staff import authenticate
from kiosk.web.templating import gettext_for, lang_url, message, render, request_lang

log = logging.getLogger(__name__)

SESSION_COOKIE = "kiosk_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 1_000_000

router = APIRouter()


@dataclass(frozen=True)
class StaffIdentity:
    """The logged-in staff member, as routes see them."""

    username: str
    role: str
    display_name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginRequired(Exception):
    """Raised by :func:`require_staff`; the app answers with a redirect to the login page (or 401 JSON)."""


class NotAllowed(Exception):
    """Raised by :func:`require_admin` for a logged-in non-admin; the app answers 403."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def log_in(request: Request, user: StaffUser) -> None:
    """Start a fresh session (new CSRF token: nothing from before the login carries over)."""
    request.session.clear()
    request.session["staff"] = {"u": user.username, "at": int(time.time()), "fp": _fingerprint(user.password_hash)}
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.staff_user = StaffIdentity(user.username, user.role, user.display_name or user.username)


def current_user(request: Request) -> StaffIdentity | None:
    """The logged-in staff member, or None (checked against the database once per request)."""
    if hasattr(request.state, "staff_user"):
        return request.state.staff_user
    user = None
    data = request.session.get("staff") if "session" in request.scope else None
    if isinstance(data, dict) and 0 <= time.time() - float(data.get("at", 0)) < SESSION_MAX_AGE:
        with request.app.state.ctx.sessions() as session:
            row = session.scalar(select(StaffUser).where(StaffUser.username == str(data.get("u"))))
            if row is not None and row.active and hmac.compare_digest(_fingerprint(row.password_hash), str(data.get("fp"))):
                user = StaffIdentity(row.username, row.role, row.display_name or row.username)
    request.state.staff_user = user
    return user


def require_staff(request: Request) -> StaffIdentity:
    """FastAPI dependency: any logged-in staff member (admins included)."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
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


def _login_page(request: Request, next: str, error: str, status_code: int, headers=None):
    _ = gettext_for(request)
    return render(request, "login.html", status_code, headers, title=_("Staff login"), next=safe_next(next), error=error)


@router.post("/staff/login")
def login_submit(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/staff")):
    _ = gettext_for(request)
    username = username.strip().lower()
    throttle = request.app.state.login_throttle
    key = f"{username}|{client_ip(request)}"
    wait = throttle.locked_for(key)
    if wait:
        text = _("Too many failed attempts. Please wait {minutes} minutes and try again.").format(minutes=-(-wait // 60))
        return _login_page(request, next, text, 429, {"Retry-After": str(wait)})
    with request.app.state.ctx.sessions() as session:
        user = authenticate(session, username, password)
    if user is None:
        throttle.failed(key)
        # The audit trail names who tried and from where, never what was typed as the password.
        log.warning("failed staff login for %r from %s", username[:32], client_ip(request))
        return _login_page(request, next, _("Wrong username or password."), 401)
    throttle.succeeded(key)
    log_in(request, user)
    log.info("staff %s logged in from %s", user.username, client_ip(request))
    return RedirectResponse(lang_url(request_lang(request), safe_next(next)), status_code=303)


@router.post("/staff/logout")
def logout(request: Request):
    request.session.clear()
    request.state.staff_user = None
    return RedirectResponse(lang_url(request_lang(request), "/staff/login"), status_code=303)
