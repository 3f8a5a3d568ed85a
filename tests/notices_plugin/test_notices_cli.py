"""``kiosk notices …``: the contract the acceptance checks use (names, JSON keys, exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest



@pytest.fixture
def kiosk(nctx, run_cli):
    """Run ``kiosk ARGS`` in this process on the test's database (SQLite and PostgreSQL): (exit code, stdout, stderr)."""
    return run_cli


@pytest.fixture
def skiosk(sctx, run_cli):
    """The same on SQLite only, for checks of input that never reach the database."""
    return run_cli


def test_boards_json(skiosk):
    code, out, _ = skiosk("notices", "boards", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [r["code"] for r in rows] == ["notice", "party", "science", "policy", "outcomes"]
    assert {r["code"]: r["name"] for r in rows}["outcomes"] == "公示反馈"
    assert all({"code", "name"} <= set(r) for r in rows)


def test_add_list_and_the_clock(kiosk, monkeypatch, tmp_path):
    code, out, _ = kiosk("notices", "add", "--board", "notice", "--title", "社区义诊", "--body", "周三上午在大厅", "--pinned", "--json")
    added = json.loads(out)
    assert code == 0 and added["state"] == "published" and added["url"].endswith(f"/notices/{added['id']}")
    body = tmp_path / "body.txt"
    body.write_text("# 标题\n\n- 一\n- 二\n", encoding="utf-8")
    code, out, _ = kiosk("notices", "add", "--board", "science", "--title", "下周讲座", "--body-file", str(body),
                         "--start", "2026-12-07T09:00", "--end", "2026-12-07T18:00", "--urgent", "--json")
    later = json.loads(out)
    assert code == 0 and later["start"] == "2026-12-07T09:00:00+08:00" and later["end"] == "2026-12-07T18:00:00+08:00"
    code, out, _ = kiosk("notices", "list", "--json")
    assert [r["id"] for r in json.loads(out)] == [added["id"]]  # only what the kiosk shows now
    code, out, _ = kiosk("notices", "list", "--all", "--json")
    assert {r["id"] for r in json.loads(out)} == {added["id"], later["id"]}
    monkeypatch.setenv("KIOSK_NOW", "2026-12-07T09:00:00+08:00")
    code, out, _ = kiosk("notices", "list", "--board", "science", "--json")
    assert [r["id"] for r in json.loads(out)] == [later["id"]]
    monkeypatch.setenv("KIOSK_NOW", "2026-12-07T18:00:00+08:00")
    code, out, _ = kiosk("notices", "list", "--board", "science", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize("args, words", [
    (["--board", "notice", "--title", "", "--body", "x"], "title"),
    (["--board", "notice", "--title", "  ", "--body", "x"], "title"),
    (["--board", "lost-and-found", "--title", "t", "--body", "x"], "unknown board"),
    (["--board", "outcomes", "--title", "t", "--body", "x"], "other plugins"),
    (["--board", "notice", "--title", "t", "--body", "x", "--start", "2026-12-01T10:00", "--end", "2026-12-01T08:00"], "end time"),
    (["--board", "notice", "--title", "t", "--body", "x", "--start", "soon"], "not a time"),
    (["--board", "notice", "--title", "t"], "--body"),
    (["--board", "notice", "--title", "t", "--body-file", "/nonexistent/file.txt"], "cannot read"),
])
def test_mistakes_are_one_line_and_exit_2(skiosk, args, words):
    code, out, err = skiosk("notices", "add", *args, "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err


def test_party_approval_through_the_cli(kiosk, monkeypatch):
    code, out, _ = kiosk("notices", "add", "--board", "party", "--title", "党员大会决议公示", "--body", "……", "--by", "admin", "--json")
    pending = json.loads(out)
    assert pending["state"] == "pending"
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD", "admin-password")  # an approval proves who approves
    code, _, err = kiosk("notices", "approve", str(pending["id"]), "--by", "admin")
    assert code == 2 and "another administrator" in err
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD", "clerk-password")
    code, _, err = kiosk("notices", "approve", str(pending["id"]), "--by", "clerk")
    assert code == 2 and "not an active administrator" in err
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD", "director-password")
    code, out, _ = kiosk("notices", "approve", str(pending["id"]), "--by", "director", "--json")
    assert json.loads(out)["state"] == "published"
    code, out, _ = kiosk("notices", "history", str(pending["id"]), "--json")
    assert [(r["action"], r["by"]) for r in json.loads(out)] == [("create", "admin"), ("approve", "director")]


def test_edit_withdraw_publish(kiosk):
    _, out, _ = kiosk("notices", "add", "--board", "policy", "--title", "医保缴费", "--body", "x", "--json")
    nid = str(json.loads(out)["id"])
    code, out, _ = kiosk("notices", "edit", nid, "--title", "2027 年度医保缴费", "--end", "2026-12-31", "--urgent", "--json")
    edited = json.loads(out)
    assert code == 0 and edited["title"] == "2027 年度医保缴费" and edited["urgent"] and edited["end"] == "2027-01-01T00:00:00+08:00"
    assert json.loads(kiosk("notices", "withdraw", nid, "--json")[1])["state"] == "withdrawn"
    assert json.loads(kiosk("notices", "list", "--json")[1]) == []
    assert json.loads(kiosk("notices", "publish", nid, "--json")[1])["showing"] is True
    code, _, err = kiosk("notices", "edit", nid, "--end", "2026-01-01")
    assert code == 2 and "end time" in err
    assert kiosk("notices", "withdraw", "999")[0] == 2


def test_the_installed_command(sctx):
    """The real ``kiosk`` executable, as the acceptance checks run it (same database as the fixture)."""
    env = {**os.environ}
    proc = subprocess.run([sys.executable, "-m", "kiosk", "notices", "add", "--board", "party", "--title", "t", "--body", "b", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) >= {"id", "url", "state"} and json.loads(proc.stdout)["state"] == "pending"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "notices", "add", "--board", "notice", "--title", "", "--body", "b"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip() == "error: the title must not be empty"
