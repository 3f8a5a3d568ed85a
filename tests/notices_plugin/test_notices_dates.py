"""A notice's start or end outside the years the product handles (issue 14, finding 8): year 1 overflowed on
the way to UTC (a 500 on the staff form, a traceback in the CLI); now it is a refusal in the staff's language
and the form keeps what was typed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from kit import login

from kiosk.plugins.notices import service
from kiosk.plugins.notices.service import NoticeError
from kiosk.web.app import create_app

OUT_OF_RANGE = [("0001-01-01T00:00", ""), ("0001-01-01", ""), ("2026-12-01T09:00", "9999-12-31"),
                ("2026-12-01T09:00", "9999-12-31T23:59"), ("1999-12-31T23:00+08:00", ""), ("2026-12-01", "2101-01-01")]


@pytest.fixture
def client(nctx):
    return TestClient(create_app(nctx))


@pytest.fixture
def kiosk(nctx, run_cli):
    return run_cli


@pytest.mark.parametrize("start,end", OUT_OF_RANGE)
def test_a_start_or_end_outside_the_years_is_refused_in_the_service(nctx, start, end):
    with pytest.raises(NoticeError) as refused:
        service.create(nctx, board="notice", title="社区义诊", body="周三", start=start, end=end or None, by="clerk")
    assert refused.value.code == "bad_time" and "日期超出范围" in refused.value.zh and "2000 and 2100" in refused.value.en
    assert service.all_notices(nctx) == []


@pytest.mark.parametrize("start,end", OUT_OF_RANGE[:3])
def test_the_staff_form_refuses_it_and_keeps_what_was_typed(nctx, client, start, end):
    csrf = login(client, page="/staff/notices/new")
    data = {"csrf_token": csrf, "board": "notice", "title": "社区义诊", "body": "周三上午在大厅", "start": start, "end": end,
            "season": "", "action": "publish"}
    r = client.post("/staff/notices/new", data=data)
    assert r.status_code == 400 and "日期超出范围" in r.text
    assert 'value="社区义诊"' in r.text and "周三上午在大厅" in r.text and f'value="{start}"' in r.text
    preview = client.post("/staff/notices/new", data=data | {"action": "preview"})
    assert preview.status_code in (200, 400) and "Traceback" not in preview.text
    english = client.post("/staff/notices/new?lang=en", data=data)
    assert english.status_code == 400 and "between the years 2000 and 2100" in english.text
    assert service.all_notices(nctx) == []


def test_the_cli_refuses_it_in_one_line(nctx, kiosk):
    code, out, err = kiosk("notices", "add", "--board", "notice", "--title", "t", "--body", "x", "--start", "0001-01-01T08:00")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "2000 and 2100" in err
    code, out, _ = kiosk("notices", "add", "--board", "notice", "--title", "t", "--body", "x", "--json")
    notice_id = str(json.loads(out)["id"])
    code, _out, err = kiosk("notices", "edit", notice_id, "--end", "9999-12-31", "--by", "admin")
    assert code == 2 and "2000 and 2100" in err


def test_the_last_day_of_the_range_is_accepted(nctx):
    notice = service.create(nctx, board="notice", title="长期公告", body="x", start="2000-01-01", end="2100-12-31", by="clerk")
    assert notice.end_at.year == 2100 and notice.start_at.year == 1999  # local midnight of 1 January 2000 is 16:00 UTC the day before
