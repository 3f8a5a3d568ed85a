"""Plain data a plugin hands the host through hooks. No Kivy, no web framework: any surface can use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PluginInfo:
    """Who a plugin is, for listings and the staff admin. ``title`` is Chinese, ``title_en`` English."""

    title: str
    title_en: str = ""
    description: str = ""
    version: str = ""


@dataclass(frozen=True)
class Tile:
    """A tile on the kiosk's home screen. Tapping it opens the screen named ``screen``.

    ``title`` and ``hint`` (one short line) are shown in Chinese, ``title_en``/``hint_en`` in English
    (the Chinese is shown when they are empty). ``color`` is darkened by the shell until white text on
    it reaches 7:1 contrast. ``order`` sorts tiles (lower first).
    """

    id: str
    title: str
    screen: str
    hint: str = ""
    title_en: str = ""
    hint_en: str = ""
    icon: str = ""  # path of an image, or a short glyph such as "号"
    color: str = "#1F5FAD"
    order: int = 100


@dataclass(frozen=True)
class ScreenSpec:
    """A screen a plugin adds to the touch shell.

    ``factory(shell)`` builds the Kivy ``Screen`` (or any widget, which the shell wraps in a Screen).
    ``shell`` is a :class:`kiosk.screens.api.Shell`: ``.ctx``, ``.lang``, ``.theme``, ``.text(zh, en)``,
    ``.show_receipt(issued)`` (receipt screen, printing in the background), ``.open(name)``,
    ``.go_home()``, ``.notify(message)``. Import Kivy inside the factory, never at module level, so the
    domain code and the web host stay free of Kivy. The host names the screen ``name``; factories run
    lazily, on the first visit. A screen may define ``reset()`` to clear its inputs when the resident
    goes home or the kiosk resets itself after idling; a screen without it is thrown away instead.
    """

    name: str
    factory: Callable[[Any], Any]
    title: str = ""


@dataclass(frozen=True)
class StaffLink:
    """A link in the staff area's navigation to a page the plugin serves."""

    title: str
    path: str
    title_en: str = ""
    admin_only: bool = False


@dataclass
class TrackingView:
    """What the tracking page of one receipt shows, filled by the plugin that issued it.

    ``rows`` are (label, value) pairs; ``html`` is an optional fragment the plugin rendered and
    escaped itself (it is inserted as is, so a plugin must escape user content; the page's stylesheet
    styles ``p.message``, ``a.button`` and progress steps ``ol.steps > li.done|li.todo``); ``refresh`` asks the
    page to reload itself every so many seconds (a live queue position).
    """

    title: str
    status: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    html: str = ""
    refresh: int = 0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicOutcome:
    """An outcome a plugin publishes on the 公示反馈 board (a resolved request, a decision).

    ``id`` is unique within the supplying plugin; ``body`` is plain text (never markup: it is escaped
    wherever it is shown); ``published_at`` is an aware datetime (entries dated in the future are not
    shown yet); ``url`` is where the full record lives (a tracking page), or None.
    No personal data: the board is public.
    """

    id: str
    title: str
    body: str
    published_at: datetime
    url: str | None = None


#: The value :class:`PersonalColumns` writes for a column that records *when* data was erased.
ERASED_AT = "<erased-at>"


@dataclass(frozen=True)
class PersonalColumns:
    """How one table's text columns stand towards residents' personal data (``kiosk_personal_data``).

    Every String, Text and JSON column of the table is named once: in ``erase`` (it can hold personal
    data: a phone, a name, a flat, a resident's own words; the value is what erasure writes, or
    :data:`ERASED_AT` for the time of erasure) or in ``keep`` (it cannot: column → why). A test walks
    every model against these declarations, so a new column nobody thought about fails the build.

    Rows are found for one resident by ``phone`` (a column holding the number in :mod:`kiosk.phone`'s
    stored form), by the resident's number appearing in any spacing in a ``text`` column, and through
    :class:`PersonalLink` from a found row of another table. ``withheld`` columns (token hashes, sealed
    tokens, idempotency keys) are left out of a resident's export: they are keys, not information.
    """

    table: str
    label: str
    label_en: str = ""
    erase: dict[str, Any] = field(default_factory=dict)
    keep: dict[str, str] = field(default_factory=dict)
    phone: str = ""
    text: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonalLink:
    """Rows of ``table`` whose ``column`` equals ``parent_column`` of a found row of ``parent`` are about
    the same resident (a case's timeline rows and ratings, the receipt a ticket or sign-up points to)."""

    table: str
    column: str
    parent: str
    parent_column: str = "id"
