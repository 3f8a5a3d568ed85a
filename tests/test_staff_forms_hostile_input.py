"""The staff forms this release added (new login, own password, 个人信息 look-up, audit filters) meet empty,
huge, emoji, control-character and markup input with a short Chinese message (or an empty result),
keep what was typed where it can be shown, escape it, and never answer 500 (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from kit import csrf, sign_in

from kiosk.staff import set_user
from kiosk.web.app import create_app

HOSTILE = {
    "empty": "",
    "huge": "长" * 5000,
    "emoji": "王😀丽",
    "control": "wang\x00\x07\r\nli",
    "markup": "<script>alert(1)</script>",
}


@pytest.fixture
def admin(make_host, make_ctx, db_url):
    ctx = make_ctx(make_host(), db_url, KIOSK_NOW="2026-11-30T09:15:00+08:00")
    with ctx.transaction() as s:
        set_user(s, "admin", "admin-password", role="admin", display_name="管理员")
    client = TestClient(create_app(ctx), raise_server_exceptions=False)
    sign_in(client, "admin", "admin-password")
    return client


def post(client, path: str, data: dict, page: str):
    return client.post(path, data={**data, "csrf_token": csrf(client.get(page))}, follow_redirects=False)


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_new_login_refuses_hostile_usernames_and_passwords(admin, kind):
    value = HOSTILE[kind]
    r = post(admin, "/staff/accounts/new", {"username": value, "name": "王丽", "role": "staff", "password": "first-pass-1"},
             "/staff/accounts")
    assert r.status_code == 400 and "用户名" in r.text and "<script>alert" not in r.text
    if kind == "markup":  # printable, mixed, long enough: a fine password, and a name shown escaped
        r = post(admin, "/staff/accounts/new", {"username": "wang.li", "name": value, "role": "staff", "password": value},
                 "/staff/accounts")
        page = admin.get("/staff/accounts").text
        assert r.status_code == 303 and "&lt;script&gt;" in page and "<script>alert" not in page
        return
    r = post(admin, "/staff/accounts/new", {"username": "wang.li", "name": value, "role": "staff", "password": value},
             "/staff/accounts")
    assert r.status_code == 400 and "密码" in r.text and 'value="wang.li"' in r.text and "<script>alert" not in r.text
    assert "wang.li" not in admin.get("/staff/accounts").text.split("新增账号")[0]  # nothing was created
    r = post(admin, "/staff/accounts/new", {"username": "wang.li", "name": value, "role": "staff", "password": "first-pass-1"},
             "/staff/accounts")
    assert r.status_code == 303  # the display name is tidied (control characters dropped, cut to 64), not refused
    assert "\x00" not in admin.get("/staff/accounts").text


def test_a_login_name_with_a_nul_is_no_login_on_either_database(admin):
    visitor = TestClient(admin.app, raise_server_exceptions=False)
    token = csrf(visitor.get("/staff/login"))
    r = visitor.post("/staff/login", data={"username": "admin\x00", "password": "admin-password", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码" in r.text  # a wrong login, not a database outage (503)


@pytest.mark.parametrize("kind", [k for k in HOSTILE if k != "markup"])  # markup is a fine password
def test_ones_own_password_refuses_hostile_input(admin, kind):
    r = post(admin, "/staff/password", {"current": "admin-password", "password": HOSTILE[kind], "confirm": HOSTILE[kind]},
             "/staff/password")
    assert r.status_code == 400 and "密码" in r.text and "<script>alert" not in r.text
    assert sign_in(TestClient(admin.app), "admin", "admin-password").status_code == 303  # unchanged


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_privacy_look_up_refuses_hostile_phones_and_keeps_them_escaped(admin, kind):
    r = post(admin, "/staff/privacy", {"phone": HOSTILE[kind]}, "/staff/privacy")
    assert r.status_code == 400 and "电话" in r.text and "<script>alert" not in r.text


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_audit_filters_take_hostile_text_without_a_server_error(admin, kind):
    for name in ("action", "actor"):
        r = admin.get("/staff/audit", params={name: HOSTILE[kind]})
        assert r.status_code in (200, 400) and "<script>alert" not in r.text
    r = admin.get("/staff/audit", params={"since": HOSTILE[kind]})
    assert r.status_code == (200 if kind == "empty" else 400) and "<script>alert" not in r.text
