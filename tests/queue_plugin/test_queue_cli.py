"""``kiosk queue`` for appointments, check-in, new services and counters, and transfers that return."""

from __future__ import annotations

import json

from queuehelpers import run


def test_appointment_checkin_and_setup_from_the_cli(isolated_env):
    run("demo-data")
    booked = json.loads(run("queue", "appoint", "A", "--at", "09:30", "--phone", "138 0013 8000", "--json").stdout)
    assert booked["phone"] == "138****8000" and len(booked["code"]) == 6 and booked["slot"] == "2026-11-30T09:30:00+08:00"
    early = run("queue", "checkin", booked["code"], check=False)
    assert early.returncode == 2 and "check in from 09:15" in early.stderr
    wrong = run("queue", "checkin", "12ab", check=False)
    assert wrong.returncode == 2 and "6-digit" in wrong.stderr
    walk_in = json.loads(run("queue", "take", "A", "--json", now="2026-11-30T09:16:00+08:00").stdout)
    done = json.loads(run("queue", "checkin", booked["code"], "--json", now="2026-11-30T09:20:00+08:00").stdout)
    assert done["kind"] == "appointment" and done["ahead"] == 0 and done["number"] == "A002"
    rows = json.loads(run("queue", "appointments", "--json").stdout)
    assert [(r["code"], r["state"], r["number"], r["phone"]) for r in rows] == [(booked["code"], "checked_in", "A002", "138****8000")]
    called = json.loads(run("queue", "call", "--counter", "2", "--json").stdout)
    assert called["number"] == "A002" and walk_in["number"] == "A001"  # the appointment goes first
    stats = {r["code"]: r for r in json.loads(run("queue", "stats", "--json").stdout)["services"]}
    assert stats["A"]["appointments"] == 1 and stats["A"]["appointments_checked_in"] == 1
    other = json.loads(run("queue", "appoint", "B", "--at", "2026-11-30T10:00", "--json").stdout)
    run("queue", "appoint-cancel", other["code"])
    assert run("queue", "checkin", other["code"], check=False).returncode == 2

    assert json.loads(run("queue", "service-add", "h", "--name", "不动产登记", "--material", "房产证", "--json").stdout)["code"] == "H"
    assert run("queue", "service-add", "H", "--name", "again", check=False).returncode == 2
    desk = json.loads(run("queue", "counter-add", "9", "--services", "H,A", "--name", "临时窗口", "--json").stdout)
    assert desk == {"counter": 9, "name": "临时窗口", "services": ["A", "H"]}
    services = {r["code"]: r for r in json.loads(run("queue", "services", "--json").stdout)}
    assert services["H"]["materials"] == ["房产证"]
    run("queue", "take", "H")
    assert json.loads(run("queue", "call", "--counter", "9", "--json").stdout)["number"] == "H001"
    moved = json.loads(run("queue", "transfer", "--counter", "9", "--to", "B", "--return", "--json").stdout)
    assert moved == {"number": "H001", "service": "B", "return_to": "H"}
    assert json.loads(run("queue", "call", "--counter", "3", "--json").stdout)["number"] == "H001"  # counter 3 serves B
    run("queue", "done", "--counter", "3")
    back = json.loads(run("queue", "services", "--json").stdout)
    assert {r["code"]: r["waiting"] for r in back}["H"] == 1  # back in line at 不动产登记
