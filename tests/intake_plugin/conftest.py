"""Fixtures for the intake plugin: a context with intake (and notices, which shows 公示反馈) registered,
the Huaxin teams and buildings loaded, and the clock on a Monday morning."""

from __future__ import annotations

import pytest

import kiosk.plugins.intake as intake_plugin
import kiosk.plugins.notices as notices_plugin
from kiosk.plugins.intake import demo


@pytest.fixture
def ictx(make_host, make_ctx, db_url, kiosk_now):
    ctx = make_ctx(make_host(intake=intake_plugin, notices=notices_plugin), db_url)
    demo.load_places(ctx)
    return ctx


@pytest.fixture
def sctx(make_host, make_ctx, kiosk_now):
    """SQLite only: for the tests whose subject is not storage (and the property tests)."""
    ctx = make_ctx(make_host(intake=intake_plugin, notices=notices_plugin))
    demo.load_places(ctx)
    return ctx
