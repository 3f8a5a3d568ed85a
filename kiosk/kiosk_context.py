"""The object every surface (kiosk, web, CLI) is built around, and what a plugin receives as ``ctx``.

A plugin receives a :class:`KioskContext` in its hooks and uses only this: settings, database
transactions, the clock, the working-day calendar, receipts and printing. It never reaches into
another plugin or into the shell. :func:`kiosk.context.build_context` makes one.

The context knows the plugin host only as :class:`Host` (what it calls on it), not as
:class:`kiosk.pluginhost.PluginHost`: the host loads :mod:`kiosk.hookspecs`, whose hooks take a
``KioskContext``, so importing the host here would close an import circle.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar, Protocol
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kiosk import clock, migrate, publicguard, receipts
from kiosk.config import Settings
from kiosk.models import PluginError, Receipt
from kiosk.seasons import enablement
from kiosk.types import TrackingView
from kiosk.workdays import WorkCalendar

log = logging.getLogger(__name__)

#: Keep this many error rows per plugin; older ones are pruned when a new one is recorded.
ERRORS_KEPT = 50


class Host(Protocol):
    """What the context uses of :class:`kiosk.pluginhost.PluginHost`."""

    plugins: dict[str, Any]
    errors: dict[str, str]

    def call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]: ...

    def call_one(self, plugin: str, hook: str, **kwargs: Any) -> Any: ...

    def record_error(self, plugin: str, hook: str, message: str) -> None: ...


@dataclass
class KioskContext:
    settings: Settings
    host: Host
    engine: Engine
    sessions: sessionmaker[Session]
    calendar: WorkCalendar
    write_sessions: sessionmaker[Session] | None = None
    terminal: str = field(default_factory=socket.gethostname)
    #: The newest problem this process ran into ("printer: …", "plugin queue: …"), for the heartbeat.
    last_error: tuple[datetime, str] | None = None

    #: Raised by :meth:`refuse_personal_data`; plugins catch it as ``ctx.PersonalDataFound`` (``.zh``, ``.en``, ``.findings``).
    PersonalDataFound: ClassVar[type[publicguard.PersonalDataFound]] = publicguard.PersonalDataFound

    def note_error(self, source: str, message: str) -> None:
        """Remember a problem for the terminal's heartbeat (cheap, thread-safe: one assignment)."""
        self.last_error = (clock.utcnow(), f"{source}: {message}"[:2000])

    # -- time ------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Local time of the center (honours KIOSK_NOW)."""
        return clock.now(self.settings.tz)

    def today(self) -> date:
        return self.now().date()

    # -- storage ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error (on SQLite it takes the write lock first)."""
        factory = self.write_sessions or self.sessions
        with factory() as session, session.begin():
            yield session

    def migration_dirs(self) -> list[Path]:
        dirs = []
        for name, path in self.host.call("kiosk_migrations"):
            p = Path(path)
            if p.is_dir():
                dirs.append(p)
            else:
                self.host.record_error(name, "kiosk_migrations", f"{p} is not a folder")
        return dirs

    def migrate(self) -> list[str]:
        self.host.call("kiosk_models")  # importing the models registers their tables
        return migrate.upgrade(self.engine, self.migration_dirs())

    # -- plugins ---------------------------------------------------------------------------------
    def enabled_plugins(self, day: date | None = None) -> list[str]:
        """Installed, working plugins switched on for ``day`` (today by default)."""
        day = day or self.today()
        usable = [name for name, p in self.host.plugins.items() if p.obj is not None]
        with self.sessions() as session:
            return enablement(session, self.settings).enabled_on(usable, day)

    def plugin_enabled(self, name: str, day: date | None = None) -> bool:
        return name in self.enabled_plugins(day)

    def _persist_error(self, plugin: str, hook: str, message: str) -> None:
        with self.transaction() as session:
            session.add(PluginError(plugin=plugin, hook=hook, message=message[:2000], terminal=self.terminal))
            session.flush()
            keep = select(PluginError.id).where(PluginError.plugin == plugin).order_by(PluginError.id.desc()).limit(ERRORS_KEPT)
            session.execute(delete(PluginError).where(PluginError.plugin == plugin, PluginError.id.not_in(keep)))

    def last_errors(self) -> dict[str, str]:
        """The newest recorded error of every plugin, from this process or any other terminal."""
        out: dict[str, str] = {}
        with self.sessions() as session:
            for row in session.scalars(select(PluginError).order_by(PluginError.id)):
                out[row.plugin] = f"{row.hook}: {row.message}"
        out.update(self.host.errors)
        return out

    def clear_errors(self, plugin: str) -> None:
        self.host.errors.pop(plugin, None)
        with self.transaction() as session:
            session.execute(delete(PluginError).where(PluginError.plugin == plugin))

    # -- personal data ---------------------------------------------------------------------------
    def erase_personal_data(self, session: Session, rows: dict[str, Any], follow: bool = True) -> dict[str, int]:
        """Erase residents' data in ``rows`` (table → primary keys) and, with ``follow``, in every row tied
        to them (timeline, ratings, receipts), inside the caller's transaction: the one erasure of
        :mod:`kiosk.privacy` that on-request erasure uses too. Returns rows erased per table.
        """
        from kiosk import privacy

        reg = privacy.registry(self.host)
        roots = {name: set(keys) for name, keys in rows.items() if keys}
        return privacy.erase_rows(session, reg, privacy.follow(session, reg, roots) if follow else roots)

    # -- the public boundary (kiosk.publicguard) ----------------------------------------------------
    def find_personal_data(self, text: str, *, phones=(), names=()) -> list[publicguard.Finding]:
        """Personal data in ``text`` (phones, 身份证 and bank card numbers, the resident's known phone/name).

        Every projection for anonymous readers passes this; see :mod:`kiosk.publicguard`."""
        return publicguard.find_personal_data(text, phones=phones, names=names)

    def refuse_personal_data(self, text: str, *, what: str = "", what_en: str = "", phones=(), names=()) -> str:
        """``text`` if it may be published, else :class:`PersonalDataFound` naming what was found (for staff)."""
        return publicguard.refuse_personal_data(text, what=what, what_en=what_en, phones=phones, names=names)

    def mask_personal_data(self, text: str, *, phones=(), names=()) -> str:
        """``text`` with every piece of personal data replaced by ``*`` (slips, lines that must keep the rest)."""
        return publicguard.mask_personal_data(text, phones=phones, names=names)

    # -- receipts --------------------------------------------------------------------------------
    def issue_receipt(self, session: Session, **kwargs) -> receipts.IssuedReceipt:
        """Issue a receipt inside the caller's transaction (see :func:`kiosk.receipts.issue_receipt`)."""
        kwargs.setdefault("terminal", self.terminal)
        return receipts.issue_receipt(session, self.settings, **kwargs)

    def tracking_url(self, token: str) -> str:
        return receipts.tracking_url(self.settings, token)

    def tracking_view(self, receipt: Receipt, lang: str, token: str = "") -> TrackingView | None:
        """The issuing plugin's view of ``receipt``; None when that plugin is gone or failed."""
        if receipt.plugin not in self.host.plugins:
            return None
        view = self.host.call_one(receipt.plugin, "kiosk_tracking_view", ctx=self, receipt=receipt, lang=lang, token=token)
        return view if isinstance(view, TrackingView) else None

    def print_receipt(self, receipt_id: int, layout: receipts.SlipLayout):
        """Print a slip and record the outcome on the receipt row. Never raises for printer trouble."""
        from kiosk.printing import print_slip  # python-escpos is only loaded when something prints

        result = print_slip(self.settings, layout)
        if result.status == "failed":
            self.note_error("printer", result.error)
        try:
            with self.transaction() as session:
                row = session.get(Receipt, receipt_id)
                if row is not None and result.status in ("printed", "failed"):
                    receipts.mark_printed(row, result.error if result.status == "failed" else None)
        except Exception:  # the slip's outcome is informative; the receipt itself is already committed
            log.exception("could not record the print outcome of receipt %s", receipt_id)
        return result
