"""API keys for other systems (an Open311 hotline, a WeChat mini-program gateway, a counter's desktop app).

One table (:class:`kiosk.models.ApiKey`) for every plugin: a key is shown once when it is made and
only its SHA-256 is kept; each key carries the scopes it may use. A plugin declares its scopes with
the ``kiosk_api_scopes`` hook (``open311`` from intake, ``tickets`` and ``counter`` from the queue),
so ``kiosk api-key create`` refuses a scope nothing checks. Nothing here imports the web side.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kiosk import audit
from kiosk.clock import utcnow
from kiosk.models import ApiKey
from kiosk.refusal import Refusal
from kiosk.security import token_hash

_SCOPE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PREFIX = re.compile(r"^[a-z0-9]{1,8}_$")


class ApiKeyError(Refusal, ValueError):
    """A request about keys that cannot be done (bad name, unknown scope, no such key), in both languages."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(f"bad_{field}", zh, en, field=field)


@dataclass(frozen=True)
class KeyInfo:
    """What a caller may know about a key: never the key itself (only its hash exists)."""

    id: int
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "scopes": list(self.scopes), "created_at": self.created_at.isoformat(),
                "created_by": self.created_by, "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
                "active": self.active}


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, tuple(row.scopes.split()), row.created_at, row.created_by, row.revoked_at)


def known_scopes(ctx) -> dict[str, tuple[str, str]]:
    """Every scope the loaded plugins check: name → (Chinese, English) description."""
    out: dict[str, tuple[str, str]] = {}
    for _plugin, scopes in ctx.host.call("kiosk_api_scopes"):
        out.update(scopes or {})
    return out


def create(ctx, name: str, scopes: list[str] | tuple[str, ...], *, by: str = "", prefix: str = "kiosk_") -> tuple[KeyInfo, str]:
    """Make a key for ``name`` with ``scopes``; returns its description and the key, which is never shown again."""
    name = " ".join("".join(ch for ch in (name or "") if ch.isprintable() or ch.isspace()).split())  # it goes into audit lines
    if not 1 <= len(name) <= 60:
        raise ApiKeyError("name", "名称不能为空，且不超过 60 字", "the name must be 1–60 characters")
    wanted = sorted({s.strip().lower() for s in scopes if s.strip()})
    if not wanted:
        raise ApiKeyError("scope", "请至少指定一个权限范围", "give at least one scope")
    known = known_scopes(ctx)
    unknown = [s for s in wanted if s not in known or not _SCOPE.match(s)]
    if unknown:
        raise ApiKeyError("scope", f"未知的权限范围：{', '.join(unknown)}",
                          f"unknown scope {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none'})")
    if not _PREFIX.match(prefix):
        raise ValueError(f"bad key prefix {prefix!r}")
    key = prefix + secrets.token_urlsafe(24)  # 192 random bits
    with ctx.transaction() as s:
        row = ApiKey(name=name, scopes=" ".join(wanted), key_hash=token_hash(key), created_at=utcnow(), created_by=by[:64])
        s.add(row)
        s.flush()
        audit.record(s, by or "?", "apikey.create", f"apikey:{row.id}", {"name": name, "scopes": wanted})
        return _info(row), key


def check(ctx, key: str) -> KeyInfo | None:
    """The active key that ``key`` is, or None (unknown, revoked, empty). Scopes are the caller's to check."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        return None
    with ctx.sessions() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(key)))
        return _info(row) if row is not None and row.revoked_at is None else None


def allows(ctx, key: str, scope: str) -> bool:
    found = check(ctx, key)
    return found is not None and scope in found.scopes


def list_keys(ctx, include_revoked: bool = False) -> list[KeyInfo]:
    with ctx.sessions() as s:
        query = select(ApiKey).order_by(ApiKey.id)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        return [_info(r) for r in s.scalars(query)]


def revoke(ctx, which: str | int, *, by: str = "") -> KeyInfo:
    """Revoke the key with this id (a number) or this exact name (refused when several active keys share it)."""
    ident = str(which).strip()
    with ctx.transaction() as s:
        if ident.isdigit():
            rows = [r for r in [s.get(ApiKey, int(ident))] if r is not None] if int(ident) < 2**31 else []
        else:
            rows = list(s.scalars(select(ApiKey).where(ApiKey.name == " ".join(ident.split()), ApiKey.revoked_at.is_(None))))
        if not rows:
            raise ApiKeyError("key", f"没有这个密钥：{ident[:60]}", f"no key {ident[:60]!r} (give its id or name, see: kiosk api-key list)")
        if len(rows) > 1:
            ids = ", ".join(str(r.id) for r in rows)
            raise ApiKeyError("key", f"有多个同名密钥（编号 {ids}），请用编号", f"several active keys are named {ident!r} (ids {ids}): give the id")
        row = rows[0]
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(s, by or "?", "apikey.revoke", f"apikey:{row.id}", {"name": row.name})
        return _info(row)
