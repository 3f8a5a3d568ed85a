"""Staff edit terms (dates within their season), rooms and teachers, and delete a room or teacher only
when no class uses it (the refusal names the classes): in the service, with the CLI and on the staff page."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from kit import login
from sqlalchemy import select
from tthelpers import course_id

from kiosk.plugins.timetable import service
from kiosk.plugins.timetable.models import Room, Teacher, Term
from kiosk.plugins.timetable.service import TimetableError
from kiosk.staff import set_user
from kiosk.web.app import create_app

AUTUMN = "2026 秋季学期"


def row(ctx, model, name: str):
    with ctx.sessions() as s:
        return s.scalar(select(model).where(model.name == name))


def test_service_edits_terms_rooms_teachers(tctx):
    term = service.edit_term(tctx, AUTUMN, end=date(2027, 1, 8))
    assert term.end == date(2027, 1, 8) and not [o for o in service.week(tctx, date(2027, 1, 11))]
    for kwargs, code in (({"end": date(2027, 5, 1)}, "outside_season"), ({"start": date(2027, 1, 20)}, "bad_dates"),
                         ({"start": date(2026, 10, 12)}, "outside_term"),  # the 10 Oct 调休 day would fall outside
                         ({"name": "2027 春季学期"}, "exists"), ({"name": " "}, "bad_name")):
        with pytest.raises(TimetableError) as err:
            service.edit_term(tctx, AUTUMN, **kwargs)
        assert err.value.code == code
    assert row(tctx, Term, AUTUMN).end == date(2027, 1, 8)
    service.edit_term(tctx, AUTUMN, name="2026 秋季班")
    assert row(tctx, Term, "2026 秋季班") is not None
    room = service.edit_room(tctx, "多功能厅", name="多功能活动厅", place="妇女儿童家园二楼")
    assert (room.name, room.place) == ("多功能活动厅", "妇女儿童家园二楼")
    assert service.course_info(tctx, course_id(tctx, "亲子阅读夜", "2026 秋季班")).room == "多功能活动厅"
    with pytest.raises(TimetableError) as err:
        service.edit_room(tctx, "多功能活动厅", name="舞蹈教室")
    assert err.value.code == "exists"
    teacher = service.edit_teacher(tctx, "王德福老师", name="王老师", subject="书法、篆刻")
    assert (teacher.name, teacher.subject) == ("王老师", "书法、篆刻")
    with pytest.raises(TimetableError) as err:
        service.edit_teacher(tctx, "王老师", name="")
    assert err.value.code == "bad_name"
    with pytest.raises(TimetableError) as err:
        service.edit_teacher(tctx, "没有这位", name="x")
    assert err.value.code == "unknown_teacher"


def test_delete_only_what_no_class_uses(tctx):
    with pytest.raises(TimetableError) as err:
        service.delete_room(tctx, "书画教室")
    assert err.value.code == "in_use" and "书法" in err.value.zh and "绘画" in err.value.zh and "书法" in err.value.en
    with pytest.raises(TimetableError) as err:
        service.delete_teacher(tctx, "孙志明老师")
    assert err.value.code == "in_use" and "书法" in err.value.zh
    assert row(tctx, Room, "书画教室") is not None and row(tctx, Teacher, "孙志明老师") is not None
    service.delete_room(tctx, "儿童驿站")  # no class there
    service.delete_teacher(tctx, "王德福老师")
    assert row(tctx, Room, "儿童驿站") is None and row(tctx, Teacher, "王德福老师") is None
    with pytest.raises(TimetableError) as err:
        service.delete_room(tctx, "儿童驿站")
    assert err.value.code == "unknown_room"


@pytest.fixture
def kiosk(tctx, run_cli):
    """`kiosk ARGS` on the test's database: (exit code, stdout, stderr)."""
    return run_cli


def test_manage_commands(tctx, kiosk):
    code, out, _ = kiosk("classes", "edit-term", AUTUMN, "--end", "2027-01-08", "--json")
    assert code == 0 and json.loads(out) == {"id": row(tctx, Term, AUTUMN).id, "name": AUTUMN, "season": "autumn-term",
                                              "start": "2026-09-07", "end": "2027-01-08"}
    for bad in (("--end", "2027-05-01"), ("--end", "soon"), ("--name", "")):
        code, out, err = kiosk("classes", "edit-term", AUTUMN, *bad, "--json")
        assert code == 2 and out == "" and err.strip()
    code, out, _ = kiosk("classes", "edit-room", "多功能厅", "--place", "二楼", "--json")
    assert code == 0 and json.loads(out)["place"] == "二楼" and json.loads(out)["name"] == "多功能厅"
    code, out, err = kiosk("classes", "edit-room", "多功能厅", "--name", "舞蹈教室")
    assert code == 2 and "already a room" in err
    code, out, _ = kiosk("classes", "edit-teacher", "王德福老师", "--subject", "篆刻", "--json")
    assert code == 0 and json.loads(out)["subject"] == "篆刻"
    code, _out, err = kiosk("classes", "edit-teacher", "王德福老师")
    assert code == 2 and "nothing to change" in err
    code, _out, err = kiosk("classes", "delete-room", "书画教室")
    assert code == 2 and "still used by" in err and "书法" in err
    code, _out, err = kiosk("classes", "delete-teacher", "孙志明老师")
    assert code == 2 and "still teaches" in err
    code, _out, _ = kiosk("classes", "delete-room", "儿童驿站")
    assert code == 0 and row(tctx, Room, "儿童驿站") is None
    code, _out, _ = kiosk("classes", "delete-teacher", "王德福老师")
    assert code == 0 and row(tctx, Teacher, "王德福老师") is None


@pytest.fixture
def client(tctx):
    with tctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(tctx))


def test_staff_page_edits_and_deletes(tctx, client):
    csrf = login(client)
    term, hall, wang = row(tctx, Term, AUTUMN).id, row(tctx, Room, "多功能厅").id, row(tctx, Teacher, "王德福老师").id
    page = client.get("/staff/classes").text
    assert f'/staff/classes/term/{term}/edit' in page and f'/staff/classes/room/{hall}/delete' in page
    # Without the CSRF field nothing changes.
    assert client.post(f"/staff/classes/room/{hall}/edit", data={"name": "大厅", "place": ""}).status_code == 403
    assert client.post(f"/staff/classes/teacher/{wang}/delete").status_code == 403
    assert row(tctx, Room, "多功能厅") is not None
    r = client.post(f"/staff/classes/term/{term}/edit", data={"csrf_token": csrf, "name": AUTUMN, "start": "2026-09-07", "end": "2027-01-08"},
                    follow_redirects=False)
    assert r.status_code == 303 and row(tctx, Term, AUTUMN).end == date(2027, 1, 8)
    r = client.post(f"/staff/classes/term/{term}/edit", data={"csrf_token": csrf, "name": "秋季新名", "start": "2026-09-07", "end": "2027-05-01"})
    assert r.status_code == 400 and "季节之内" in r.text and 'value="秋季新名"' in r.text and 'value="2027-05-01"' in r.text
    assert row(tctx, Term, AUTUMN).end == date(2027, 1, 8)
    r = client.post(f"/staff/classes/room/{hall}/edit", data={"csrf_token": csrf, "name": "多功能活动厅", "place": "二楼"}, follow_redirects=False)
    assert r.status_code == 303 and row(tctx, Room, "多功能活动厅").place == "二楼"
    r = client.post(f"/staff/classes/room/{hall}/edit", data={"csrf_token": csrf, "name": "舞蹈教室", "place": "三楼"})
    assert r.status_code == 400 and "已有教室「舞蹈教室」" in r.text and 'value="三楼"' in r.text
    r = client.post(f"/staff/classes/teacher/{wang}/edit", data={"csrf_token": csrf, "name": "王老师", "subject": "篆刻"}, follow_redirects=False)
    assert r.status_code == 303 and row(tctx, Teacher, "王老师").subject == "篆刻"
    r = client.post(f"/staff/classes/room/{row(tctx, Room, '书画教室').id}/delete", data={"csrf_token": csrf})
    assert r.status_code == 400 and "还有课程在用" in r.text and "绘画（2026 秋季学期）" in r.text
    r = client.post(f"/staff/classes/teacher/{row(tctx, Teacher, '孙志明老师').id}/delete", data={"csrf_token": csrf})
    assert r.status_code == 400 and "还在教这些课程" in r.text
    kids = row(tctx, Room, "儿童驿站").id
    assert client.post(f"/staff/classes/room/{kids}/delete", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.post(f"/staff/classes/teacher/{wang}/delete", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert row(tctx, Room, "儿童驿站") is None and row(tctx, Teacher, "王老师") is None
    assert "老师已删除" in client.get("/staff/classes").text


def test_staff_forms_refuse_garbled_numbers_and_dates_by_name(tctx, client):
    """A form sent by hand (or by a browser without pickers) with words where numbers or dates belong is a 400
    naming what is wrong, keeping what was typed: never a 500."""
    csrf = login(client)
    term = row(tctx, Term, AUTUMN).id
    r = client.post("/staff/classes/slot", data={"csrf_token": csrf, "course_id": "一", "weekday": "周一", "start": "09:00", "end": "10:00"})
    assert r.status_code == 400 and 'value="09:00"' in r.text
    r = client.post("/staff/classes/makeup", data={"csrf_token": csrf, "term": str(term), "day": "2026-10-10", "follows": "x"})
    assert r.status_code == 400 and 'value="2026-10-10"' in r.text
    r = client.post("/staff/classes/makeup", data={"csrf_token": csrf, "term": str(term), "day": "十月十日", "follows": "1"})
    assert r.status_code == 400 and "请填写日期" in r.text and 'value="十月十日"' in r.text
    r = client.post("/staff/classes/course", data={"csrf_token": csrf, "term": str(term), "name": "太极拳", "room": "1", "capacity": "三十"})
    assert r.status_code == 400 and "名额要填数字" in r.text and 'value="太极拳"' in r.text
