"""API keys in the core (kiosk.apikeys, ``kiosk api-key``), shared by Open311 and the queue's REST API:
scopes, hashes only, revoking, ``kiosk cases api-key`` unchanged, and the old intake keys carried over."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import kiosk.plugins.intake as intake_plugin
from kiosk import apikeys, migrate
from kiosk.security import token_hash
from kiosk.web.app import create_app

REQUEST = {"service_code": "repair", "attribute[building]": "12", "attribute[problem]": "楼道灯不亮", "phone": "13812345678"}


@pytest.fixture
def kiosk(ictx, run_cli):
    """`kiosk ARGS` on the test's database: (exit code, stdout, stderr)."""
    return run_cli


def dump(ctx) -> str:
    with ctx.sessions() as s:
        return repr(s.execute(sa.text("SELECT * FROM api_key")).all())


def test_create_list_revoke_and_scopes_on_the_command_line(ictx, kiosk):
    code, out, _ = kiosk("api-key", "scopes", "--json")
    assert code == 0 and {r["scope"] for r in json.loads(out)} >= {"open311", "tickets", "counter"}
    code, out, _ = kiosk("api-key", "create", "微信小程序", "--scope", "tickets", "--json")
    made = json.loads(out)
    assert code == 0 and made["scopes"] == ["tickets"] and made["active"] and made["created_by"].startswith("cli:")
    key = made["key"]
    assert key.startswith("kiosk_") and len(key) >= 38 and key not in dump(ictx) and token_hash(key) in dump(ictx)
    code, out, _ = kiosk("api-key", "create", "desk app", "--scope", "counter,tickets")
    assert code == 0 and out.strip().startswith("kiosk_") and apikeys.check(ictx, out.strip()).scopes == ("counter", "tickets")
    listed = json.loads(kiosk("api-key", "list", "--json")[1])
    assert [(r["name"], r["scopes"]) for r in listed] == [("微信小程序", ["tickets"]), ("desk app", ["counter", "tickets"])]
    assert all("key" not in r and "key_hash" not in r for r in listed)
    code, out, _ = kiosk("api-key", "revoke", "微信小程序", "--json")
    assert code == 0 and json.loads(out)["revoked_at"] and apikeys.check(ictx, key) is None
    assert [r["name"] for r in json.loads(kiosk("api-key", "list", "--json")[1])] == ["desk app"]
    assert len(json.loads(kiosk("api-key", "list", "--all", "--json")[1])) == 2
    # Mistakes: one line naming the field, exit 2
    for args, field in ((("create", "x", "--scope", "everything"), "scope"), (("create", " ", "--scope", "tickets"), "name"),
                        (("revoke", "nobody"), "key"), (("revoke", "99999999999999"), "key")):
        code, _, err = kiosk("api-key", *args)
        assert code == 2 and err.strip().splitlines()[-1].startswith(f"error: {field}:"), (args, err)
    kiosk("api-key", "create", "twin", "--scope", "tickets")
    kiosk("api-key", "create", "twin", "--scope", "counter")
    code, _, err = kiosk("api-key", "revoke", "twin")
    assert code == 2 and "several" in err
    twin = [r["id"] for r in json.loads(kiosk("api-key", "list", "--json")[1]) if r["name"] == "twin"][0]
    assert kiosk("api-key", "revoke", str(twin))[0] == 0


def test_open311_keeps_working_with_open311_keys_only(ictx, kiosk):
    client = TestClient(create_app(ictx))
    code, out, _ = kiosk("cases", "api-key", "12345 hotline")
    old_style = out.strip()
    assert code == 0 and old_style.startswith("k311_")
    assert [(r["name"], r["scopes"]) for r in json.loads(kiosk("api-key", "list", "--json")[1])] == [("12345 hotline", ["open311"])]
    made = client.post("/open311/v2/requests.json", data={**REQUEST, "api_key": old_style})
    assert made.status_code == 200 and made.json()[0]["service_request_id"]
    new_style = json.loads(kiosk("api-key", "create", "gateway", "--scope", "open311", "--json")[1])["key"]
    assert client.post("/open311/v2/requests.json", data={**REQUEST, "api_key": new_style}).status_code == 200
    queue_only = json.loads(kiosk("api-key", "create", "wechat", "--scope", "tickets", "--json")[1])["key"]
    assert client.post("/open311/v2/requests.json", data={**REQUEST, "api_key": queue_only}).status_code == 403
    kiosk("api-key", "revoke", "12345 hotline")
    assert client.post("/open311/v2/requests.json", data={**REQUEST, "api_key": old_style}).status_code == 403


def test_the_upgrade_carries_intake_keys_over(db_url, make_ctx, make_host, isolated_env):
    """A database made before the core's api_key table: its Open311 keys keep working after the upgrade."""
    from alembic import command

    isolated_env.mkdir(parents=True, exist_ok=True)  # the SQLite file's folder (the context makes it otherwise)
    engine = sa.create_engine(db_url)
    cfg = migrate.alembic_config(engine, [intake_plugin.MIGRATIONS])
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_intake")
        command.upgrade(cfg, "0003_core")
        conn.execute(sa.text("INSERT INTO intake_api_key (name, key_hash, created_at, revoked) VALUES "
                             "('hotline', :a, :t, :f), ('old', :b, :t, :r)"),
                     {"a": token_hash("k311_live"), "b": token_hash("k311_gone"), "t": "2026-01-05 08:00:00", "f": False, "r": True})
    engine.dispose()
    ctx = make_ctx(make_host(intake=intake_plugin), db_url)  # migrates to the heads
    assert "intake_api_key" not in sa.inspect(ctx.engine).get_table_names()
    live = apikeys.check(ctx, "k311_live")
    assert live is not None and live.name == "hotline" and live.scopes == ("open311",) and live.created_at.year == 2026
    assert apikeys.check(ctx, "k311_gone") is None
    assert [k.name for k in apikeys.list_keys(ctx, include_revoked=True)] == ["hotline", "old"]


@pytest.mark.parametrize("name", ["", "   ", "\x00\x07", "x" * 61])
def test_a_key_needs_a_name_of_one_to_sixty_printable_characters(ictx, kiosk, name):
    code, out, err = kiosk("api-key", "create", name, "--scope", "tickets")
    assert code == 2 and out == "" and err.strip() == "error: name: the name must be 1–60 characters"


def test_a_key_name_loses_control_characters_and_keeps_markup_and_emoji_as_text(ictx, kiosk):
    code, out, _ = kiosk("api-key", "create", "<b>网关\x1b</b>😀", "--scope", "tickets", "--json")
    assert code == 0 and json.loads(out)["name"] == "<b>网关</b>😀"  # only the CLI and JSON show it; nothing renders it as HTML
