"""The queue's REST API (/api/queue/…): bearer keys with scopes, idempotent tickets, every counter
action through the service functions, and JSON errors with the right status codes."""

from __future__ import annotations


import pytest
from fastapi.testclient import TestClient
from kit import login
from sqlalchemy import select

from kiosk import apikeys
from kiosk.plugins.queue import service
from kiosk.plugins.queue.models import QueueEvent, Ticket
from kiosk.staff import set_user
from kiosk.web.app import create_app

TAKE_KEYS = {"number", "service", "code", "priority", "ahead", "wait_min", "wait_max", "tracking_url", "repeated"}


@pytest.fixture
def client(qctx):
    return TestClient(create_app(qctx))


@pytest.fixture
def keys(qctx):
    """A gateway that takes tickets, a counter app, and a key with both scopes."""
    return {name: apikeys.create(qctx, name, scopes)[1]
            for name, scopes in (("wechat", ["tickets"]), ("desk app", ["counter"]), ("both", ["tickets", "counter"]))}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def error_of(r, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert body["error"] == code and body["message_zh"] and body["message_en"], body
    return body


def events(qctx, action: str) -> list[QueueEvent]:
    with qctx.sessions() as s:
        return list(s.scalars(select(QueueEvent).where(QueueEvent.action == action).order_by(QueueEvent.id)))


def test_take_a_ticket_is_idempotent_per_key_and_answers_like_the_cli(qctx, client, keys):
    r = client.post("/api/queue/tickets", json={"service": "a"}, headers={**bearer(keys["wechat"]), "Idempotency-Key": "tap-1"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert set(first) == TAKE_KEYS and first["number"] == "A001" and first["code"] == "A" and first["repeated"] is False
    assert first["tracking_url"].startswith("http") and "/t/" in first["tracking_url"] and first["ahead"] == 0
    again = client.post("/api/queue/tickets", json={"service": "A"}, headers={**bearer(keys["wechat"]), "Idempotency-Key": "tap-1"})
    assert again.status_code == 200 and again.json()["number"] == "A001" and again.json()["repeated"] is True
    assert again.json()["tracking_url"] == first["tracking_url"]
    # Another client's same Idempotency-Key is its own tap: a new ticket, never the first client's.
    other = client.post("/api/queue/tickets", json={"service": "A"}, headers={**bearer(keys["both"]), "Idempotency-Key": "tap-1"})
    assert other.status_code == 201 and other.json()["number"] == "A002" and other.json()["ahead"] == 1
    priority = client.post("/api/queue/tickets", json={"service": "A", "priority": True}, headers=bearer(keys["wechat"]))
    assert priority.status_code == 201 and priority.json()["priority"] is True and priority.json()["ahead"] == 0
    assert [e.by for e in events(qctx, "take")] == ["api:wechat", "api:both", "api:wechat"]
    # The ticket's state, for the gateway's own page
    state = client.get("/api/queue/tickets/A002", headers=bearer(keys["wechat"])).json()
    assert state["state"] == "waiting" and state["ahead"] == 2 and state["wait_max"] >= state["wait_min"] >= 0
    assert client.get("/api/queue/tickets/a001", headers=bearer(keys["desk app"])).json()["number"] == "A001"
    error_of(client.get("/api/queue/tickets/A099", headers=bearer(keys["wechat"])), 404, "unknown_ticket")
    error_of(client.get("/api/queue/tickets/99", headers=bearer(keys["wechat"])), 400, "bad_number")


def test_take_refusals(qctx, client, keys, monkeypatch):
    h = bearer(keys["wechat"])
    error_of(client.post("/api/queue/tickets", json={"service": "Q"}, headers=h), 404, "unknown_service")
    error_of(client.post("/api/queue/tickets", json={}, headers=h), 400, "invalid_request")
    error_of(client.post("/api/queue/tickets", json={"service": "A", "serivce": "B"}, headers=h), 400, "invalid_request")
    error_of(client.post("/api/queue/tickets", content=b"{not json", headers={**h, "content-type": "application/json"}),
             400, "invalid_request")
    error_of(client.post("/api/queue/tickets", json={"service": "A"}, headers={**h, "Idempotency-Key": "no spaces"}), 400, "bad_key")
    error_of(client.post("/api/queue/tickets", json={"service": "A"}, headers={**h, "Idempotency-Key": "x" * 65}), 400, "invalid_request")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T20:00:00+08:00")  # after hours
    closed = error_of(client.post("/api/queue/tickets", json={"service": "A"}, headers=h), 409, "closed")
    assert "明天" in closed["message_zh"] and "closed" in closed["message_en"]


def test_keys_scopes_and_sessions(qctx, client, keys):
    body = error_of(client.post("/api/queue/tickets", json={"service": "A"}), 401, "key_required")
    assert "密钥" in body["message_zh"]
    assert client.post("/api/queue/counters/1/call").headers["www-authenticate"].startswith("Bearer")
    error_of(client.post("/api/queue/tickets", json={"service": "A"}, headers=bearer("kiosk_" + "x" * 32)), 401, "invalid_key")
    error_of(client.post("/api/queue/tickets", json={"service": "A"}, headers={"Authorization": f"Basic {keys['wechat']}"}),
             401, "key_required")
    error_of(client.post("/api/queue/counters/1/call", headers=bearer(keys["wechat"])), 403, "wrong_scope")
    error_of(client.post("/api/queue/tickets", json={"service": "A"}, headers=bearer(keys["desk app"])), 403, "wrong_scope")
    # A logged-in administrator's session cookie (with its CSRF token) is not a key.
    with qctx.transaction() as s:
        set_user(s, "admin", "admin-password", role="admin")
    token = login(client, "admin", page="/staff/queue")
    error_of(client.post("/api/queue/counters/1/pause", headers={"X-CSRF-Token": token}), 401, "key_required")
    error_of(client.get("/api/queue/tickets/A001"), 401, "key_required")
    # A revoked key is refused at once.
    apikeys.revoke(qctx, "desk app")
    error_of(client.post("/api/queue/counters/1/call", headers=bearer(keys["desk app"])), 401, "invalid_key")
    with qctx.sessions() as s:
        assert not s.scalars(select(Ticket)).all()  # nothing was done by any refused request


def test_counter_actions(qctx, client, keys):
    h = bearer(keys["desk app"])
    take = lambda code="A": client.post("/api/queue/tickets", json={"service": code}, headers=bearer(keys["wechat"])).json()["number"]  # noqa: E731
    nobody = client.post("/api/queue/counters/1/call", headers=h)
    assert nobody.status_code == 200 and nobody.json() == {"number": None, "counter": 1, "service": None}
    a1, a2, a3 = take(), take(), take()
    assert client.post("/api/queue/counters/1/call", json={"service": "A"}, headers=h).json() == {"number": a1, "counter": 1, "service": "A"}
    assert client.post("/api/queue/counters/1/recall", headers=h).json() == {"number": a1, "counter": 1, "state": "called"}
    assert client.post("/api/queue/counters/1/no-show", headers=h).json()["state"] == "missed"
    assert client.post(f"/api/queue/tickets/{a1}/restore", headers=h).json() == {"number": a1, "state": "waiting"}
    error_of(client.post(f"/api/queue/tickets/{a2}/restore", headers=h), 409, "not_missed")
    assert client.post("/api/queue/counters/1/call", headers=h).json()["number"] == a1  # restored ahead of later arrivals
    assert client.post("/api/queue/counters/1/park", headers=h).json()["state"] == "parked"
    error_of(client.post("/api/queue/counters/1/recall", headers=h), 409, "no_current")
    # Call a specific number (the parked one), then finish with an outcome
    assert client.post("/api/queue/counters/1/call", json={"number": a1.lower()}, headers=h).json()["number"] == a1
    assert client.post("/api/queue/counters/1/finish", json={"outcome": "incomplete"}, headers=h).json() == {
        "number": a1, "counter": 1, "outcome": "incomplete"}
    error_of(client.post("/api/queue/counters/1/call", json={"service": "A", "number": a2}, headers=h), 400, "service_or_number")
    error_of(client.post("/api/queue/counters/1/call", json={"number": "A099"}, headers=h), 404, "unknown_ticket")
    # Transfer with return, then finishing at the other service sends it back in the priority lane
    assert client.post("/api/queue/counters/1/call", json={"number": a3}, headers=h).json()["number"] == a3
    moved = client.post("/api/queue/counters/1/transfer", json={"service": "B", "return_after": True}, headers=h).json()
    assert moved == {"number": a3, "service": "B", "return_to": "A"}
    state = client.get(f"/api/queue/tickets/{a3}", headers=h).json()
    assert state["code"] == "B" and state["state"] == "waiting" and state["return_to"] == "A"
    error_of(client.post("/api/queue/counters/1/transfer", json={"service": "Z"}, headers=h), 409, "no_current")
    error_of(client.post("/api/queue/counters/1/finish", json={"outcome": "great"}, headers=h), 400, "invalid_request")
    # Pause refuses calls (409), resume opens again
    assert client.post("/api/queue/counters/1/pause", headers=h).json() == {"counter": 1, "paused": True}
    paused = error_of(client.post("/api/queue/counters/1/call", headers=h), 409, "paused")
    assert "暂停" in paused["message_zh"]
    assert client.post("/api/queue/counters/1/resume", headers=h).json() == {"counter": 1, "paused": False}
    assert client.post("/api/queue/counters/1/call", json={"service": "A"}, headers=h).json()["number"] == a2
    error_of(client.post("/api/queue/counters/77/call", headers=h), 404, "unknown_counter")
    error_of(client.post("/api/queue/counters/77/pause", headers=h), 404, "unknown_counter")
    error_of(client.post("/api/queue/counters/99999999999/call", headers=h), 400, "invalid_request")
    # Every action is audited as the key's name
    actions = {e.action: e.by for e in events(qctx, "call") + events(qctx, "recall") + events(qctx, "missed") + events(qctx, "restore")
               + events(qctx, "park") + events(qctx, "transfer") + events(qctx, "finish")}
    assert set(actions) == {"call", "recall", "missed", "restore", "park", "transfer", "finish"}
    assert set(actions.values()) == {"api:desk app"}


def test_the_routes_are_described_with_their_key(client):
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["apiKey"] == {
        "type": "http", "scheme": "bearer", "description": "An API key made with `kiosk api-key create NAME --scope …`."}
    api = {p: ops for p, ops in doc["paths"].items() if p.startswith("/api/queue/") and ("post" in ops or p.startswith("/api/queue/tickets"))}
    assert set(api) == {"/api/queue/tickets", "/api/queue/tickets/{number}", "/api/queue/tickets/{number}/restore"} | {
        f"/api/queue/counters/{{counter}}/{a}" for a in ("call", "recall", "no-show", "park", "finish", "transfer", "pause", "resume")}
    for path, ops in api.items():
        for op in ops.values():
            assert op["security"] == [{"apiKey": []}] and {"401", "403", "409"} <= set(op["responses"]), path
    take = doc["paths"]["/api/queue/tickets"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in take["parameters"])
