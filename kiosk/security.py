"""Password, PIN and token hashing: stdlib only (hashlib.scrypt), so no extra native dependency.

Stored form: ``scrypt$n$r$p$salt_b64$hash_b64``. Verification is constant-time.
Tracking tokens are hashed with plain SHA-256: they already carry 128 bits of randomness, so a slow
hash adds nothing and a fast one keeps look-ups cheap.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_secret(secret: str) -> str:
    """Hash a password or PIN for storage."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when ``secret`` matches ``stored`` (a value made by :func:`hash_secret`)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            secret.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(_unb64(digest))
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def new_token() -> str:
    """A tracking token: 128 random bits, URL-safe, 22 characters. Never derived from an id.

    Never starting with ``-``: staff type tokens into commands (``kiosk receipt print TOKEN``), where a
    leading dash reads as an option (one token in 64 did). Redrawing keeps the rest uniformly random."""
    while True:
        token = secrets.token_urlsafe(16)
        if not token.startswith("-"):
            return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pad(secret: str, context: str, length: int) -> bytes:
    return hmac.new(secret.encode(), f"kiosk-seal:{context}".encode(), hashlib.sha256).digest()[:length]


def seal_token(secret: str, context: str, token: str) -> str:
    """Keep a token retrievable for an idempotent retry without storing it in clear.

    XOR with an HMAC-derived pad unique to ``context`` (e.g. "queue-ticket:42"): a copy of the
    database alone, without the data dir's secret key, still yields no working tracking link.
    """
    raw = _unb64(token)
    return _b64(bytes(a ^ b for a, b in zip(raw, _pad(secret, context, len(raw)))))


def unseal_token(secret: str, context: str, sealed: str) -> str:
    raw = _unb64(sealed)
    return _b64(bytes(a ^ b for a, b in zip(raw, _pad(secret, context, len(raw)))))
