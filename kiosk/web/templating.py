"""Jinja templates with per-request helpers: ``_`` for the page's language, ``url`` that keeps the
language across links, ``csrf_input`` for forms, and the logged-in staff member.

Chinese is the default; ``?lang=en`` switches to English and every link built with ``url`` keeps it.
Autoescaping is on everywhere: only values wrapped in :class:`markupsafe.Markup` (a plugin's own
escaped tracking fragment, the CSRF field) are inserted as is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from markupsafe import Markup

from kiosk.i18n import normalize, translator

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
#: plugin name -> loader over its ``templates/`` folder, filled by :mod:`kiosk.web.plugin_pages`. The core's
#: templates come first, so ``"{plugin}/page.html"`` adds a page and never replaces one of the core's.
PLUGIN_LOADERS: dict[str, FileSystemLoader] = {}
env = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PrefixLoader(PLUGIN_LOADERS, delimiter="/")]), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
)


def request_lang(request: Request) -> str:
    """zh_CN unless the query string says ``lang=en``."""
    return normalize(request.query_params.get("lang"))


def gettext_for(request: Request):
    return translator(request_lang(request), "web")


def lang_url(lang: str, path: str, **params: Any) -> str:
    """``path`` with ``params`` and, for English pages, ``lang=en`` (Chinese needs no parameter)."""
    query = {k: v for k, v in params.items() if v is not None}
    if lang == "en" and "lang=" not in path:
        query["lang"] = "en"
    if not query:
        return path
    return path + ("&" if "?" in path else "?") + urlencode(query)


def text_for(request: Request, zh: str, en: str) -> str:
    """The Chinese or English text for this request (plugins' pages use it for short bilingual strings)."""
    return en if request_lang(request) == "en" else zh


def link(request: Request, path: str, **params: Any) -> str:
    """``path`` with ``params`` (empty ones dropped), keeping English when the page is English."""
    return lang_url(request_lang(request), path, **{k: v for k, v in params.items() if v not in (None, "")})


def same_site_path(path: str | None) -> str:
    """``path`` as a link that can only lead to a page of this site.

    The path of a request is whatever the client sent: ``//evil.example/x`` (or ``/\\evil.example``,
    or ``/%09/evil.example`` that a browser reads as ``//`` once it drops the tab) written back into a
    link would leave the site. Every character a browser could reinterpret is percent-encoded and the
    path starts with exactly one slash (``/evil.example/x``, a page of ours that does not exist).
    """
    quoted = quote(path or "/", safe="/:@!$&'()*+,;=-._~")
    return "/" + quoted.lstrip("/")


def switch_url(request: Request) -> str:
    """The same page in the other language (on this site, whatever path the request had)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if request_lang(request) != "en":
        query.append(("lang", "en"))
    return same_site_path(request.url.path) + ("?" + urlencode(query) if query else "")


def base_context(request: Request) -> dict[str, Any]:
    """What every template may use."""
    from kiosk.web.session import csrf_input, current_user

    lang = request_lang(request)
    settings = request.app.state.ctx.settings
    try:
        user = current_user(request)
    except Exception:  # an error page must render even when the session or database is broken
        user = None
    return {
        "help_open": _help_open(request) if user is not None else 0,
        "request": request,
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "_": translator(lang, "web"),
        "url": lambda path, **params: lang_url(lang, path, **params),
        "switch_url": switch_url(request),
        "csrf_input": lambda: csrf_input(request),
        "user": user,
        "center": settings.center_name_en if lang == "en" else settings.center_name,
        "title": "",
        "refresh": 0,
        "stylesheets": (),
        "body_class": "",
    }


def _help_open(request: Request) -> int:
    """How many help requests wait (the staff pages' banner); 0 when the database cannot say."""
    from kiosk.helpdesk import count_open

    try:
        return count_open(request.app.state.ctx)
    except Exception as exc:
        log.warning("could not count open help requests: %s", exc)
        return 0


def render(
    request: Request, name: str, status_code: int = 200, headers: Mapping[str, str] | None = None, **values: Any
) -> HTMLResponse:
    """Render template ``name`` with the request's helpers plus ``values``."""
    html = env.get_template(name).render({**base_context(request), **values})
    return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))


def message(request: Request, title: str, text: str, status_code: int, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """A friendly one-message page (not found, expired, forbidden, too many requests…)."""
    return render(request, "message.html", status_code, headers, title=title, message=text)


def page(
    request: Request, title: str, body: str | Markup, status_code: int = 200, refresh: int = 0,
    stylesheets: tuple[str, ...] = (), body_class: str = "",
) -> HTMLResponse:
    """A plugin page inside the site's layout. ``body`` is HTML the plugin built and escaped itself.

    ``refresh`` reloads the page every so many seconds (live boards need no script); ``stylesheets``
    are extra CSS files the plugin serves from its own routes (the CSP allows only our own origin).
    """
    return render(request, "page.html", status_code, title=title, body=Markup(body), refresh=refresh,
                  stylesheets=stylesheets, body_class=body_class)
