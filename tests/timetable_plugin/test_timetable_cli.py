"""``kiosk classes …``: the contract the acceptance checks use (names, options, JSON keys, exit codes)."""

from __future__ import annotations

import json

import pytest
from tthelpers import course_id



@pytest.fixture
def kiosk(tctx, run_cli):
    """`kiosk ARGS` on the test's database: (exit code, stdout, stderr)."""
    return run_cli


def test_list_signup_and_cancel_contract(tctx, kiosk):
    code, out, _ = kiosk("classes", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and rows
    for r in rows:
        assert {"id", "name", "teacher", "room", "weekday", "start", "end", "seats_left"} <= set(r)
    code, out, _ = kiosk("classes", "list", "--week", "2026-W41", "--json")
    assert code == 0 and any(r["status"] == "cancelled" and r["reason"] == "国庆节放假" for r in json.loads(out))
    code, _out, err = kiosk("classes", "list", "--week", "2026-49", "--json")
    assert code == 2 and "2026-W49" in err
    calligraphy = str(course_id(tctx, "书法"))
    code, out, _ = kiosk("classes", "signup", calligraphy, "--phone", "13812345678", "--surname", "王", "--json")
    data = json.loads(out)
    assert code == 0 and data["state"] == "enrolled" and data["position"] is None and "/t/" in data["tracking_url"]
    code, out, err = kiosk("classes", "signup", calligraphy, "--phone", "13812345678", "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "already signed up" in err
    code, out, _ = kiosk("classes", "signup", str(course_id(tctx, "声乐合唱")), "--phone", "13812345678", "--json")
    full = json.loads(out)
    assert full["state"] == "waitlisted" and full["position"] == 3
    code, out, _ = kiosk("classes", "cancel-signup", data["tracking_url"], "--json")
    assert code == 0 and json.loads(out)["state"] == "cancelled"
    token = full["tracking_url"].rsplit("/", 1)[1]
    code, out, _ = kiosk("classes", "cancel-signup", token, "--json")
    assert code == 0 and json.loads(out)["state"] == "cancelled"
    code, _out, err = kiosk("classes", "cancel-signup", token, "--json")
    assert code == 2 and "already cancelled" in err
    code, _out, err = kiosk("classes", "signup", calligraphy, "--phone", "12", "--json")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_staff_commands(tctx, kiosk):
    painting = str(course_id(tctx, "绘画"))
    code, _out, err = kiosk("classes", "add-slot", painting, "--weekday", "3", "--start", "10:00", "--end", "11:00")
    assert code == 2 and "Calligraphy" in err
    code, out, _ = kiosk("classes", "add-slot", painting, "--weekday", "5", "--start", "10:00", "--end", "11:00", "--json")
    assert code == 0 and json.loads(out)["slot_id"]
    slot = str(json.loads(out)["slot_id"])
    code, _out, _err = kiosk("classes", "cancel-session", slot, "2026-12-04", "--reason", "老师开会")
    assert code == 0
    code, out, _ = kiosk("classes", "list", "--json")
    assert any(r["slot_id"] == int(slot) and r["status"] == "cancelled" and r["reason"] == "老师开会" for r in json.loads(out))
    code, _out, err = kiosk("classes", "makeup-day", "2026 秋季学期", "2026-09-19", "--follows", "1")
    assert code == 2 and "调休" in err
    code, out, _ = kiosk("classes", "signups", painting, "--json")
    assert code == 0 and all("*" in r["phone"] for r in json.loads(out))
    code, out, _ = kiosk("classes", "export", painting)
    assert code == 0 and out.splitlines()[0].startswith("序号")
