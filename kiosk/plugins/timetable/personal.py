"""Where the timetable tables hold residents' personal data (hook ``kiosk_personal_data``).

A sign-up holds the phone and the surname (and the slip it printed); attendance rows hang off it.
Both are erased on request, and by the daily tick 30 days after the class's term ended
(:func:`.service.erase_old_signups`); a cancellation drops the phone at once.
"""

from __future__ import annotations

from kiosk.api import PersonalColumns, PersonalLink

_STAFF = "a staff account name"
_REF = "the timetable staff publish"


def declarations() -> list:
    return [
        PersonalColumns("tt_signup", "课程报名", "Class sign-ups", erase={"phone": None, "surname": ""},
                        keep={"state": "a state the software sets", "terminal": "the terminal it was made on"}, phone="phone"),
        PersonalColumns("tt_attendance", "考勤", "Attendance", keep={"by": _STAFF}),
        PersonalColumns("tt_room", "教室", "Rooms", keep={"name": _REF, "place": _REF}),
        PersonalColumns("tt_teacher", "老师", "Teachers", keep={"name": "the name a volunteer teacher chose to show",
                                                              "subject": _REF}),
        PersonalColumns("tt_term", "学期", "Terms", keep={"name": _REF, "season": _REF}),
        PersonalColumns("tt_makeup_day", "调休日", "Make-up days", keep={"by": _STAFF}),
        PersonalColumns("tt_course", "课程", "Classes", keep={"name": _REF, "name_en": _REF, "organizer": _REF, "bring": _REF,
                                                            "description": _REF}),
        PersonalColumns("tt_slot", "时段", "Slots", keep={"start": "a time", "end": "a time"}),
        PersonalColumns("tt_session_change", "课程变动", "Session changes",
                        keep={"action": _REF, "new_start": "a time", "new_end": "a time", "reason": "the public reason staff give",
                              "by": _STAFF}),
        PersonalLink("tt_attendance", "signup_id", "tt_signup"),
        PersonalLink("receipt", "id", "tt_signup", "receipt_id"),
    ]
