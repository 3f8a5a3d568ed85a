"""Filing and the 民生流水线: routing, receipts, transitions with their timeline, ratings, retention."""

from __future__ import annotations

import multiprocessing
import os
from datetime import date, timedelta

import pytest
from intake_forms import form
from sqlalchemy import select

from kiosk.clock import utcnow
from kiosk.models import Receipt
from kiosk.plugins.intake import reports, service, upkeep
from kiosk.plugins.intake.models import Case, CaseEvent
from kiosk.plugins.intake.validation import Invalid
from kiosk.plugins.intake.workflow import Refused


def test_filing_routes_to_the_building_team_and_issues_a_receipt(ictx):
    r = service.file_case(ictx, form(surname="张", title="先生", flat="302", description="三楼到五楼都不亮"))
    assert r.case.case_no == "MS261130-001" and r.case.state == "submitted"
    assert r.team.name == "第二先锋队"  # buildings 8–14
    assert r.case.due_date == date(2026, 12, 7)  # repair: 5 working days
    assert r.url.startswith("http://127.0.0.1:8080/t/")
    with ictx.sessions() as s:
        receipt = s.get(Receipt, r.case.receipt_id)
        slip = " ".join(receipt.lines) + receipt.number + receipt.title
    assert "MS261130-001" in slip and "第二先锋队" in slip and "2026年12月07日" in slip
    for personal in ("1381234", "1234", "张", "302", "三楼到五楼"):
        assert personal not in slip  # nothing personal on the slip
    assert service.file_case(ictx, form(building="34")).team.name == "第六先锋队"  # 34–39
    assert service.file_case(ictx, form()).case.case_no == "MS261130-003"


def test_the_same_key_twice_files_one_case(ictx):
    a = service.file_case(ictx, form(), key="tap-1")
    b = service.file_case(ictx, form(), key="tap-1")
    assert b.repeated and b.case.case_no == a.case.case_no and b.url == a.url
    with ictx.sessions() as s:
        assert len(list(s.scalars(select(Case)))) == 1


def test_invalid_input_names_every_field_and_stores_nothing(ictx):
    with pytest.raises(Invalid) as info:
        service.file_case(ictx, {"category": "nope", "building": "99", "unit": "x", "phone": "123", "description": "长" * 301})
    fields = {e.field for e in info.value.errors}
    assert fields == {"category", "building", "unit", "phone", "description"}
    assert all(e.zh and e.en for e in info.value.errors)
    with pytest.raises(Invalid) as info:
        service.file_case(ictx, form(problem="", description=""))
    assert info.value.errors[0].field == "problem"
    with ictx.sessions() as s:
        assert s.scalar(select(Case)) is None


def test_staff_channels_keep_the_channel_and_may_lack_a_phone(ictx):
    r = service.file_case(ictx, form(phone="", channel="mailbox"))
    assert r.case.channel == "mailbox" and r.case.phone is None
    with pytest.raises(Invalid):
        service.file_case(ictx, form(phone=""))  # at the kiosk the phone is how staff call back


def _accepted(ictx, **over):
    r = service.file_case(ictx, form(**over))
    service.transition(ictx, r.case.case_no, "accept", by="staff:wang", kind="promised", note="已受理")
    return r.case.case_no


def test_full_pipeline_writes_a_timeline_row_per_step(ictx):
    no = _accepted(ictx)
    service.transition(ictx, no, "start", by="staff:wang")
    with pytest.raises(Invalid):
        service.transition(ictx, no, "resolve", by="staff:wang", response="")  # a public response is required
    service.transition(ictx, no, "resolve", by="staff:wang", response="已更换灯泡", summary="12号楼楼道灯不亮")
    service.transition(ictx, no, "publish", by="staff:wang")
    c = service.card(ictx, no)
    service.rate(ictx, c.case.id, "satisfied", "谢谢")
    c = service.card(ictx, no)
    assert c.case.state == "closed"
    assert [(e.action, e.from_state, e.to_state) for e in c.events] == [
        ("file", "", "submitted"), ("accept", "submitted", "accepted"), ("start", "accepted", "in_progress"),
        ("resolve", "in_progress", "resolved"), ("publish", "resolved", "published"), ("rate", "published", "closed")]
    assert all(e.by and e.at for e in c.events)
    assert c.events[1].note == "已受理" and c.events[1].detail["kind"] == "promised"


def test_illegal_transition_is_refused_and_changes_nothing(ictx):
    r = service.file_case(ictx, form())
    with pytest.raises(Refused) as info:
        service.transition(ictx, r.case.case_no, "publish", by="x")
    assert "不能公示" in info.value.zh
    with pytest.raises(Invalid):
        service.transition(ictx, r.case.case_no, "accept", by="x", kind="bogus")
    c = service.card(ictx, r.case.case_no)
    assert c.case.state == "submitted" and len(c.events) == 1
    with pytest.raises(service.NotFound):
        service.transition(ictx, "MS000000-999", "accept", by="x", kind="promised")


def test_waiting_for_the_resident_pauses_the_clock(ictx, monkeypatch):
    no = _accepted(ictx)  # due Mon 7 Dec
    with pytest.raises(Invalid):
        service.transition(ictx, no, "wait", by="x")  # say what is needed
    service.transition(ictx, no, "wait", by="x", note="请提供漏水照片")
    monkeypatch.setenv("KIOSK_NOW", "2026-12-03T10:00:00+08:00")  # Thu: 3 working days paused
    service.transition(ictx, no, "resume", by="x")
    assert service.card(ictx, no).case.due_date == date(2026, 12, 10)


def test_one_extension_with_a_reason(ictx):
    no = _accepted(ictx)
    with pytest.raises(Invalid):
        service.transition(ictx, no, "extend", by="x", days=3)
    with pytest.raises(Invalid):
        service.transition(ictx, no, "extend", by="x", days=30, note="配件缺货")
    service.transition(ictx, no, "extend", by="x", days=3, note="配件缺货")
    assert service.card(ictx, no).case.due_date == date(2026, 12, 10)
    with pytest.raises(Refused):
        service.transition(ictx, no, "extend", by="x", days=1, note="again")


def test_unsatisfied_reopens_and_twice_goes_to_the_supervisor(ictx, monkeypatch):
    no = _accepted(ictx)
    for round_ in range(2):
        service.transition(ictx, no, "start", by="x")
        service.transition(ictx, no, "resolve", by="x", response=f"第{round_ + 1}次处理")
        cid = service.card(ictx, no).case.id
        with pytest.raises(Invalid):
            service.rate(ictx, cid, "unsatisfied", "")  # say what is wrong
        service.rate(ictx, cid, "unsatisfied", "灯还是不亮")
        c = service.card(ictx, no)
        assert c.case.state == "reopened" and c.case.reopen_count == round_ + 1
    assert [x.case.case_no for x in service.supervision(ictx)["reopened"]] == [no]
    with pytest.raises(Refused):
        service.rate(ictx, service.card(ictx, no).case.id, "satisfied")  # not resolved now


def test_staff_enter_a_phone_follow_up_rating(ictx):
    no = _accepted(ictx)
    service.transition(ictx, no, "start", by="x")
    service.transition(ictx, no, "resolve", by="x", response="已修好")
    service.rate(ictx, service.card(ictx, no).case.id, "basic", "", channel="phone", by="staff:li")
    c = service.card(ictx, no)
    assert c.case.state == "closed" and c.ratings[0].channel == "phone" and c.ratings[0].by == "staff:li"


def test_merge_duplicates(ictx):
    first = _accepted(ictx)
    dup = service.file_case(ictx, form()).case.case_no
    with pytest.raises(Invalid):
        service.transition(ictx, dup, "merge", by="x", into=dup)
    service.transition(ictx, dup, "merge", by="x", into=first)
    assert service.card(ictx, dup).case.state == "merged" and service.card(ictx, dup).case.merged_into == first
    assert any(dup in e.note for e in service.card(ictx, first).events)


def test_withdraw_and_not_accepted_need_the_right_inputs(ictx):
    r = service.file_case(ictx, form())
    with pytest.raises(Invalid):
        service.transition(ictx, r.case.case_no, "close", by="x")  # 不予受理 needs a reason
    service.transition(ictx, r.case.case_no, "close", by="x", note="不属于社区职责，已告知居民拨打12345")
    assert service.card(ictx, r.case.case_no).case.state == "closed"
    r2 = service.file_case(ictx, form())
    service.transition(ictx, r2.case.case_no, "withdraw", by="resident")
    assert service.card(ictx, r2.case.case_no).case.state == "withdrawn"


def test_personal_data_is_erased_after_the_retention_time(ictx):
    no = _accepted(ictx, surname="张", title="先生", flat="302", description="我家门口")
    service.transition(ictx, no, "start", by="x")
    service.transition(ictx, no, "resolve", by="x", response="已修好", summary="楼道灯")
    service.transition(ictx, no, "publish", by="x")
    service.rate(ictx, service.card(ictx, no).case.id, "satisfied")
    assert upkeep.erase_personal_data(ictx, utcnow() + timedelta(days=364)) == 0
    assert upkeep.erase_personal_data(ictx, utcnow() + timedelta(days=366)) == 1
    c = service.card(ictx, no)
    assert c.case.phone is None and c.case.surname is None and c.case.flat is None and c.case.description is None
    # issue 14, finding 3: the public texts staff wrote about the resident's case go too (the case's facts stay)
    assert c.case.state == "archived" and c.case.public_response == "" and c.case.public_summary == "" and c.case.problem == ""
    assert c.case.category == "repair" and c.case.building == "12" and c.case.resolved_at is not None
    assert c.events[-1].action == "erase"


def test_published_cases_close_by_themselves_when_nobody_rates(ictx, monkeypatch):
    no = _accepted(ictx)
    service.transition(ictx, no, "start", by="x")
    service.transition(ictx, no, "resolve", by="x", response="已修好")
    service.transition(ictx, no, "publish", by="x")
    assert upkeep.autoclose(ictx, ictx.today()) == 0
    with ictx.transaction() as s:
        s.scalar(select(Case)).published_at = utcnow() - timedelta(days=8)
    assert upkeep.autoclose(ictx, ictx.today()) == 1
    assert service.card(ictx, no).case.state == "closed"


def test_report_groups_recurring_issues(ictx):
    for _ in range(3):
        service.file_case(ictx, form())
    service.file_case(ictx, form(building="5", category="env", problem="垃圾未清运"))
    groups = reports.recurring(ictx, date(2026, 11, 1), date(2026, 11, 30))
    assert groups[0] == {"category": "repair", "category_name": "设施维修", "building": "12", "building_name": "12号楼", "count": 3}
    assert groups[1]["count"] == 1 and groups[1]["building"] == "5"
    stats = reports.summary_stats(ictx, date(2026, 11, 1), date(2026, 11, 30))
    assert stats["filed"] == 4 and stats["resolved"] == 0


def test_routing_map_is_data_staff_edit(ictx):
    service.set_building(ictx, "12", team="T5")
    assert service.file_case(ictx, form()).team.code == "T5"
    service.set_building(ictx, "40", team="T6", units=2)
    assert service.file_case(ictx, form(building="40", unit="2")).team.code == "T6"
    with pytest.raises(Invalid):
        service.file_case(ictx, form(building="40", unit="3"))
    with pytest.raises(Invalid):
        service.set_building(ictx, "12", team="T9")


def _file_many(url: str, data_dir: str, n: int, out) -> None:
    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_DATA_DIR"] = data_dir
    os.environ["KIOSK_NOW"] = "2026-11-30T09:00:00+08:00"
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.intake",), load_entrypoints=False), run_migrations=False)
    numbers = [service.file_case(ctx, form()).case.case_no for _ in range(n)]
    ctx.engine.dispose()
    out.put(numbers)


def test_several_kiosks_filing_at_once_get_distinct_numbers(ictx, db_url, isolated_env):
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    procs = [spawn.Process(target=_file_many, args=(db_url, str(isolated_env), 15, out)) for _ in range(4)]
    for p in procs:
        p.start()
    numbers = sorted(n for _ in procs for n in out.get(timeout=240))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert numbers == [f"MS261130-{i:03d}" for i in range(1, 61)]
    with ictx.sessions() as s:
        assert len(list(s.scalars(select(CaseEvent).where(CaseEvent.action == "file")))) == 60
