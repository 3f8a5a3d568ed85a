"""``kiosk cases …``: the contract the acceptance checks use (names, JSON keys, exit codes)."""

from __future__ import annotations

import json

import pytest



@pytest.fixture
def kiosk(ictx, run_cli):
    """`kiosk ARGS` on the test's database: (exit code, stdout, stderr)."""
    return run_cli


def test_categories(kiosk):
    code, out, _ = kiosk("cases", "categories", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 11
    assert {"code", "name", "deadline_days"} <= set(rows[0])
    assert {r["code"]: r["deadline_days"] for r in rows}["repair"] == 5


def test_file_show_list_and_every_transition(kiosk):
    code, out, _ = kiosk("cases", "file", "--category", "repair", "--building", "12", "--unit", "2", "--phone", "13812341234",
                         "--surname", "张", "--text", "楼道灯不亮", "--json")
    assert code == 0
    filed = json.loads(out)
    assert set(filed) >= {"case_no", "tracking_url", "due_date", "team", "state"}
    assert filed["state"] == "submitted" and filed["team"] == "第二先锋队" and filed["due_date"] == "2026-12-07"
    no = filed["case_no"]
    steps = [("accept", "--kind", "promised"), ("start",), ("wait", "--note", "请提供照片"), ("resume",), ("escalate", "--note", "报街道"),
             ("reply", "--note", "街道已派人"), ("extend", "--days", "2", "--note", "等配件"),
             ("resolve", "--response", "已修好", "--summary", "楼道灯"), ("publish",)]
    for action, *opts in steps:
        code, out, err = kiosk("cases", action, no, *opts, "--json")
        assert code == 0, (action, err)
    assert json.loads(out)["state"] == "published"
    code, out, _ = kiosk("cases", "rate", no, "--level", "unsatisfied", "--comment", "还是坏的", "--json")
    assert code == 0 and json.loads(out)["state"] == "reopened"
    code, out, _ = kiosk("cases", "note", no, "已再次派单", "--json")
    assert code == 0
    code, out, _ = kiosk("cases", "show", no, "--json")
    shown = json.loads(out)
    assert shown["state"] == "reopened" and shown["phone"] == "138****1234"
    actions = [e["action"] for e in shown["timeline"]]
    assert actions == ["file", "accept", "start", "wait", "resume", "escalate", "reply", "extend", "resolve", "publish", "rate", "note"]
    code, out, _ = kiosk("cases", "list", "--state", "reopened", "--json")
    assert [r["case_no"] for r in json.loads(out)] == [no]
    code, out, _ = kiosk("cases", "list", "--overdue", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize("args,field", [
    (("--category", "nope", "--building", "12", "--phone", "13812341234", "--text", "x"), "category"),
    (("--category", "repair", "--building", "99", "--phone", "13812341234", "--text", "x"), "building"),
    (("--category", "repair", "--building", "12", "--phone", "12345", "--text", "x"), "phone"),
    (("--category", "repair", "--building", "12", "--phone", "13812341234", "--text", "长" * 301), "description"),
])
def test_invalid_input_exits_2_with_one_line_naming_the_field(kiosk, args, field):
    code, out, err = kiosk("cases", "file", *args, "--json")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and field in lines[0]


def test_illegal_transition_and_unknown_case_exit_2(kiosk):
    code, out, _ = kiosk("cases", "file", "--category", "env", "--building", "5", "--phone", "13812341234", "--problem", "垃圾未清运", "--json")
    no = json.loads(out)["case_no"]
    code, _, err = kiosk("cases", "publish", no)
    assert code == 2 and "cannot" in err
    code, _, err = kiosk("cases", "show", "MS000000-001")
    assert code == 2 and "no case" in err
    code, _, err = kiosk("cases", "list", "--state", "flying")
    assert code == 2 and "state" in err


def test_idempotent_key_and_report_and_routing(kiosk):
    args = ("cases", "file", "--category", "env", "--building", "5", "--phone", "13812341234", "--problem", "垃圾未清运", "--key", "k-1", "--json")
    a = json.loads(kiosk(*args)[1])
    b = json.loads(kiosk(*args)[1])
    assert a["case_no"] == b["case_no"] and b["repeated"] and a["tracking_url"] == b["tracking_url"]
    code, out, _ = kiosk("cases", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    report = json.loads(out)
    assert code == 0 and report["groups"][0]["count"] == 1 and report["summary"]["filed"] == 1
    assert kiosk("cases", "route", "5", "--team", "T6")[0] == 0
    rows = json.loads(kiosk("cases", "buildings", "--json")[1])
    assert {r["code"]: r["team"] for r in rows}["5"] == "T6"
    code, _, err = kiosk("cases", "route", "5", "--team", "T9")
    assert code == 2 and "team" in err
