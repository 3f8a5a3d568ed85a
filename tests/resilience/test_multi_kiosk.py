"""Several kiosks (processes) on one database issuing at once: no duplicates, no lost rows.

Four kiosk processes start together (a barrier) and each issues a mix of queue tickets, intake
cases and class sign-ups with idempotency keys of its own; every key is also sent a second time (a double tap), and
a set of shared keys is sent by all four kiosks at the same moment (the same retry arriving through
two paths), which must give one row each. Every result a kiosk got back is then checked against
the database.

Each kind of thing a kiosk issues is one :class:`Issuer` in :data:`ISSUERS` (how to issue one with a
key, and how to read back what was stored): queue tickets, intake cases and the timetable's class
sign-ups (报名, whose identity is the phone number per class; some land on the waiting list, and no
class is ever over-booked). A further plugin is added there, in the marked place.
"""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from kit import MONDAY_9AM
from sqlalchemy import select, update

import kiosk.plugins.intake as intake_plugin
import kiosk.plugins.queue as queue_plugin
import kiosk.plugins.timetable as timetable_plugin
from kiosk.plugins.intake import demo as intake_demo

KIOSKS = 4
PER_KIOSK = 45  # issues per kiosk of its own keys (each sent twice)
SHARED = 10  # keys every kiosk sends at the same time
CASE = {"category": "repair", "problem": "楼道灯不亮", "building": "3", "unit": "2", "phone": "13812345678"}


@dataclass(frozen=True)
class Issuer:
    """One kind of thing a kiosk issues: ``issue(ctx, key, rng) -> shown number``; ``stored(session) -> [(key, number)]`` (every row)."""

    plugin: str
    issue: Callable
    stored: Callable
    numbering: Callable  # session -> {series: sorted numbers}, each series must be 1..N


def _take_ticket(ctx, key, rng):
    from kiosk.plugins.queue import service

    return service.take_ticket(ctx, rng.choice("ABC"), key=key).ticket.display


def _tickets(s):
    from kiosk.plugins.queue.models import Ticket

    return [(t.idempotency_key, t.display) for t in s.scalars(select(Ticket))]


def _ticket_numbers(s):
    from kiosk.plugins.queue.models import Ticket

    out: dict[str, list[int]] = {}
    for t in s.scalars(select(Ticket)):
        out.setdefault(f"{t.business_day} {t.letter}", []).append(t.number)
    return out


def _file_case(ctx, key, rng):
    from kiosk.plugins.intake import service

    return service.file_case(ctx, dict(CASE, building=str(rng.randint(1, 39))), by="kiosk:test", key=key).case.case_no


def _cases(s):
    from kiosk.plugins.intake.models import Case

    return [(c.idempotency_key, c.case_no) for c in s.scalars(select(Case))]


def _case_numbers(s):
    from kiosk.plugins.intake.models import Case

    out: dict[str, list[int]] = {}
    for c in s.scalars(select(Case)):
        day, number = c.case_no[2:].split("-")
        out.setdefault(day, []).append(int(number))
    return out


def _phone_of(key: str) -> str:
    """A sign-up has no idempotency key: the resident's phone is its identity (one per class), so
    each key gets its own phone number, and the key can be read back from the stored phone."""
    who, _, n = key.partition("-")
    kiosk = "9" if who == "shared" else who.removeprefix("kiosk")
    return f"13{kiosk}{int(n):08d}"


def _key_of(phone: str) -> str:
    kiosk, n = phone[2], int(phone[3:])
    return f"shared-{n}" if kiosk == "9" else f"kiosk{kiosk}-{n}"


def _sign_up(ctx, key, rng):
    from kiosk.plugins.timetable import service
    from kiosk.plugins.timetable.models import Course, Signup

    phone = _phone_of(key)
    with ctx.sessions() as s:
        courses = sorted(s.scalars(select(Course.id).where(Course.active.is_(True))))
    course = courses[int(key.rsplit("-", 1)[1]) % len(courses)]  # the same class for the same key
    try:
        signup = service.sign_up(ctx, course, phone).signup
    except service.TimetableError as exc:  # the double tap, or another kiosk first: "已经报过"
        assert exc.code == "already", exc
        with ctx.sessions() as s:
            signup = s.scalar(select(Signup).where(Signup.course_id == course, Signup.phone == phone))
    return f"{signup.course_id}-{signup.seq}"


def _signups(s):
    from kiosk.plugins.timetable.models import Signup

    # The demo's own sign-ups (made before the kiosks started) are not this test's rows.
    return [(_key_of(x.phone), f"{x.course_id}-{x.seq}") for x in s.scalars(select(Signup)) if x.terminal.startswith("kiosk-")]


def _signup_numbers(s):
    from kiosk.plugins.timetable.models import Course, Signup

    out: dict[str, list[int]] = {}
    for x in s.scalars(select(Signup)):
        out.setdefault(f"course {x.course_id}", []).append(x.seq)
    for course in s.scalars(select(Course)):  # seats are never over-booked: the rest wait, in order
        enrolled = sum(1 for x in s.scalars(select(Signup).where(Signup.course_id == course.id)) if x.state == "enrolled")
        assert enrolled <= course.capacity, course.name
    return out


ISSUERS: dict[str, Issuer] = {
    "ticket": Issuer("queue", _take_ticket, _tickets, _ticket_numbers),
    "case": Issuer("intake", _file_case, _cases, _case_numbers),
    # ---- TIMETABLE SIGN-UPS (报名) ---------------------------------------------------------------
    # Added when kiosk.plugins.timetable landed. Another kind a kiosk issues goes here the same way.
    "signup": Issuer("timetable", _sign_up, _signups, _signup_numbers),
    # ------------------------------------------------------------------------------------------------
}
PLUGINS = {"queue": queue_plugin, "intake": intake_plugin, "timetable": timetable_plugin}


def _kiosk(url: str, data_dir: str, number: int, barrier, out) -> None:
    import os
    from dataclasses import replace

    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost

    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_DATA_DIR"] = data_dir
    os.environ["KIOSK_NOW"] = MONDAY_9AM
    results: list[tuple[str, str, str]] = []
    try:
        settings = load_settings()
        settings = replace(settings, printer=replace(settings.printer, backend="none"))
        host = PluginHost(builtins=tuple(f"kiosk.plugins.{p}" for p in PLUGINS), load_entrypoints=False)
        ctx = build_context(settings, host, run_migrations=False, startup=False)
        ctx.terminal = f"kiosk-{number}"
        rng = random.Random(number)
        kinds = sorted(ISSUERS)
        barrier.wait(60)
        shared_done = False
        for i in range(PER_KIOSK):
            if i == PER_KIOSK // 3 and not shared_done:  # all kiosks reach the shared keys together
                barrier.wait(60)
                for j in range(SHARED):
                    kind = kinds[j % len(kinds)]
                    results.append((kind, f"shared-{j}", ISSUERS[kind].issue(ctx, f"shared-{j}", rng)))
                shared_done = True
            kind = rng.choice(kinds)
            key = f"kiosk{number}-{i}"
            first = ISSUERS[kind].issue(ctx, key, rng)
            again = ISSUERS[kind].issue(ctx, key, rng)  # the double tap
            results.append((kind, key, first))
            results.append((kind, key, again))
        ctx.engine.dispose()
        out.put(("ok", number, results))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        import traceback

        out.put(("error", number, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


@pytest.mark.postgres
def test_several_kiosks_at_once_no_duplicates_no_lost_rows(db_url, make_host, make_ctx, monkeypatch, isolated_env):
    from kiosk.plugins.queue.models import QueueService

    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)
    ctx = make_ctx(make_host(**PLUGINS), db_url)
    queue_plugin.kiosk_demo_data(ctx)
    intake_demo.load_places(ctx)
    timetable_plugin.kiosk_demo_data(ctx)
    with ctx.transaction() as s:
        s.execute(update(QueueService).values(daily_cap=100_000))
    ctx.engine.dispose()

    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(KIOSKS)
    out = fork.Queue()
    procs = [fork.Process(target=_kiosk, args=(db_url, str(isolated_env), n, barrier, out)) for n in range(KIOSKS)]
    for p in procs:
        p.start()
    reports = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [r[2] for r in reports if r[0] != "ok"]
    assert not errors, errors[0]

    got: dict[str, tuple[str, str]] = {}
    for _status, _number, results in reports:
        for kind, key, shown in results:
            # Whoever sent a key, and however often, was shown the same number.
            assert got.setdefault(key, (kind, shown)) == (kind, shown), key

    with ctx.sessions() as s:
        for kind, issuer in ISSUERS.items():
            rows = issuer.stored(s)
            wanted = {key: shown for key, (k, shown) in got.items() if k == kind}
            assert wanted, f"no {kind} was issued"
            assert max(Counter(key for key, _ in rows).values()) == 1, f"{kind}: one key stored twice"
            assert max(Counter(number for _, number in rows).values()) == 1, f"{kind}: a number was given twice"
            assert dict(rows) == wanted, f"{kind}: rows lost or added"  # every key once, nothing else
            for series, numbers in issuer.numbering(s).items():
                assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"{kind} {series}: gap or duplicate"
    assert len(got) == KIOSKS * PER_KIOSK + SHARED
