"""Dates outside the years the product handles (issue 14, finding 8): an Open311 date range ending in
9999 and a due date of 9999-12-31 (then extended) were unhandled errors; now they are clear refusals."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from intake_forms import form
from kit import login

from kiosk.plugins.intake import service
from kiosk.plugins.intake.validation import Invalid
from kiosk.staff import set_user
from kiosk.web.app import create_app


@pytest.fixture
def client(ictx):
    with ictx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(ictx))


@pytest.fixture
def kiosk(ictx, run_cli):
    return run_cli


@pytest.mark.parametrize("query", ["end_date=9999-12-31T23:59:59-14:00", "start_date=0001-01-01T00:00:00%2B14:00",
                                   "start_date=2026-01-01T00:00:00Z&end_date=2101-01-01T00:00:00Z"])
def test_an_open311_date_range_outside_the_years_is_a_400_with_a_description(ictx, client, query):
    r = client.get(f"/open311/v2/requests.json?{query}")
    assert r.status_code == 400
    description = r.json()[0]["description"]
    assert r.json()[0]["code"] == 400 and "2000–2100" in description and "between the years 2000 and 2100" in description


def test_an_open311_range_inside_the_years_still_works(ictx, client):
    r = client.get("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2100-12-31T23:59:59-14:00")
    assert r.status_code == 200 and r.json() == []


def test_a_due_date_in_year_9999_is_refused_so_an_extension_cannot_overflow(ictx, client, kiosk):
    no = service.file_case(ictx, form()).case.case_no
    with pytest.raises(Invalid) as refused:
        service.transition(ictx, no, "accept", by="x", kind="promised", due=date(9999, 12, 31))
    assert refused.value.errors[0].field == "due" and "日期超出范围" in refused.value.errors[0].zh
    csrf = login(client, page="/staff/cases/new")
    r = client.post(f"/staff/cases/{no}/accept", data={"csrf_token": csrf, "kind": "promised", "team": "T3", "due": "9999-12-31",
                                                        "note": "先修楼道灯"})
    assert r.status_code == 400 and "日期超出范围" in r.text
    assert 'value="9999-12-31"' in r.text and "先修楼道灯" in r.text  # the refused form keeps what was typed
    code, _out, err = kiosk("cases", "accept", no, "--kind", "promised", "--due", "9999-12-31")
    assert code == 2 and "between the years 2000 and 2100" in err
    assert service.card(ictx, no).case.state == "submitted"
    # The last day the product handles is accepted, and extending it works.
    service.transition(ictx, no, "accept", by="x", kind="promised", due=date(2100, 12, 31))
    case = service.transition(ictx, no, "extend", by="x", days=3, note="配件缺货")
    assert case.due_date > date(2100, 12, 31)
