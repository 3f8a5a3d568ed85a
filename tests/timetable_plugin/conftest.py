"""Fixtures for the timetable plugin: a context with the plugin registered and the Huaxin demo loaded,
the clock in the demo week (Monday 30 November 2026, autumn term)."""

from __future__ import annotations

import pytest

import kiosk.plugins.timetable as timetable_plugin


@pytest.fixture
def tctx(make_host, make_ctx, db_url, kiosk_now):
    ctx = make_ctx(make_host(timetable=timetable_plugin), db_url)
    timetable_plugin.kiosk_demo_data(ctx)
    return ctx
