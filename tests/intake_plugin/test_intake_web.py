"""The intake on the web: tracking page, rating, look-up by number, the staff desk, Open311, privacy."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from intake_forms import form
from kit import CSRF, login

from kiosk.plugins.intake import open311, service
from kiosk.staff import set_user
from kiosk.web.app import create_app

PHONE = "13812345678"


@pytest.fixture
def client(ictx):
    with ictx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
        set_user(s, "boss", "boss-password", role="admin")
    return TestClient(create_app(ictx))


def path_of(url: str) -> str:
    return "/t/" + url.rsplit("/t/", 1)[1]


def resolved(ictx, **over):
    r = service.file_case(ictx, form(phone=PHONE, **over))
    no = r.case.case_no
    service.transition(ictx, no, "accept", by="x", kind="promised")
    service.transition(ictx, no, "start", by="x")
    service.transition(ictx, no, "resolve", by="x", response="已更换楼道灯", summary="楼道灯不亮")
    return r


def test_tracking_page_shows_the_steps_and_no_personal_data(ictx, client):
    r = service.file_case(ictx, form(phone=PHONE, surname="张", title="先生", flat="302", description="我家在三楼"))
    page = client.get(path_of(r.url))
    assert page.status_code == 200
    text = page.text
    assert r.case.case_no in text and "民生受理" in text and "限期办理" in text and "公示反馈" in text and "跟踪监督" in text
    assert "第二先锋队" in text and "2026-12-07" in text and "138****5678" in text
    for personal in (PHONE, "张先生", "302", "我家在三楼"):
        assert personal not in text


def test_rating_from_the_tracking_page(ictx, client):
    r = resolved(ictx)
    token = r.url.rsplit("/", 1)[1]
    page = client.get(path_of(r.url))
    assert f"/cases/rate/{token}" in page.text
    form_page = client.get(f"/cases/rate/{token}")
    csrf = CSRF.search(form_page.text).group(1)
    bad = client.post(f"/cases/rate/{token}", data={"level": "unsatisfied", "comment": "", "csrf_token": csrf})
    assert bad.status_code == 400 and "请简单说说" in bad.text
    ok = client.post(f"/cases/rate/{token}", data={"level": "basic", "comment": "还行", "csrf_token": csrf})
    assert ok.status_code == 200 and "谢谢您的评价" in ok.text
    assert service.card(ictx, r.case.case_no).case.state == "closed"
    again = client.post(f"/cases/rate/{token}", data={"level": "satisfied", "csrf_token": csrf})
    assert again.status_code == 409
    no_csrf = client.post(f"/cases/rate/{token}", data={"level": "satisfied"})
    assert no_csrf.status_code == 403


def test_lookup_by_number_needs_the_last_four_digits_and_is_limited(ictx, client):
    r = service.file_case(ictx, form(phone=PHONE))
    csrf = CSRF.search(client.get("/cases/lookup").text).group(1)
    good = client.post("/cases/lookup", data={"case_no": r.case.case_no.lower(), "last4": "5678", "csrf_token": csrf}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"].startswith("/t/")
    assert r.case.case_no in client.get(good.headers["location"]).text
    codes = [client.post("/cases/lookup", data={"case_no": r.case.case_no, "last4": "0000", "csrf_token": csrf}).status_code for _ in range(6)]
    assert codes[:5] == [404] * 5 and codes[5] == 429
    locked = client.post("/cases/lookup", data={"case_no": r.case.case_no, "last4": "5678", "csrf_token": csrf})
    assert locked.status_code == 429  # even the right digits wait after five wrong tries


def test_staff_desk_needs_login_and_lists_overdue_first(ictx, client, monkeypatch):
    assert client.get("/staff/cases", follow_redirects=False).status_code in (302, 303, 401)
    late = service.file_case(ictx, form(category="env", problem="垃圾未清运")).case.case_no
    fresh = service.file_case(ictx, form(category="suggest", problem="社区活动建议")).case.case_no
    for no in (late, fresh):
        service.transition(ictx, no, "accept", by="x", kind="promised")
    monkeypatch.setenv("KIOSK_NOW", "2026-12-08T09:00:00+08:00")
    login(client)
    desk = client.get("/staff/cases").text
    assert desk.index(late) < desk.index(fresh) and "已超期" in desk
    sup = client.get("/staff/cases/supervision").text
    assert late in sup and fresh not in sup


def test_staff_files_from_another_channel_and_a_bad_form_keeps_what_was_typed(ictx, client):
    csrf = login(client)
    bad = client.post("/staff/cases/new", data={"csrf_token": csrf, "channel": "diary", "category": "repair", "problem": "屋顶漏水",
                                                "building": "12", "unit": "9", "phone": "12", "description": "顶楼漏雨"})
    assert bad.status_code == 400
    assert "单元号应为" in bad.text and "手机号" in bad.text or "11" in bad.text
    assert 'value="屋顶漏水"' in bad.text and "顶楼漏雨" in bad.text
    ok = client.post("/staff/cases/new", data={"csrf_token": csrf, "channel": "diary", "category": "repair", "problem": "屋顶漏水",
                                               "building": "12", "unit": "1", "phone": "", "description": "顶楼漏雨"}, follow_redirects=False)
    assert ok.status_code == 303
    no = ok.headers["location"].rsplit("/", 1)[1]
    assert service.card(ictx, no).case.channel == "diary"


def test_staff_transitions_on_the_case_page(ictx, client):
    csrf = login(client)
    no = service.file_case(ictx, form()).case.case_no
    page = client.get(f"/staff/cases/{no}").text
    assert "受理" in page and "/publish" not in page  # only the allowed actions are offered
    r = client.post(f"/staff/cases/{no}/publish", data={"csrf_token": csrf})
    assert r.status_code == 409 and "不能公示" in r.text
    r = client.post(f"/staff/cases/{no}/accept", data={"csrf_token": csrf, "kind": "", "note": "好"})
    assert r.status_code == 400 and "请选择件别" in r.text
    r = client.post(f"/staff/cases/{no}/accept", data={"csrf_token": csrf, "kind": "promised", "team": "T3", "due": "2026-12-04"},
                    follow_redirects=False)
    assert r.status_code == 303
    c = service.card(ictx, no)
    assert c.case.state == "accepted" and c.case.team_code == "T3" and str(c.case.due_date) == "2026-12-04"
    assert c.events[-1].by == "staff:clerk"


def test_routing_page_edits_need_an_admin(ictx, client):
    csrf = login(client)
    assert client.post("/staff/cases/routing", data={"csrf_token": csrf, "building": "12", "team": "T6"}).status_code == 403
    csrf = login(client, "boss")
    r = client.post("/staff/cases/routing", data={"csrf_token": csrf, "building": "12", "team": "T6"}, follow_redirects=False)
    assert r.status_code == 303
    assert service.file_case(ictx, form()).team.code == "T6"
    from kiosk import audit

    assert [(r.actor, r.action, r.target, r.detail["team"]) for r in audit.entries(ictx, action="setup.")] == [
        ("web:boss", "setup.routing", "building:12", "T6")]  # the clerk's refused try left nothing


def test_report_page_has_a_chart(ictx, client):
    for _ in range(2):
        service.file_case(ictx, form())
    login(client)
    page = client.get("/staff/cases/report?start=2026-11-01&end=2026-11-30").text
    assert "<svg" in page and "设施维修" in page and "12号楼" in page


def test_published_outcome_reaches_the_notices_board_masked(ictx, client):
    consented = resolved(ictx, surname="张", title="先生", name_public=True, flat="302")
    private = resolved(ictx, surname="李", title="女士", name_public=False)
    aid = resolved(ictx, category="aid", problem="需要上门帮扶", surname="王", name_public=True)
    for r in (consented, private, aid):
        service.transition(ictx, r.case.case_no, "publish", by="x")
    board = client.get("/cases/public").text
    assert "张*先生" in board and "已更换楼道灯" in board and "12号楼" in board
    assert "李" not in board and "王" not in board and PHONE not in board and "302" not in board
    assert aid.case.case_no not in board and "帮扶救助类诉求已办结 1 件" in board
    notices_board = client.get("/notices?board=outcomes").text  # the notices plugin, through kiosk_public_outcomes
    assert "设施维修 · 12号楼" in notices_board and "帮扶救助类诉求已办结 1 件" in notices_board and PHONE not in notices_board
    entry = client.get(f"/notices/outcome/intake/{consented.case.case_no}").text
    assert "张*先生" in entry and "已更换楼道灯" in entry and PHONE not in entry and "302" not in entry


def test_open311(ictx, client):
    services = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} >= {"repair", "env", "aid"}
    definition = client.get("/open311/v2/services/repair.json").json()
    assert definition["attributes"][0]["code"] == "building" and len(definition["attributes"][0]["values"]) == 39
    assert client.get("/open311/v2/services/nope.json").status_code == 404
    # POST needs a key; personal data is accepted and never returned
    assert client.post("/open311/v2/requests.json", data={"service_code": "repair"}).status_code == 403
    key = open311.create_api_key(ictx, "12345 hotline")
    bad = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "repair", "attribute[building]": "99", "phone": "1"})
    assert bad.status_code == 400 and any("building" in e["description"] for e in bad.json())
    made = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "repair", "attribute[building]": "12",
                                                          "attribute[problem]": "楼道灯不亮", "phone": PHONE, "last_name": "赵",
                                                          "description": "三楼灯坏了"})
    assert made.status_code == 200
    no = made.json()[0]["service_request_id"]
    assert service.card(ictx, no).case.channel == "open311" and service.card(ictx, no).case.phone == PHONE
    one = client.get(f"/open311/v2/requests/{no}.json").json()[0]
    assert one["status"] == "open" and one["status_notes"] == "已提交，待受理"
    listed = client.get("/open311/v2/requests.json").json()
    assert listed == []  # nothing published yet
    r = resolved(ictx, surname="张", name_public=True)
    service.transition(ictx, r.case.case_no, "publish", by="x")
    listed = client.get("/open311/v2/requests.json").json()
    assert [x["service_request_id"] for x in listed] == [r.case.case_no]
    assert listed[0]["status"] == "closed" and listed[0]["service_notice"] == "已更换楼道灯" and listed[0]["address"] == "12号楼"
    dump = json.dumps(listed, ensure_ascii=False) + json.dumps(one, ensure_ascii=False)
    assert PHONE not in dump and "赵" not in dump and "三楼灯坏了" not in dump and "张" not in dump
    assert client.get("/open311/v2/requests.json?status=open").json() == []
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400


def test_the_full_phone_number_is_shown_only_on_request_and_every_view_is_audited(ictx, client):
    from kiosk import audit

    login(client)
    no = service.file_case(ictx, form(phone=PHONE)).case.case_no
    page = client.get(f"/staff/cases/{no}").text
    assert "138****5678" in page and PHONE not in page  # before: the case page carried it in a tel: link
    assert audit.entries(ictx, action="phone.") == []
    shown = client.get(f"/staff/cases/{no}/phone")
    assert shown.status_code == 200 and f'href="tel:{PHONE}"' in shown.text and "审计日志" in shown.text
    client.get(f"/staff/cases/{no}/phone")
    views = audit.entries(ictx, action="phone.view")
    assert [(r.actor, r.target) for r in views] == [("web:clerk", f"case:{no}")] * 2
    assert all(PHONE not in str(r.as_json()) for r in views)  # the log names the case, never the number
    assert client.get("/staff/cases/HX-2099-9999/phone").status_code == 404
    anonymous = TestClient(client.app)
    r = anonymous.get(f"/staff/cases/{no}/phone", follow_redirects=False)
    assert r.status_code == 303 and PHONE not in r.text
    assert len(audit.entries(ictx, action="phone.view")) == 2
