"""The web host: tracking pages and API, rate limits, staff login, CSRF, roles, plugin routes, i18n.

Each test builds its own context (temporary data dir, SQLite) with an inline ``demo`` plugin, and an
app whose rate limits run on a fake clock, so nothing sleeps.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import APIRouter, Depends, Form, Request
from fastapi.testclient import TestClient
from kit import CSRF, FakeClock, csrf, sign_in
from markupsafe import Markup
from sqlalchemy import create_engine, select

from kiosk import hookimpl
from kiosk.clock import utcnow
from kiosk.i18n import catalog
from kiosk.models import PluginOverride, Receipt
from kiosk.seasons import current_seasons, enablement
from kiosk.staff import set_user
from kiosk.types import PluginInfo, StaffLink, TrackingView
from kiosk.web.app import create_app
from kiosk.web.auth import SESSION_COOKIE, csrf_input, require_admin, require_staff
from kiosk.web.templating import page

NOW = "2026-11-30T09:15:00+08:00"  # autumn term and heating season are current
PASSWORDS = {"admin": "admin-password", "clerk": "clerk-password"}


class DemoPlugin:
    """A plugin with a tracking view, public and staff routes (one CSRF-protected form) and links."""

    def __init__(self) -> None:
        self.fail_view = False
        self.notes: list[str] = []

    @hookimpl
    def kiosk_plugin_info(self):
        return PluginInfo(title="演示", title_en="Demo")

    @hookimpl
    def kiosk_tracking_view(self, ctx, receipt, lang):
        if self.fail_view:
            raise RuntimeError("tracking view exploded")
        html = '<p class="demo-html">plugin <b>fragment</b></p>'
        if lang == "en":
            return TrackingView(title="Demo ticket", status="Waiting", rows=[("Ahead of you", "3"), ("Title", receipt.title)], html=html)
        return TrackingView(title="演示号", status="等候中", rows=[("前面还有", "3人"), ("标题", receipt.title)], html=html, refresh=30)

    @hookimpl
    def kiosk_web_routes(self, ctx):
        router = APIRouter()

        @router.get("/demo/hello")
        def hello():
            return {"hello": "world"}

        @router.get("/demo/crash")
        def crash():
            raise RuntimeError("secret internal detail")

        @router.get("/staff/demo")
        def demo_form(request: Request, user=Depends(require_staff)):
            form = Markup('<form method="post" action="/staff/demo">{}<input name="note"><button>OK</button></form>')
            return page(request, "演示", form.format(csrf_input(request)))

        @router.post("/staff/demo")
        def demo_submit(note: str = Form(""), user=Depends(require_staff)):
            self.notes.append(note)
            return {"ok": True, "by": user.username}

        @router.get("/staff/demo-admin")
        def demo_admin(user=Depends(require_admin)):
            return {"admin": user.username}

        return [router]

    @hookimpl
    def kiosk_staff_links(self, ctx):
        return [
            StaffLink(title="演示页面", title_en="Demo page", path="/staff/demo"),
            StaffLink(title="演示管理", title_en="Demo admin", path="/staff/demo-admin", admin_only=True),
        ]


class BrokenRoutes:
    @hookimpl
    def kiosk_web_routes(self, ctx):
        raise RuntimeError("routes exploded")


@pytest.fixture
def make_web(make_host, make_ctx):
    """An app around a fresh context with the demo plugin and a plugin whose routes fail."""

    def factory(url: str | None = None) -> SimpleNamespace:
        demo = DemoPlugin()
        ctx = make_ctx(make_host(demo=demo, broken=BrokenRoutes()), url, KIOSK_NOW=NOW)
        with ctx.transaction() as session:
            set_user(session, "admin", PASSWORDS["admin"], role="admin", display_name="管理员")
            set_user(session, "clerk", PASSWORDS["clerk"], role="staff", display_name="窗口一")
        clock = FakeClock()
        app = create_app(ctx, clock=clock)
        return SimpleNamespace(ctx=ctx, app=app, demo=demo, clock=clock, client=TestClient(app))

    return factory


@pytest.fixture
def web(make_web) -> SimpleNamespace:
    return make_web()


def issue(ctx, **kwargs):
    values = dict(plugin="demo", kind="k", subject="1", number="A001", title="测试", lines=["第一行"])
    values.update(kwargs)
    with ctx.transaction() as session:
        return ctx.issue_receipt(session, **values)


# -- tracking page ---------------------------------------------------------------------------------
def test_tracking_page_shows_plugin_view_in_chinese_and_english(web):
    issued = issue(web.ctx)
    r = web.client.get(f"/t/{issued.token}")
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text
    for text in ("演示号", "等候中", "前面还有", "3人", "A001", "号码", '<p class="demo-html">plugin <b>fragment</b></p>'):
        assert text in r.text
    assert '<meta http-equiv="refresh" content="30">' in r.text
    assert '<meta name="robots" content="noindex">' in r.text
    assert f'href="/t/{issued.token}?lang=en"' in r.text  # switch to English
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"

    en = web.client.get(f"/t/{issued.token}?lang=en")
    assert en.status_code == 200
    assert '<html lang="en">' in en.text
    for text in ("Demo ticket", "Waiting", "Ahead of you", "Number", "Questions? Please ask at the front desk."):
        assert text in en.text
    assert "等候中" not in en.text
    assert f'href="/t/{issued.token}"' in en.text  # back to Chinese


def test_unknown_token_is_a_friendly_404(web):
    r = web.client.get("/t/AAAAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 404
    assert "未找到这张凭条" in r.text and "请到前台咨询" in r.text
    assert r.headers["cache-control"] == "no-store"
    assert "Receipt not found" in web.client.get("/t/AAAAAAAAAAAAAAAAAAAAAA?lang=en").text


def test_expired_and_revoked_receipts_are_410(web):
    expired, revoked = issue(web.ctx, number="A002"), issue(web.ctx, number="A003")
    with web.ctx.transaction() as session:
        session.get(Receipt, expired.receipt.id).expires_at = utcnow() - timedelta(days=1)
        session.get(Receipt, revoked.receipt.id).revoked_at = utcnow()
    r = web.client.get(f"/t/{expired.token}")
    assert r.status_code == 410 and "已过期" in r.text and "A002" not in r.text
    r = web.client.get(f"/t/{revoked.token}")
    assert r.status_code == 410 and "已作废" in r.text
    assert web.client.get(f"/api/receipts/{expired.token}").json() == {"error": "expired"}
    r = web.client.get(f"/api/receipts/{revoked.token}")
    assert r.status_code == 410 and r.json() == {"error": "revoked"}


def test_failing_or_missing_plugin_still_shows_the_receipt(web):
    issued = issue(web.ctx, lines=["第一行", "第二行"])
    web.demo.fail_view = True
    r = web.client.get(f"/t/{issued.token}")
    assert r.status_code == 200
    for text in ("A001", "测试", "第一行", "第二行", "详细信息暂时无法显示"):
        assert text in r.text
    assert "tracking view exploded" in web.ctx.last_errors()["demo"]
    assert web.client.get(f"/api/receipts/{issued.token}").json()["tracking"] is None

    gone = issue(web.ctx, plugin="uninstalled", number="Z009")
    r = web.client.get(f"/t/{gone.token}?lang=en")
    assert r.status_code == 200 and "Z009" in r.text and "temporarily unavailable" in r.text


def test_receipt_content_is_escaped(web):
    issued = issue(web.ctx, title="<script>alert(1)</script>", lines=["<img src=x onerror=alert(2)>"])
    for fail in (False, True):  # in the plugin's rows, and in the fallback
        web.demo.fail_view = fail
        r = web.client.get(f"/t/{issued.token}")
        assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)" in r.text
        assert "<img src=x" not in r.text
    assert "&lt;img src=x" in r.text


def test_api_json(web):
    issued = issue(web.ctx)
    r = web.client.get(f"/api/receipts/{issued.token}")
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"plugin", "kind", "number", "title", "lines", "created_at", "expires_at", "state", "tracking"}
    assert data["number"] == "A001" and data["state"] == "valid" and data["lines"] == ["第一行"]
    assert data["tracking"] == {"title": "演示号", "status": "等候中", "rows": [["前面还有", "3人"], ["标题", "测试"]]}
    assert web.client.get(f"/api/receipts/{issued.token}?lang=en").json()["tracking"]["status"] == "Waiting"
    missing = web.client.get("/api/receipts/nope")
    assert missing.status_code == 404 and missing.json() == {"error": "not_found"}
    assert "token" not in r.text and issued.token not in r.text


def test_token_lookups_are_rate_limited_per_client(web):
    limit = web.ctx.settings.token_rate_limit
    issued = issue(web.ctx)
    for i in range(limit):
        path = f"/t/{issued.token}" if i % 2 else f"/api/receipts/{issued.token}"  # one budget for both
        assert web.client.get(path).status_code == 200
    r = web.client.get(f"/t/{issued.token}")
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 60 and "查询过于频繁" in r.text
    r = web.client.get("/api/receipts/whatever")
    assert r.status_code == 429 and r.json()["error"] == "rate_limited" and "retry-after" in r.headers
    web.clock.now += 30
    assert int(web.client.get(f"/t/{issued.token}").headers["retry-after"]) == 30
    other = TestClient(web.app, client=("203.0.113.9", 5000))
    assert other.get(f"/t/{issued.token}").status_code == 200  # another client has its own budget
    web.clock.now += 31
    assert web.client.get(f"/t/{issued.token}").status_code == 200


def test_healthz(web, monkeypatch):
    r = web.client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    monkeypatch.setattr(web.ctx, "engine", create_engine("sqlite:////nonexistent-dir/kiosk.sqlite3"))
    r = web.client.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "error"


# -- staff login and sessions ------------------------------------------------------------------------
def test_login_wrong_and_right_password(web):
    r = web.client.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?next=%2Fstaff"
    r = sign_in(web.client, "admin", "not-the-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = sign_in(web.client, "nobody", "whatever-password")
    assert r.status_code == 401
    r = sign_in(web.client, "admin")
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "Max-Age=43200" in cookie
    r = web.client.get("/staff")
    assert r.status_code == 200 and "管理员" in r.text


def test_login_redirects_back_and_keeps_language(web):
    r = web.client.get("/staff/plugins?lang=en", follow_redirects=False)
    assert r.headers["location"] == "/staff/login?lang=en&next=%2Fstaff%2Fplugins%3Flang%3Den"
    page_ = web.client.get(r.headers["location"])
    assert "Staff login" in page_.text
    token = CSRF.search(page_.text).group(1)
    r = web.client.post("/staff/login?lang=en", data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": token,
                                                      "next": "/staff/plugins?lang=en"}, follow_redirects=False)
    assert r.headers["location"] == "/staff/plugins?lang=en"
    r = sign_in(TestClient(web.app), "admin")  # a foreign "next" is ignored
    assert r.headers["location"] == "/staff"


def test_tampered_or_expired_session_is_rejected(web, monkeypatch):
    sign_in(web.client, "clerk")
    value = web.client.cookies[SESSION_COOKIE]
    payload, rest = value.split(".", 1)
    data = json.loads(base64.b64decode(payload))
    data["staff"]["u"] = "admin"
    forged = base64.b64encode(json.dumps(data).encode()).decode() + "." + rest
    intruder = TestClient(web.app, cookies={SESSION_COOKIE: forged})
    assert intruder.get("/staff", follow_redirects=False).status_code == 303
    assert web.client.get("/staff").status_code == 200

    later = time.time() + 13 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert web.client.get("/staff", follow_redirects=False).status_code == 303


def test_password_change_ends_old_sessions(web):
    sign_in(web.client, "clerk")
    assert web.client.get("/staff", follow_redirects=False).status_code == 200
    with web.ctx.transaction() as session:
        set_user(session, "clerk", "a-new-password", role="staff")
    assert web.client.get("/staff", follow_redirects=False).status_code == 303


def test_failed_logins_lock_the_account_for_this_client(web):
    for _ in range(5):
        assert sign_in(web.client, "clerk", "wrong-password").status_code == 401
    r = sign_in(web.client, "clerk")  # even the right password waits
    assert r.status_code == 429 and "retry-after" in r.headers and "登录失败次数过多" in r.text
    assert sign_in(TestClient(web.app, client=("203.0.113.7", 1)), "clerk").status_code == 303  # another client
    web.clock.now += 301
    assert sign_in(web.client, "clerk").status_code == 303


# -- CSRF --------------------------------------------------------------------------------------------
def test_csrf_required_on_every_form_post(web):
    r = web.client.post("/staff/login", data={"username": "admin", "password": PASSWORDS["admin"]}, follow_redirects=False)
    assert r.status_code == 403 and "表单已失效" in r.text
    sign_in(web.client, "clerk")
    form = web.client.get("/staff/demo")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    token = CSRF.search(form.text).group(1)
    assert web.client.post("/staff/demo", data={"note": "no token"}).status_code == 403
    assert web.client.post("/staff/demo", data={"note": "bad", "csrf_token": "x" * 43}).status_code == 403
    r = web.client.post("/staff/demo", data={"note": "good", "csrf_token": token})
    assert r.status_code == 200 and r.json() == {"ok": True, "by": "clerk"}
    assert web.demo.notes == ["good"]

    other = TestClient(web.app)
    sign_in(other, "admin")
    r = other.post("/staff/demo", data={"note": "foreign", "csrf_token": token})  # clerk's token, admin's session
    assert r.status_code == 403 and web.demo.notes == ["good"]


def test_logout_needs_post_and_csrf(web):
    sign_in(web.client, "clerk")
    token = csrf(web.client.get("/staff"))
    assert web.client.get("/staff/logout").status_code == 405
    assert web.client.post("/staff/logout").status_code == 403
    assert web.client.get("/staff", follow_redirects=False).status_code == 200
    r = web.client.post("/staff/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    assert web.client.get("/staff", follow_redirects=False).status_code == 303


# -- staff area --------------------------------------------------------------------------------------
def test_dashboard_links_errors_and_printer(web):
    sign_in(web.client, "clerk")
    r = web.client.get("/staff")
    assert r.status_code == 200
    assert 'href="/staff/demo"' in r.text and "演示页面" in r.text
    assert "/staff/demo-admin" not in r.text and "/staff/plugins" not in r.text  # admin-only links hidden
    assert "broken" in r.text and "routes exploded" in r.text  # the plugin whose routes failed
    assert "未配置打印机" in r.text
    assert web.client.get("/staff/demo-admin").status_code == 403

    admin = TestClient(web.app)
    sign_in(admin, "admin")
    r = admin.get("/staff?lang=en")
    assert 'href="/staff/demo-admin?lang=en"' in r.text and "Demo admin" in r.text
    assert 'href="/staff/plugins?lang=en"' in r.text and "No printer configured" in r.text
    assert admin.get("/staff/demo-admin").json() == {"admin": "admin"}


def test_plugins_page_is_for_admins(web):
    sign_in(web.client, "clerk")
    r = web.client.get("/staff/plugins")
    assert r.status_code == 403 and "仅限管理员" in r.text
    token = csrf(web.client.get("/staff"))
    r = web.client.post("/staff/plugins", data={"plugin": "demo", "season": "heating", "enabled": "1", "csrf_token": token})
    assert r.status_code == 403

    admin = TestClient(web.app)
    sign_in(admin, "admin")
    r = admin.get("/staff/plugins")
    assert r.status_code == 200
    for season in web.ctx.settings.seasons:
        assert season.title in r.text
    assert "当前季节：秋季学期、供暖季" in r.text
    assert "演示" in r.text and "broken" in r.text


def test_admin_toggles_a_plugin_for_a_season(web):
    ctx = web.ctx
    assert not ctx.plugin_enabled("demo")  # not in any configured season
    admin = web.client
    sign_in(admin, "admin")
    token = csrf(admin.get("/staff/plugins"))
    r = admin.post("/staff/plugins", data={"plugin": "demo", "season": "heating", "enabled": "1", "csrf_token": token},
                   follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/plugins"
    assert ctx.plugin_enabled("demo")
    with ctx.sessions() as session:
        snap = enablement(session, ctx.settings)
        row = session.scalars(select(PluginOverride).order_by(PluginOverride.id.desc())).first()
    assert snap.in_season(ctx.settings.season("heating"), "demo")
    assert not snap.in_season(ctx.settings.season("summer"), "demo")
    assert (row.plugin, row.season, row.enabled, row.changed_by) == ("demo", "heating", True, "web:admin")
    page_ = admin.get("/staff/plugins")
    assert "web:admin" in page_.text and "已在供暖季开启“演示”" in page_.text

    r = admin.post("/staff/plugins", data={"plugin": "demo", "season": "heating", "enabled": "0", "csrf_token": token})
    assert r.status_code == 200 and not ctx.plugin_enabled("demo")
    assert [s.name for s in current_seasons(ctx.settings, ctx.today())] == ["autumn-term", "heating"]


def test_plugin_toggle_rejects_unknown_plugin_and_season(web):
    sign_in(web.client, "admin")
    token = csrf(web.client.get("/staff/plugins"))
    r = web.client.post("/staff/plugins", data={"plugin": "nope", "season": "heating", "enabled": "1", "csrf_token": token})
    assert r.status_code == 400 and "nope" in r.text
    r = web.client.post("/staff/plugins", data={"plugin": "demo", "season": "monsoon", "enabled": "1", "csrf_token": token})
    assert r.status_code == 400 and "monsoon" in r.text
    r = web.client.post("/staff/plugins", data={"plugin": "demo", "season": "heating", "enabled": "maybe", "csrf_token": token})
    assert r.status_code == 400


# -- plugin routes, headers, errors ------------------------------------------------------------------
def test_plugin_routes_are_mounted_and_broken_ones_skipped(web):
    assert web.client.get("/demo/hello").json() == {"hello": "world"}
    assert "routes exploded" in web.ctx.last_errors()["broken"]
    r = web.client.get("/staff/demo", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login?next=")


def test_security_headers_everywhere(web):
    issued = issue(web.ctx)
    for path in (f"/t/{issued.token}", f"/api/receipts/{issued.token}", "/staff/login", "/healthz", "/nowhere", "/demo/hello"):
        r = web.client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, path
        assert "<script" not in r.text, path
    css = web.client.get("/static/kiosk.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_unknown_page_and_server_error_are_friendly(web):
    r = web.client.get("/nowhere")
    assert r.status_code == 404 and "页面不存在" in r.text
    client = TestClient(web.app, raise_server_exceptions=False)
    r = client.get("/demo/crash")
    assert r.status_code == 500 and "抱歉" in r.text
    assert "secret internal detail" not in r.text and "Traceback" not in r.text
    assert r.headers["x-frame-options"] == "DENY"
    assert "Sorry, something went wrong" in client.get("/demo/crash?lang=en").text


def test_main_flow_on_each_backend(make_web, db_url):
    """Tracking, API, login and a plugin toggle on SQLite and PostgreSQL alike."""
    web = make_web(db_url)
    issued = issue(web.ctx)
    assert "等候中" in web.client.get(f"/t/{issued.token}").text
    data = web.client.get(f"/api/receipts/{issued.token}").json()
    assert data["created_at"].endswith("+08:00") and data["tracking"]["title"] == "演示号"
    assert web.client.get("/healthz").json() == {"status": "ok"}
    assert sign_in(web.client, "admin").status_code == 303
    token = csrf(web.client.get("/staff/plugins"))
    web.client.post("/staff/plugins", data={"plugin": "demo", "season": "autumn-term", "enabled": "1", "csrf_token": token})
    assert web.ctx.plugin_enabled("demo")
    assert "web:admin" in web.client.get("/staff/plugins").text


def test_every_web_message_has_a_chinese_translation():
    from babel.messages.extract import extract_from_dir

    web_dir = Path(__file__).resolve().parents[1] / "kiosk" / "web"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    msgids = {msg[2] if isinstance(msg[2], str) else msg[2][0] for msg in extract_from_dir(web_dir, method_map)}
    assert len(msgids) > 40
    missing = sorted(msgids - set(catalog("web", "zh_CN")))
    assert not missing, f"add to kiosk/locale/zh_CN/LC_MESSAGES/web.po: {missing}"
