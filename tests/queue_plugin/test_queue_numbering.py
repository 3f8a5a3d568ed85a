"""Per-service numbering: first number, last number, increment, wrap past the last, and the daily cap
that may never make a day repeat a number (web form and CLI refusals keep what was typed)."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
from kit import CSRF, MONDAY_9AM, login
from queuehelpers import run
from sqlalchemy import select

from kiosk.plugins.queue import service
from kiosk.plugins.queue.models import QueueService, Ticket
from kiosk.plugins.queue.service import QueueError


def _set(qctx, code: str, **values) -> None:
    with qctx.transaction() as s:
        svc = s.get(QueueService, code)
        for key, value in values.items():
            setattr(svc, key, value)


def _take(qctx, code: str, n: int) -> list[str]:
    return [service.take_ticket(qctx, code).ticket.display for _ in range(n)]


def test_defaults_number_from_one_as_before(qctx):
    with qctx.sessions() as s:
        a = s.get(QueueService, "A")
    assert (a.first_number, a.last_number, a.number_step) == (1, 999, 1)
    assert _take(qctx, "A", 3) == ["A001", "A002", "A003"]


def test_first_number_and_increment_then_the_cap(qctx):
    _set(qctx, "B", first_number=101, last_number=199, number_step=5, daily_cap=3)
    assert _take(qctx, "B", 3) == ["B101", "B106", "B111"]
    with pytest.raises(QueueError) as err:
        service.take_ticket(qctx, "B")
    assert err.value.code == "full"
    assert _take(qctx, "C", 1) == ["C001"]  # other services keep their own numbering


def test_past_the_last_number_it_wraps_and_skips_numbers_held_today(qctx):
    # Morning: even numbers 2, 4, 6. Staff then widen the range to 1–9 in steps of 1 (cap 9): numbering
    # continues after 6, wraps past 9 to 1, and skips the 2, 4 and 6 still held today.
    _set(qctx, "A", first_number=2, last_number=9, number_step=2, daily_cap=3)
    assert _take(qctx, "A", 3) == ["A002", "A004", "A006"]
    service.update_service(qctx, "A", name="社保医保", name_en="Social insurance", hours="08:30-12:00,13:30-17:00", daily_cap=9,
                           minutes_per_person=8, target_minutes=30, materials=[], active=True,
                           first_number="1", last_number="9", number_step="1")
    assert _take(qctx, "A", 6) == ["A007", "A008", "A009", "A001", "A003", "A005"]
    with pytest.raises(QueueError) as err:  # nine tickets, nine numbers: full, never a repeat
        service.take_ticket(qctx, "A")
    assert err.value.code == "full"
    with qctx.sessions() as s:
        numbers = list(s.scalars(select(Ticket.number).where(Ticket.letter == "A")))
    assert sorted(numbers) == list(range(1, 10))


def test_appointments_use_the_range_not_the_walk_in_cap(qctx):
    from datetime import datetime

    from kiosk.plugins.queue import appointments

    _set(qctx, "A", first_number=10, last_number=12, number_step=1, daily_cap=2)
    assert _take(qctx, "A", 2) == ["A010", "A011"]
    code = appointments.book(qctx, "A", datetime(2026, 11, 30, 9, 5, tzinfo=qctx.settings.tz)).code
    assert appointments.check_in(qctx, code).ticket.display == "A012"
    other = appointments.book(qctx, "A", datetime(2026, 11, 30, 9, 10, tzinfo=qctx.settings.tz)).code
    with pytest.raises(QueueError) as err:  # the range 10–12 is used up
        appointments.check_in(qctx, other)
    assert err.value.code == "full"


@pytest.mark.parametrize(("values", "code", "words"), [
    ({"first_number": "0"}, "bad_first_number", "起始号"),
    ({"first_number": "abc"}, "bad_first_number", "起始号应为整数"),
    ({"last_number": "1000"}, "bad_last_number", "结束号"),
    ({"first_number": "50", "last_number": "40"}, "bad_last_number", "结束号"),
    ({"number_step": "0"}, "bad_number_step", "号码间隔"),
    ({"last_number": "100", "daily_cap": 200}, "bad_cap", "每日上限 200 超过了号码范围 1–100（间隔 1）能发的 100 个号"),
    ({"first_number": "1", "last_number": "99", "number_step": "2", "daily_cap": 51}, "bad_cap", "能发的 50 个号"),
])
def test_bad_numbering_is_refused_naming_the_field_and_changes_nothing(qctx, values, code, words):
    fields = {"name": "社保医保", "name_en": "", "hours": "08:30-12:00", "daily_cap": 100, "minutes_per_person": 8,
              "target_minutes": 30, "materials": [], "active": True} | values
    with pytest.raises(QueueError) as err:
        service.update_service(qctx, "A", **fields)
    assert err.value.code == code and words in err.value.zh
    with qctx.sessions() as s:
        a = s.get(QueueService, "A")
    assert (a.first_number, a.last_number, a.number_step, a.daily_cap) == (1, 999, 1, 200)


def test_staff_set_numbering_on_the_setup_page(qctx, client):
    login(client, "boss")
    page = client.get("/staff/queue/setup").text
    assert "起始号（1–999）" in page and 'name="number_step"' in page
    c = CSRF.search(page).group(1)
    form = {"csrf_token": c, "name": "社保医保", "name_en": "Social insurance", "hours": "08:30-12:00,13:30-17:00", "daily_cap": "300",
            "minutes_per_person": "8", "target_minutes": "30", "materials": "身份证", "active": "1",
            "first_number": "500", "last_number": "1200", "number_step": "1"}
    bad = client.post("/staff/queue/setup/service/A", data=form)
    assert bad.status_code == 400 and "结束号应在起始号 500 到 999 之间" in bad.text
    assert 'value="1200"' in bad.text and 'value="500"' in bad.text  # what was typed is kept
    too_many = client.post("/staff/queue/setup/service/A", data={**form, "last_number": "699"})
    assert too_many.status_code == 400 and "每日上限 300 超过了号码范围 500–699" in too_many.text
    ok = client.post("/staff/queue/setup/service/A", data={**form, "last_number": "799"}, follow_redirects=True)
    assert "A 类业务已保存" in ok.text and 'value="799"' in ok.text
    assert _take(qctx, "A", 2) == ["A500", "A501"]
    new = {"csrf_token": c, "code": "H", "name": "不动产登记", "name_en": "", "hours": "08:30-12:00", "daily_cap": "10",
           "minutes_per_person": "8", "target_minutes": "30", "materials": "", "first_number": "x1", "last_number": "999", "number_step": "1"}
    refused = client.post("/staff/queue/setup/new-service", data=new)
    assert refused.status_code == 400 and "起始号应为整数" in refused.text and 'value="x1"' in refused.text
    client.post("/staff/queue/setup/new-service", data={**new, "first_number": "900", "number_step": "10"})
    assert _take(qctx, "H", 2) == ["H900", "H910"]


def test_cli_sets_numbering_and_refuses_bad_values(isolated_env):
    run("demo-data")
    bad = run("queue", "service-set", "A", "--last-number", "1000", check=False)
    assert bad.returncode == 2 and "last number" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    cap = run("queue", "service-set", "A", "--last-number", "50", check=False)
    assert cap.returncode == 2 and "daily cap 200" in cap.stderr
    done = json.loads(run("queue", "service-set", "a", "--first-number", "20", "--last-number", "80", "--step", "3",
                          "--daily-cap", "21", "--json").stdout)
    assert done == {"code": "A", "daily_cap": 21, "first_number": 20, "last_number": 80, "number_step": 3, "carry_over": False}
    assert json.loads(run("queue", "take", "A", "--json").stdout)["number"] == "A020"
    assert json.loads(run("queue", "take", "A", "--json").stdout)["number"] == "A023"
    assert run("queue", "service-set", "Q", "--step", "2", check=False).returncode == 2
    added = run("queue", "service-add", "H", "--name", "不动产", "--first-number", "5", "--step", "0", check=False)
    assert added.returncode == 2 and "increment" in added.stderr


def _take_many(url: str, data_dir: str, count: int, queue_out) -> None:
    os.environ.update(KIOSK_DATABASE_URL=url, KIOSK_DATA_DIR=data_dir, KIOSK_NOW=MONDAY_9AM)
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.queue",), load_entrypoints=False), run_migrations=False)
    out = []
    for _ in range(count):
        try:
            out.append(service.take_ticket(ctx, "A").ticket.number)
        except QueueError as exc:
            out.append(exc.code)
    ctx.engine.dispose()
    queue_out.put(out)


def test_eight_processes_with_a_stepped_range_never_repeat_or_overrun(qctx, db_url, isolated_env):
    """Range 100–190 in steps of 3 holds 31 numbers; cap 31; 8 processes × 5 takes: 31 tickets, 9 refusals."""
    _set(qctx, "A", first_number=100, last_number=190, number_step=3, daily_cap=31)
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    procs = [spawn.Process(target=_take_many, args=(db_url, str(isolated_env), 5, out)) for _ in range(8)]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in out.get(timeout=240)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(r for r in results if isinstance(r, int)) == list(range(100, 191, 3))
    assert results.count("full") == 9


@pytest.mark.parametrize("raw", ["", "   ", "9" * 5000, "😀", "1\x00", "\x1b[31m7", "<b>1</b>", "１２", "1e3"])
def test_garbage_in_a_numbering_field_is_refused_with_a_short_clear_message(qctx, raw):
    fields = {"name": "社保医保", "name_en": "", "hours": "08:30-12:00", "daily_cap": 100, "minutes_per_person": 8,
              "target_minutes": 30, "materials": [], "active": True}
    for field, words in (("first_number", "起始号应为整数"), ("last_number", "结束号应为整数"), ("number_step", "号码间隔应为整数")):
        with pytest.raises(QueueError) as err:
            service.update_service(qctx, "A", **fields, **{field: raw})
        assert err.value.code == f"bad_{field}" and words in err.value.zh
        assert len(err.value.zh) < 60 and all(ch.isprintable() for ch in err.value.zh + err.value.en)  # no 5,000 digits, no escape codes echoed
    with qctx.sessions() as s:
        a = s.get(QueueService, "A")
    assert (a.first_number, a.last_number, a.number_step) == (1, 999, 1)


def test_setup_page_keeps_a_garbled_number_and_escapes_markup(qctx, client):
    login(client, "boss")
    form = {"csrf_token": CSRF.search(client.get("/staff/queue/setup").text).group(1), "name": "社保医保", "name_en": "", "hours": "08:30-12:00", "daily_cap": "100",
            "minutes_per_person": "8", "target_minutes": "30", "materials": "", "active": "1",
            "first_number": "<script>alert(1)</script>", "last_number": "999", "number_step": "1"}
    r = client.post("/staff/queue/setup/service/A", data=form)
    assert r.status_code == 400 and "起始号应为整数" in r.text
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text  # kept as typed, escaped
