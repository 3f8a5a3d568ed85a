"""The command line side of staff accounts and the audit log: ``kiosk audit list``, ``kiosk staff
passwd/deactivate``, ``--by`` that must be a real login (with its password for an approval), and
``kiosk doctor --role web`` on the demo credentials. SQLite and PostgreSQL where storage matters.
"""

from __future__ import annotations

import json
import os
import pwd

import pytest

import kiosk.plugins.notices as notices_plugin
from kiosk import audit, doctor
from kiosk.security import hash_secret
from kiosk.staff import DEMO_STAFF, authenticate, ensure_user, set_user

NOW = "2026-11-30T09:00:00+08:00"
ME = "cli:" + pwd.getpwuid(os.getuid()).pw_name  # the system user running the tests


@pytest.fixture
def ctx(make_host, make_ctx, db_url, monkeypatch):
    monkeypatch.setenv("USER", "director")  # a name anyone can set: never taken as who ran the command
    monkeypatch.setenv("LOGNAME", "director")
    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.delenv("KIOSK_STAFF_PASSWORD", raising=False)
    c = make_ctx(make_host(notices=notices_plugin), db_url, KIOSK_NOW=NOW)
    with c.transaction() as s:
        set_user(s, "admin", "admin-password", role="admin")
        set_user(s, "director", "director-password", role="admin")
        set_user(s, "clerk", "clerk-password", role="staff")
    return c


def test_audit_list_prints_the_contract_keys_and_honours_since(ctx, run_cli):
    with ctx.transaction() as s:
        audit.record(s, "web:admin", "auth.login", "staff:admin", ip="10.0.0.5")
    code, out, _ = run_cli("staff", "deactivate", "clerk")
    assert code == 0 and "sessions have ended" in out
    code, out, _ = run_cli("audit", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and {"at", "actor", "action", "target"} <= set(rows[0])
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [
        (ME, "staff.deactivate", "staff:clerk"), ("web:admin", "auth.login", "staff:admin")]
    assert json.loads(run_cli("audit", "list", "--since", "2099-01-01", "--json")[1]) == []
    assert len(json.loads(run_cli("audit", "list", "--since", "2026-11-30T08:00:00+08:00", "--json")[1])) == 2
    assert json.loads(run_cli("audit", "list", "--action", "auth", "--json")[1])[0]["action"] == "auth.login"
    code, out, _ = run_cli("audit", "list")
    assert code == 0 and ME in out and "staff.deactivate" in out
    from datetime import datetime

    local = datetime.fromisoformat(rows[0]["at"]).astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M:%S")
    assert out.splitlines()[0].startswith(local)  # people read the center's clock, not UTC
    code, _, err = run_cli("audit", "list", "--since", "last week")
    assert code == 2 and "--since" in err


def test_staff_passwd_and_add_are_audited_and_checked(ctx, run_cli, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("huaxin-staff\n"))
    code, _, err = run_cli("staff", "passwd", "clerk", "--password-stdin")
    assert code == 2 and "demo password" in err  # the published one cannot come back
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-3\n"))
    assert run_cli("staff", "passwd", "clerk", "--password-stdin", "--must-change")[0] == 0
    with ctx.sessions() as s:
        user = authenticate(s, "clerk", "another-pass-3")
        assert user is not None and user.must_change_password
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run_cli("staff", "passwd", "nobody", "--password-stdin")
    assert code == 2
    assert [(r.actor, r.action) for r in audit.entries(ctx)] == [(ME, "staff.password")]
    assert run_cli("staff", "deactivate", "admin")[0] == 0
    code, _, err = run_cli("staff", "deactivate", "director")
    assert code == 2 and "last active administrator" in err  # nobody could manage the accounts any more


# -- --by ------------------------------------------------------------------------------------------
def party_notice(run_cli, by: str = "admin") -> str:
    code, out, err = run_cli("notices", "add", "--board", "party", "--title", "党员大会决议公示", "--body", "……", "--by", by, "--json")
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_by_must_name_an_active_staff_login(ctx, run_cli):
    code, _, err = run_cli("notices", "add", "--board", "notice", "--title", "t", "--body", "b", "--by", "somebody")
    assert code == 2 and "active staff login" in err
    run_cli("staff", "deactivate", "clerk")
    code, _, err = run_cli("notices", "add", "--board", "notice", "--title", "t", "--body", "b", "--by", "clerk")
    assert code == 2 and "active staff login" in err
    code, out, _ = run_cli("notices", "add", "--board", "notice", "--title", "t", "--body", "b", "--json")
    assert code == 0 and json.loads(out)["created_by"] == ME  # no --by: the system user signs


def test_an_approval_needs_the_approvers_password(ctx, run_cli, monkeypatch):
    nid = party_notice(run_cli)
    # before: anyone at a shell could approve "as" another administrator
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD", "a-guess-123")
    code, _, err = run_cli("notices", "approve", nid, "--by", "director")
    assert code == 2 and "wrong password" in err
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD", "director-password")
    code, _, err = run_cli("notices", "approve", nid, "--by", "nobody")
    assert code == 2 and "active staff login" in err
    states = {str(r["id"]): r["state"] for r in json.loads(run_cli("notices", "list", "--all", "--json")[1])}
    assert states[nid] == "pending"
    code, out, err = run_cli("notices", "approve", nid, "--by", "director", "--json")
    assert code == 0, err
    assert json.loads(out)["state"] == "published" and json.loads(out)["approved_by"] == "director"


def test_an_approval_prompts_for_the_password_without_the_variable(ctx, run_cli, monkeypatch):
    import io

    nid = party_notice(run_cli)
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-password\n"))
    code, _, err = run_cli("notices", "approve", nid, "--by", "director")
    assert code == 2 and "wrong password" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("director-password\n"))
    code, out, err = run_cli("notices", "approve", nid, "--by", "director", "--json")
    assert code == 0 and json.loads(out)["state"] == "published", err


def test_cli_actor_is_the_system_user_not_an_environment_variable(monkeypatch):
    from kiosk.cli import _who

    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.setenv("USER", "director")
    assert _who() == ME
    monkeypatch.setenv("SUDO_USER", "wang")
    assert _who() == f"{ME}(sudo:wang)"


# -- doctor --role web -----------------------------------------------------------------------------
GOOD = """
[center]
name = "华新社区服务中心"
timezone = "Asia/Shanghai"
[web]
base_url = "http://192.168.1.10:8080"
[staff]
pin_hash = "{pin}"
"""


def web_checks(tmp_path, monkeypatch, pin: str, url: str) -> dict[str, doctor.Check]:
    from kiosk.config import load_settings
    from kiosk.doctor import Environment, run_checks
    from kiosk.pluginhost import PluginHost

    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD.format(pin=pin), encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    monkeypatch.setenv("KIOSK_DATABASE_URL", url)
    env = Environment(settings=load_settings(), host=PluginHost(load_entrypoints=False), role="web")
    try:
        return {c.name: c for c in run_checks(env)}
    finally:
        if env.engine is not None:
            env.engine.dispose()


def test_doctor_web_fails_while_a_demo_login_or_the_demo_pin_works(make_host, make_ctx, db_url, tmp_path, monkeypatch, run_cli):
    c = make_ctx(make_host(), db_url)
    with c.transaction() as s:
        for username, display, role, password in DEMO_STAFF:
            ensure_user(s, username, password, role, display, must_change=True)
    found = web_checks(tmp_path, monkeypatch, hash_secret(doctor.DEMO_PIN), db_url)["demo logins"]
    assert not found.ok
    assert "admin" in found.message and "clerk" in found.message and doctor.DEMO_PIN in found.message
    assert "/staff/password" in found.fix and "kiosk staff passwd" in found.fix and "kiosk pin-hash" in found.fix
    assert "FAIL demo logins" in found.line()

    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("own-admin-pass-1\n"))
    assert run_cli("staff", "passwd", "admin", "--password-stdin")[0] == 0
    found = web_checks(tmp_path, monkeypatch, hash_secret(doctor.DEMO_PIN), db_url)["demo logins"]
    assert not found.ok and "clerk" in found.message and "admin" not in found.message
    run_cli("staff", "deactivate", "clerk")
    found = web_checks(tmp_path, monkeypatch, hash_secret(doctor.DEMO_PIN), db_url)["demo logins"]
    assert not found.ok and found.message.endswith(f"the kiosk staff PIN {doctor.DEMO_PIN}") and "passwd" not in found.fix
    found = web_checks(tmp_path, monkeypatch, hash_secret("135790"), db_url)["demo logins"]
    assert found.ok and found.message == "no demo login or demo PIN works"


def test_doctor_web_through_the_command(make_host, make_ctx, db_url, tmp_path, monkeypatch, run_cli):
    c = make_ctx(make_host(), db_url)
    assert run_cli("demo-data")[0] == 0
    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD.format(pin=hash_secret("135790")), encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    code, out, _ = run_cli("doctor", "--role", "web")
    line = next(x for x in out.splitlines() if "demo logins" in x)
    assert code == 1 and line.startswith("FAIL") and "admin" in line and "clerk" in line
    with c.transaction() as s:
        for username in ("admin", "clerk"):
            set_user(s, username, f"{username}-own-pass-9", role="admin" if username == "admin" else "staff")
    code, out, _ = run_cli("doctor", "--role", "web", "--json")
    demo = next(x for x in json.loads(out)["checks"] if x["name"] == "demo logins")
    assert demo["ok"] is True


def test_cli_setup_changes_and_keys_are_audited_as_the_system_user(make_ctx, db_url, monkeypatch, run_cli):
    from kiosk.pluginhost import PluginHost

    monkeypatch.delenv("SUDO_USER", raising=False)
    c = make_ctx(PluginHost(load_entrypoints=False), db_url, KIOSK_NOW=NOW)  # every built-in plugin
    code, out, err = run_cli("api-key", "create", "热线", "--scope", "open311", "--json")
    assert code == 0, err
    key = json.loads(out)
    assert run_cli("api-key", "revoke", str(key["id"]))[0] == 0
    assert run_cli("queue", "hall-add", "bm2", "--name", "便民服务室")[0] == 0
    assert run_cli("queue", "hall-add", "B M", "--name", "x")[0] == 2  # refused: no entry
    season = c.settings.seasons[0].name
    assert run_cli("plugins", "disable", "timetable", "--season", season)[0] == 0
    rows = [(r.actor, r.action, r.target) for r in reversed(audit.entries(c))]
    assert rows == [(ME, "apikey.create", f"apikey:{key['id']}"), (ME, "apikey.revoke", f"apikey:{key['id']}"),
                    (ME, "setup.hall", "queue-hall:bm2"), (ME, "setup.plugin", "plugin:timetable")]
    assert all(key["key"] not in str(r.as_json()) for r in audit.entries(c))  # never the key itself
