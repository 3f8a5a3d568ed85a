"""Fixtures for the queue plugin: a context with the queue registered and the demo hall loaded, and a web
client of it on a still clock for the rate limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from kit import FakeClock, add_staff

import kiosk.plugins.queue as queue_plugin
from kiosk.web.app import create_app


@pytest.fixture
def qctx(make_host, make_ctx, db_url, kiosk_now):
    ctx = make_ctx(make_host(queue=queue_plugin), db_url)
    queue_plugin.kiosk_demo_data(ctx)
    return ctx


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client(qctx, clock):
    """A web client (not logged in) of the queue's context; the logins "clerk" (staff) and "boss" (admin) exist."""
    add_staff(qctx, "clerk", "staff")
    add_staff(qctx, "boss", "admin")
    return TestClient(create_app(qctx, clock=clock))
