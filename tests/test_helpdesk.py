"""Help requests ("请工作人员帮助"): one open request per terminal, staff close it on the web or the CLI."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient
from kit import CSRF, login, run_kiosk
from sqlalchemy import func, select

from kiosk.helpdesk import UnknownHelpRequest, mark_done, open_requests, recent_done, request_help
from kiosk.models import HelpRequest
from kiosk.staff import set_user
from kiosk.web.app import create_app

T0 = "2026-11-30T09:00:00+08:00"


def test_a_second_tap_finds_the_open_request(db_url, make_host, make_ctx, monkeypatch):
    ctx = make_ctx(make_host(), db_url, KIOSK_NOW=T0, KIOSK_TERMINAL_ID="lobby-1")
    first, new = request_help(ctx, "queue.services")
    assert new and first.terminal == "lobby-1" and first.screen == "queue.services" and first.open
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:02:00+08:00")
    again, new_again = request_help(ctx, "home")
    assert not new_again and again.id == first.id and again.screen == "queue.services" and again.age_seconds == 120
    other, other_new = request_help(ctx, "home", terminal="lobby-2")
    assert other_new and other.id != first.id
    assert [c.terminal for c in open_requests(ctx)] == ["lobby-1", "lobby-2"]  # the longest waiting first

    closed, did = mark_done(ctx, first.id, "web:clerk")
    assert did and closed.done_by == "web:clerk" and not closed.open
    assert mark_done(ctx, first.id, "web:admin")[1] is False  # a second 已处理 changes nothing
    assert [c.terminal for c in open_requests(ctx)] == ["lobby-2"]
    assert [c.id for c in recent_done(ctx)] == [first.id]
    with pytest.raises(UnknownHelpRequest):
        mark_done(ctx, 999, "web:clerk")

    fresh, new_after = request_help(ctx, "timetable.week")  # handled: the next tap pages staff again
    assert new_after and fresh.id not in (first.id, other.id)


def test_racing_taps_of_one_terminal_make_one_request(db_url, make_host, make_ctx):
    ctx = make_ctx(make_host(), db_url, KIOSK_TERMINAL_ID="lobby-1")
    results, errors = [], []

    def tap():
        try:
            results.append(request_help(ctx, "home"))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=tap) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({call.id for call, _new in results}) == 1 and sum(new for _call, new in results) == 1
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(HelpRequest)) == 1


@pytest.fixture
def staff_web(make_host, make_ctx):
    ctx = make_ctx(make_host(), None, KIOSK_NOW=T0, KIOSK_TERMINAL_ID="lobby-1")
    with ctx.transaction() as session:
        set_user(session, "clerk", "clerk-password", role="staff", display_name="窗口一")
    return ctx, TestClient(create_app(ctx))


def test_staff_see_the_banner_and_mark_a_request_handled(staff_web, monkeypatch):
    ctx, client = staff_web
    assert client.get("/staff/help", follow_redirects=False).status_code in (302, 303, 401)  # login first
    login(client)
    home = client.get("/staff")
    assert "help-banner" not in home.text and 'href="/staff/help"' in home.text
    assert '<meta http-equiv="refresh" content="30">' in home.text  # the banner appears without a reload by hand
    call, _ = request_help(ctx, "queue.services")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:05:00+08:00")
    for path in ("/staff", "/staff/terminals"):
        page = client.get(path).text
        assert "help-banner" in page and "有 1 位居民在自助机上呼叫工作人员帮助" in page
    listing = client.get("/staff/help")
    assert listing.status_code == 200 and "lobby-1" in listing.text and "queue.services" in listing.text
    assert "5 分钟前" in listing.text and '<meta http-equiv="refresh" content="15">' in listing.text
    english = client.get("/staff/help?lang=en").text
    assert "5 min ago" in english and "Handled" in english and "asked for staff help" in english

    action = f"/staff/help/{call.id}/done"
    assert client.post(action, data={}).status_code == 403  # no CSRF token
    assert client.post(action, data={"csrf_token": "x" * 43}).status_code == 403
    assert open_requests(ctx)
    token = CSRF.search(listing.text).group(1)
    done = client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/staff/help"
    after = client.get("/staff/help").text
    assert "lobby-1 的求助已标记为已处理" in after and "目前没有居民在等待帮助" in after and "help-banner" not in after
    assert open_requests(ctx) == [] and recent_done(ctx)[0].done_by == "web:clerk"
    assert client.post("/staff/help/4242/done", data={"csrf_token": token}).status_code == 404

    anonymous = TestClient(create_app(ctx))
    r = anonymous.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code in (302, 303, 401, 403) and "help-banner" not in anonymous.get("/t/unknown").text


def test_cli_lists_and_closes_help_requests(isolated_env, monkeypatch):
    run_kiosk("db", "upgrade")
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    monkeypatch.setenv("KIOSK_NOW", T0)
    ctx = build_context(load_settings(), PluginHost(), startup=False)
    call, _ = request_help(ctx, "intake.phone", terminal="lobby-2")
    ctx.engine.dispose()
    env = {"KIOSK_NOW": "2026-11-30T09:03:00+08:00"}
    rows = json.loads(run_kiosk("help", "list", "--json", env=env).stdout)
    assert [(r["id"], r["terminal"], r["screen"], r["age_seconds"], r["open"]) for r in rows] == [
        (call.id, "lobby-2", "intake.phone", 180, True)]
    assert "lobby-2" in run_kiosk("help", "list", env=env).stdout
    done = json.loads(run_kiosk("help", "done", str(call.id), "--json", env=env).stdout)
    assert done["closed_now"] is True and done["done_by"].startswith("cli:")
    assert json.loads(run_kiosk("help", "list", "--json", env=env).stdout) == []
    assert "already handled" in run_kiosk("help", "done", str(call.id), env=env).stdout
    assert len(json.loads(run_kiosk("help", "list", "--all", "--json", env=env).stdout)) == 1
    missing = run_kiosk("help", "done", "77", env=env, check=False)
    assert missing.returncode == 2 and "ID" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    bad = run_kiosk("help", "done", "abc", env=env, check=False)
    assert bad.returncode == 2 and "ID" in bad.stderr
