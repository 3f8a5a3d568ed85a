"""Security checks over the whole web host, route by route from its OpenAPI description, so a plugin
added later (the timetable) is checked without touching this file.

What tests/test_web.py and the plugin tests already prove is not repeated here: the /t/ and
/api/receipts/ budget with its Retry-After, the cookie's HttpOnly and SameSite flags, CSRF on one
staff form, headers on a handful of core pages, the intake tracking page, 公示 board and Open311
masking. This file sweeps every route for the same properties and adds what had no test: every
token route rate-limited, tokens 128-bit and never stored in clear, escaping of what residents and
staff type on every page that shows it, passwords never stored or logged, and personal data never in
public output, Open311, logs or slips.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets

import pytest
from fastapi.testclient import TestClient
from kit import CSRF, sign_in
from sqlalchemy import select
from webhelpers import ADMIN_PASSWORD, login

from kiosk.db import Base

PHONE = "13987654321"
SURNAME = "欧阳"
FLAT = "2703"
WORDS = "厨房天花板漏水已经三天"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def openapi(app) -> dict:
    with TestClient(app) as client:
        return client.get("/openapi.json").json()["paths"]


def sample_path(web, path: str) -> str:
    """``path`` with its parameters filled by values that exist in the demo data."""
    values = {"token": web.tickets[0].url.rsplit("/", 1)[1], "case_no": web.cases[0].case.case_no, "notice_id": "1",
              "number": "1", "code": "A", "name": "notice", "plugin": "intake", "outcome_id": web.cases[0].case.case_no,
              "action": "note"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "1"), path)


def routes(web, method: str, prefix: str = "") -> list[str]:
    return [p for p, ops in openapi(web.app).items() if method in ops and p.startswith(prefix)]


def test_tokens_are_128_bit_and_stored_only_as_hashes(full_web):
    from kiosk.models import ReceiptToken

    tokens = [t.url.rsplit("/", 1)[1] for t in full_web.tickets] + [c.url.rsplit("/", 1)[1] for c in full_web.cases]
    for token in tokens:
        assert len(base64.urlsafe_b64decode(token + "==")) == 16  # 128 random bits
    dump = database_text(full_web.ctx)
    assert not any(token in dump for token in tokens)  # not in clear in any table (hash or sealed only)
    with full_web.ctx.sessions() as s:
        assert s.scalar(select(ReceiptToken.token_hash)) and len(s.scalar(select(ReceiptToken.token_hash))) == 64


def test_every_route_that_takes_a_token_is_rate_limited(full_web):
    """Guessing tokens (or case numbers with four digits) is cut off after the per-minute budget, on every route."""
    limit = full_web.ctx.settings.token_rate_limit
    paths = openapi(full_web.app)
    targets = [(m, p) for p, ops in paths.items() for m in ops if "{token}" in p] + [("post", "/cases/lookup")]
    assert len(targets) >= 6, targets  # /t, /api/receipts, the queue's and intake's rating pages (GET and POST), look-up
    for n, (method, path) in enumerate(targets):
        client = TestClient(full_web.app, client=(f"198.51.100.{n + 1}", 5000))  # a fresh budget per route
        answers = []
        for _ in range(limit + 1):
            guess = path.replace("{token}", secrets.token_urlsafe(16))
            if method == "get":
                answers.append(client.get(guess).status_code)
            else:
                token = CSRF.search(client.get("/staff/login").text).group(1)
                answers.append(client.post(guess, data={"csrf_token": token, "case_no": "MS261130-001", "last4": "0000",
                                                        "level": "5"}).status_code)
        if path == "/cases/lookup":  # stricter still: five wrong tries lock the client (and the case) first
            assert answers[-1] == 429 and answers.index(429) <= 5, answers
        else:
            assert 429 not in answers[:limit] and answers[-1] == 429, (method, path, answers)


def test_every_staff_page_needs_a_login(full_web):
    client = TestClient(full_web.app)
    anonymous_csrf = CSRF.search(client.get("/staff/login").text).group(1)  # a session, but nobody logged in
    checked = 0
    for path in routes(full_web, "get", "/staff"):
        if path == "/staff/login":
            continue
        r = client.get(sample_path(full_web, path))
        assert r.history and r.url.path == "/staff/login" and "登录" in r.text, (path, r.status_code)
        checked += 1
    for path in routes(full_web, "post", "/staff"):
        if path in ("/staff/login", "/staff/logout"):
            continue
        r = client.post(sample_path(full_web, path), data={"csrf_token": anonymous_csrf, "note": "x", "name": "x"},
                        follow_redirects=False)
        assert r.status_code in (302, 303, 307, 401, 403), (path, r.status_code)
        if r.status_code != 403:
            assert "/staff/login" in r.headers["location"], path
        checked += 1
    assert checked >= 25


def test_every_staff_form_needs_the_sessions_csrf_token(full_web):
    client = TestClient(full_web.app)
    login(client)
    other = TestClient(full_web.app)
    foreign = login(other)  # another session's valid token
    for path in routes(full_web, "post", "/staff"):
        if path == "/staff/login":
            continue
        url = sample_path(full_web, path)
        for data in ({"note": "x"}, {"note": "x", "csrf_token": foreign}, {"note": "x", "csrf_token": "A" * 43}):
            r = client.post(url, data=data, follow_redirects=False)
            assert r.status_code == 403 and "表单已失效" in r.text, (path, data, r.status_code)
    assert client.get("/staff/plugins").status_code == 200  # still logged in: logout was refused too


def test_every_key_route_needs_its_key_and_never_takes_a_session_instead(full_web):
    """``/api/`` and ``/open311/`` skip the session's CSRF check because they authenticate with API keys.
    That is safe only if a session cookie (even an administrator's, with its CSRF token) is never enough:
    every unsafe route there, and every route that declares a bearer key, refuses it like a stranger."""
    from kiosk.web.auth import CSRF_EXEMPT

    paths = openapi(full_web.app)
    staff = TestClient(full_web.app)
    csrf = login(staff)
    visitor = TestClient(full_web.app)
    targets = [(m, p) for p, ops in paths.items() for m, op in ops.items()
               if p.startswith(CSRF_EXEMPT) and (m in ("post", "put", "patch", "delete") or op.get("security"))]
    assert len(targets) >= 12, targets  # Open311's POST and the queue's REST API
    for method, path in targets:
        url = sample_path(full_web, path)
        if path.startswith("/open311/"):  # Open311 sends its key as the api_key form field
            answers = [c.request(method, url, data={"csrf_token": csrf, "service_code": "repair"}).status_code for c in (visitor, staff)]
            assert answers == [403, 403], (path, answers)
            continue
        assert paths[path][method]["security"] == [{"apiKey": []}], path  # it says it needs a key
        for client in (visitor, staff):
            r = client.request(method, url, json={"service": "A"}, headers={"X-CSRF-Token": csrf})
            assert r.status_code == 401 and r.json()["error"] == "key_required", (method, path, r.status_code)
    with full_web.ctx.sessions() as s:  # and nothing was done: only the fixture's three tickets exist
        from kiosk.plugins.queue.models import Ticket

        assert len(s.scalars(select(Ticket)).all()) == 3


def test_every_response_carries_the_content_security_policy(full_web):
    visitor = TestClient(full_web.app)
    staff = TestClient(full_web.app)
    login(staff)
    paths = [sample_path(full_web, p) for p in routes(full_web, "get")] + ["/openapi.json", "/nowhere", "/notices/99999",
                                                                          "/static/kiosk.css"]
    for client in (visitor, staff):
        for path in paths:
            r = client.get(path, follow_redirects=False)
            csp = r.headers.get("content-security-policy", "")
            assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp, path
            assert r.headers.get("x-content-type-options") == "nosniff", path
            if r.headers.get("content-type", "").startswith("text/html"):
                assert "<script" not in r.text.lower(), path


def test_what_residents_and_staff_type_is_escaped_on_every_page_that_shows_it(full_web):
    from kiosk.plugins.intake import service as intake
    from kiosk.plugins.notices import service as notices
    from kiosk.plugins.queue import service as queue

    ctx = full_web.ctx
    case = intake.file_case(ctx, {"category": "repair", "building": "3", "unit": "2", "phone": PHONE, "description": XSS})
    no = case.case.case_no
    intake.transition(ctx, no, "accept", by="x", kind="promised", note=XSS)
    intake.transition(ctx, no, "start", by="x")
    intake.transition(ctx, no, "resolve", by="x", response="答复 " + XSS, summary="摘要 " + XSS)  # never a copy of the description
    intake.transition(ctx, no, "publish", by="x")
    intake.rate(ctx, case.case.id, "basic", XSS, channel="web")  # 不满意 would reopen it
    notice = notices.create(ctx, board="notice", title=XSS, body=XSS, by="admin")
    taken = queue.take_ticket(ctx, "B")
    called = queue.call_next(ctx, 1)
    queue.finish(ctx, 1)
    queue.rate(ctx, called.id, 1, XSS)

    staff = TestClient(full_web.app)
    login(staff)
    visitor = TestClient(full_web.app)
    pages = {
        visitor: [case.url.split("8080", 1)[-1], "/cases/public", f"/notices/{notice.id}", "/notices?board=notice",
                  "/notices/feed/notice.atom", f"/notices/outcome/intake/{no}", "/notices?board=outcomes"],
        staff: [f"/staff/cases/{no}", "/staff/cases", f"/staff/notices/{notice.id}", "/staff/notices", "/staff/queue/stats",
                "/staff/cases/report"],
    }
    shown = 0
    for client, paths in pages.items():
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200, path
            assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
            shown += "&lt;script&gt;alert" in r.text or "&amp;lt;script" in r.text
    assert shown >= 8  # the text is there, shown as text
    assert taken.ticket.display


def database_text(ctx) -> str:
    """Every value of every row of every table, as one string (to look for what must not be stored)."""
    parts = []
    with ctx.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_passwords_are_never_stored_or_logged_in_clear(full_web, caplog, tmp_path):
    from kiosk.staff import set_user

    caplog.set_level(logging.DEBUG)
    with full_web.ctx.transaction() as s:
        set_user(s, "clerk", "Clerk-Pa55-word", "staff")
    client = TestClient(full_web.app)
    assert sign_in(client, "clerk", "Wrong-Pa55-word").status_code == 401
    csrf = login(client, "clerk", "Clerk-Pa55-word")
    assert client.post("/staff/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert any("clerk" in r.getMessage() for r in caplog.records)  # the log was listening: it names the user
    dump = database_text(full_web.ctx)
    for password in (ADMIN_PASSWORD, "Clerk-Pa55-word", "Wrong-Pa55-word"):
        assert password not in dump and password not in caplog.text
        for path in full_web.ctx.settings.data_dir.rglob("*"):
            if path.is_file():
                assert password.encode() not in path.read_bytes(), path
    assert "scrypt$" in dump  # what is stored is a salted scrypt hash


def test_personal_data_never_reaches_public_pages_open311_logs_or_slips(full_web, caplog):
    from escpos.printer import Dummy

    from kiosk.plugins.intake import open311
    from kiosk.plugins.intake import service as intake
    from kiosk.printing import print_slip

    caplog.set_level(logging.DEBUG)
    ctx = full_web.ctx
    personal = {"phone": PHONE, "surname": SURNAME, "title": "女士", "flat": FLAT, "description": WORDS}
    kiosk_case = intake.file_case(ctx, {"category": "repair", "building": "12", "unit": "1", "problem": "楼道灯不亮",
                                        "name_public": False, **personal}, key="kiosk-pii")
    no = kiosk_case.case.case_no
    for action, extra in (("accept", {"kind": "promised"}), ("start", {}),
                          ("resolve", {"response": "已更换楼道灯", "summary": "楼道灯不亮"}), ("publish", {})):
        intake.transition(ctx, no, action, by="staff:admin", **extra)
    visitor = TestClient(full_web.app)
    key = open311.create_api_key(ctx, "12345 hotline")
    made = visitor.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "repair", "attribute[building]": "5", "attribute[problem]": "楼道灯不亮",
        "phone": PHONE, "last_name": SURNAME, "description": WORDS})
    assert made.status_code == 200
    o311_no = made.json()[0]["service_request_id"]

    token = kiosk_case.url.rsplit("/", 1)[1]
    public = {
        "tracking page": visitor.get(f"/t/{token}").text,
        "receipt API": visitor.get(f"/api/receipts/{token}").text,
        "公示 list": visitor.get("/cases/public").text,
        "公示 entry": visitor.get(f"/notices/outcome/intake/{no}").text,
        "公示 board": visitor.get("/notices?board=outcomes").text,
        "公示 feed": visitor.get("/notices/feed/outcomes.atom").text,
        "Open311 list": visitor.get("/open311/v2/requests.json").text,
        "Open311 case": visitor.get(f"/open311/v2/requests/{no}.json").text,
        "Open311 new case": visitor.get(f"/open311/v2/requests/{o311_no}.json").text,
        "Open311 answer": made.text,
        "queue board": visitor.get("/queue/board").text,
        "home of notices": visitor.get("/notices").text,
    }
    assert no in public["Open311 list"] and no in public["公示 list"]  # the case is public, its resident is not
    # The slip: its layout and the bytes sent to the printer.
    layout = kiosk_case.issued.layout
    printer = Dummy()
    assert print_slip(ctx.settings, layout, printer=printer).ok
    public["slip text"] = "\n".join([layout.center, layout.title, layout.number, *layout.lines, layout.footer, layout.issued])
    public["slip bytes"] = printer.output.decode("gb18030", errors="replace")
    public["logs"] = caplog.text
    for where, text in public.items():
        for field, value in personal.items():
            if field == "title":
                continue  # 女士 alone is not personal
            assert value not in text, f"{field} {value!r} appears in the {where}"
    assert "139****4321" in public["tracking page"]  # the resident sees their own number masked
