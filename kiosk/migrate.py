"""Schema migrations for the core and every plugin, on SQLite and PostgreSQL alike.

The core's revisions live in ``kiosk/migrations/versions`` on the branch ``core``. A plugin that has
tables returns its own versions folder from the ``kiosk_migrations`` hook; its first revision starts a
branch of its own (``branch_labels = ("myplugin",)``, ``down_revision = None``,
``depends_on = "core@head"``-style dependencies as needed). ``upgrade heads`` then brings every branch
up, so a plugin never edits the core's migrations.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine, plugin_dirs: list[Path] | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")] + [str(p) for p in plugin_dirs or []]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, plugin_dirs: list[Path] | None = None) -> list[str]:
    """Apply every pending revision of every branch; idempotent. Returns the heads now applied."""
    cfg = alembic_config(engine, plugin_dirs)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
    return current_heads(engine)


def current_heads(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())


def pending(engine: Engine, plugin_dirs: list[Path] | None = None) -> bool:
    """True when the database is behind the code (some branch head not applied)."""
    script = ScriptDirectory.from_config(alembic_config(engine, plugin_dirs))
    current = current_heads(engine)
    applied = {rev.revision for rev in script.iterate_revisions(current, "base")} if current else set()
    return not set(script.get_heads()) <= applied
