"""Residents' personal data in one registry: where it is, how to find one resident's, how to erase it.

Why one registry: a resident's phone, name, flat and words end up in many tables (a case, its timeline
notes and ratings, the slip's lines, a class sign-up, an appointment, a queue rating). Erasure on request
(``kiosk privacy erase``, the staff page /staff/privacy) and erasure by age (each plugin's retention in
its daily tick) must blank the same columns, and a column added later must not be forgotten. So the core
(:data:`CORE`) and each plugin (hook ``kiosk_personal_data``) declare every text column of their tables
as personal (with the value erasure writes) or not (with the reason); ``tests/test_privacy_registry.py``
walks every model against the declarations.

Erasure is an UPDATE of the declared columns (rows stay: counts, deadlines and statistics survive).
SQLite then checkpoints and truncates its WAL, and ``secure_delete`` (set on every connection in
:mod:`kiosk.db`) has zeroed the space the old text took, so the text is gone from the database file and
its ``-wal``. On PostgreSQL the old row versions are dead tuples: no dump or query returns them, and
autovacuum reclaims their space.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, String, Table, Text, event, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk.clock import utcnow
from kiosk.db import Base
from kiosk.phone import mask_phone, parse_phone
from kiosk.types import ERASED_AT, PersonalColumns, PersonalLink

log = logging.getLogger(__name__)

_STAFF = "a staff account name, not a resident's"
_TERMINAL = "the name of a terminal"
_CODE = "a code or state the software sets"

#: The core's tables. Receipts are the only core table that can hold a resident's data: the slip's lines
#: (a case's problem as typed) and, for a take-away of a 公示 outcome, its title.
CORE: list[PersonalColumns | PersonalLink] = [
    PersonalColumns(
        "receipt", "回执（凭条）", "Receipts (slips)",
        erase={"lines": [], "title": "回执"},
        keep={"plugin": _CODE, "kind": _CODE, "subject": "the issuing plugin's id of the ticket or case",
              "number": "a ticket or case number", "print_error": "the printer's error message", "terminal": _TERMINAL},
        text=("title",),  # a 公示 take-away's title; lines are found through the case, sign-up or ticket
    ),
    PersonalColumns("receipt_token", "回执令牌", "Receipt tokens", keep={"token_hash": "SHA-256 of a tracking token"},
                    withheld=("token_hash",)),
    PersonalColumns("plugin_override", "插件开关", "Plugin switches",
                    keep={"season": _CODE, "plugin": _CODE, "changed_by": _STAFF}),
    PersonalColumns("plugin_error", "插件错误", "Plugin errors",
                    keep={"plugin": _CODE, "hook": _CODE, "message": "an exception's message (SQL parameters are not logged)",
                          "terminal": _TERMINAL}),
    PersonalColumns("staff_user", "工作人员", "Staff accounts",
                    keep={"username": _STAFF, "display_name": _STAFF, "password_hash": "a password hash", "role": _CODE},
                    withheld=("password_hash",)),
    PersonalColumns("daily_run", "日常任务", "Daily runs", keep={"name": _CODE, "last_day": "an ISO date"}),
    PersonalColumns("terminal_heartbeat", "终端心跳", "Terminal heartbeats",
                    keep={"terminal": _TERMINAL, "role": _CODE, "version": _CODE, "hostname": "the machine's host name",
                          "printer_state": _CODE, "printer_detail": "the printer's status text", "last_error": "a program error"}),
    PersonalColumns("api_key", "接口密钥", "API keys",
                    keep={"name": "the name of another system", "scopes": _CODE, "key_hash": "SHA-256 of a key", "created_by": _STAFF},
                    withheld=("key_hash",)),
    PersonalColumns("help_request", "求助", "Help requests",
                    keep={"terminal": _TERMINAL, "screen": "a screen's name", "open_terminal": _TERMINAL, "done_by": _STAFF}),
    PersonalColumns("rate_counter", "访问限制计数", "Rate counters",
                    keep={"key": "a limiter's name and a SHA-256 of the address or login it counts (kiosk.web.ratelimit)"}),
    PersonalColumns("audit_log", "审计日志", "Audit log",
                    keep={"actor": _STAFF, "action": _CODE, "target": "what was acted on; phones only masked (kiosk.audit)",
                          "detail": "counts and codes, never a resident's data (kiosk.audit)", "ip": "a staff member's address"}),
]

_SEPARATORS = r"[\s\-\u2010-\u2015\u2212.()（）]*"


class PrivacyError(ValueError):
    """The registry is inconsistent (a plugin declared a table or column that does not exist)."""


@dataclass
class Registry:
    """The declarations of the core and every loaded plugin, checked against the tables."""

    tables: dict[str, PersonalColumns] = field(default_factory=dict)
    links: list[PersonalLink] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)

    def add(self, owner: str, item: Any) -> None:
        if isinstance(item, PersonalColumns):
            table = _table(item.table)
            if item.table in self.tables:
                raise PrivacyError(f"{owner}: table {item.table} is declared twice (also by {self.owners[item.table]})")
            for name in [*item.erase, *item.keep, item.phone, *item.text, *item.withheld]:
                if name and name not in table.c:
                    raise PrivacyError(f"{owner}: {item.table} has no column {name!r}")
            both = set(item.erase) & set(item.keep)
            if both:
                raise PrivacyError(f"{owner}: {item.table}.{sorted(both)[0]} is declared personal and not personal")
            if (item.erase or item.phone or item.text) and len(table.primary_key.columns) != 1:
                raise PrivacyError(f"{owner}: {item.table} holds personal data but has no single-column primary key")
            self.tables[item.table] = item
            self.owners[item.table] = owner
        elif isinstance(item, PersonalLink):
            for name, column in ((item.table, item.column), (item.parent, item.parent_column)):
                if column not in _table(name).c:
                    raise PrivacyError(f"{owner}: {name} has no column {column!r}")
            self.links.append(item)
        else:
            raise PrivacyError(f"{owner}: not a PersonalColumns or PersonalLink: {item!r}")

    def undeclared(self, metadata=None) -> list[str]:
        """``table.column`` of every String/Text/JSON column of ``metadata`` (default: every model's) that no
        declaration names as personal or not."""
        missing = []
        for table in (metadata or Base.metadata).sorted_tables:
            decl = self.tables.get(table.name)
            named = set(decl.erase) | set(decl.keep) if decl else set()
            missing += [f"{table.name}.{c.name}" for c in table.columns if isinstance(c.type, (String, Text, JSON)) and c.name not in named]
        return missing


def _table(name: str) -> Table:
    table = Base.metadata.tables.get(name)
    if table is None:
        raise PrivacyError(f"there is no table {name!r}")
    return table


def registry(host) -> Registry:
    """The core's declarations plus every registered plugin's (enabled this season or not: data stays)."""
    reg = Registry()
    for item in CORE:
        reg.add("core", item)
    failed: list[str] = []
    answers = host.call("kiosk_personal_data", failed=failed)
    if failed:  # an erasure that silently skipped a plugin's tables would leave its residents' data behind
        raise PrivacyError(f"kiosk_personal_data failed in {', '.join(failed)}: see `kiosk plugins list`")
    for plugin, result in answers:
        for item in result or ():
            reg.add(plugin, item)
    return reg


# -- finding one resident's rows ---------------------------------------------------------------------
def phone_pattern(number: str) -> re.Pattern[str]:
    """A number (stored form) inside free text in any spacing, with or without +86, full-width too
    (match it against ``unicodedata.normalize("NFKC", text)``). A landline also matches without its
    area code, the way residents write their home number."""
    phone = parse_phone(number)

    def spaced(digits: str) -> str:
        return _SEPARATORS.join(digits)

    if phone.kind == "mobile":
        body = rf"(?:(?:\+|00)?86{_SEPARATORS})?{spaced(phone.local)}"
    else:
        body = rf"(?:{spaced(phone.area)}{_SEPARATORS})?{spaced(phone.local)}"
    return re.compile(rf"(?<!\d){body}(?!\d)")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _pk(table: Table):
    return list(table.primary_key.columns)[0]


def find_phone(session: Session, reg: Registry, number: str) -> dict[str, set[Any]]:
    """Primary keys of every row about the resident with this (stored-form) number, per table."""
    pattern = phone_pattern(number)
    roots: dict[str, set[Any]] = {}
    for name, decl in reg.tables.items():
        table = _table(name)
        pk = _pk(table) if len(table.primary_key.columns) == 1 else None
        if pk is None:
            continue
        if decl.phone:
            roots.setdefault(name, set()).update(session.scalars(select(pk).where(table.c[decl.phone] == number)))
        for column in decl.text:
            col = table.c[column]
            query = select(pk, col).where(col.is_not(None))
            if isinstance(col.type, (String, Text)):
                query = query.where(col != "")  # most notes are empty: leave them in the database
            for key, value in session.execute(query.execution_options(yield_per=1000)):
                if pattern.search(unicodedata.normalize("NFKC", _as_text(value))):
                    roots.setdefault(name, set()).add(key)
    return follow(session, reg, {k: v for k, v in roots.items() if v})


def follow(session: Session, reg: Registry, roots: dict[str, set[Any]]) -> dict[str, set[Any]]:
    """``roots`` plus every row a :class:`PersonalLink` ties to them, until nothing new turns up."""
    found = {name: set(keys) for name, keys in roots.items() if keys}
    changed = True
    while changed:
        changed = False
        for link in reg.links:
            keys = found.get(link.parent)
            if not keys:
                continue
            parent, child = _table(link.parent), _table(link.table)
            values = {v for v in _chunked_scalars(session, select(parent.c[link.parent_column]), _pk(parent), keys) if v is not None}
            if not values:
                continue
            new = set(_chunked_scalars(session, select(_pk(child)), child.c[link.column], values)) - found.get(link.table, set())
            if new:
                found.setdefault(link.table, set()).update(new)
                changed = True
    return found


def _chunked_scalars(session: Session, query, column, values, size: int = 500):
    values = list(values)
    for i in range(0, len(values), size):
        yield from session.scalars(query.where(column.in_(values[i:i + size])))


# -- export ------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def export_rows(session: Session, reg: Registry, found: dict[str, set[Any]]) -> list[dict[str, Any]]:
    """The found rows, table by table, every column but the withheld ones (JSON-ready)."""
    out = []
    for name in sorted(found, key=lambda n: (reg.owners.get(n) == "core", reg.owners.get(n, ""), n)):  # plugins' first
        decl, table = reg.tables.get(name), _table(name)
        if decl is None or not found[name]:
            continue
        pk = _pk(table)
        columns = [c for c in table.columns if c.name not in decl.withheld]
        rows = []
        for i in range(0, len(keys := sorted(found[name])), 500):
            for row in session.execute(select(*columns).where(pk.in_(keys[i:i + 500])).order_by(pk)):
                rows.append({c.name: _plain(v) for c, v in zip(columns, row)})
        out.append({"table": name, "label": decl.label, "label_en": decl.label_en or decl.label, "rows": rows})
    return out


# -- erasure -----------------------------------------------------------------------------------------
def erase_rows(session: Session, reg: Registry, found: dict[str, set[Any]]) -> dict[str, int]:
    """Write every declared personal column's erased value into the found rows; rows per table.

    The one erasure both the on-request command and every retention job use. Tables whose rows hold
    nothing personal (a ticket between an appointment and its rating) are counted as 0 and left alone.
    """
    now = utcnow()
    counts: dict[str, int] = {}
    for name, keys in found.items():
        decl = reg.tables.get(name)
        if decl is None or not keys or not decl.erase:
            continue
        table = _table(name)
        values = {column: (now if value is ERASED_AT or value == ERASED_AT else value) for column, value in decl.erase.items()}
        keys = sorted(keys)
        for i in range(0, len(keys), 500):
            session.execute(update(table).where(_pk(table).in_(keys[i:i + 500])).values(**values))
        counts[name] = len(keys)
    if counts:
        checkpoint_after_commit(session)
    return counts


def checkpoint_after_commit(session: Session) -> None:
    """Once ``session`` commits, push SQLite's WAL into the database file and truncate it."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite" or session.info.get("kiosk_checkpoint"):
        return
    session.info["kiosk_checkpoint"] = True

    def run(_session: Session) -> None:
        _session.info.pop("kiosk_checkpoint", None)
        checkpoint(engine.engine if hasattr(engine, "engine") else engine)

    def forget(_session: Session, *_args) -> None:
        _session.info.pop("kiosk_checkpoint", None)

    event.listen(session, "after_commit", run, once=True)
    event.listen(session, "after_soft_rollback", forget, once=True)


def checkpoint(engine: Engine) -> bool:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` on SQLite: True when the WAL was emptied (False: a reader was
    still on an old snapshot; the next checkpoint empties it). No-op (True) on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()  # the driver's own connection: a PRAGMA outside any BEGIN
    try:
        cur = raw.cursor()
        busy, _frames, _done = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cur.close()
    except Exception as exc:  # the erasure is committed; a failed checkpoint is retried by the next one
        log.warning("the WAL checkpoint after an erasure failed: %s", exc)
        return False
    finally:
        raw.close()
    if busy:
        log.warning("the WAL checkpoint after an erasure was blocked by a reader; the next one completes it")
    return not busy


# -- one resident, on request ------------------------------------------------------------------------
@dataclass
class Report:
    """What ``export``/``erase`` found for one phone: the masked number and rows per table."""

    masked: str
    tables: list[dict[str, Any]]
    erased: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {t["table"]: len(t["rows"]) for t in self.tables}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self, with_rows: bool = True) -> dict[str, Any]:
        tables = self.tables if with_rows else [{k: v for k, v in t.items() if k != "rows"} | {"count": len(t["rows"])}
                                                for t in self.tables]
        return {"phone": self.masked, "found": self.total, "erased": self.erased, "counts": self.counts, "tables": tables}


def normalized(raw: str) -> str:
    """The stored form of a number given in any spacing; raises :class:`kiosk.phone.PhoneError`."""
    return parse_phone(raw).number


def audit_target(number: str) -> str:
    return f"phone:{mask_phone(number)}"


def export(ctx, raw_phone: str, *, actor: str, ip: str = "") -> Report:
    """Everything held about one phone (audited as ``privacy.export``)."""
    from kiosk import audit

    number = normalized(raw_phone)
    reg = registry(ctx.host)
    with ctx.transaction() as session:
        tables = export_rows(session, reg, find_phone(session, reg, number))
        report = Report(mask_phone(number), tables)
        audit.record(session, actor, "privacy.export", audit_target(number), {"rows": report.counts}, ip)
    return report


def erase(ctx, raw_phone: str, *, actor: str, ip: str = "", confirm: bool = False) -> Report:
    """Erase everything held about one phone (``confirm``), or say what would go (audited either way:
    ``privacy.erase`` or ``privacy.preview``). The report lists rows as they were before erasure."""
    from kiosk import audit

    number = normalized(raw_phone)
    reg = registry(ctx.host)
    with ctx.transaction() as session:
        found = find_phone(session, reg, number)
        tables = [{"table": t["table"], "label": t["label"], "label_en": t["label_en"], "rows": t["rows"]}
                  for t in export_rows(session, reg, found) if reg.tables[t["table"]].erase]
        report = Report(mask_phone(number), tables, erased=confirm)
        if confirm:
            erase_rows(session, reg, found)
        audit.record(session, actor, "privacy.erase" if confirm else "privacy.preview", audit_target(number), {"rows": report.counts}, ip)
    return report


def secure_delete_on(engine: Engine) -> bool:
    """Whether SQLite zeroes freed space on this engine's connections (always True on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        return bool(conn.execute(text("PRAGMA secure_delete")).scalar())
