"""Bearer-key authentication for JSON API routes, and their JSON errors.

A route that other systems call (``/api/queue/tickets``, ``/api/queue/counters/…``) depends on
``require_scope("counter")``: the key comes in ``Authorization: Bearer <key>``, is checked against
:mod:`kiosk.apikeys` (hash, not revoked, has the scope) and the route gets the key's
:class:`~kiosk.apikeys.KeyInfo` (its name goes into the audit trail as ``api:<name>``).

Why the session cookie plays no part here: these routes are exempt from the staff CSRF check (they live
under ``/api/``), which is safe only because a browser never sends a bearer key on its own. So a
logged-in staff session without a key is refused (401) like anyone else.

Errors are ``{"error": code, "message_zh": …, "message_en": …}`` with the status code that says why:
400 bad input, 401 no or invalid key, 403 scope missing, 404 unknown, 409 refused by the current state.
"""

from __future__ import annotations

from fastapi import Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk import apikeys
from kiosk.refusal import Refusal

#: The OpenAPI security scheme the routes declare (so integrators and the fuzzer see they need a key).
bearer = HTTPBearer(auto_error=False, scheme_name="apiKey", description="An API key made with `kiosk api-key create NAME --scope …`.")


class ApiError(Refusal):
    """An answer other than success for a JSON API route; the app turns it into :func:`error_response`
    (on any path: a bearer-key route answers JSON even outside ``/api/``)."""

    def __init__(self, status: int, code: str, zh: str, en: str, headers: dict[str, str] | None = None):
        super().__init__(code, zh, en, status=status)
        self.headers = headers


def error_response(status: int, code: str, zh: str, en: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message_zh": zh, "message_en": en}, status, headers)


def api_error_response(exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.zh, exc.en, exc.headers)


#: The OpenAPI ``responses`` of every bearer-key route (documented, so a client knows the error shape).
ERROR_SCHEMA = {"type": "object", "required": ["error", "message_zh", "message_en"],
                "properties": {"error": {"type": "string"}, "message_zh": {"type": "string"}, "message_en": {"type": "string"}}}
ERROR_RESPONSES = {status: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                   for status, text in ((400, "Bad input"), (401, "No key, or an unknown or revoked key"),
                                        (403, "The key lacks the scope"), (404, "Unknown counter, service or ticket"),
                                        (409, "Refused in the current state (e.g. the counter is paused)"))}


def require_scope(*scopes: str):
    """A dependency: the caller's key, which must be active and hold one of ``scopes``."""

    def caller(request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer)) -> apikeys.KeyInfo:
        challenge = {"WWW-Authenticate": 'Bearer realm="kiosk"'}
        if credentials is None or not credentials.credentials:
            raise ApiError(401, "key_required", "需要接口密钥（Authorization: Bearer …）",
                           "an API key is required: send Authorization: Bearer <key>", challenge)
        info = apikeys.check(request.app.state.ctx, credentials.credentials)
        if info is None:
            raise ApiError(401, "invalid_key", "接口密钥无效或已停用", "the API key is unknown or revoked", challenge)
        if not set(scopes) & set(info.scopes):
            raise ApiError(403, "wrong_scope", f"此密钥无权进行该操作（需要 {' 或 '.join(scopes)} 权限）",
                           f"this key lacks the scope {' or '.join(scopes)}")
        return info

    return caller
