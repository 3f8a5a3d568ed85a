"""iCalendar files (the ``icalendar`` library): per class, for the whole timetable, and per sign-up.

Why one VEVENT per session instead of a weekly RRULE: holidays, staff-chosen 调休 days and moved
sessions make the real dates irregular; explicit events with stable UIDs (slot and due day) are read the
same way by every calendar app, and a later change updates the same event when the feed is refreshed.

Times carry ``TZID=Asia/Shanghai`` with a VTIMEZONE component, so a phone set to another zone still shows
the class at the right moment. A cancelled session stays in the feed with ``STATUS:CANCELLED`` (RFC 5545;
Apple and Outlook show it as cancelled, and a subscribed feed thereby removes or marks the event it had)
and its summary starts with 【停课】 and the reason, because some apps (Google Calendar on subscriptions)
ignore the status and show the event normally: the words make sure nobody goes to a cancelled class.
"""

from __future__ import annotations

import unicodedata

from kiosk.api import utcnow

from icalendar import Calendar, Event
from icalendar.prop import vText

from .schedule import Occurrence

PRODID = "-//Huaxin Community Service Center//kiosk timetable//ZH"
_BREAKS = ("Cc", "Zl", "Zp")  # control characters (CR, LF, tab…), line and paragraph separators


def one_line(text: str | None) -> str:
    """A TEXT value for a one-line property (SUMMARY, LOCATION, the calendar's name).

    RFC 5545 allows no control character in a value (but the tab), and a line break inside a stored name
    (an old row, a name typed before names were checked) would split the file's lines: each run of such
    characters becomes one space. The library escapes what TEXT needs escaped (backslash, ``;``, ``,``)
    and folds long lines itself."""
    out: list[str] = []
    for ch in text or "":
        if unicodedata.category(ch) not in _BREAKS:
            out.append(ch)
        elif out and out[-1] != " ":
            out.append(" ")
    return "".join(out).strip()


def lines(text: str | None) -> str:
    """A multi-line TEXT value (DESCRIPTION): every line break becomes ``\\n`` in the file (the library
    escapes the newline), other control characters become spaces."""
    rows = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(one_line(row) for row in rows)


def calendar_for(occurrences: list[Occurrence], tz, name: str, host: str = "kiosk.huaxin") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(one_line(name)))  # an X- property: the library would not escape a str
    cal.add("x-wr-timezone", str(tz))
    stamp = utcnow().replace(microsecond=0)  # DTSTAMP: when the file was made
    for occ in occurrences:
        event = Event()
        event.add("uid", f"tt-{occ.key}@{host}")
        event.add("dtstamp", stamp)
        if occ.status == "moved":
            to_day, to_start, _ = occ.moved_to
            summary = f"【调课】{occ.name}：改到 {to_day.month}月{to_day.day}日 {to_start}"
        elif occ.status == "cancelled":
            summary = f"【停课】{occ.name}：{occ.reason}"
        else:
            summary = occ.name
        event.add("summary", one_line(summary))
        event.add("dtstart", occ.starts_at(tz))
        event.add("dtend", occ.ends_at(tz))
        event.add("location", one_line(occ.room))
        details = [x for x in (occ.organizer, f"老师：{occ.teacher}" if occ.teacher else "", occ.reason if not occ.happens else "") if x]
        event.add("description", lines("\n".join(details)))
        if occ.status == "scheduled":
            event.add("status", "CONFIRMED")
        else:
            event.add("status", "CANCELLED")
        if occ.kind == "moved":
            # the moved-to session is a separate event: its own UID so the original's CANCELLED stays visible
            event["uid"] = f"tt-{occ.key}-moved@{host}"
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
