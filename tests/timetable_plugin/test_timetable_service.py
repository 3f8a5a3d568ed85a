"""The timetable's domain: the week, holidays and 调休, cancelled and moved sessions, sign-up and the
waiting list (also with racing processes), room clashes, and the iCalendar files."""

from __future__ import annotations

import multiprocessing
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from tthelpers import course_id
from sqlalchemy import select

from kiosk.plugins.timetable import ics, service
from kiosk.plugins.timetable.models import Signup, Slot
from kiosk.plugins.timetable.schedule import parse_week
from kiosk.plugins.timetable.service import TimetableError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def slot_of(ctx, name: str, weekday: int) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(Slot.id).where(Slot.course_id == course_id(ctx, name), Slot.weekday == weekday))


def test_the_demo_week_lists_every_class_with_seats_and_the_cancelled_one(tctx):
    rows = [service.listing_json(o) for o in service.week(tctx)]
    assert {r["name"] for r in rows} >= {"舞蹈", "健身", "书法", "绘画", "声乐合唱"}
    for r in rows:
        assert set(r) >= {"id", "name", "teacher", "room", "weekday", "start", "end", "seats_left"}
        assert 1 <= r["weekday"] <= 7 and len(r["start"]) == 5 and r["start"] < r["end"]
    dance = [r for r in rows if r["name"] == "舞蹈"]
    assert [(r["weekday"], r["start"], r["end"]) for r in dance] == [(1, "09:00", "10:30"), (4, "09:00", "10:30")]
    assert dance[0]["seats_left"] == 30 - 21 and dance[0]["teacher"] == "李秀兰老师" and dance[0]["room"] == "舞蹈教室"
    painting = next(r for r in rows if r["name"] == "绘画")
    assert painting["status"] == "cancelled" and "生病" in painting["reason"]
    assert next(r for r in rows if r["name"] == "声乐合唱")["seats_left"] == 0


def test_public_holidays_cancel_sessions_and_only_chosen_makeup_days_add_them(tctx):
    national_day = service.week(tctx, parse_week("2026-W41"))  # 5–11 Oct 2026: holidays Mon–Wed, 调休 Saturday 10 Oct
    monday = [o for o in national_day if o.day == date(2026, 10, 5)]
    assert monday and all(o.status == "cancelled" and o.reason == "国庆节放假" for o in monday)
    assert all(o.reason_en == "National Day holiday" for o in monday)
    thursday = [o for o in national_day if o.day == date(2026, 10, 8)]
    assert thursday and all(o.happens for o in thursday)
    saturday = {o.name: o for o in national_day if o.day == date(2026, 10, 10)}
    # Staff chose: 10 Oct holds Wednesday's classes (as well as Saturday's own 太极拳).
    assert saturday["书法"].kind == "makeup" and saturday["书法"].happens and saturday["太极拳"].kind == "regular"
    # 20 Sep 2026 is also a 调休 working day (a Sunday), but nobody chose it: no Monday classes there.
    assert not [o for o in service.week(tctx, parse_week("2026-W38")) if o.day == date(2026, 9, 20)]
    # Staff can add it, following Monday; a day that is not 调休 is refused.
    service.add_makeup_day(tctx, "2026 秋季学期", date(2026, 9, 20), 1)
    sunday = {o.name for o in service.week(tctx, parse_week("2026-W38")) if o.day == date(2026, 9, 20)}
    assert sunday == {"舞蹈", "手工编织"}
    with pytest.raises(TimetableError) as err:
        service.add_makeup_day(tctx, "2026 秋季学期", date(2026, 9, 19), 1)
    assert err.value.code == "not_makeup"
    # Mid-autumn (Fri 25 Sep) cancels Friday's classes with the holiday named.
    friday = [o for o in service.week(tctx, parse_week("2026-W39")) if o.day == date(2026, 9, 25)]
    assert friday and {o.reason for o in friday} == {"中秋节放假"}


def test_cancel_and_move_a_session_with_a_reason(tctx):
    dance_thu = slot_of(tctx, "舞蹈", 4)
    with pytest.raises(TimetableError) as err:
        service.cancel_session(tctx, dance_thu, date(2026, 12, 3), "  ")
    assert err.value.code == "reason_needed"
    with pytest.raises(TimetableError):
        service.cancel_session(tctx, dance_thu, date(2026, 12, 2), "不是周四")  # no session that day
    service.move_session(tctx, dance_thu, date(2026, 12, 3), date(2026, 12, 5), "14:00", "15:30", "李老师外出培训")
    week = service.week(tctx)
    old = next(o for o in week if o.slot_id == dance_thu and o.day == date(2026, 12, 3))
    new = next(o for o in week if o.slot_id == dance_thu and o.day == date(2026, 12, 5))
    assert old.status == "moved" and old.moved_to == (date(2026, 12, 5), "14:00", "15:30") and old.reason == "李老师外出培训"
    assert new.happens and new.kind == "moved" and (new.start, new.end) == ("14:00", "15:30")
    service.restore_session(tctx, dance_thu, date(2026, 12, 3))
    assert next(o for o in service.week(tctx) if o.slot_id == dance_thu and o.day == date(2026, 12, 3)).happens


def test_room_clashes_are_refused_naming_the_clashing_class(tctx):
    painting = course_id(tctx, "绘画")  # 书画教室, like 书法 (Wednesday 09:00–11:00)
    with pytest.raises(TimetableError) as err:
        service.add_slot(tctx, painting, 3, "10:30", "12:00")
    assert err.value.code == "room_clash" and "书法" in err.value.zh and "Calligraphy" in err.value.en
    service.add_slot(tctx, painting, 3, "11:00", "12:00")  # touching is not overlapping
    # Moving a session into a taken room and time is refused too.
    with pytest.raises(TimetableError) as err:
        service.move_session(tctx, slot_of(tctx, "绘画", 3), date(2026, 12, 9), date(2026, 12, 9), "09:30", "10:30", "调整")
    assert "书法" in err.value.zh
    # A room change that would clash is refused; the class keeps its room.
    service.add_slot(tctx, painting, 1, "09:00", "10:00")  # 书画教室 on Monday morning
    dance = course_id(tctx, "舞蹈")  # Monday 09:00 in 舞蹈教室
    with pytest.raises(TimetableError) as err:
        service.update_course(tctx, dance, room="书画教室")
    assert err.value.code == "room_clash" and "绘画" in err.value.zh
    assert service.course_info(tctx, dance).room == "舞蹈教室"


def test_sign_up_waiting_list_and_promotion(tctx):
    choir = course_id(tctx, "声乐合唱")  # 12 seats, full, two waiting
    calligraphy = course_id(tctx, "书法")
    mine = service.sign_up(tctx, calligraphy, "138 1234 5678", "王")
    assert mine.state == "enrolled" and mine.position is None and mine.url.startswith("http://127.0.0.1:8080/t/")
    assert mine.first_session.day == date(2026, 12, 2)
    assert "13812345678" not in " ".join(mine.issued.layout.lines) and "王" not in " ".join(mine.issued.layout.lines[1:])
    with pytest.raises(TimetableError) as err:
        service.sign_up(tctx, calligraphy, "13812345678")
    assert err.value.code == "already"
    waiting = service.sign_up(tctx, choir, "13900000001")
    assert waiting.state == "waitlisted" and waiting.position == 3 and waiting.issued.receipt.number == "候补 3"
    with pytest.raises(TimetableError) as err:
        service.sign_up(tctx, choir, "12345")
    assert err.value.code == "bad_phone"
    # An enrolled member cancels: the first on the waiting list moves up, the rest move one place.
    with tctx.sessions() as s:
        enrolled = s.scalar(select(Signup).where(Signup.course_id == choir, Signup.state == "enrolled").order_by(Signup.seq))
        first_waiting = s.scalar(select(Signup).where(Signup.course_id == choir, Signup.state == "waitlisted").order_by(Signup.seq))
    result = service.cancel_signup_by_id(tctx, enrolled.id)
    assert result.promoted.id == first_waiting.id
    status, _info, position = service.signup_status(tctx, waiting.signup.id)
    assert status.state == "waitlisted" and position == 2
    promoted, _info, _pos = service.signup_status(tctx, first_waiting.id)
    assert promoted.state == "enrolled" and promoted.promoted_at is not None
    with tctx.sessions() as s:
        assert s.get(Signup, enrolled.id).phone is None  # erased on cancellation
    # Cancelling by the slip's URL; a second time is refused; the same phone may then sign up again.
    service.cancel_signup(tctx, mine.url)
    with pytest.raises(TimetableError) as err:
        service.cancel_signup(tctx, mine.url)
    assert err.value.code == "already_cancelled"
    assert service.sign_up(tctx, calligraphy, "13812345678").state == "enrolled"
    # More seats move the waiting list up.
    service.update_course(tctx, choir, capacity=14)
    assert service.signup_status(tctx, waiting.signup.id)[0].state == "enrolled"


def _sign_up_once(url: str, data_dir: str, course: int, phone: str, start, queue_out) -> None:
    os.environ.update(KIOSK_DATABASE_URL=url, KIOSK_DATA_DIR=data_dir, KIOSK_NOW="2026-11-30T09:00:00+08:00")
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    ctx = build_context(load_settings(), PluginHost(builtins=("kiosk.plugins.timetable",), load_entrypoints=False), run_migrations=False)
    try:
        start.wait(60)
        r = service.sign_up(ctx, course, phone)
        queue_out.put((phone, r.state, r.position, r.signup.seq))
    except Exception as exc:  # reported to the test, which fails on it
        queue_out.put((phone, "error", repr(exc), None))
    finally:
        ctx.engine.dispose()


def test_processes_racing_for_the_last_seat(tctx, db_url, isolated_env):
    """Eight processes sign up at once for a class with one seat left: one enrolled, seven waiting in order."""
    course = course_id(tctx, "书法")
    service.update_course(tctx, course, capacity=10)  # 9 signed up in the demo: one seat left
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    start = spawn.Event()
    phones = [f"1370538{i:04d}" for i in range(8)]
    procs = [spawn.Process(target=_sign_up_once, args=(db_url, str(isolated_env), course, p, start, out)) for p in phones]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert not [r for r in results if r[1] == "error"], results
    assert sorted(r[1] for r in results) == ["enrolled"] + ["waitlisted"] * 7
    waiting = sorted((r for r in results if r[1] == "waitlisted"), key=lambda r: r[3])
    assert [r[2] for r in waiting] == [1, 2, 3, 4, 5, 6, 7]  # positions follow the sign-up order, no gap, no duplicate
    enrolled = next(r for r in results if r[1] == "enrolled")
    assert enrolled[3] < waiting[0][3]
    with tctx.sessions() as s:
        assert s.scalar(select(Signup).where(Signup.course_id == course, Signup.phone == enrolled[0])).state == "enrolled"
        assert service.seats_taken(s, course) == 10


def test_ics_parses_with_shanghai_times_and_marks_cancelled_sessions(tctx):
    from icalendar import Calendar

    with tctx.sessions() as s:
        from kiosk.plugins.timetable.models import Course
        from kiosk.plugins.timetable.schedule import course_occurrences

        found = course_occurrences(s, tctx.calendar, s.get(Course, course_id(tctx, "绘画")))
    cal = Calendar.from_ical(ics.calendar_for(found, tctx.settings.tz, "绘画"))
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = {e.decoded("dtstart"): e for e in cal.walk("VEVENT")}
    sick = events[datetime(2026, 12, 2, 14, 30, tzinfo=SHANGHAI)]
    assert str(sick["STATUS"]) == "CANCELLED" and "停课" in str(sick["SUMMARY"]) and "生病" in str(sick["SUMMARY"])
    start = sick.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 8 * 3600 and start.astimezone(ZoneInfo("UTC")).hour == 6
    assert sick["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert sick.decoded("dtend") == datetime(2026, 12, 2, 16, 30, tzinfo=SHANGHAI)
    normal = events[datetime(2026, 12, 9, 14, 30, tzinfo=SHANGHAI)]
    assert str(normal["STATUS"]) == "CONFIRMED" and str(normal["SUMMARY"]) == "绘画" and str(normal["LOCATION"]) == "书画教室"
    holiday = events[datetime(2026, 10, 7, 14, 30, tzinfo=SHANGHAI)]
    assert str(holiday["STATUS"]) == "CANCELLED" and "国庆节" in str(holiday["SUMMARY"])
    assert datetime(2026, 10, 10, 14, 30, tzinfo=SHANGHAI) in events  # the chosen 调休 Saturday
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == len(found)


def test_terms_follow_the_seasons(tctx):
    with pytest.raises(TimetableError) as err:
        service.add_term(tctx, "夏令营", "summer", date(2027, 6, 20), date(2027, 8, 20))
    assert err.value.code == "outside_season"
    with pytest.raises(TimetableError) as err:
        service.add_term(tctx, "x", "nope", date(2027, 7, 1), date(2027, 8, 20))
    assert err.value.code == "unknown_season"
    term = service.add_term(tctx, "2027 暑期儿童班", "summer", date(2027, 7, 5), date(2027, 8, 27))
    assert term.season == "summer"


def test_phones_are_erased_a_month_after_the_term(tctx):
    mine = service.sign_up(tctx, course_id(tctx, "书法"), "13812345678")
    assert service.erase_old_signups(tctx, date(2027, 2, 14)) == 0  # 30 days after 15 Jan: not yet
    assert service.erase_old_signups(tctx, date(2027, 2, 15)) > 0
    with tctx.sessions() as s:
        assert s.get(Signup, mine.signup.id).phone is None
        assert s.scalar(select(Signup.id).where(Signup.phone.is_not(None), Signup.course_id == course_id(tctx, "书法"))) is None
