"""The core's tables. Plugins define theirs on :class:`kiosk.api.storage.Base` in their own modules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.clock import utcnow
from kiosk.db import Base, UTCDateTime


class Receipt(Base):
    """A QR receipt a plugin issued: the slip a resident takes away and the key to its tracking page.

    ``subject`` is the plugin's own id of what the receipt is about (a ticket, a case). The tracking
    tokens live in :class:`ReceiptToken`, hashed.
    """

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    print_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    terminal: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_receipt_plugin_subject", "plugin", "subject"),)


class ReceiptToken(Base):
    """A tracking token of a receipt, stored only as its SHA-256.

    A copy of the database cannot be turned into working tracking links. A receipt normally has one
    token; staff reprinting a slip whose token nobody knows any more (it is never stored in clear)
    adds a second one, so a photo of the first slip keeps working too.
    """

    __tablename__ = "receipt_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PluginOverride(Base):
    """A staff decision to switch a plugin on or off for a season. Rows are history: the newest wins."""

    __tablename__ = "plugin_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season: Mapped[str] = mapped_column(String(64))
    plugin: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_plugin_override_season_plugin", "season", "plugin", "id"),)


class PluginError(Base):
    """The last errors a plugin's hooks raised, so staff see them on the kiosk and the web."""

    __tablename__ = "plugin_error"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64), index=True)
    hook: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    terminal: Mapped[str] = mapped_column(String(64), default="")


class StaffUser(Base):
    """A staff member who can log in to the web staff area."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="staff")  # admin | staff
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Goes up on logout, deactivation and every password change; a session cookie carries the value it
    #: was issued with, so one bump ends every copy of every session of this user at once.
    session_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set for the demo logins and for a password an administrator chose: the user must pick their own
    #: before any other staff page opens.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DailyRun(Base):
    """The last business day a piece of housekeeping ran, so several terminals run it once between them."""

    __tablename__ = "daily_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_day: Mapped[str] = mapped_column(String(10))  # ISO date in the center's zone
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TerminalHeartbeat(Base):
    """The newest sign of life of one terminal in one role (a kiosk, a hall display, a web host).

    One row per (terminal, role), overwritten by every beat: the staff page shows the whole center at
    a glance and raises the ones whose beat is older than three of their own intervals.
    """

    __tablename__ = "terminal_heartbeat"

    terminal: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), default="")
    hostname: Mapped[str] = mapped_column(String(128), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_beat: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=30)
    printer_state: Mapped[str] = mapped_column(String(16), default="")
    printer_detail: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiKey(Base):
    """A key another system sends as ``Authorization: Bearer …`` (Open311 posts it as ``api_key``).

    Only the key's SHA-256 is stored, so a copy of the database holds no working key. ``scopes`` is a
    space-separated list (as in OAuth2) of what the key may do, each scope declared by a plugin through
    ``kiosk_api_scopes`` (``open311``, ``tickets``, ``counter``). Revoked keys stay as history.
    """

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    scopes: Mapped[str] = mapped_column(String(200), default="")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HelpRequest(Base):
    """A resident pressed "请工作人员帮助" on a kiosk: staff should walk over to that terminal.

    ``open_terminal`` is the terminal's name while the request is open and NULL once handled: its
    UNIQUE constraint (NULLs never collide, on SQLite and PostgreSQL alike) makes a second tap, or two
    racing taps, find the open request instead of paging staff twice.
    """

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal: Mapped[str] = mapped_column(String(64), index=True)
    screen: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    open_terminal: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(Base):
    """One staff action worth answering for later: a login or its failure, a setup change, an approval,
    an export, a view of an unmasked phone number. Written in the same transaction as the action, so an
    action that rolled back leaves no entry and one that committed always has one (``kiosk/audit.py``).

    ``target`` names what was acted on (``case:HX-2026-0012``, ``staff:clerk``), never the resident's own
    data: an audit log that copies phone numbers would be one more place to erase them from.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")


class RateCounter(Base):
    """One rate or failure counter of the web host (``kiosk/web/ratelimit.py``), shared by every worker and
    web host on the database: ``count`` hits since ``window_start``; a failure counter may also hold a lock.

    Times are seconds of the limiter's clock (wall-clock epoch seconds in production, so every worker
    agrees). ``expires`` is when the row stops mattering; old rows are deleted, never all at once.
    """

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "<limiter>:<client>", e.g. "token:203.0.113.9"
    window_start: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    expires: Mapped[float] = mapped_column(Float, index=True)
