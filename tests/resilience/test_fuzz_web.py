"""Every HTTP endpoint fuzzed from the published OpenAPI description (schemathesis): never a 5xx.

The app is the real web host with every built-in plugin and the Huaxin demo data (queue services,
notices, intake buildings and a few cases and tickets, so tokens, case numbers and notice ids hit
real rows too). It runs twice: as an anonymous visitor, and as a logged-in administrator (session
cookie plus the CSRF header, so staff forms get past the login and the CSRF check and their handlers
see the fuzzed input). The rate limits run on a clock that jumps a minute per request, so the fuzzer
reaches the handlers instead of the 429 page. Hypothesis' examples per endpoint are kept small so the
whole fuzz stays around a minute on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from webhelpers import login

from kiosk.web.auth import CSRF_HEADER, SESSION_COOKIE

EXAMPLES = 12
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture
def web(full_web):
    full_web.clock.step = 61.0  # every request a minute later: the fuzzer reaches handlers, not the 429 page
    return full_web.app


@pytest.fixture
def web_schema(web):
    return schemathesis.openapi.from_asgi("/openapi.json", web)


@pytest.fixture
def staff_headers(web):
    """A logged-in administrator's cookie and CSRF token, as request headers."""
    with TestClient(web) as client:
        csrf = login(client)
        return {"cookie": f"{SESSION_COOKIE}={client.cookies.get(SESSION_COOKIE)}", CSRF_HEADER: csrf}


def fuzz(schema, headers: dict[str, str] | None = None, skip: tuple[str, ...] = (), only: str = "",
         answers: list | None = None) -> int:
    """Call every operation with valid and invalid generated input; return how many operations ran.

    Why not ``@schema.parametrize()``: its lazy fixture loading does not work with this pytest; driving
    each operation's Hypothesis strategy directly gives the same inputs. Failures of all operations
    are collected, so one run reports every endpoint that answers 5xx.
    """
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in skip or not operation.path.startswith(only):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                ours = {name.lower() for name in headers or {}}  # ours replace generated ones (Authorization)
                response = case.call(headers={**{k: v for k, v in (case.headers or {}).items() if k.lower() not in ours},
                                              **(headers or {})})
                if answers is not None:
                    answers.append(response)
                assert response.status_code < 500, (
                    f"{case.method} {case.formatted_path} answered {response.status_code} ({mode.value})\n"
                    f"{case.as_curl_command()}\n{response.text[:1500]}")

            try:
                call()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.path  # nothing to get wrong (no parameters)
            except Exception as exc:  # a 5xx, or the app's own exception (the test client re-raises it)
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {type(exc).__name__}: {exc}"[:3000])
    assert not failures, f"{len(failures)} server error(s):\n\n" + "\n\n".join(failures)
    return operations


# Each run calls every operation ~24 times; on a loaded 2-core machine that took longer than the suite's
# 300 s hang guard (a timeout here guards against a hang, it is no performance check).
FUZZ_TIMEOUT = pytest.mark.timeout(1200)


@FUZZ_TIMEOUT
def test_no_endpoint_answers_a_server_error_to_a_visitor(web_schema):
    assert fuzz(web_schema) >= 50


@FUZZ_TIMEOUT
def test_no_endpoint_answers_a_server_error_to_a_logged_in_administrator(web_schema, staff_headers):
    # Logging out would end the session the other examples use (the visitor run fuzzes it).
    assert fuzz(web_schema, staff_headers, skip=("/staff/logout",)) >= 50


@FUZZ_TIMEOUT
def test_no_api_route_answers_a_server_error_to_a_client_with_a_key(web_schema, full_web):
    """The bearer-key routes refuse the two runs above with 401 before reading anything: a key with every
    scope lets the fuzzer's input reach their handlers and the queue's service layer."""
    from kiosk import apikeys

    key = apikeys.create(full_web.ctx, "fuzzer", ["tickets", "counter"])[1]
    answers: list = []
    assert fuzz(web_schema, {"authorization": f"Bearer {key}"}, only="/api/queue/", answers=answers) >= 12
    errors = set()
    for r in answers:
        try:
            errors.add(r.json().get("error"))
        except (ValueError, AttributeError):  # not JSON, or a success (a JSON object without "error", or a list)
            continue
    # Refused for its key only where the fuzzer itself dropped the header (a negative case: missing auth)
    refused = [r for r in answers if '"error":"key_required"' in r.text or '"error":"invalid_key"' in r.text or "wrong_scope" in r.text]
    assert all(r.request.headers.get("authorization") != f"Bearer {key}" for r in refused)
    assert len(refused) < len(answers) / 4, len(refused)
    assert {"unknown_counter", "unknown_service", "invalid_request"} <= errors  # and reached the queue's service layer


def test_the_openapi_description_lists_every_plugin_route_with_typed_parameters(web):
    with TestClient(web) as client:
        doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for route in ("/t/{token}", "/api/receipts/{token}", "/queue/board", "/staff/queue/counter/{number}", "/notices/{notice_id}",
                  "/staff/cases/{case_no}", "/open311/v2/requests.json", "/cases/lookup"):
        assert route in paths, route
    assert paths["/notices/{notice_id}"]["get"]["parameters"][0]["schema"]["type"] == "integer"
    # Routes that read their form by hand describe it, so the fuzzer (and an integrator) knows the fields.
    body = paths["/open311/v2/requests.json"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert {"api_key", "service_code", "attribute[building]", "phone"} <= set(body["properties"])
    action = paths["/staff/cases/{case_no}/{action}"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert "note" in action["schema"]["properties"]
    assert "/docs" not in paths and "/redoc" not in paths
    with TestClient(web) as client:
        assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
        # Found by the fuzzer: an id past SQLite's INTEGER was a 500 (OverflowError); now a friendly 400.
        for path in ("/notices/9223372036854775808", "/notices/9223372036854775808/image"):
            answer = client.get(path)
            assert answer.status_code == 400 and "请求" in answer.text, path
