"""Staff edit a class after adding it: name, teacher, room, what to bring and seats, in the service, on the
class's staff page (CSRF, a refused form keeps what was typed and shows the error at the field) and with
``kiosk classes edit-course`` (exit 2 on bad input). A room change is refused when it clashes."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from kit import login
from sqlalchemy import select
from tthelpers import course_id

from kiosk.plugins.timetable import service
from kiosk.plugins.timetable.models import Room, Teacher
from kiosk.plugins.timetable.service import TimetableError
from kiosk.staff import set_user
from kiosk.web.app import create_app


def id_of(ctx, model, name: str) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(model.id).where(model.name == name))


def clash_in_multipurpose_hall(ctx) -> None:
    """亲子阅读夜 (多功能厅) also meets Wednesday 09:30–10:30, when 书法 is held in 书画教室."""
    service.add_slot(ctx, course_id(ctx, "亲子阅读夜"), 3, "09:30", "10:30")


def test_service_edits_name_teacher_room_bring_and_refuses_a_clash(tctx):
    calligraphy = course_id(tctx, "书法")
    service.update_course(tctx, calligraphy, name="书法提高班", teacher="王德福老师", room="多功能厅", bring="毛笔\n宣纸")
    info = service.course_info(tctx, calligraphy)
    assert (info.course.name, info.teacher, info.room, info.bring) == ("书法提高班", "王德福老师", "多功能厅", ["毛笔", "宣纸"])
    assert any(o.room == "多功能厅" and o.name == "书法提高班" for o in service.week(tctx))
    service.update_course(tctx, calligraphy, room="书画教室")
    clash_in_multipurpose_hall(tctx)
    with pytest.raises(TimetableError) as err:
        service.update_course(tctx, calligraphy, room="多功能厅", name="不会保存")
    assert err.value.code == "room_clash" and "亲子阅读夜" in err.value.zh and "Family reading evening" in err.value.en
    info = service.course_info(tctx, calligraphy)
    assert info.room == "书画教室" and info.course.name == "书法提高班"  # nothing of the refused change is kept
    for kwargs, code in (({"name": " "}, "bad_name"), ({"name": "长" * 41}, "bad_name"), ({"room": "没有的教室"}, "unknown_room"),
                         ({"teacher": "没有的老师"}, "unknown_teacher"), ({"capacity": 0}, "bad_capacity")):
        with pytest.raises(TimetableError) as err:
            service.update_course(tctx, calligraphy, **kwargs)
        assert err.value.code == code
    with pytest.raises(TimetableError) as err:
        service.update_course(tctx, 9999, name="x")
    assert err.value.code == "unknown_course"


@pytest.fixture
def client(tctx):
    with tctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    return TestClient(create_app(tctx))


def test_class_page_edits_the_class_and_keeps_a_refused_form(tctx, client):
    calligraphy = course_id(tctx, "书法")
    path = f"/staff/classes/course/{calligraphy}"
    csrf = login(client, page=path)
    page = client.get(path).text
    assert f'action="{path}/edit"' in page and 'value="书法"' in page and "毛笔一支；墨汁" in page
    form = {"name": "书法提高班", "teacher": str(id_of(tctx, Teacher, "王德福老师")), "room": str(id_of(tctx, Room, "多功能厅")),
            "bring": "毛笔；宣纸", "capacity": "22"}
    # Without the page's CSRF field nothing changes.
    assert client.post(f"{path}/edit", data=form).status_code == 403
    assert service.course_info(tctx, calligraphy).course.name == "书法"
    r = client.post(f"{path}/edit", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    info = service.course_info(tctx, calligraphy)
    assert (info.course.name, info.teacher, info.room, info.bring, info.course.capacity) == ("书法提高班", "王德福老师", "多功能厅", ["毛笔", "宣纸"], 22)
    assert "课程已修改" in client.get(path).text
    # Back to 书画教室, then a room change that clashes: refused naming the other class, at the room field, typed values kept.
    service.update_course(tctx, calligraphy, room="书画教室")
    clash_in_multipurpose_hall(tctx)
    r = client.post(f"{path}/edit", data={**form, "name": "书法新班", "csrf_token": csrf})
    assert r.status_code == 400
    assert re.search(r'name="room">.*?</select></label><span class="error" role="alert">教室冲突[^<]*亲子阅读夜', r.text)
    assert 'value="书法新班"' in r.text and 'value="毛笔；宣纸"' in r.text
    assert service.course_info(tctx, calligraphy).course.name == "书法提高班"
    r = client.post(f"{path}/edit", data={**form, "name": "", "csrf_token": csrf})
    assert r.status_code == 400 and re.search(r'name="name" value=""[^>]*></label><span class="error" role="alert">课程名称不能为空', r.text)
    r = client.post(f"{path}/edit", data={**form, "capacity": "很多", "csrf_token": csrf})
    assert r.status_code == 400 and 'value="很多"' in r.text and "名额要填数字</span>" in r.text
    here = str(id_of(tctx, Room, "书画教室"))
    r = client.post(f"{path}/edit?lang=en", data={**form, "room": here, "capacity": "0", "csrf_token": csrf})
    assert r.status_code == 400 and "seats must be 1–500</span>" in r.text
    assert client.post("/staff/classes/course/9999/edit", data={**form, "csrf_token": csrf}).status_code == 404


@pytest.fixture
def kiosk(tctx, run_cli):
    """`kiosk ARGS` on the test's database: (exit code, stdout, stderr)."""
    return run_cli


def test_edit_course_command(tctx, kiosk):
    calligraphy = str(course_id(tctx, "书法"))
    code, out, _ = kiosk("classes", "edit-course", calligraphy, "--name", "书法提高班", "--teacher", "王德福老师", "--room", "多功能厅",
                         "--bring", "毛笔;宣纸", "--json")
    assert code == 0
    assert json.loads(out) == {"id": int(calligraphy), "name": "书法提高班", "teacher": "王德福老师", "room": "多功能厅",
                               "bring": ["毛笔", "宣纸"], "seats": 20}
    code, out, _ = kiosk("classes", "edit-course", calligraphy, "--room", "书画教室", "--json")
    assert code == 0 and json.loads(out)["room"] == "书画教室" and json.loads(out)["name"] == "书法提高班"
    clash_in_multipurpose_hall(tctx)
    code, out, err = kiosk("classes", "edit-course", calligraphy, "--room", "多功能厅", "--json")
    assert code == 2 and out == "" and "room clash" in err and "Family reading evening" in err
    for bad in (("--name", ""), ("--room", "没有的教室"), ("--teacher", "没有的老师"), ("--seats", "0"), ("--teacher", " ")):
        code, out, err = kiosk("classes", "edit-course", calligraphy, *bad, "--json")
        assert code == 2 and out == "" and err.strip()
    code, _out, err = kiosk("classes", "edit-course", calligraphy, "--json")
    assert code == 2 and "nothing to change" in err
    code, _out, err = kiosk("classes", "edit-course", "9999", "--name", "x")
    assert code == 2 and "no class" in err
    assert service.course_info(tctx, int(calligraphy)).room == "书画教室"
