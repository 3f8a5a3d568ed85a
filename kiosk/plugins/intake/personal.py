"""Where the intake tables hold residents' personal data (hook ``kiosk_personal_data``).

A case holds the resident's phone, surname, flat and own words, and free text that may repeat them:
the problem as typed outside the kiosk, the public summary and response staff wrote, timeline notes,
rating comments, the slip's lines. All of it is erased together, on request or ``retention_days`` after
the case ended (:mod:`.upkeep`); the case itself (category, building, dates, states) stays for reports.
"""

from __future__ import annotations

from kiosk.api import ERASED_AT, PersonalColumns, PersonalLink

_CODE = "a code or state the software sets"
_STAFF = "who acted: a staff account, a channel or a terminal"
_PLACE = "reference data staff keep (teams and buildings)"


def declarations() -> list:
    return [
        PersonalColumns(
            "intake_case", "民生诉求", "Requests",
            erase={"phone": None, "surname": None, "title": "", "name_public": False, "flat": None, "description": None,
                   "problem": "", "public_summary": "", "public_response": "", "erased_at": ERASED_AT},
            keep={"case_no": "the case number", "category": _CODE, "building": "a building number (where, not who)",
                  "unit": "an entrance number", "channel": _CODE, "state": _CODE, "kind": _CODE, "team_code": _CODE,
                  "supervision": _CODE, "merged_into": "another case's number", "idempotency_key": "a client's retry key",
                  "token_sealed": "a sealed tracking token", "terminal": "the terminal it was filed on"},
            phone="phone", text=("problem", "description", "public_summary", "public_response", "flat"),
            withheld=("idempotency_key", "token_sealed"),
        ),
        PersonalColumns("intake_case_event", "诉求办理记录", "Request timeline",
                        erase={"note": ""},
                        keep={"action": _CODE, "from_state": _CODE, "to_state": _CODE, "by": _STAFF,
                              "detail": "codes, dates and case numbers the software writes"},
                        text=("note",)),
        PersonalColumns("intake_case_rating", "诉求评价", "Request ratings",
                        erase={"comment": ""}, keep={"level": _CODE, "channel": _CODE, "by": _STAFF}, text=("comment",)),
        PersonalColumns("intake_team", "先锋队", "Teams", keep={"code": _PLACE, "name": _PLACE, "name_en": _PLACE,
                                                             "leader": "a role or staff name"}),
        PersonalColumns("intake_building", "楼栋", "Buildings", keep={"code": _PLACE, "name": _PLACE, "team_code": _PLACE}),
        PersonalColumns("intake_day_counter", "诉求编号", "Case numbers", keep={"day": "a date"}),
        PersonalLink("intake_case_event", "case_id", "intake_case"),
        PersonalLink("intake_case_rating", "case_id", "intake_case"),
        PersonalLink("receipt", "id", "intake_case", "receipt_id"),
    ]
