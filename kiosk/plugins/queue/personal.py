"""Where the queue tables hold residents' personal data (hook ``kiosk_personal_data``).

A ticket itself is anonymous (a letter and a number). What can be personal: the phone staff may store
with an appointment (erased when its day is over), the reason a resident gives with a rating, and a
note staff add to a ticket's event (erased ``rating_retention_days`` after the ticket, or on request).
An appointment's phone ties the ticket it checked in to, and so that ticket's rating and notes, to the
resident; a number typed into a rating reason or note is found by searching those texts.
"""

from __future__ import annotations

from kiosk.api import PersonalColumns, PersonalLink

_CODE = "a code or state the software sets"
_STAFF = "a staff account, a terminal or a channel"
_SETUP = "the hall's set-up staff keep"


def declarations() -> list:
    return [
        PersonalColumns("queue_appointment", "预约", "Appointments", erase={"phone": ""},
                        keep={"business_day": "a date", "code": "the check-in code", "service_code": _CODE, "state": _CODE,
                              "created_by": _STAFF}, phone="phone"),
        PersonalColumns("queue_ticket", "排队号", "Queue tickets",
                        keep={"business_day": "a date", "letter": _CODE, "service_code": _CODE, "state": _CODE, "outcome": _CODE,
                              "idempotency_key": "a client's retry key", "token_sealed": "a sealed tracking token",
                              "terminal": "the terminal it was taken on", "source": _CODE, "activation_code": "a one-day code",
                              "return_to": _CODE},
                        withheld=("idempotency_key", "token_sealed", "activation_code")),
        PersonalColumns("queue_rating", "服务评价", "Service ratings", erase={"reason": ""}, keep={"handled_by": _STAFF},
                        text=("reason",)),
        PersonalColumns("queue_event", "叫号记录", "Queue events", erase={"note": ""},
                        keep={"action": _CODE, "by": _STAFF, "detail": "codes and counters the software writes"}, text=("note",)),
        PersonalColumns("queue_hall", "大厅", "Halls", keep={"code": _SETUP, "name": _SETUP, "name_en": _SETUP}),
        PersonalColumns("queue_service", "业务", "Services", keep={"code": _SETUP, "name": _SETUP, "name_en": _SETUP,
                                                               "materials": _SETUP, "hours": _SETUP, "hall": _SETUP}),
        PersonalColumns("queue_counter", "窗口", "Counters", keep={"name": _SETUP, "services": _SETUP, "hall": _SETUP}),
        PersonalColumns("queue_day_number", "号码计数", "Number counters", keep={"business_day": "a date", "letter": _CODE}),
        PersonalLink("queue_ticket", "id", "queue_appointment", "ticket_id"),
        PersonalLink("queue_rating", "ticket_id", "queue_ticket"),
        PersonalLink("queue_event", "ticket_id", "queue_ticket"),
        PersonalLink("receipt", "id", "queue_ticket", "receipt_id"),
    ]
