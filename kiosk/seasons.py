"""Which plugins are on today: seasons from config, overridden by staff decisions in the database.

A plugin is enabled for a season when the newest staff override for (season, plugin) says so, or,
with no override, when the season's configured list names it. It is enabled *today* when any season
that contains today enables it. Overlapping seasons therefore add up (the heating season adds heating
complaints on top of the autumn term).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.clock import utcnow
from kiosk.config import SeasonConfig, Settings
from kiosk.models import PluginOverride


class UnknownSeason(LookupError):
    pass


def current_seasons(settings: Settings, day: date) -> list[SeasonConfig]:
    return [s for s in settings.seasons if s.contains(day)]


def overrides(session: Session) -> dict[tuple[str, str], PluginOverride]:
    """The newest override of every (season, plugin) pair."""
    latest: dict[tuple[str, str], PluginOverride] = {}
    for row in session.scalars(select(PluginOverride).order_by(PluginOverride.id)):
        latest[(row.season, row.plugin)] = row
    return latest


@dataclass(frozen=True)
class Enablement:
    """A snapshot of which plugin is on in which season, read in one query."""

    settings: Settings
    latest: dict[tuple[str, str], PluginOverride]

    def in_season(self, season: SeasonConfig, plugin: str) -> bool:
        row = self.latest.get((season.name, plugin))
        return row.enabled if row is not None else plugin in season.plugins

    def on_day(self, plugin: str, day: date) -> bool:
        return any(self.in_season(s, plugin) for s in current_seasons(self.settings, day))

    def enabled_on(self, plugins: list[str], day: date) -> list[str]:
        return [p for p in plugins if self.on_day(p, day)]


def enablement(session: Session, settings: Settings) -> Enablement:
    return Enablement(settings, overrides(session))


def resolve_seasons(settings: Settings, season: str | None, day: date) -> list[SeasonConfig]:
    """The season named ``season``, or (None) every season that contains ``day``."""
    if season is None:
        found = current_seasons(settings, day)
        if not found:
            raise UnknownSeason(f"no season contains {day.isoformat()}; name one with --season")
        return found
    match = settings.season(season)
    if match is None:
        known = ", ".join(s.name for s in settings.seasons) or "none configured"
        raise UnknownSeason(f"unknown season {season!r} (known: {known})")
    return [match]


def set_enabled(
    session: Session, settings: Settings, plugin: str, enabled: bool, by: str, day: date, season: str | None = None,
    ip: str = "",
) -> list[str]:
    """Record a staff decision; without ``season`` it applies to every season current on ``day``.

    Audited here (``setup.plugin``), so the web page, the CLI and the kiosk's admin screen all are.
    """
    from kiosk import audit

    targets = resolve_seasons(settings, season, day)
    at = utcnow()
    for s in targets:
        session.add(PluginOverride(season=s.name, plugin=plugin, enabled=enabled, changed_by=by, changed_at=at))
        audit.record(session, by, "setup.plugin", f"plugin:{plugin}", {"season": s.name, "enabled": enabled}, ip)
    session.flush()
    return [s.name for s in targets]
