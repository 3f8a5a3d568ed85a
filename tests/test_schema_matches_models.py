"""The migrations build exactly the tables the models describe (no forgotten revision), on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.db import Base


def test_migrated_schema_matches_the_models(db_url, make_ctx):
    from kiosk.pluginhost import PluginHost

    ctx = make_ctx(PluginHost(load_entrypoints=False), db_url)  # every built-in plugin
    ctx.host.call("kiosk_models")
    with ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == [], "models and migrations differ:\n" + "\n".join(map(str, diff))
