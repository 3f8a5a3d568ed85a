"""Schema migrations for the core and every plugin, on SQLite and PostgreSQL alike.

The core's revisions live in ``kiosk/migrations/versions`` on the branch ``core``. A plugin that has
tables returns its own versions folder from the ``kiosk_migrations`` hook; its first revision starts a
branch of its own (``branch_labels = ("myplugin",)``, ``down_revision = None``,
``depends_on = "core@head"``-style dependencies as needed). ``upgrade heads`` then brings every branch
up, so a plugin never edits the core's migrations.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine, plugin_dirs: list[Path] | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")] + [str(p) for p in plugin_dirs or []]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["engine"] = engine
    return cfg


def _revision_heads(dirs: list[Path]) -> set[str] | None:
    """The heads Alembic records, read from the revision files without importing Alembic.

    Why: importing Alembic (and through it Mako and every dialect) costs about a tenth of a second of the
    kiosk's cold start, and on almost every start the database is already current. A revision that is
    another's ``down_revision`` or ``depends_on`` is not a head. None when a file cannot be read this way
    (then the caller asks Alembic).
    """
    revisions: set[str] = set()
    referenced: set[str] = set()
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.py")):
            if path.name == "__init__.py":
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError):
                return None
            values = {}
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
            if "revision" not in values:
                return None
            revisions.add(values["revision"])
            for key in ("down_revision", "depends_on"):
                ref = values.get(key)
                referenced.update([ref] if isinstance(ref, str) else list(ref or ()))
    return revisions - referenced


def is_current(engine: Engine, plugin_dirs: list[Path] | None = None) -> bool:
    """True when the database already has every head: a cheap check before the real upgrade."""
    heads = _revision_heads([MIGRATIONS_DIR / "versions", *(plugin_dirs or [])])
    if not heads:
        return False
    try:
        with engine.connect() as conn:
            applied = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:
        return False  # no version table yet
    return applied == heads


def upgrade(engine: Engine, plugin_dirs: list[Path] | None = None) -> list[str]:
    """Apply every pending revision of every branch; idempotent. Returns the heads now applied."""
    if is_current(engine, plugin_dirs):
        return current_heads(engine)
    from alembic import command

    cfg = alembic_config(engine, plugin_dirs)
    with engine.execution_options(kiosk_write=True).begin() as connection:  # SQLite: take the write lock first
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
    return current_heads(engine)


def current_heads(engine: Engine) -> list[str]:
    try:
        with engine.connect() as connection:
            return sorted(row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:
        return []


def pending(engine: Engine, plugin_dirs: list[Path] | None = None) -> bool:
    """True when the database is behind the code (some branch head not applied)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine, plugin_dirs))
    current = current_heads(engine)
    applied = {rev.revision for rev in script.iterate_revisions(current, "base")} if current else set()
    return not set(script.get_heads()) <= applied
