"""Residents' rights (PIPL) and erasure (issue 14, finding 3): the registry of personal columns, the one
erasure routine behind ``kiosk privacy erase`` and every retention job, and no trace left in the files.

A distinctive phone and distinctive resident words go in through every channel (kiosk, staff form, CLI,
Open311, rating comment, staff note, queue appointment and remote ticket, class sign-up); after erasure
(on request, or by age) they must be nowhere in the SQLite file and its -wal, nor in a pg_dump.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kit import login
from sqlalchemy import Column, MetaData, String, Table, select

import kiosk.plugins.intake as intake_plugin
import kiosk.plugins.notices as notices_plugin
import kiosk.plugins.queue as queue_plugin
import kiosk.plugins.timetable as timetable_plugin
from kiosk import audit, backup, privacy
from kiosk.clock import utcnow
from kiosk.db import Base
from kiosk.models import Receipt
from kiosk.pluginhost import PluginHost
from kiosk.plugins.intake import demo as intake_demo
from kiosk.plugins.intake import open311, upkeep
from kiosk.plugins.intake import service as intake
from kiosk.plugins.intake.models import Case, CaseEvent, CaseRating
from kiosk.plugins.queue import appointments, remote
from kiosk.plugins.queue import service as queue
from kiosk.plugins.queue.models import QueueAppointment, QueueRating
from kiosk.plugins.timetable import service as timetable
from kiosk.plugins.timetable.models import Course, Signup, Term
from kiosk.staff import set_user
from kiosk.web.app import create_app

PHONE = "13987654321"
TYPED = "139 8765 4321"  # how a resident types it into free text
DASHED = "139-8765-4321"
NAME = "李秀英"
WORDS = "紫藤苑厨房顶棚渗水"


# -- the registry --------------------------------------------------------------------------------------
def test_every_text_column_of_every_model_is_declared_personal_or_not():
    host = PluginHost(load_entrypoints=False)
    reg = privacy.registry(host)
    assert host.errors == {}
    assert reg.undeclared() == []
    # every table of the metadata has a declaration, and the personal ones can be found and erased
    assert set(reg.tables) == set(Base.metadata.tables)
    for name in ("intake_case", "intake_case_event", "intake_case_rating", "receipt", "tt_signup", "queue_appointment",
                 "queue_rating", "queue_event"):
        assert reg.tables[name].erase, name
    assert reg.tables["intake_case"].erase.keys() >= {"phone", "surname", "flat", "description", "problem", "public_summary",
                                                      "public_response"}
    assert reg.tables["tt_signup"].erase.keys() == {"phone", "surname"}
    assert reg.tables["receipt"].erase["lines"] == []


def test_a_new_column_nobody_declared_fails_the_walk():
    reg = privacy.registry(PluginHost(load_entrypoints=False))
    copy = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(copy)
    copy.tables["intake_case"].append_column(Column("resident_email", String(80)))
    Table("visitor_log", copy, Column("id", String(8), primary_key=True), Column("visitor_name", String(40)))
    assert reg.undeclared(copy) == ["intake_case.resident_email", "visitor_log.id", "visitor_log.visitor_name"]


def test_a_declaration_naming_a_missing_column_is_refused():
    from kiosk.types import PersonalColumns

    reg = privacy.Registry()
    with pytest.raises(privacy.PrivacyError, match="no column 'mobile'"):
        reg.add("someone", PersonalColumns("intake_case", "x", erase={"mobile": ""}))


def test_a_plugin_whose_declaration_fails_stops_erasure_instead_of_skipping_its_tables(make_host):
    from kiosk import hookimpl

    class Broken:
        @staticmethod
        @hookimpl
        def kiosk_personal_data():
            raise RuntimeError("oops")

    host = make_host(intake=intake_plugin, broken=Broken)
    with pytest.raises(privacy.PrivacyError, match="failed in broken"):
        privacy.registry(host)


@pytest.mark.parametrize("text", [
    "李秀英13987654321", "电话 139 8765 4321 谢谢", "139-8765-4321", "+86 139 8765 4321", "+8613987654321",
    "００８６１３９８７６５４３２１", "１３９８７６５４３２１", "(139)8765.4321", "139 — 8765 — 4321",
])
def test_the_phone_is_found_in_free_text_in_any_disguise(text):
    assert privacy.phone_pattern(PHONE).search(unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("text", ["213987654321", "1398765432", "139876543210", "电话 138 8765 4321"])
def test_other_numbers_are_not_taken_for_the_phone(text):
    assert not privacy.phone_pattern(PHONE).search(unicodedata.normalize("NFKC", text))


def test_a_landline_is_found_with_or_without_its_area_code():
    pattern = privacy.phone_pattern("0538-6201234")
    for text in ("家里 0538 620 1234", "05386201234", "６２０１２３４", "620-1234"):
        assert pattern.search(unicodedata.normalize("NFKC", text)), text
    assert not pattern.search("16201234")


# -- a center with every plugin, and the resident in every channel -------------------------------------
@pytest.fixture
def pctx(make_host, make_ctx, db_url, kiosk_now):
    ctx = make_ctx(make_host(intake=intake_plugin, notices=notices_plugin, queue=queue_plugin, timetable=timetable_plugin), db_url)
    intake_demo.load_places(ctx)
    queue_plugin.kiosk_demo_data(ctx)
    timetable_plugin.kiosk_demo_data(ctx)
    with ctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
        set_user(s, "boss", "boss-password", role="admin")
    return ctx


@pytest.fixture
def client(pctx):
    return TestClient(create_app(pctx))


def _form(**over) -> dict:
    return {"category": "repair", "problem": "楼道灯不亮", "building": "12", "unit": "2"} | over


def _close(ctx, case_no: str) -> None:
    intake.transition(ctx, case_no, "withdraw", by="staff:clerk")


def _serve_all(ctx, wanted: set[int]) -> None:
    for _ in range(20):
        ticket = queue.call_next(ctx, 2)
        if ticket is None:
            break
        queue.finish(ctx, 2)
        wanted.discard(ticket.id)
        if not wanted:
            return
    assert not wanted, "the test's tickets were not called"


def _legacy_public_text(ctx, case_no: str, **texts) -> None:
    """Public texts as a case resolved before the public guard may hold them (the guard now refuses a name or
    the resident's words there): erasure must still reach them."""
    with ctx.transaction() as s:
        case = s.scalar(select(Case).where(Case.case_no == case_no))
        for field, value in texts.items():
            setattr(case, f"public_{field}", value)


def resident_everywhere(ctx, client, run_cli) -> dict:
    """The resident's phone and words through every channel; returns what a test checks afterwards."""
    made: dict = {}
    # kiosk: the resident's own case, resolved, published and rated with a comment
    kiosk_case = intake.file_case(ctx, _form(phone=TYPED, surname="李", title="女士", flat="302", description=f"{NAME}家{WORDS}"))
    no = kiosk_case.case.case_no
    intake.transition(ctx, no, "accept", by="staff:clerk", kind="promised")
    intake.transition(ctx, no, "start", by="staff:clerk")
    intake.transition(ctx, no, "note", by="staff:clerk", note=f"已回电 {DASHED}，{NAME}说{WORDS}")
    intake.transition(ctx, no, "resolve", by="staff:clerk", response="已修好", summary="楼道灯已修复")
    intake.transition(ctx, no, "publish", by="staff:clerk")
    _legacy_public_text(ctx, no, summary=f"{NAME}家{WORDS}", response=f"{NAME}家已修好")
    intake.rate(ctx, kiosk_case.case.id, "basic", f"{WORDS}修好了，有事打{TYPED}")
    made["kiosk"] = no
    # staff form
    token = login(client, "clerk")
    r = client.post("/staff/cases/new", data={"csrf_token": token, "channel": "walk-in", "category": "repair", "problem": "",
                                              "building": "12", "unit": "1", "flat": "501", "phone": DASHED, "surname": "李",
                                              "title": "女士", "name_public": "", "description": WORDS}, follow_redirects=False)
    assert r.status_code == 303, r.text
    made["staff"] = r.headers["location"].split("/staff/cases/")[1].split("?")[0]
    # CLI: free text in --problem (finding 1's channel) lands on the slip's lines too
    code, out, err = run_cli("cases", "file", "--category", "repair", "--building", "12", "--phone", TYPED, "--problem",
                             f"{NAME}{PHONE}", "--text", WORDS, "--channel", "phone", "--json")
    assert code == 0, err
    made["cli"] = json.loads(out)["case_no"]
    # Open311
    key = open311.create_api_key(ctx, "12345 hotline")
    r = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "repair", "attribute[building]": "12",
                                                       "attribute[problem]": "楼道灯不亮", "phone": TYPED, "last_name": "李",
                                                       "description": WORDS})
    assert r.status_code == 200, r.text
    made["open311"] = r.json()[0]["service_request_id"]
    # someone else's case whose rating comment and staff note give the resident's number
    other = intake.file_case(ctx, _form(phone="13800001111"))
    intake.transition(ctx, other.case.case_no, "note", by="staff:clerk", note=f"邻居电话 {DASHED}")
    intake.transition(ctx, other.case.case_no, "accept", by="staff:clerk", kind="instant")
    intake.transition(ctx, other.case.case_no, "resolve", by="staff:clerk", response="已处理")
    intake.rate(ctx, other.case.id, "satisfied", f"请联系{TYPED}")
    made["other"] = other.case.case_no
    # queue: an appointment with the phone, checked in, served and rated; a remote ticket rated with the number
    appt = appointments.book(ctx, "A", datetime(2026, 11, 30, 9, 5, tzinfo=ctx.settings.tz), phone=TYPED, by="staff:clerk")
    appt_ticket = appointments.check_in(ctx, appt.code).ticket
    far = remote.take_remote(ctx, "A").ticket
    remote.activate_with_ticket_code(ctx, far.activation_code)
    _serve_all(ctx, {appt_ticket.id, far.id})
    queue.rate(ctx, appt_ticket.id, 2, WORDS)
    queue.rate(ctx, far.id, 1, f"{NAME}：请回电 {DASHED}")
    made["appointment"], made["remote_ticket"] = appt.id, far.id
    # class sign-up at the kiosk (phone keypad + surname)
    with ctx.sessions() as s:
        today = ctx.today()
        course = s.scalar(select(Course).join(Term, Term.id == Course.term_id)
                          .where(Term.start <= today, Term.end >= today, Course.active.is_(True)).order_by(Course.id))
    signup = timetable.sign_up(ctx, course.id, TYPED, surname="李")
    made["signup"], made["term_end"] = signup.signup.id, None
    with ctx.sessions() as s:
        made["term_end"] = s.get(Term, course.term_id).end
    return made


def needles() -> list[bytes]:
    """The resident's data as bytes in every form a database could hold it (JSON escapes non-ASCII)."""
    out = []
    for text in (PHONE, DASHED, "8765 4321", NAME, WORDS):
        out.append(text.encode("utf-8"))
        out.append(json.dumps(text)[1:-1].encode("ascii"))
    return sorted(set(out))


def stored_bytes(ctx, db_url: str) -> bytes:
    """SQLite: the database file and its -wal; PostgreSQL: a plain pg_dump of the database."""
    if ctx.engine.dialect.name == "sqlite":
        path = Path(ctx.engine.url.database)
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    proc = subprocess.run([backup._tool("pg_dump"), "--no-owner", "--no-privileges"], env=backup._pg_env(db_url),
                          capture_output=True, check=True)
    return proc.stdout


def found_in(data: bytes) -> list[bytes]:
    return [n for n in needles() if n in data]


def test_erase_on_request_leaves_no_trace_from_any_channel(pctx, client, run_cli, db_url):
    made = resident_everywhere(pctx, client, run_cli)
    assert found_in(stored_bytes(pctx, db_url))  # the test can fail: the data is there first

    code, out, err = run_cli("privacy", "export", "--phone", "１３９ ８７６５ ４３２１", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["phone"] == "139****4321"
    counts = data["counts"]
    assert counts["intake_case"] == 4  # kiosk, staff form, CLI, Open311 (the neighbour's case is not theirs)
    assert counts["intake_case_rating"] == 2 and counts["queue_rating"] == 2 and counts["tt_signup"] == 1
    assert counts["queue_appointment"] == 1 and counts["receipt"] >= 5
    cases = {row["case_no"]: row for t in data["tables"] if t["table"] == "intake_case" for row in t["rows"]}
    assert set(cases) == {made["kiosk"], made["staff"], made["cli"], made["open311"]}
    assert cases[made["kiosk"]]["name_public"] is False and cases[made["kiosk"]]["phone"] == PHONE  # consent is part of it
    assert all("token_sealed" not in row and "idempotency_key" not in row for row in cases.values())

    code, out, err = run_cli("privacy", "erase", "--phone", DASHED)
    assert code == 0 and "would erase" in out and "--yes" in out
    assert json.loads(run_cli("privacy", "export", "--phone", PHONE, "--json")[1])["counts"] == counts  # nothing changed

    code, out, err = run_cli("privacy", "erase", "--phone", TYPED, "--yes")
    assert code == 0, err
    assert out.startswith("erased the personal data of") and "民生诉求 (intake_case): 4" in out
    leftovers = found_in(stored_bytes(pctx, db_url))
    assert leftovers == [], leftovers
    assert json.loads(run_cli("privacy", "export", "--phone", PHONE, "--json")[1])["found"] == 0
    # the cases stay for the statistics, without the resident
    card = intake.card(pctx, made["kiosk"]).case
    assert card.state == "closed" and card.phone is None and card.erased_at is not None
    # the neighbour keeps their own data: only the texts that named our resident went
    neighbour = intake.card(pctx, made["other"])
    assert neighbour.case.phone == "13800001111" and neighbour.ratings[0].comment == ""
    actions = [(r.action, r.target) for r in audit.entries(pctx, action="privacy.")]
    assert ("privacy.erase", "phone:139****4321") in actions and ("privacy.preview", "phone:139****4321") in actions
    assert ("privacy.export", "phone:139****4321") in actions


def test_retention_leaves_no_trace_either(pctx, client, run_cli, db_url):
    made = resident_everywhere(pctx, client, run_cli)
    for no in (made["staff"], made["cli"], made["open311"]):
        _close(pctx, no)
    today = pctx.today()
    # nothing is erased before its time
    assert upkeep.erase_personal_data(pctx) == 0
    assert found_in(stored_bytes(pctx, db_url))
    assert upkeep.erase_personal_data(pctx, now=utcnow() + timedelta(days=366)) == 5
    assert timetable.erase_old_signups(pctx, made["term_end"] + timedelta(days=31)) >= 1
    appointments.close_previous_days(pctx, today + timedelta(days=1))
    assert queue.erase_old_words(pctx, today + timedelta(days=366)) == 2
    leftovers = found_in(stored_bytes(pctx, db_url))
    assert leftovers == [], leftovers
    assert intake.card(pctx, made["kiosk"]).case.state == "archived"


# -- finding 3: each leftover named in the issue --------------------------------------------------------
def _leftovers(ctx, case_no: str, signup_id: int) -> dict:
    with ctx.sessions() as s:
        case = s.scalar(select(Case).where(Case.case_no == case_no))
        receipt = s.get(Receipt, case.receipt_id)
        signup = s.get(Signup, signup_id)
        return {
            "problem": case.problem, "public_summary": case.public_summary, "public_response": case.public_response,
            "notes": [e.note for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action != "erase"))
                      if e.note],
            "comments": [r.comment for r in s.scalars(select(CaseRating).where(CaseRating.case_id == case.id)) if r.comment],
            "receipt_lines": [line for line in receipt.lines if line.startswith("问题")],
            "signup_surname": signup.surname, "signup_phone": signup.phone,
            "signup_receipt": bool(s.get(Receipt, signup.receipt_id).lines),
        }


EMPTY = {"problem": "", "public_summary": "", "public_response": "", "notes": [], "comments": [], "receipt_lines": [],
         "signup_surname": "", "signup_phone": None, "signup_receipt": False}


def _finding3_case(ctx) -> tuple[str, int]:
    r = intake.file_case(ctx, _form(phone=PHONE, problem=f"{NAME}{PHONE}", channel="phone"))
    no = r.case.case_no
    intake.transition(ctx, no, "accept", by="staff:clerk", kind="promised")
    intake.transition(ctx, no, "note", by="staff:clerk", note=f"{NAME}说{WORDS}")
    intake.transition(ctx, no, "resolve", by="staff:clerk", response="已修好", summary="楼道灯已修复")
    _legacy_public_text(ctx, no, summary=f"{NAME}{PHONE}", response=f"{NAME}家已修好")
    with ctx.transaction() as s:  # a slip printed before slips stopped carrying typed problems
        case = s.scalar(select(Case).where(Case.case_no == no))
        receipt = s.get(Receipt, case.receipt_id)
        receipt.lines = [*receipt.lines, f"问题：{NAME}{PHONE}"]
    intake.rate(ctx, r.case.id, "satisfied", f"{NAME}很满意")
    with ctx.sessions() as s:
        course = s.scalar(select(Course).join(Term, Term.id == Course.term_id).where(Term.end >= ctx.today()).order_by(Course.id))
    signup = timetable.sign_up(ctx, course.id, PHONE, surname="李")
    return no, signup.signup.id


def test_finding3_erase_on_request_blanks_every_column_the_issue_names(pctx):
    no, signup_id = _finding3_case(pctx)
    before = _leftovers(pctx, no, signup_id)
    assert before["problem"] == f"{NAME}{PHONE}" and before["public_summary"] and before["notes"] and before["comments"]
    assert before["receipt_lines"] and before["signup_surname"] == "李"
    report = privacy.erase(pctx, PHONE, actor="test", confirm=True)
    assert report.counts["intake_case"] == 1 and report.counts["tt_signup"] == 1
    assert _leftovers(pctx, no, signup_id) == EMPTY


def test_finding3_retention_blanks_every_column_the_issue_names(pctx):
    no, signup_id = _finding3_case(pctx)
    with pctx.sessions() as s:
        end = s.scalar(select(Term.end).join(Course, Course.term_id == Term.id).join(Signup, Signup.course_id == Course.id)
                       .where(Signup.id == signup_id))
    assert upkeep.erase_personal_data(pctx, now=utcnow() + timedelta(days=366)) == 1
    assert timetable.erase_old_signups(pctx, end + timedelta(days=31)) >= 1
    assert _leftovers(pctx, no, signup_id) == EMPTY


def test_queue_retention_keeps_fresh_words_and_erases_old_ones(pctx):
    ticket = queue.take_ticket(pctx, "A").ticket
    _serve_all(pctx, {ticket.id})
    queue.rate(pctx, ticket.id, 1, WORDS)
    today = pctx.today()
    assert queue.erase_old_words(pctx, today + timedelta(days=365)) == 0
    assert queue.erase_old_words(pctx, today + timedelta(days=366)) == 1
    with pctx.sessions() as s:
        rating = s.scalar(select(QueueRating).where(QueueRating.ticket_id == ticket.id))
    assert rating.reason == "" and rating.level == 1


def test_appointment_phones_go_through_the_same_routine(pctx):
    appointments.book(pctx, "A", datetime(2026, 11, 30, 10, 0, tzinfo=pctx.settings.tz), phone=PHONE)
    appointments.close_previous_days(pctx, pctx.today())
    with pctx.sessions() as s:
        assert s.scalar(select(QueueAppointment.phone)) == PHONE
    appointments.close_previous_days(pctx, pctx.today() + timedelta(days=1))
    with pctx.sessions() as s:
        assert s.scalar(select(QueueAppointment.phone)) == ""


# -- the command's contract -----------------------------------------------------------------------------
def test_unknown_phone_gives_an_empty_result_and_exit_0(pctx, run_cli):
    code, out, err = run_cli("privacy", "export", "--phone", "13700000000", "--json")
    assert code == 0 and json.loads(out) == {"phone": "137****0000", "found": 0, "erased": False, "counts": {}, "tables": []}
    code, out, _ = run_cli("privacy", "export", "--phone", "13700000000")
    assert code == 0 and out.strip() == "nothing is held about 137****0000"
    code, out, _ = run_cli("privacy", "erase", "--phone", "13700000000", "--yes")
    assert code == 0 and "nothing to erase" in out


def test_a_bad_phone_is_refused_with_a_clear_message(pctx, run_cli):
    code, out, err = run_cli("privacy", "erase", "--phone", "12345", "--yes")
    assert code == 2 and "电话号码无效" in err and "invalid phone number" in err and out == ""


def test_erase_json_and_audit_never_hold_the_phone_in_clear(pctx, run_cli):
    intake.file_case(pctx, _form(phone=PHONE, description=WORDS))
    code, out, _ = run_cli("privacy", "erase", "--phone", PHONE, "--yes", "--json")
    data = json.loads(out)
    assert code == 0 and data["erased"] is True and data["counts"]["intake_case"] == 1 and PHONE not in out
    assert all("rows" not in t for t in data["tables"])
    rows = audit.entries(pctx, action="privacy.erase")
    assert len(rows) == 1 and rows[0].target == "phone:139****4321" and rows[0].actor.startswith("cli:")
    assert PHONE not in json.dumps(rows[0].as_json(), ensure_ascii=False)


def test_sqlite_zeroes_freed_space_on_every_connection(pctx):
    assert privacy.secure_delete_on(pctx.engine)


# -- the staff page --------------------------------------------------------------------------------------
def test_staff_page_is_for_admins_only(pctx, client):
    assert client.get("/staff/privacy", follow_redirects=False).status_code == 303  # to the login
    login(client, "clerk")
    assert client.get("/staff/privacy").status_code == 403


def test_staff_page_looks_up_downloads_and_erases_with_a_confirmation(pctx, client):
    r = intake.file_case(pctx, _form(phone=PHONE, description=WORDS))
    token = login(client, "boss")
    page = client.get("/staff/privacy")
    assert page.status_code == 200 and 'name="phone"' in page.text
    assert client.post("/staff/privacy", data={"phone": PHONE}).status_code == 403  # no CSRF token
    bad = client.post("/staff/privacy", data={"phone": "12 34", "csrf_token": token})
    assert bad.status_code == 400 and 'value="12 34"' in bad.text  # what was typed stays
    shown = client.post("/staff/privacy", data={"phone": TYPED, "csrf_token": token})
    assert shown.status_code == 200 and WORDS in shown.text and r.case.case_no in shown.text
    download = client.post("/staff/privacy/export.json", data={"phone": TYPED, "csrf_token": token})
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert PHONE not in download.headers["content-disposition"]
    assert download.json()["counts"]["intake_case"] == 1
    preview = client.post("/staff/privacy/erase", data={"phone": TYPED, "csrf_token": token})
    assert preview.status_code == 200 and 'name="confirm"' in preview.text
    assert intake.card(pctx, r.case.case_no).case.description == WORDS  # nothing changed yet
    done = client.post("/staff/privacy/erase", data={"phone": TYPED, "confirm": "yes", "csrf_token": token})
    assert done.status_code == 200 and "已删除" in done.text
    assert intake.card(pctx, r.case.case_no).case.description is None
    actions = [(e.action, e.actor) for e in audit.entries(pctx, action="privacy.")]
    assert ("privacy.erase", "web:boss") in actions and ("privacy.export", "web:boss") in actions
