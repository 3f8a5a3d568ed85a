"""Issue 14, findings 1 and 5: the public side of the intake cannot be turned against residents.

Finding 1: ``李秀英13987654321`` typed as the problem (CLI ``--problem``, the staff 登记诉求 form, Open311
``attribute[problem]``) became the public summary of the resolved case and reached the 公示 board, the
outcome page, the Atom feed, Open311 and the slip. Finding 5: Open311 ``requests/{id}`` showed unpublished
cases (category, building, team) — also of private categories. Each test below replays the attack.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from intake_forms import form
from kit import login

from kiosk import hookimpl
from kiosk.models import Receipt
from kiosk.plugins.intake import open311, service
from kiosk.plugins.intake.models import Case
from kiosk.staff import set_user
from kiosk.types import PublicOutcome
from kiosk.web.app import create_app

NAME, PHONE = "李秀英", "13987654321"
LEAK = NAME + PHONE
RESIDENT_PHONE = "13812345678"


@pytest.fixture
def client(ictx):
    with ictx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(ictx))


def file_through(channel: str, ictx, client: TestClient, run_cli) -> str:
    """File the case of finding 1 through ``channel``; its case number."""
    if channel == "cli":
        code, out, err = run_cli("cases", "file", "--category", "repair", "--building", "12", "--unit", "2", "--phone", RESIDENT_PHONE,
                                 "--problem", LEAK, "--json")
        assert code == 0, err
        return json.loads(out)["case_no"]
    if channel == "staff":
        csrf = login(client)
        r = client.post("/staff/cases/new", data={"csrf_token": csrf, "channel": "walk-in", "category": "repair", "problem": LEAK,
                                                  "building": "12", "unit": "2", "phone": RESIDENT_PHONE}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return r.headers["location"].rsplit("/", 1)[1]
    key = open311.create_api_key(ictx, "12345 hotline")
    r = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "repair", "attribute[building]": "12",
                                                       "attribute[problem]": LEAK, "phone": RESIDENT_PHONE})
    assert r.status_code == 200, r.text
    return r.json()[0]["service_request_id"]


def staff_resolve_and_publish(client: TestClient, no: str) -> None:
    """As a clerk does it on the desk: accept, start, resolve and publish, sending the summary the form offers."""
    csrf = login(client)
    for action in ("accept", "start", "resolve", "publish"):
        data = {"accept": {"kind": "promised"}}.get(action, {})
        if action in ("resolve", "publish"):
            html = client.get(f"/staff/cases/{no}").text.split(f"/{no}/{action}", 1)[1].split("</form>", 1)[0]
            summary = re.search(r'name="summary"[^>]*value="([^"]*)"', html)
            response = re.search(r'<textarea name="response"[^>]*>([^<]*)</textarea>', html)
            data = {"summary": summary.group(1)} if summary else {}
            data |= {"response": response.group(1) or "已更换楼道灯"} if response else {}
        r = client.post(f"/staff/cases/{no}/{action}", data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == 303, (action, r.text[-2000:])


def public_surfaces(ictx, client: TestClient, no: str) -> dict[str, str]:
    """Everything an anonymous reader can get about the case, and its slip."""
    anonymous = TestClient(client.app)
    out = {path: anonymous.get(path).text for path in (
        "/cases/public", "/cases/public?lang=en", f"/notices/outcome/intake/{no}", "/notices?board=outcomes", "/notices/feed/outcomes.atom",
        "/open311/v2/requests.json", f"/open311/v2/requests/{no}.json", f"/open311/v2/requests.json?service_request_id={no}")}
    with ictx.sessions() as s:
        case = s.query(Case).filter_by(case_no=no).one()
        receipt = s.get(Receipt, case.receipt_id) if case.receipt_id else None
        out["slip"] = " ".join([receipt.title, receipt.number, *receipt.lines]) if receipt else ""
    return out


@pytest.mark.parametrize("channel", ["cli", "staff", "open311"])
def test_finding_1_a_typed_name_and_phone_reach_no_public_surface(ictx, client, run_cli, channel):
    no = file_through(channel, ictx, client, run_cli)
    staff_resolve_and_publish(client, no)
    shown = public_surfaces(ictx, client, no)
    assert no in shown["/cases/public"] and no in shown["/notices/feed/outcomes.atom"]  # it is published: the check is not vacuous
    assert shown["slip"], "the case has a slip"
    for where, text in shown.items():
        assert PHONE not in text and NAME not in text, where
    # a case without a staff-written summary shows its category, state and dates only
    assert "诉求：" not in shown["/cases/public"] and "设施维修" in shown["/cases/public"]
    assert json.loads(shown[f"/open311/v2/requests/{no}.json"])[0]["description"] == ""


def test_finding_1_the_resident_sees_their_words_on_their_own_page_with_the_phone_masked(ictx, client):
    r = service.file_case(ictx, form(problem=LEAK, phone=RESIDENT_PHONE))
    token_page = client.get("/t/" + r.url.rsplit("/t/", 1)[1]).text
    assert NAME in token_page and PHONE not in token_page and "*" * len(PHONE) in token_page


def test_resolving_with_personal_data_is_refused_naming_it_and_the_form_keeps_the_text(ictx, client):
    r = service.file_case(ictx, form(problem="楼道灯不亮", phone=RESIDENT_PHONE, surname="王", title="女士"))
    no = r.case.case_no
    service.transition(ictx, no, "accept", by="x", kind="promised")
    csrf = login(client)
    typed = "王女士（139 8765 4321）反映楼道灯不亮"
    page = client.post(f"/staff/cases/{no}/resolve", data={"csrf_token": csrf, "summary": typed, "response": "已修好，请拨０１０-６２０１２３４５"})
    assert page.status_code == 400
    text = page.text
    assert "公示摘要中含有个人信息" in text and "手机号" in text and "居民本人的姓名" in text
    assert "答复中含有个人信息" in text and "固定电话" in text
    assert f'value="{typed}"' in text and "已修好，请拨０１０-６２０１２３４５" in text  # nothing typed is lost
    assert service.card(ictx, no).case.state == "accepted"
    en = client.post(f"/staff/cases/{no}/resolve?lang=en", data={"csrf_token": csrf, "summary": typed, "response": "已修好"}).text
    assert "Personal data in the public summary:" in en and "mobile number (…21)" in en
    ok = client.post(f"/staff/cases/{no}/resolve", data={"csrf_token": csrf, "summary": "12号楼楼道灯不亮", "response": "已修好"},
                     follow_redirects=False)
    assert ok.status_code == 303 and service.card(ictx, no).case.public_summary == "12号楼楼道灯不亮"


def test_a_summary_copying_the_residents_own_words_is_refused(ictx):
    r = service.file_case(ictx, form(problem="李秀英家门口的路灯坏了", description="我家门口的路灯坏了三天了"))
    no = r.case.case_no
    service.transition(ictx, no, "accept", by="x", kind="promised")
    for copied in ("李秀英家门口的路灯坏了", "我家门口的路灯坏了三天了"):
        with pytest.raises(service.Invalid) as info:
            service.transition(ictx, no, "resolve", by="x", summary=copied, response="已修好")
        assert "照抄居民的原话" in info.value.for_field("summary").zh
    service.transition(ictx, no, "resolve", by="x", summary="", response="已修好")  # no summary: category only
    assert service.card(ictx, no).case.public_summary == ""


def test_cli_publish_is_refused_while_the_texts_hold_personal_data_and_takes_a_corrected_summary(ictx, run_cli):
    r = service.file_case(ictx, form())
    no = r.case.case_no
    for action, kw in (("accept", {"kind": "promised"}), ("start", {}), ("resolve", {"summary": "楼道灯", "response": "已修好"})):
        service.transition(ictx, no, action, by="x", **kw)
    with ictx.transaction() as s:  # written before the guard existed
        s.query(Case).filter_by(case_no=no).one().public_summary = f"{NAME}电话{PHONE}"
    code, _out, err = run_cli("cases", "publish", no)
    assert code != 0 and "mobile number" in err and PHONE not in err
    assert service.card(ictx, no).case.state == "resolved"
    code, _out, err = run_cli("cases", "publish", no, "--summary", "楼道灯不亮")
    assert code == 0, err
    assert service.card(ictx, no).case.public_summary == "楼道灯不亮"


def test_texts_that_still_hold_personal_data_are_dropped_from_every_public_projection(ictx, client):
    r = service.file_case(ictx, form(phone=RESIDENT_PHONE, surname="欧阳", title="女士"))
    no = r.case.case_no
    for action, kw in (("accept", {"kind": "promised"}), ("start", {}), ("resolve", {"summary": "楼道灯", "response": "已修好"}),
                       ("publish", {})):
        service.transition(ictx, no, action, by="x", **kw)
    with ictx.transaction() as s:  # texts changed behind the guard's back (an old row, a manual fix in the database)
        case = s.query(Case).filter_by(case_no=no).one()
        case.public_summary = "欧阳女士反映楼道灯不亮"
        case.public_response = "已修好，身份证 11010519491231002X 已登记，卡号 6222 0202 0000 0000 006"
    shown = public_surfaces(ictx, client, no)
    assert no in shown["/cases/public"]
    for where, text in shown.items():
        assert "欧阳" not in text and "11010519491231002X" not in text and "6222 0202" not in text, where
    listed = json.loads(shown["/open311/v2/requests.json"])[0]
    assert listed["description"] == "" and listed["service_notice"] == ""


class LeakyPlugin:
    """A plugin that publishes an outcome with a phone in it: the notices board must not show it."""

    @hookimpl
    def kiosk_public_outcomes(self, ctx, lang):
        when = datetime.fromisoformat("2026-11-29T10:00:00+08:00")
        return [PublicOutcome(id="leak", title="楼道灯已修好", body=f"联系 139-8765-4321 {NAME}", published_at=when),
                PublicOutcome(id="fine", title="路灯已修好", body="2026年11月29日已修好", published_at=when)]


def test_the_notices_board_never_shows_an_outcome_that_holds_personal_data(make_host, make_ctx, kiosk_now):
    import kiosk.plugins.notices as notices_plugin

    ctx = make_ctx(make_host(notices=notices_plugin, leaky=LeakyPlugin()))
    web = TestClient(create_app(ctx))
    for path in ("/notices?board=outcomes", "/notices/feed/outcomes.atom"):
        text = web.get(path).text
        assert "路灯已修好" in text and "8765" not in text and "楼道灯已修好" not in text, path
    assert web.get("/notices/outcome/leaky/leak").status_code == 404
    assert web.get("/notices/outcome/leaky/fine").status_code == 200
    error = ctx.last_errors()["leaky"]
    assert "mobile number" in error and "8765" not in error


# -- finding 5: Open311 views of unpublished cases -------------------------------------------------------
def test_finding_5_unpublished_and_private_cases_show_status_and_dates_only(ictx, client):
    key = open311.create_api_key(ictx, "12345 hotline")
    other = open311.create_api_key(ictx, "another app")
    made = {}
    for cat, problem in (("repair", "楼道灯不亮"), ("aid", "需要上门帮扶")):
        r = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": cat, "attribute[building]": "12",
                                                           "attribute[problem]": problem, "phone": RESIDENT_PHONE, "description": "我家三楼"})
        made[cat] = r.json()[0]["service_request_id"]
    service.transition(ictx, made["repair"], "accept", by="x", kind="promised")
    aid = service.file_case(ictx, form(category="aid", problem="需要上门帮扶"))  # a private category, published: still never shown
    for action, kw in (("accept", {"kind": "promised"}), ("start", {}), ("resolve", {"response": "已上门"}), ("publish", {})):
        service.transition(ictx, aid.case.case_no, action, by="x", **kw)
    anonymous = TestClient(client.app)
    for no in (made["repair"], made["aid"], aid.case.case_no):
        for who in ("", f"?api_key={other}"):
            got = anonymous.get(f"/open311/v2/requests/{no}.json{who}")
            assert got.status_code == 200
            row = got.json()[0]
            assert set(row) == {"service_request_id", "status", "status_notes", "requested_datetime", "updated_datetime", "expected_datetime"}
            dump = json.dumps(row, ensure_ascii=False)
            for secret in ("repair", "aid", "设施维修", "帮扶", "12号楼", "先锋队", "我家三楼", RESIDENT_PHONE):
                assert secret not in dump, (no, secret)
    # the key that filed them sees its own requests in full, in the list and one by one (never the phone)
    mine = anonymous.get(f"/open311/v2/requests/{made['repair']}.json?api_key={key}").json()[0]
    assert mine["service_code"] == "repair" and mine["address"] == "12号楼" and mine["agency_responsible"] == "第二先锋队"
    assert "我家三楼" in mine["description"] and mine["status_notes"] == "已受理"
    listed = anonymous.get(f"/open311/v2/requests.json?api_key={key}").json()
    assert {r["service_request_id"] for r in listed} == set(made.values())
    assert all(RESIDENT_PHONE not in json.dumps(r) for r in listed)
    assert anonymous.get("/open311/v2/requests.json").json() == []  # nothing of theirs is public yet
    assert anonymous.get(f"/open311/v2/requests.json?api_key={other}").json() == []
    assert anonymous.get("/open311/v2/requests.json?api_key=k311_wrong").status_code == 403
    assert anonymous.get(f"/open311/v2/requests/{made['aid']}.json?api_key=k311_wrong").status_code == 403
