"""Fixtures for the queue plugin: a context with the queue registered and the demo hall loaded."""

from __future__ import annotations

import pytest

import kiosk.plugins.queue as queue_plugin


@pytest.fixture
def qctx(make_host, make_ctx, db_url, kiosk_now):
    ctx = make_ctx(make_host(queue=queue_plugin), db_url)
    queue_plugin.kiosk_demo_data(ctx)
    return ctx
