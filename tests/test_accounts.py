"""Staff accounts on the web: sessions that end for real, the demo passwords, password rules, the
administrator's account page, and the audit entries all of it writes (SQLite and PostgreSQL).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from kit import csrf, sign_in
from sqlalchemy import select

from kiosk import audit
from kiosk.models import StaffUser
from kiosk.staff import DEMO_STAFF, ensure_user, set_user
from kiosk.web.app import create_app
from kiosk.web.auth import SESSION_COOKIE

NOW = "2026-11-30T09:15:00+08:00"
PASSWORDS = {"admin": "admin-password", "clerk": "clerk-password"}


@pytest.fixture
def web(make_host, make_ctx, db_url):
    ctx = make_ctx(make_host(), db_url, KIOSK_NOW=NOW)
    with ctx.transaction() as s:
        set_user(s, "admin", PASSWORDS["admin"], role="admin", display_name="管理员")
        set_user(s, "clerk", PASSWORDS["clerk"], role="staff", display_name="窗口一")
    app = create_app(ctx)
    return SimpleNamespace(ctx=ctx, app=app, client=TestClient(app))


def client_of(web) -> TestClient:
    return TestClient(web.app)


def post(client: TestClient, path: str, data: dict, page: str = "/staff"):
    return client.post(path, data={**data, "csrf_token": csrf(client.get(page))}, follow_redirects=False)


def copy_of(web, client: TestClient) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie (e.g. stolen from a shared PC)."""
    other = client_of(web)
    other.cookies.set(SESSION_COOKIE, client.cookies.get(SESSION_COOKIE))
    return other


def actions(ctx) -> list[tuple[str, str, str]]:
    return [(r.actor, r.action, r.target) for r in reversed(audit.entries(ctx))]


# -- sessions end for real -------------------------------------------------------------------------
def test_logout_ends_a_copied_session(web):
    assert sign_in(web.client, "clerk").status_code == 303
    thief = copy_of(web, web.client)
    assert thief.get("/staff", follow_redirects=False).status_code == 200  # the copy works while the session lives
    r = post(web.client, "/staff/logout", {})
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    r = thief.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login")
    assert thief.get("/staff/terminals", follow_redirects=False).status_code == 303
    assert ("web:clerk", "auth.logout", "staff:clerk") in actions(web.ctx)


def test_a_password_change_and_a_deactivation_end_every_other_session(web):
    sign_in(web.client, "clerk")
    elsewhere = client_of(web)
    sign_in(elsewhere, "clerk")
    r = post(web.client, "/staff/password", {"current": PASSWORDS["clerk"], "password": "new-secret-42", "confirm": "new-secret-42"},
             "/staff/password")
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    assert web.client.get("/staff", follow_redirects=False).status_code == 200  # this browser stays in
    assert elsewhere.get("/staff", follow_redirects=False).status_code == 303  # the other one is out
    assert sign_in(elsewhere, "clerk", PASSWORDS["clerk"]).status_code == 401
    assert sign_in(elsewhere, "clerk", "new-secret-42").status_code == 303

    admin = client_of(web)
    sign_in(admin, "admin")
    r = post(admin, "/staff/accounts/clerk/deactivate", {}, "/staff/accounts")
    assert r.status_code == 303
    for browser in (web.client, elsewhere):
        assert browser.get("/staff", follow_redirects=False).status_code == 303
    assert sign_in(elsewhere, "clerk", "new-secret-42").status_code == 401
    assert ("web:admin", "staff.deactivate", "staff:clerk") in actions(web.ctx)


def test_an_old_style_cookie_without_a_generation_is_refused(web):
    """A cookie signed with the right key but no generation (as issued before this change) opens nothing."""
    import base64
    import json

    import itsdangerous

    signer = itsdangerous.TimestampSigner(str(web.ctx.settings.secret_key()))
    data = {"staff": {"u": "admin", "at": 2**31 - 1, "fp": "x"}, "csrf": "t"}
    forged = signer.sign(base64.b64encode(json.dumps(data).encode())).decode()
    other = client_of(web)
    other.cookies.set(SESSION_COOKIE, forged)
    assert other.get("/staff", follow_redirects=False).status_code == 303


# -- the demo passwords ----------------------------------------------------------------------------
def test_demo_logins_must_change_their_password_before_any_staff_page(web):
    with web.ctx.transaction() as s:
        for username, display, role, password in DEMO_STAFF:
            s.execute(StaffUser.__table__.delete().where(StaffUser.username == username))
            ensure_user(s, username, password, role, display, must_change=True)
    admin_password = dict((u, p) for u, _d, _r, p in DEMO_STAFF)["admin"]
    r = sign_in(web.client, "admin", admin_password)
    assert r.status_code == 303 and r.headers["location"] == "/staff/password"
    for path in ("/staff", "/staff/plugins", "/staff/accounts", "/staff/audit", "/staff/terminals"):
        r = web.client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/password", path
    page = web.client.get("/staff/password")
    assert page.status_code == 200 and "演示密码是公开的" in page.text
    # the demo password itself, and too-simple ones, are refused in Chinese; nothing changes
    for new, words in ((admin_password, "演示密码"), ("short1", "至少需要 10 个字符"), ("1234567890123", "不能只有数字"),
                       ("admin", "至少需要")):
        r = post(web.client, "/staff/password", {"current": admin_password, "password": new, "confirm": new}, "/staff/password")
        assert r.status_code == 400 and words in r.text, new
    r = post(web.client, "/staff/password", {"current": "wrong-one-1", "password": "Tai'an-2026!", "confirm": "Tai'an-2026!"},
             "/staff/password")
    assert r.status_code == 400 and "当前密码不正确" in r.text
    r = post(web.client, "/staff/password", {"current": admin_password, "password": "Tai'an-2026!", "confirm": "Tai'an-2026?"},
             "/staff/password")
    assert r.status_code == 400 and "两次输入的新密码不一致" in r.text
    r = post(web.client, "/staff/password", {"current": admin_password, "password": "Tai'an-2026!", "confirm": "Tai'an-2026!"},
             "/staff/password")
    assert r.status_code == 303
    assert web.client.get("/staff/plugins", follow_redirects=False).status_code == 200
    with web.ctx.sessions() as s:
        assert s.scalar(select(StaffUser.must_change_password).where(StaffUser.username == "admin")) is False


def test_a_demo_password_logged_in_without_the_flag_still_has_to_be_changed(web):
    """A database whose demo logins were made before the flag existed: the demo password itself forces the change."""
    with web.ctx.transaction() as s:
        s.execute(StaffUser.__table__.delete().where(StaffUser.username == "clerk"))
        ensure_user(s, "clerk", "huaxin-staff", "staff", "窗口")  # no must_change
    r = sign_in(web.client, "clerk", "huaxin-staff")
    assert r.status_code == 303 and r.headers["location"] == "/staff/password"
    assert web.client.get("/staff", follow_redirects=False).headers["location"] == "/staff/password"


# -- the administrator's page ----------------------------------------------------------------------
def test_admin_adds_resets_and_deactivates_logins(web):
    sign_in(web.client, "admin")
    page = web.client.get("/staff/accounts")
    assert page.status_code == 200 and "clerk" in page.text and "窗口一" in page.text
    # refused forms keep what was typed (never the password) and say why in Chinese
    r = post(web.client, "/staff/accounts/new", {"username": "wang.li", "name": "王丽", "role": "staff", "password": "abc"},
             "/staff/accounts")
    assert r.status_code == 400 and "至少需要 10 个字符" in r.text and 'value="wang.li"' in r.text and 'value="王丽"' in r.text
    assert 'value="abc"' not in r.text
    r = post(web.client, "/staff/accounts/new", {"username": "Wang Li", "name": "", "role": "staff", "password": "first-pass-1"},
             "/staff/accounts")
    assert r.status_code == 400 and "用户名" in r.text
    r = post(web.client, "/staff/accounts/new", {"username": "clerk", "name": "", "role": "staff", "password": "first-pass-1"},
             "/staff/accounts")
    assert r.status_code == 400 and "已经有人使用" in r.text
    r = post(web.client, "/staff/accounts/new", {"username": "wang.li", "name": "王丽", "role": "staff", "password": "first-pass-1"},
             "/staff/accounts")
    assert r.status_code == 303
    wang = client_of(web)
    r = sign_in(wang, "wang.li", "first-pass-1")
    assert r.headers["location"] == "/staff/password"  # a password the administrator knows must be replaced
    # reset: the user's sessions end and the new password must be changed too
    r = post(web.client, "/staff/accounts/wang.li/password", {"password": "second-pass-2"}, "/staff/accounts")
    assert r.status_code == 303
    assert wang.get("/staff/password", follow_redirects=False).status_code == 303  # logged out
    assert sign_in(wang, "wang.li", "second-pass-2").headers["location"] == "/staff/password"
    # the administrator cannot lock themselves out
    r = post(web.client, "/staff/accounts/admin/deactivate", {}, "/staff/accounts")
    assert r.status_code == 400 and "不能停用自己" in r.text
    r = post(web.client, "/staff/accounts/admin/password", {"password": "whatever-123"}, "/staff/accounts")
    assert r.status_code == 400
    r = post(web.client, "/staff/accounts/wang.li/deactivate", {}, "/staff/accounts")
    assert r.status_code == 303
    assert "已停用" in web.client.get("/staff/accounts").text
    assert [a for a in actions(web.ctx) if a[1].startswith("staff.")] == [
        ("web:admin", "staff.add", "staff:wang.li"), ("web:admin", "staff.password", "staff:wang.li"),
        ("web:admin", "staff.deactivate", "staff:wang.li")]


def test_accounts_and_audit_are_for_administrators_only(web):
    sign_in(web.client, "clerk")
    for path in ("/staff/accounts", "/staff/audit"):
        assert web.client.get(path).status_code == 403
    r = post(web.client, "/staff/accounts/new", {"username": "mallory", "role": "admin", "password": "first-pass-1"})
    assert r.status_code == 403
    r = post(web.client, "/staff/accounts/admin/deactivate", {})
    assert r.status_code == 403
    with web.ctx.sessions() as s:
        assert s.scalar(select(StaffUser).where(StaffUser.username == "mallory")) is None
        assert s.scalar(select(StaffUser.active).where(StaffUser.username == "admin")) is True


# -- audit entries of logins and the audit page ----------------------------------------------------
def test_logins_and_failures_are_audited_without_the_password(web):
    other = client_of(web)
    assert sign_in(other, "clerk", "Guess-Secret-99").status_code == 401
    long_name = "x" * 80
    assert sign_in(other, long_name, "Guess-Secret-99").status_code == 401
    sign_in(web.client, "admin")
    rows = audit.entries(web.ctx)
    assert [(r.action, r.target) for r in reversed(rows)] == [
        ("auth.login_failed", "staff:clerk"), ("auth.login_failed", "staff:" + "x" * 32), ("auth.login", "staff:admin")]
    assert all("Guess-Secret-99" not in str(r.as_json()) for r in rows)
    assert sign_in(other, "13912345678", "Guess-Secret-99").status_code == 401  # a phone typed as the name
    assert audit.entries(web.ctx, action="auth.login_failed")[0].target == "staff:139******78"
    assert rows[0].actor == "web:admin" and rows[0].ip
    # the refused login form keeps the username typed, never the password
    r = sign_in(other, "clerk", "Guess-Secret-99")
    assert 'value="clerk"' in r.text and "Guess-Secret-99" not in r.text


def test_the_audit_page_filters_by_time_action_and_actor(web):
    sign_in(web.client, "admin")
    post(web.client, "/staff/plugins", {"plugin": "nothing", "season": "x", "enabled": "1"})  # refused: no entry
    page = web.client.get("/staff/audit")
    assert page.status_code == 200 and "auth.login" in page.text and "web:admin" in page.text
    assert "auth.login" not in web.client.get("/staff/audit?action=staff").text.split("<tbody>")[1]
    assert "auth.login" in web.client.get("/staff/audit?action=auth&actor=web:admin").text.split("<tbody>")[1]
    assert "没有记录" in web.client.get("/staff/audit?actor=web:clerk").text
    assert "没有记录" in web.client.get("/staff/audit?since=2099-01-01").text
    r = web.client.get("/staff/audit", params={"since": "0001-01-01T00:00:00+14:00"})  # before year 1 in UTC
    assert r.status_code == 400 and "起始时间" in r.text and 'value="0001-01-01T00:00:00+14:00"' in r.text
    assert web.client.get("/staff/audit?since=yesterday").status_code == 400


def test_plugin_switches_on_the_web_are_audited(make_host, make_ctx, db_url):
    from kiosk import hookimpl
    from kiosk.types import PluginInfo

    class Demo:
        @hookimpl
        def kiosk_plugin_info(self):
            return PluginInfo(title="演示", title_en="Demo")

    ctx = make_ctx(make_host(demo=Demo()), db_url, KIOSK_NOW=NOW)
    with ctx.transaction() as s:
        set_user(s, "admin", PASSWORDS["admin"], role="admin")
    client = TestClient(create_app(ctx))
    sign_in(client, "admin")
    season = ctx.settings.seasons[0].name
    assert post(client, "/staff/plugins", {"plugin": "demo", "season": season, "enabled": "0"}, "/staff/plugins").status_code == 303
    rows = audit.entries(ctx, action="setup.")
    assert [(r.actor, r.action, r.target, r.detail) for r in rows] == [
        ("web:admin", "setup.plugin", "plugin:demo", {"season": season, "enabled": False})]


def test_the_new_pages_in_english_and_the_dashboard_links(web):
    sign_in(web.client, "admin")
    assert "Staff accounts" in web.client.get("/staff/accounts?lang=en").text
    assert "Audit log" in web.client.get("/staff/audit?lang=en").text
    assert "Current password" in web.client.get("/staff/password?lang=en").text
    home = web.client.get("/staff").text
    assert 'href="/staff/accounts"' in home and 'href="/staff/audit"' in home and 'href="/staff/password"' in home
    clerk = client_of(web)
    sign_in(clerk, "clerk")
    home = clerk.get("/staff").text
    assert 'href="/staff/password"' in home and 'href="/staff/accounts"' not in home and 'href="/staff/audit"' not in home
