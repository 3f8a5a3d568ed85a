"""The notices' tables: the notice itself, its optional picture, and the history of every change.

A notice keeps its markup source (``body``); HTML and Kivy markup are rendered from it each time, so a
fix in the renderer reaches every old notice. Times are aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.api import utcnow
from kiosk.api.storage import Base, UTCDateTime


class Notice(Base):
    """One notice on one board. ``state`` is what staff decided; whether it shows *now* also depends
    on its start and end time and its season (see :func:`kiosk.plugins.notices.service.is_showing`)."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    board: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="draft")  # draft pending published withdrawn
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # gone at this instant
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    season: Mapped[str | None] = mapped_column(String(64), nullable=True)  # shows only in this season
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_by: Mapped[str] = mapped_column(String(64), default="")  # last to change what an approver vouches for
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The fields (and picture digest) as last approved: the next approver sees what changed since.
    approved_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_notice_board_state_start", "board", "state", "start_at"),)


class NoticeImage(Base):
    """The optional picture of a notice, re-encoded (no metadata) and kept in the database so every
    terminal sharing a PostgreSQL sees it."""

    __tablename__ = "notice_image"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    mime: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class NoticeRevision(Base):
    """Who did what to a notice and when: ``changes`` maps each changed field to ``[old, new]``."""

    __tablename__ = "notice_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(16))  # create edit publish submit approve withdraw image
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
