"""Web helpers for a plugin's routes (``kiosk_web_routes``): pages, texts, links, staff, CSRF, limits.

* Pages: ``page(request, title, body)`` puts a plugin's body in the site's layout; ``message`` is a
  one-message page; ``text_for(request)`` picks 中文/English, ``link(lang, path, **params)`` keeps the
  language, ``request_lang(request)`` says which it is.
* Staff: ``Depends(require_staff)`` / ``Depends(require_admin)`` give a ``StaffIdentity``; ``current_user``
  is the optional form. Every POST form renders ``csrf_input(request)`` (the middleware checks it).
  ``client_ip(request)`` is the address for audit entries and limits.
* Forms and paths: ``form_body`` documents a form body in the OpenAPI schema; ``PathId`` is a path
  integer in range.
* Anonymous lookups: ``limit_lookups`` (raises ``RateLimited``), ``TOKEN_HEADERS``, and the building
  blocks ``SlidingWindowLimiter``, ``FailureLock``.
* Templates and static files: ``render_plugin(request, plugin, template, status_code, headers, **context)``
  renders ``templates/{template}`` of the plugin's package in the site's layout; ``static_url(plugin, file)``
  is the address of ``static/{file}``, served at ``/static/{plugin}/``.
* Keyed APIs: ``require_scope``, ``ApiError``, ``ERROR_RESPONSES``, ``error_response``.
"""

from __future__ import annotations

from kiosk.web.apikeys import ERROR_RESPONSES, ApiError, error_response, require_scope
from kiosk.web.openapi import PathId, form_body
from kiosk.web.plugin_pages import render_plugin, static_url
from kiosk.web.ratelimit import FailureLock, SlidingWindowLimiter
from kiosk.web.session import StaffIdentity, client_ip, csrf_input, current_user, require_admin, require_staff
from kiosk.web.templating import link, message, page, request_lang, text_for
from kiosk.web.tracking import TOKEN_HEADERS, RateLimited, limit_lookups

__all__ = [
    "page", "message", "text_for", "link", "request_lang",
    "StaffIdentity", "require_staff", "require_admin", "current_user", "csrf_input", "client_ip",
    "PathId", "form_body", "render_plugin", "static_url",
    "limit_lookups", "RateLimited", "TOKEN_HEADERS", "SlidingWindowLimiter", "FailureLock",
    "require_scope", "ApiError", "ERROR_RESPONSES", "error_response",
]
