"""Days outside the years the product handles (issue 14, finding 8): an appointment on 9999-12-31 overflowed
(a 500 on the staff page, a traceback in the CLI); now it is refused in the staff's language, the form keeping
what was typed. The statistics' ``day`` is checked the same way."""

from __future__ import annotations

from datetime import datetime

import pytest
from kit import CSRF, staff_client

from kiosk.plugins.queue import appointments
from kiosk.plugins.queue.service import QueueError


@pytest.fixture
def client(qctx):
    return staff_client(qctx, page="/staff/queue")


@pytest.fixture
def kiosk(qctx, run_cli):
    return run_cli


@pytest.mark.parametrize("day,time", [("9999-12-31", "23:50"), ("9999-12-31", "10:00"), ("0001-01-01", "00:10"), ("2101-01-02", "10:00")])
def test_an_appointment_outside_the_years_is_refused_and_the_form_keeps_it(qctx, client, kiosk, day, time):
    with pytest.raises(QueueError) as refused:
        appointments.book(qctx, "A", datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=qctx.settings.tz))
    assert refused.value.code == "bad_time" and "日期超出范围" in refused.value.zh
    token = CSRF.search(client.get("/staff/queue/appointments").text).group(1)
    r = client.post("/staff/queue/appointments", data={"csrf_token": token, "service_code": "A", "day": day, "time": time,
                                                       "phone": "13800138000"})
    assert r.status_code == 400 and "日期超出范围" in r.text and "2000–2100" in r.text
    assert f'value="{day}"' in r.text and f'value="{time}"' in r.text and 'value="13800138000"' in r.text
    code, _out, err = kiosk("queue", "appoint", "A", "--at", f"{day}T{time}", "--phone", "13800138000")
    assert code == 2 and "between the years 2000 and 2100" in err and "Traceback" not in err
    with qctx.sessions() as s:
        assert s.query(appointments.QueueAppointment).count() == 0


def test_statistics_of_a_day_outside_the_years(qctx, client, kiosk):
    assert client.get("/staff/queue/stats?day=0001-01-01").status_code == 200  # today's, as for any unreadable day
    assert client.get("/api/queue/stats?day=0001-01-01").status_code == 400
    assert client.get("/api/queue/stats?day=9999-12-31").status_code == 400
    code, _out, err = kiosk("queue", "stats", "--day", "0001-01-01")
    assert code == 2 and "between the years 2000 and 2100" in err
    assert client.get("/api/queue/stats?day=2026-11-30").status_code == 200
