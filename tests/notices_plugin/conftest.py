"""Fixtures for the notices plugin: a context with the plugin registered, staff logins, a pinned clock."""

from __future__ import annotations

import pytest

import kiosk.plugins.notices as notices_plugin

MONDAY_9AM = "2026-11-30T09:00:00+08:00"  # in the autumn term and the heating season


@pytest.fixture
def staff_users():
    """Create the logins the approval rules need: two administrators and a clerk."""
    from kiosk.staff import set_user

    def make(ctx):
        with ctx.transaction() as s:
            set_user(s, "admin", "admin-password", role="admin")
            set_user(s, "director", "director-password", role="admin")
            set_user(s, "clerk", "clerk-password", role="staff")
        return ctx

    return make


@pytest.fixture
def nctx(make_host, make_ctx, db_url, monkeypatch, staff_users):
    """The notices plugin on SQLite and PostgreSQL, at Monday 09:00 in Tai'an."""
    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)
    return staff_users(make_ctx(make_host(notices=notices_plugin), db_url))


@pytest.fixture
def sctx(make_host, make_ctx, monkeypatch, staff_users):
    """The same on SQLite only, for tests about rendering rather than storage."""
    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)
    return staff_users(make_ctx(make_host(notices=notices_plugin)))
