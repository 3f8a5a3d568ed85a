"""The web host's application: core routes first, then every plugin's routes, behind the same
security headers, sessions, CSRF check and friendly error pages.

Core routes are added before plugin routes, so a plugin can add pages but never replace
``/t/{token}``, the API or the staff login.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk import __version__
from kiosk.context import KioskContext
from kiosk.refusal import Refusal
from kiosk.web import accounts, apikeys, audit_page, auth, help_requests, privacy, staff, tracking
from kiosk.web.plugin_pages import mount_plugin_files
from kiosk.web.bodylimit import BodySizeLimitMiddleware
from kiosk.web.ratelimit import FailureLock, SlidingWindowLimiter
from kiosk.web.templating import gettext_for, message, request_lang

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")

#: No scripts at all, styles and sounds only from ourselves, no framing, forms only to ourselves.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeadersMiddleware:
    """Add the security headers to every response; pages (not static files) are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                present = {k.lower() for k, _ in msg.get("headers", [])}
                extra = dict(SECURITY_HEADERS)
                if not static:
                    extra["Cache-Control"] = "no-store"
                msg["headers"] = list(msg.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in present
                ]
            await send(msg)

        await self.app(scope, receive, send_with_headers)


def create_app(ctx: KioskContext, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """The ASGI app for ``ctx``. ``clock`` drives the rate limits, which live in the database so every worker
    shares them (wall-clock seconds; tests pass a fake one)."""
    # The OpenAPI description is published (for fuzzing and integrators) but no docs UI is served.
    app = FastAPI(title="kiosk", version=__version__, docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=_housekeeping)
    app.state.ctx = ctx
    app.state.token_limiter = SlidingWindowLimiter(ctx, "token", ctx.settings.token_rate_limit, 60.0, clock)
    app.state.login_throttle = FailureLock(ctx, "login", 5, 300.0, clock)
    _install_error_pages(app)

    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.include_router(tracking.router)
    app.include_router(auth.router)
    app.include_router(staff.router)
    app.include_router(help_requests.router)
    app.include_router(accounts.router)
    app.include_router(audit_page.router)
    app.include_router(privacy.router)
    mount_plugin_files(app, ctx)  # /static/{plugin}/ before the core's /static takes every /static/ path
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    mount_plugin_routes(app, ctx)

    app.add_middleware(auth.CSRFMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=ctx.settings.secret_key(),
        session_cookie=auth.SESSION_COOKIE,
        max_age=auth.SESSION_MAX_AGE,
        same_site="lax",
        https_only=ctx.settings.base_url.startswith("https://"),
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=ctx.settings.max_body_bytes)  # before sessions, CSRF, parsing
    app.add_middleware(SecurityHeadersMiddleware)
    return app


TICK_EVERY_SECONDS = 300


@asynccontextmanager
async def _housekeeping(app: FastAPI):
    """While the web host runs, it offers to run the plugins' daily tick every few minutes.

    Only the first terminal to claim a business day runs it (kiosk.housekeeping), so several web hosts
    and kiosks sharing one database run it once between them.
    """
    from kiosk.housekeeping import run_daily_tick

    async def loop() -> None:
        while True:
            try:
                await asyncio.to_thread(run_daily_tick, app.state.ctx)
            except Exception:  # the database may be down: try again next round
                log.exception("daily tick failed")
            await asyncio.sleep(TICK_EVERY_SECONDS)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()


def healthz(request: Request) -> JSONResponse:
    """Up and able to reach the database (monitoring and the kiosk's own check call this)."""
    try:
        with request.app.state.ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: database unavailable: %s", exc)
        return JSONResponse({"status": "error", "database": "unavailable"}, 503)
    return JSONResponse({"status": "ok"})


def mount_plugin_routes(app: FastAPI, ctx: KioskContext) -> None:
    """Add what each plugin's ``kiosk_web_routes`` returned; a broken plugin is skipped and recorded."""
    for plugin, result in ctx.host.call("kiosk_web_routes", ctx=ctx):
        items = result if isinstance(result, (list, tuple)) else [result]
        try:
            for item in items:
                if isinstance(item, APIRouter):
                    app.include_router(item)
                elif isinstance(item, BaseRoute):
                    app.router.routes.append(item)
                else:
                    raise TypeError(f"{item!r} is neither an APIRouter nor a route")
        except Exception as exc:
            ctx.host.record_error(plugin, "kiosk_web_routes", f"{type(exc).__name__}: {exc}")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _install_error_pages(app: FastAPI) -> None:
    """Friendly pages (or JSON under /api/) instead of framework defaults or tracebacks.

    A :class:`~kiosk.refusal.Refusal` (every plugin's errors are) is answered here once for every route: its
    ``status`` (400 unless it says otherwise) with its text, as ``{"error": code, "message_zh", "message_en"}``
    under /api/. An :class:`~kiosk.web.apikeys.ApiError` keeps its own handler (JSON on any path, its headers).
    """

    @app.exception_handler(tracking.RateLimited)
    async def rate_limited(request: Request, exc: tracking.RateLimited):
        return tracking.rate_limited_response(request, exc)

    @app.exception_handler(apikeys.ApiError)
    async def api_error(request: Request, exc: apikeys.ApiError):
        return apikeys.api_error_response(exc)

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal):
        """Any plugin's or service's refusal a route let rise: the API's JSON error, or a page in the request's
        language (a form that keeps what was typed catches its refusals itself)."""
        if _wants_json(request):
            return apikeys.error_response(exc.status, exc.code, exc.zh, exc.en)
        _ = gettext_for(request)
        return message(request, _("This request could not be handled"), exc.text(request_lang(request)), exc.status)

    @app.exception_handler(auth.LoginRequired)
    async def login_required(request: Request, exc: auth.LoginRequired):
        if _wants_json(request):
            return JSONResponse({"error": "login_required"}, 401)
        return auth.login_redirect(request)

    @app.exception_handler(auth.PasswordChangeRequired)
    async def password_change_required(request: Request, exc: auth.PasswordChangeRequired):
        if _wants_json(request):
            return JSONResponse({"error": "password_change_required"}, 403)
        return auth.password_change_redirect(request)

    @app.exception_handler(auth.NotAllowed)
    async def not_allowed(request: Request, exc: auth.NotAllowed):
        if _wants_json(request):
            return JSONResponse({"error": "forbidden"}, 403)
        _ = gettext_for(request)
        text_ = _("This page is only for administrators. Please ask the center's administrator.")
        return message(request, _("Administrators only"), text_, 403)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        if _wants_json(request):
            return JSONResponse({"error": "not_found" if exc.status_code == 404 else "http_error"}, exc.status_code, headers)
        _ = gettext_for(request)
        if exc.status_code == 404:
            title, text_ = _("Page not found"), _("This page does not exist. Please check the address.")
        else:
            title, text_ = _("This request could not be handled"), _("Please go back and try again, or ask at the front desk.")
        return message(request, title, text_, exc.status_code, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if _wants_json(request):
            first = (exc.errors() or [{}])[0]
            field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "path", "query", "header"))
            return apikeys.error_response(400, "invalid_request", f"请求内容有误：{field or '格式不对'}",
                                          f"invalid request: {field or 'malformed'}: {first.get('msg', '')}".rstrip(": "))
        _ = gettext_for(request)
        text_ = _("Some information is missing or wrong. Please go back and try again.")
        return message(request, _("Invalid request"), text_, 400)

    @app.exception_handler(DBAPIError)
    async def database_down(request: Request, exc: DBAPIError):
        log.error("database error on %s: %s", request.url.path, exc)
        return _apology(request, 503)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _apology(request, 500)


def _apology(request: Request, status_code: int):
    """The server-error page: never a traceback; plain bilingual text if even the template fails."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    if _wants_json(request):
        return JSONResponse({"error": "server_error"}, status_code, headers)
    try:
        _ = gettext_for(request)
        text_ = _("Please try again in a few minutes, or ask at the front desk.")
        return message(request, _("Sorry, something went wrong"), text_, status_code, headers)
    except Exception:
        log.exception("the error page failed too")
        body = (
            "<!doctype html><meta charset=utf-8><title>出错了 Error</title>"
            "<p>抱歉，系统出现故障，请稍后再试或到前台咨询。</p>"
            "<p>Sorry, something went wrong. Please try again later or ask at the front desk.</p>"
        )
        return HTMLResponse(body, status_code, headers)

