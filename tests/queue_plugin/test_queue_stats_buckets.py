"""Waiting- and service-time distributions and outcome counts per service and day (hand-computed)."""

from __future__ import annotations

import json
import re
from datetime import date

from kit import login
from queuehelpers import run

from kiosk.plugins.queue import service, stats

EXISTING_KEYS = {"code", "name", "tickets", "priority", "served", "no_shows", "waiting", "avg_wait_min", "p90_wait_min",
                 "avg_service_min", "target_min", "over_target_share", "estimate_mae_min", "ratings", "satisfied_share",
                 "appointments", "appointments_checked_in", "appointment_no_shows", "remote", "remote_pending"}


def _monday(qctx, kiosk_now) -> None:
    """Five A tickets at 09:00; waits 4, 10, 25, 45, 50 minutes; services 2, 3, 16 and 9 minutes; one missed."""
    for _ in range(5):
        service.take_ticket(qctx, "A")
    service.take_ticket(qctx, "B")  # left waiting: closed by Tuesday's reset
    plan = [("09:04", "09:06", "done"), ("09:10", "09:13", "consulted"), ("09:25", "09:41", "incomplete"),
            ("09:45", None, None), ("09:50", "09:59", "referred")]
    for called, finished, outcome in plan:
        kiosk_now.at(called)
        service.call_next(qctx, 1, "A")
        if finished is None:
            service.no_show(qctx, 1)
            continue
        kiosk_now.at(finished)
        service.finish(qctx, 1, outcome)


def test_buckets_edges_and_open_end():
    got = stats.buckets([0, 2.99, 3, 14.9, 15, 99, -1], stats.SERVICE_EDGES)
    assert [(b["label"], b["count"]) for b in got] == [("0-3", 3), ("3-6", 1), ("6-9", 0), ("9-12", 0), ("12-15", 1), ("15+", 2)]
    assert got[-1]["to_min"] is None and got[0]["from_min"] == 0
    assert [b["label"] for b in stats.buckets([], stats.WAIT_EDGES)] == ["0-5", "5-10", "10-15", "15-20", "20-30", "30+"]


def test_day_distributions_and_outcomes(qctx, kiosk_now):
    _monday(qctx, kiosk_now)
    kiosk_now.at("09:00", "2026-12-01")
    assert service.close_previous_days(qctx, qctx.today()) == 1
    data = stats.day_stats(qctx, date(2026, 11, 30))
    rows = {r["code"]: r for r in data["services"]}
    a, b = rows["A"], rows["B"]
    assert EXISTING_KEYS <= set(a)  # the contract: new keys are added, none renamed or removed
    assert [x["count"] for x in a["wait_buckets"]] == [1, 0, 1, 0, 1, 2]      # 4 | 10 | 25 | 45, 50
    assert [x["count"] for x in a["service_buckets"]] == [1, 1, 0, 1, 0, 1]   # 2 | 3 | 9 | 16
    assert a["outcomes"] == {"done": 1, "consulted": 1, "incomplete": 1, "referred": 1, "other": 0, "reset": 0}
    assert (a["served"], a["no_shows"], a["avg_wait_min"], a["avg_service_min"]) == (4, 1, 26.8, 7.5)
    assert b["outcomes"]["reset"] == 1 and sum(x["count"] for x in b["wait_buckets"]) == 0


def test_staff_page_shows_the_distributions(qctx, client, kiosk_now):
    _monday(qctx, kiosk_now)
    login(client)
    page = client.get("/staff/queue/stats").text
    assert "等候时间分布" in page and "办理时间分布" in page and "办理结果" in page and "材料不全" in page
    wait = page.split("等候时间分布")[1].split("</table>")[0]
    assert "<th>30′+</th>" in wait and "<th>0–5′</th>" in wait
    row = re.search(r"<tr><th>A 社保医保</th>(.*?)</tr>", wait).group(1)
    assert [int(n) for n in re.findall(r"<td>(\d+) <meter", row)] == [1, 0, 1, 0, 1, 2]
    outcomes = page.split("办理结果")[-1].split("</table>")[0]
    assert re.findall(r"<td>(\d+)</td>", re.search(r"<tr><th>A 社保医保</th>(.*?)</tr>", outcomes).group(1)) == ["1", "1", "1", "1", "0", "0"]


def test_cli_stats_json_adds_the_new_keys(isolated_env):
    run("demo-data")
    run("queue", "take", "A")
    row = {r["code"]: r for r in json.loads(run("queue", "stats", "--json").stdout)["services"]}["A"]
    assert EXISTING_KEYS <= set(row) and row["tickets"] == 1
    assert [x["label"] for x in row["service_buckets"]] == ["0-3", "3-6", "6-9", "9-12", "12-15", "15+"]
    assert set(row["outcomes"]) == {"done", "consulted", "incomplete", "referred", "other", "reset"}
