"""Hostile input on the timetable (issue 14, finding 8): a week outside the years the product handles,
a line break in a class name (the .ics), and formulas in the sign-up export (CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from kit import login
from sqlalchemy import update
from tthelpers import course_id

from kiosk.plugins.timetable import service
from kiosk.plugins.timetable.models import Course
from kiosk.plugins.timetable.service import TimetableError
from kiosk.staff import set_user
from kiosk.web.app import create_app


@pytest.fixture
def client(tctx):
    with tctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(tctx))


@pytest.fixture
def kiosk(tctx, run_cli):
    return run_cli


# -- weeks ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "1999-W52", "2101-W01"])
def test_a_week_outside_the_years_the_product_handles_is_a_clear_400(tctx, client, kiosk, week):
    page = client.get(f"/classes?week={week}")  # 0001-W01 was a 500: the "previous week" link is before year 1
    assert page.status_code == 400
    assert "日期超出范围" in page.text and "2000–2100" in page.text and 'href="/classes"' in page.text
    english = client.get(f"/classes?week={week}&lang=en")
    assert english.status_code == 400 and "out of range" in english.text and "between the years 2000 and 2100" in english.text
    api = client.get(f"/api/classes?week={week}")
    assert api.status_code == 400 and api.json()["error"] == "bad_week" and "日期超出范围" in api.json()["message_zh"]
    code, _out, err = kiosk("classes", "list", "--week", week)
    assert code == 2 and "between the years 2000 and 2100" in err and "Traceback" not in err


def test_a_week_that_is_not_one_is_a_400_too_and_the_edges_of_the_range_work(tctx, client):
    bad = client.get("/classes?week=<b>soon</b>")
    assert bad.status_code == 400 and "没有这一周" in bad.text and "<b>soon" not in bad.text
    for week in ("2000-W01", "2100-W52"):  # the first and last weeks: their pages and neighbours' links render
        assert client.get(f"/classes?week={week}").status_code == 200
    assert client.get("/classes?week=2026-W49").status_code == 200


def test_a_session_day_outside_the_range_is_refused_on_the_staff_pages(tctx, client, kiosk):
    calligraphy = course_id(tctx, "书法")
    path = f"/staff/classes/course/{calligraphy}"
    csrf = login(client, page=path)
    slot = service.course_info(tctx, calligraphy).slots[0].id
    r = client.post(f"/staff/classes/session/{slot}/0001-01-01/cancel", data={"csrf_token": csrf, "reason": "x"}, follow_redirects=True)
    assert r.status_code == 200 and "日期超出范围" in r.text
    code, _out, err = kiosk("classes", "cancel-session", str(slot), "9999-12-31", "--reason", "x")
    assert code == 2 and "out of range" in err


# -- a line break in a class name ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["书法\r\nX-EVIL:1", "书法\t班", "书\r法", "书\x00法", "书\u2028法", "书\u202e法"])
def test_a_class_name_with_a_control_character_is_refused_everywhere_it_is_typed(tctx, client, kiosk, name):
    calligraphy = course_id(tctx, "书法")
    with pytest.raises(TimetableError) as refused:
        service.update_course(tctx, calligraphy, name=name)
    assert refused.value.code == "bad_name" and "控制字符" in refused.value.zh
    with pytest.raises(TimetableError):
        service.add_course(tctx, "2026 秋季学期", name, "书画教室", 10)
    with pytest.raises(TimetableError):
        service.add_course(tctx, "2026 秋季学期", "新课", "书画教室", 10, name_en=name)
    path = f"/staff/classes/course/{calligraphy}"
    csrf = login(client, page=path)
    r = client.post(f"{path}/edit", data={"name": name, "bring": "毛笔；宣纸", "capacity": "22", "csrf_token": csrf})
    assert r.status_code == 400 and "课程名称不能含有换行" in r.text and 'value="毛笔；宣纸"' in r.text  # the form keeps what was typed
    code, _out, err = kiosk("classes", "edit-course", str(calligraphy), "--name", name)
    assert code == 2 and "control characters" in err
    assert service.course_info(tctx, calligraphy).course.name == "书法"


def test_a_line_break_already_stored_in_a_name_still_gives_a_valid_calendar(tctx, client):
    """A row from before names were checked: the .ics is folded and escaped, never a 500 or an injected line."""
    calligraphy = course_id(tctx, "书法")
    with tctx.transaction() as s:
        s.execute(update(Course).where(Course.id == calligraphy).values(name="书法\r\nX-EVIL:1\rBEGIN:VALARM\x07;,\\"))
    mine = service.sign_up(tctx, calligraphy, "13812345678", "王")
    token = mine.url.rsplit("/t/", 1)[1]
    for path in (f"/classes/ics/course/{calligraphy}.ics", "/classes/ics/all.ics", f"/classes/signup/{token}.ics"):
        r = client.get(path)
        assert r.status_code == 200, path
        raw = r.content
        assert b"\r\nX-EVIL" not in raw and b"\nBEGIN:VALARM" not in raw and b"\x07" not in raw
        assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded: at most 75 octets a line
        cal = Calendar.from_ical(raw)
        summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
        assert "书法 X-EVIL:1 BEGIN:VALARM ;,\\" in summaries
        assert not cal.walk("VALARM") and "X-EVIL" not in cal.walk("VEVENT")[0]
    name = str(Calendar.from_ical(client.get(f"/classes/ics/course/{calligraphy}.ics").content)["X-WR-CALNAME"])
    assert name.startswith("书法 X-EVIL:1 BEGIN:VALARM")


# -- CSV injection ---------------------------------------------------------------------------------
FORMULAS = ["=1+2", "+1", "-1+", "@SUM", "\t=1", "\r=1", "＝1"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_sign_up_export_neutralises_formulas_on_the_web_and_in_the_cli(tctx, client, kiosk):
    calligraphy = course_id(tctx, "书法")
    service.update_course(tctx, calligraphy, name='=HYPERLINK("http://evil.example","点我")')
    for i, surname in enumerate(FORMULAS):
        service.sign_up(tctx, calligraphy, f"1381234{i:04d}", surname)
    path = f"/staff/classes/course/{calligraphy}"
    login(client, page=path)
    r = client.get(f"{path}/signups.csv")
    assert r.status_code == 200 and r.text.startswith("\ufeff序号")
    code, out, _ = kiosk("classes", "export", str(calligraphy))
    assert code == 0
    for rows in (_cells(r.text), _cells(out)):
        body = rows[1:]
        assert {"'" + service.clean_surname(s) for s in FORMULAS} <= {row[3] for row in body}  # "\t=1" is stored as "=1"
        assert all(row[7] == "'=HYPERLINK(\"http://evil.example\",\"点我\")" for row in body)
        for row in rows:  # no cell a spreadsheet would evaluate
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝")) for cell in row), row
