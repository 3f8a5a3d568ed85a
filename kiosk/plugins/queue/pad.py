"""The counter rating pad's pairing: which devices may send 好差评 ratings for a counter.

Why not a fixed code: the old cookie was an HMAC of the counter number alone, the same on every device
for ever and set by a GET, so whoever once saw it (or got a staff member to open a link) could rate from
anywhere. Now each pairing is a POST by a logged-in staff member (CSRF-checked, audited) that gives this
one device its own random id, signed with the site's key together with the counter and the time of
pairing; the cookie is HttpOnly, SameSite=Lax and Secure whenever the site is served over HTTPS, and it
stops working after :data:`MAX_AGE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from kiosk.api import KioskContext

MAX_AGE_SECONDS = 400 * 24 * 3600  # browsers keep a cookie at most about this long anyway


def cookie_name(number: int) -> str:
    return f"kq_pad_{number}"


def _signature(ctx: KioskContext, number: int, device: str, issued: int) -> str:
    msg = f"queue-pad:{number}:{device}:{issued}".encode()
    return hmac.new(ctx.settings.secret_key().encode(), msg, hashlib.sha256).hexdigest()


def new_pairing(ctx: KioskContext, number: int, now: float | None = None) -> str:
    """A fresh cookie value for one device at counter ``number``: ``<random id>.<issued>.<signature>``."""
    device = secrets.token_urlsafe(18)
    issued = int(time.time() if now is None else now)
    return f"{device}.{issued}.{_signature(ctx, number, device, issued)}"


def is_paired(ctx: KioskContext, number: int, value: str, now: float | None = None) -> bool:
    """True when ``value`` is a pairing this site made for counter ``number`` and it has not run out."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[0]) < 16:
        return False
    device, issued, signature = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(signature, _signature(ctx, number, device, issued)):
        return False
    age = (time.time() if now is None else now) - issued
    return -300 <= age <= MAX_AGE_SECONDS


def secure_cookies(request, ctx: KioskContext) -> bool:
    """Cookies get the Secure flag when this request came over HTTPS or the site's public address is https."""
    return request.url.scheme == "https" or ctx.settings.base_url.startswith("https://")
