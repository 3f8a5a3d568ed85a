"""Issue 14, finding 2: an idempotency key only ever returns its own client's ticket or case.

The attack: the REST API stored a gateway's ``Idempotency-Key`` as ``api{id}:{key}``; the public 网上取号
form accepted any ``key`` and looked it up across every ticket, so posting ``api1:tap-1`` there returned
the gateway's ticket with its tracking token (cookie and redirect). Now every channel's key is stored
under its client (kiosk terminal, browser session, API key) and another client's key finds nothing.
"""

from __future__ import annotations


import pytest
from fastapi.testclient import TestClient
from kit import CSRF
from sqlalchemy import select

import kiosk.plugins.intake as intake_plugin
from kiosk import apikeys
from kiosk.plugins.intake import service as intake
from kiosk.plugins.queue import service
from kiosk.plugins.queue.models import Ticket
from kiosk.receipts import scoped_key
from kiosk.web.app import create_app


@pytest.fixture
def client(qctx):
    return TestClient(create_app(qctx))


def remote_take(client: TestClient, key: str):
    token = CSRF.search(client.get("/queue/remote").text).group(1)
    return client.post("/queue/remote", data={"csrf_token": token, "service_code": "A", "key": key}, follow_redirects=False)


def test_a_rest_api_key_replayed_on_the_web_form_gets_nothing_of_the_gateways(qctx, client):
    key, secret = apikeys.create(qctx, "wechat", ["tickets"])
    api = client.post("/api/queue/tickets", json={"service": "A"},
                      headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "tap-1"})
    assert api.status_code == 201
    gateway_url = api.json()["tracking_url"]
    gateway_path = "/t/" + gateway_url.rsplit("/t/", 1)[1]
    # The attacker replays what used to be stored, and the bare key, on the public form.
    for replay in (f"api{key.id}:tap-1", "tap-1"):
        attacker = TestClient(client.app)
        r = remote_take(attacker, replay)
        assert r.status_code == 303
        assert r.headers["location"] != gateway_path
        assert gateway_url.rsplit("/t/", 1)[1] not in r.headers.get("set-cookie", "")
    # What is stored now cannot be typed at all (no "|" in a client's key).
    with qctx.sessions() as s:
        stored = s.scalar(select(Ticket.idempotency_key).where(Ticket.source == "walkin"))
    assert stored == scoped_key(f"api:{key.id}", "tap-1") and "|" in stored
    refused = remote_take(TestClient(client.app), stored)
    assert refused.status_code == 400 and "请求无效" in refused.text
    # The gateway itself still gets its own ticket back.
    again = client.post("/api/queue/tickets", json={"service": "A"},
                        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "tap-1"})
    assert again.status_code == 200 and again.json()["tracking_url"] == gateway_url


def test_the_web_form_key_belongs_to_its_browser(qctx, client):
    first = remote_take(client, "web-same")
    assert remote_take(client, "web-same").headers["location"] == first.headers["location"]  # a double submit
    other_phone = TestClient(client.app)
    theirs = remote_take(other_phone, "web-same")
    assert theirs.status_code == 303 and theirs.headers["location"] != first.headers["location"]


def test_kiosk_and_cli_keys_are_their_own(qctx):
    a = service.take_ticket(qctx, "A", key="visit-1", client="kiosk:hall-1")
    assert service.take_ticket(qctx, "A", key="visit-1", client="kiosk:hall-1").ticket.id == a.ticket.id
    b = service.take_ticket(qctx, "A", key="visit-1", client="kiosk:hall-2")
    c = service.take_ticket(qctx, "A", key="visit-1", client="cli")
    assert len({a.ticket.id, b.ticket.id, c.ticket.id}) == 3
    assert b.url != a.url and not b.repeated


@pytest.fixture
def both(make_host, make_ctx, db_url, kiosk_now):
    import kiosk.plugins.queue as queue_plugin

    ctx = make_ctx(make_host(queue=queue_plugin, intake=intake_plugin), db_url)
    intake_plugin.kiosk_demo_data(ctx)
    return ctx


CASE = {"category": "repair", "problem": "楼道灯不亮", "building": "12", "unit": "2", "phone": "13812341234"}


def test_open311_keys_are_scoped_per_api_key(both):
    client = TestClient(create_app(both))
    _, one = apikeys.create(both, "app one", ["open311"])
    _, two = apikeys.create(both, "app two", ["open311"])
    form = {"service_code": "repair", "attribute[building]": "12", "attribute[unit]": "2", "phone": "13800138000", "attribute[problem]": "楼道灯不亮",
            "attribute[idempotency_key]": "req-1"}
    first = client.post("/open311/v2/requests.json", data={**form, "api_key": one})
    assert first.status_code == 200, first.text
    again = client.post("/open311/v2/requests.json", data={**form, "api_key": one})
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    theirs = client.post("/open311/v2/requests.json", data={**form, "api_key": two})
    assert theirs.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    # A kiosk using the same words as a key files its own case too (the tracking link is never shared).
    kiosk = intake.file_case(both, CASE, key="req-1", client="kiosk:hall-1")
    assert kiosk.case.case_no not in {first.json()[0]["service_request_id"], theirs.json()[0]["service_request_id"]}
    assert intake.file_case(both, CASE, key="req-1", client="kiosk:hall-1").url == kiosk.url
