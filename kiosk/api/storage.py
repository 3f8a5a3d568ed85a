"""Storage for plugins: the declarative base of every plugin model, the column type for moments, counters.

Plugin migrations import this module too (``import kiosk.api.storage`` and
``kiosk.api.storage.UTCDateTime(timezone=True)``), so a revision never depends on :mod:`kiosk.db`.
"""

from __future__ import annotations

from kiosk.db import Base, UTCDateTime, bump_counter
from kiosk.models import Receipt, StaffUser

__all__ = ["Base", "UTCDateTime", "bump_counter", "Receipt", "StaffUser"]
