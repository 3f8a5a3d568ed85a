"""The plugin API: everything of the core a plugin may import, in one package.

A plugin (built in or installed from elsewhere) imports nothing of ``kiosk.*`` but this package and its own
modules; ``tests/test_plugin_api_boundary.py`` walks every plugin module's imports (functions' too) and fails
on anything else. The names are re-exported from where they live in the core, so there is one object of
each: ``kiosk.api.Receipt is kiosk.models.Receipt``.

``kiosk.api`` (this module: no web framework, no Kivy)
    hooks and context
        ``hookimpl`` (marks a hook implementation; the hooks are listed in :mod:`kiosk.hookspecs`),
        ``KioskContext`` (what hooks receive as ``ctx``: settings, ``sessions``/``transaction``, ``now``/``today``,
        ``calendar``, ``issue_receipt``, ``tracking_url``, ``print_receipt``, the public guard
        ``find_personal_data``/``refuse_personal_data``/``mask_personal_data``, ``erase_personal_data``).
    refusing (:mod:`kiosk.refusal`)
        ``Refusal`` (``Refusal(code, zh, en, field=, status=)``): raise it (or a subclass) to say no to a user; the CLI prints
        it (exit 2), the web host answers a page or JSON error in the request's language, the touch screen a
        notice (``Shell.refuse``).
    types (:mod:`kiosk.types`)
        ``PluginInfo``, ``Tile``, ``ScreenSpec``, ``TrackingView``, ``StaffLink``, ``PublicOutcome``,
        ``PersonalColumns``, ``PersonalLink``, ``ERASED_AT``.
    receipts (:mod:`kiosk.receipts`; issue one with ``ctx.issue_receipt``)
        ``Receipt`` (the row), ``IssuedReceipt``, ``SlipLayout``, ``reissued`` (an issued receipt again, e.g. for a
        replayed request), ``find_receipt`` (by tracking token), ``receipt_state``, ``add_token``, ``scoped_key``,
        ``layout_for``.
    clock (:mod:`kiosk.clock`; honours ``KIOSK_NOW``)
        ``utcnow``, ``parse_day``, ``parse_time``, ``usable``, ``DateOutOfRange``, ``FIRST_YEAR``, ``LAST_YEAR``;
        ``WorkCalendar`` (working days), ``current_seasons``.
    phone (:mod:`kiosk.phone`)
        ``normalize_phone``, ``parse_phone``, ``mask_phone``, ``group_digits``, ``PhoneError``.
    audit, keys, tokens, text
        ``audit`` (the module: ``audit.record(session, actor, action, target, detail, ip)`` in the action's
        transaction), ``apikeys`` (the module) with ``ApiKeyError`` and ``KeyInfo``, ``PersonalDataFound`` (the public
        guard's refusal), ``seal_token``/``unseal_token``, ``translator`` (gettext per language and domain),
        ``csv_text``/``write_csv`` (CSV that spreadsheets cannot run), ``speak_to_wav``/``chime`` (hall
        announcements), ``find_faces``/``FontMissing`` (slip and image fonts).

:mod:`kiosk.api.storage`
    ``Base`` (the declarative base every plugin model uses), ``UTCDateTime`` (also for migrations:
    ``import kiosk.api.storage``), ``bump_counter``, ``Receipt``, ``StaffUser``.
:mod:`kiosk.api.web` (FastAPI routes and pages)
    ``page``, ``message``, ``text_for``, ``link``, ``request_lang``; ``csrf_input``, ``client_ip``,
    ``StaffIdentity``, ``require_staff``, ``require_admin``, ``current_user``; ``PathId``, ``form_body``;
    ``render_plugin`` (a page from the plugin's ``templates/``), ``static_url`` (its ``static/`` files);
    ``limit_lookups``, ``RateLimited``, ``TOKEN_HEADERS``, ``SlidingWindowLimiter``, ``FailureLock``; for keyed
    APIs ``ApiError``, ``ERROR_RESPONSES``, ``require_scope``, ``error_response``.
:mod:`kiosk.api.cli` (click commands)
    ``UserError`` (one line, exit code 2), ``who`` (the operating-system user as the actor of an action),
    ``staff_by`` (``--by USER``, checked against the staff logins), ``emit``, ``CliState``.
:mod:`kiosk.api.screens` (the touch screen; imports Kivy, so only screen modules import it)
    ``Shell`` (what a screen factory receives), the widgets ``KioskLabel``, ``Heading``, ``KioskButton``,
    ``SecondaryButton``, ``KioskInput``, ``PhonePad``, ``HanziKeyboard``, ``SurnamePicker``, ``Announcer``.
"""

from __future__ import annotations

from kiosk import apikeys, audit, hookimpl
from kiosk.apikeys import ApiKeyError, KeyInfo
from kiosk.clock import FIRST_YEAR, LAST_YEAR, DateOutOfRange, parse_day, parse_time, usable, utcnow
from kiosk.fonts import FontMissing, find_faces
from kiosk.i18n import translator
from kiosk.kiosk_context import KioskContext
from kiosk.models import Receipt
from kiosk.phone import PhoneError, group_digits, mask_phone, normalize_phone, parse_phone
from kiosk.publicguard import PersonalDataFound
from kiosk.refusal import Refusal
from kiosk.receipts import (
    IssuedReceipt, SlipLayout, add_token, find_receipt, layout_for, receipt_state, reissued, scoped_key,
)
from kiosk.seasons import current_seasons
from kiosk.security import seal_token, unseal_token
from kiosk.speech import chime, speak_to_wav
from kiosk.spreadsheet import csv_text, write_csv
from kiosk.types import (
    ERASED_AT, PersonalColumns, PersonalLink, PluginInfo, PublicOutcome, ScreenSpec, StaffLink, Tile, TrackingView,
)
from kiosk.workdays import WorkCalendar

__all__ = [
    "hookimpl", "KioskContext", "Refusal",
    "PluginInfo", "Tile", "ScreenSpec", "TrackingView", "StaffLink", "PublicOutcome", "PersonalColumns",
    "PersonalLink", "ERASED_AT",
    "Receipt", "IssuedReceipt", "SlipLayout", "reissued", "find_receipt", "receipt_state", "add_token",
    "scoped_key", "layout_for",
    "utcnow", "parse_day", "parse_time", "usable", "DateOutOfRange", "FIRST_YEAR", "LAST_YEAR", "WorkCalendar",
    "current_seasons",
    "normalize_phone", "parse_phone", "mask_phone", "group_digits", "PhoneError",
    "audit", "apikeys", "ApiKeyError", "KeyInfo", "PersonalDataFound", "seal_token", "unseal_token", "translator",
    "csv_text", "write_csv", "speak_to_wav", "chime", "find_faces", "FontMissing",
]
