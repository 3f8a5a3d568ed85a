"""Fixtures for the queue plugin: a context with the queue registered and the demo hall loaded."""

from __future__ import annotations

import pytest

import kiosk.plugins.queue as queue_plugin

MONDAY_9AM = "2026-11-30T09:00:00+08:00"


@pytest.fixture
def qctx(make_host, make_ctx, db_url, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)
    ctx = make_ctx(make_host(queue=queue_plugin), db_url)
    queue_plugin.kiosk_demo_data(ctx)
    return ctx
