"""A size limit on every request body, enforced before anything parses it (issue 14, finding 6).

Why an ASGI middleware and not a check in the routes: FastAPI reads and parses a JSON or form body while
it resolves a route's parameters, before the route (and its API-key dependency) runs, so a 300 MB body
used to be read into memory and parsed for a request that was then refused for a bad key. This sits in
front of the sessions, the CSRF check and every route:

* a ``Content-Length`` above the limit is answered 413 at once, without reading a byte of the body;
* a body without one (chunked) is counted as it streams in, and the moment it passes the limit the
  request is cut off and answered 413. Nothing is buffered here: each chunk goes straight on to the app,
  so the most that is ever held is what the app itself keeps of a body under the limit.

``/api/…`` gets a JSON error (the API's usual ``error``/``message_zh``/``message_en`` keys), every other
path a short page in the visitor's language. The limit is ``[web] max_body_bytes``.
"""

from __future__ import annotations

import logging

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 1_000_000


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body passes the limit; the middleware answers 413."""


def too_large_response(scope: Scope, limit: int):
    """The 413 answer: JSON under ``/api/`` and ``/open311/``, a short page elsewhere."""
    path = scope.get("path", "")
    if path.startswith(("/api/", "/open311/")):
        return JSONResponse({"error": "body_too_large", "message_zh": f"请求内容太大（最多 {limit} 字节）",
                             "message_en": f"the request body is larger than {limit} bytes"}, 413)
    from kiosk.web.templating import gettext_for, message

    request = Request(scope)
    _ = gettext_for(request)
    return message(request, _("The form is too large"), _("Please shorten what you entered and try again."), 413)


class BodySizeLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            log.warning("refused a %d-byte body on %s (limit %d)", declared, scope.get("path", ""), limit)
            await too_large_response(scope, limit)(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app made of the cut-off body (a parse error): our 413 goes out instead
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            log.warning("refused a streamed body over %d bytes on %s", limit, scope.get("path", ""))
            await too_large_response(scope, limit)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
