"""Fixtures for the notices plugin: a context with the plugin registered, staff logins, a pinned clock."""

from __future__ import annotations

import pytest
from kit import add_staff

import kiosk.plugins.notices as notices_plugin


@pytest.fixture
def staff_users():
    """Create the logins the approval rules need: two administrators and a clerk."""
    def make(ctx):
        add_staff(ctx, "admin", "admin")
        add_staff(ctx, "director", "admin")
        add_staff(ctx, "clerk", "staff")
        return ctx

    return make


@pytest.fixture
def nctx(make_host, make_ctx, db_url, kiosk_now, staff_users):
    """The notices plugin on SQLite and PostgreSQL, at Monday 09:00 in Tai'an."""
    return staff_users(make_ctx(make_host(notices=notices_plugin), db_url))


@pytest.fixture
def sctx(make_host, make_ctx, kiosk_now, staff_users):
    """The same on SQLite only, for tests about rendering rather than storage."""
    return staff_users(make_ctx(make_host(notices=notices_plugin)))
