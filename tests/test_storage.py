"""Storage on SQLite and PostgreSQL: migrations, durability settings, receipts, plugin branches."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from kiosk import hookimpl, migrate
from kiosk.models import Receipt, ReceiptToken
from kiosk.receipts import add_token, find_receipt, receipt_state, revoke
from kiosk.security import token_hash

MIGRATIONS = Path(__file__).parent / "fixtures" / "plugin_migrations"


class VisitsPlugin:
    """A plugin that brings its own table through its own migration branch."""

    @hookimpl
    def kiosk_migrations(self):
        return MIGRATIONS


def test_migrations_are_idempotent(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url)
    tables = set(inspect(ctx.engine).get_table_names())
    assert {"receipt", "receipt_token", "plugin_override", "plugin_error", "staff_user", "alembic_version"} <= tables
    heads = ctx.migrate()
    assert heads == ["0008_core"]
    assert ctx.migrate() == heads
    assert not migrate.pending(ctx.engine)


def test_plugin_brings_its_own_migration_branch(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(visits=VisitsPlugin()), db_url)
    assert "visits_visit" in inspect(ctx.engine).get_table_names()
    # 0001_visits depends on the core's revision, so Alembic records it as the one head of both.
    assert "0001_visits" in migrate.current_heads(ctx.engine)
    assert not migrate.pending(ctx.engine, ctx.migration_dirs())
    with ctx.transaction() as s:
        issued = ctx.issue_receipt(s, plugin="visits", kind="visit", subject="1", number="V1", title="来访")
        s.execute(text("INSERT INTO visits_visit (receipt_id, note) VALUES (:r, '楼道灯')"), {"r": issued.receipt.id})
    with ctx.sessions() as s:
        assert s.execute(text("SELECT note FROM visits_visit")).scalar_one() == "楼道灯"


def test_sqlite_is_tuned_for_durability(make_host, make_ctx):
    ctx = make_ctx(make_host())
    with ctx.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1  # erased text is zeroed, not left in the file


def test_receipt_round_trip(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url)
    with ctx.transaction() as s:
        issued = ctx.issue_receipt(s, plugin="p", kind="ticket", subject="42", number="A023", title="社保医保", lines=["前面 3 人"])
    assert issued.url == f"{ctx.settings.base_url}/t/{issued.token}"
    with ctx.sessions() as s:
        found = find_receipt(s, issued.token)
        assert found is not None and found.number == "A023" and found.lines == ["前面 3 人"]
        assert found.created_at.tzinfo is not None
        assert receipt_state(found) == "valid"
        # Only the hash is stored: the token itself appears nowhere in the database.
        stored = s.scalars(select(ReceiptToken.token_hash)).all()
        assert stored == [token_hash(issued.token)] and issued.token not in stored
        assert find_receipt(s, issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")) is None
        assert find_receipt(s, "") is None and find_receipt(s, "x" * 500) is None


def test_tokens_are_random_and_unique(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url)
    tokens = set()
    with ctx.transaction() as s:
        for i in range(200):
            tokens.add(ctx.issue_receipt(s, plugin="p", kind="t", subject=str(i), number=f"A{i:03d}", title="t").token)
    assert len(tokens) == 200
    assert all(len(t) == 22 for t in tokens)  # 16 random bytes, URL-safe base64
    assert not any(t.startswith(("1", "A001")) and t.isdigit() for t in tokens)


def test_rolled_back_transaction_leaves_no_receipt(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url)
    with pytest.raises(RuntimeError):
        with ctx.transaction() as s:
            ctx.issue_receipt(s, plugin="p", kind="t", subject="1", number="A1", title="t")
            raise RuntimeError("the ticket insert failed after the receipt")
    with ctx.sessions() as s:
        assert s.scalar(select(Receipt.id)) is None
        assert s.scalar(select(ReceiptToken.id)) is None


def test_expiry_revocation_and_reprint_token(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url)
    with ctx.transaction() as s:
        issued = ctx.issue_receipt(s, plugin="p", kind="t", subject="1", number="A1", title="t", valid_days=1)
    with ctx.transaction() as s:
        row = find_receipt(s, issued.token)
        assert receipt_state(row, datetime.now(timezone.utc) + timedelta(days=2)) == "expired"
        second = add_token(s, ctx.settings, row)
    with ctx.transaction() as s:
        assert find_receipt(s, second.token).id == find_receipt(s, issued.token).id  # both slips work
        revoke(find_receipt(s, issued.token))
    with ctx.sessions() as s:
        assert receipt_state(find_receipt(s, second.token)) == "revoked"


def test_receipt_refuses_empty_number_and_cleans_control_characters(db_url, make_host, make_ctx):
    from kiosk.receipts import ReceiptError

    ctx = make_ctx(make_host(), db_url)
    with pytest.raises(ReceiptError):
        with ctx.transaction() as s:
            ctx.issue_receipt(s, plugin="p", kind="t", subject="1", number="  ", title="t")
    with pytest.raises(ReceiptError):
        with ctx.transaction() as s:
            ctx.issue_receipt(s, plugin="p", kind="t", subject="1", number="A1", title="t", lines=["x"] * 50)
    with ctx.transaction() as s:
        issued = ctx.issue_receipt(s, plugin="p", kind="t", subject="1", number="A1\x1b[2J", title="标题\x00🙂" + "长" * 300)
    assert "\x1b" not in issued.receipt.number and "\x00" not in issued.receipt.title
    assert issued.receipt.title.startswith("标题") and len(issued.receipt.title) <= 80


def test_overrides_and_errors_are_shared_through_the_database(db_url, make_host, make_ctx):
    """Two terminals on one database see the same enablement and each other's plugin errors."""
    from kiosk.seasons import set_enabled

    class P:
        @hookimpl
        def kiosk_plugin_info(self):
            raise RuntimeError("info broke")

    one = make_ctx(make_host(p=P()), db_url, KIOSK_NOW="2026-11-30T09:00:00+08:00")
    two = make_ctx(make_host(p=P()), db_url)
    one.host.info("p")
    with one.transaction() as s:
        set_enabled(s, one.settings, "p", True, by="staff-a", day=one.today())
    assert "p" in two.enabled_plugins()
    assert "info broke" in two.last_errors()["p"]


def test_the_quick_head_check_agrees_with_alembic(db_url, make_host, make_ctx):
    """The start-up shortcut that skips importing Alembic must see exactly what Alembic records."""
    ctx = make_ctx(make_host(visits=VisitsPlugin()), db_url)
    dirs = ctx.migration_dirs()
    assert migrate.is_current(ctx.engine, dirs)
    assert migrate._revision_heads([migrate.MIGRATIONS_DIR / "versions", *dirs]) == set(migrate.current_heads(ctx.engine))
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    assert not migrate.is_current(ctx.engine, dirs)


def test_sqlite_readers_do_not_wait_for_a_writer(make_host, make_ctx):
    """A write transaction holds the lock; a read started meanwhile answers from the last commit.

    (With BEGIN IMMEDIATE on reads, the read would wait out the busy timeout and fail "database is locked".)
    """
    from kiosk.models import Receipt

    ctx = make_ctx(make_host())
    with ctx.transaction() as s:
        ctx.issue_receipt(s, plugin="p", kind="t", subject="1", number="A1", title="t")
    with ctx.transaction() as writer:
        ctx.issue_receipt(writer, plugin="p", kind="t", subject="2", number="A2", title="t")
        with ctx.sessions() as reader:
            assert reader.scalar(select(func.count()).select_from(Receipt)) == 1  # the uncommitted one is invisible
