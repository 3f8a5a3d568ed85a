"""Fixtures for the queue plugin: a context with the queue registered and the demo hall loaded, and a web
client of it on a still clock for the rate limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from kit import add_staff

import kiosk.plugins.queue as queue_plugin
from kiosk.web.app import create_app


@pytest.fixture
def qctx(make_host, make_ctx, db_url, kiosk_now):
    ctx = make_ctx(make_host(queue=queue_plugin), db_url)
    queue_plugin.kiosk_demo_data(ctx)
    return ctx


class FakeClock:
    """Seconds for the web's rate limits: they stand still until a test moves ``now``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client(qctx, clock):
    """A web client (not logged in) of the queue's context; the logins "clerk" (staff) and "boss" (admin) exist."""
    add_staff(qctx, "clerk", "staff")
    add_staff(qctx, "boss", "admin")
    return TestClient(create_app(qctx, clock=clock))
