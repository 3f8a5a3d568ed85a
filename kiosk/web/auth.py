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
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk import audit
from kiosk.staff import authenticate, end_sessions, is_demo_password
from kiosk.staff import find as find_user
from kiosk.web.session import (  # noqa: F401 (re-exported: routes and plugins import them from here)
    _MUST_CHANGE_ALLOWED, CSRF_FIELD, CSRF_HEADER, PASSWORD_PAGE, SESSION_COOKIE, SESSION_MAX_AGE, LoginRequired,
    NotAllowed, PasswordChangeRequired, StaffIdentity, _identity, _number, client_ip, csrf_input, csrf_token,
    current_user, log_in, require_admin, require_staff,
)
from kiosk.web.templating import gettext_for, lang_url, message, render, request_lang

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 1_000_000
#: How much of a mistyped username the audit log keeps (someone may type their password there).
USERNAME_SHOWN = 32

router = APIRouter()


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
