"""A kiosk process killed with SIGKILL at random moments while issuing, 100 times, on SQLite and PostgreSQL.

Each round forks a "kiosk" that takes queue tickets and files intake cases as fast as it can (each
with an idempotency key, as the touch screens do, and printing each slip on a dummy printer) and
reports on a pipe, with an unbuffered write, every key it starts and every key whose call returned.
The test kills it after a random delay, so kills land anywhere: inside a transaction, between the
commit and the print record, during start-up. The next round first retries the key that was cut
off, as a resident's second tap would.

Afterwards: every reported ticket or case exists exactly once (and the retried key gave the same
one), numbering per day and letter is 1..N with no gap and no duplicate, and nothing is half
written: every ticket has its receipt, token and "take" event, every case its receipt, token and
first timeline row, and no receipt exists without its ticket or case.
"""

from __future__ import annotations

import os
import random
import select as select_module
import signal
import time

import pytest
from kit import MONDAY_9AM
from sqlalchemy import func, select, update

import kiosk.plugins.intake as intake_plugin
import kiosk.plugins.queue as queue_plugin
from kiosk.models import Receipt, ReceiptToken
from kiosk.plugins.intake import demo as intake_demo
from kiosk.plugins.intake.models import Case, CaseEvent, DayCounter
from kiosk.plugins.queue.models import DayNumber, QueueEvent, QueueService, Ticket

KILLS = 100
LETTERS = "ABC"
CASE = {"category": "repair", "problem": "楼道灯不亮", "building": "3", "unit": "2", "phone": "13812345678"}


def _kiosk(url: str, data_dir: str, seed: int, retry: tuple[str, str] | None, wfd: int) -> None:
    """The body of a forked kiosk: issue until killed, reporting each step on ``wfd``."""
    from dataclasses import replace

    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.pluginhost import PluginHost
    from kiosk.plugins.intake import service as intake
    from kiosk.plugins.queue import service as queue

    def say(line: str) -> None:
        os.write(wfd, (line + "\n").encode())

    os.environ["KIOSK_DATABASE_URL"] = url
    os.environ["KIOSK_DATA_DIR"] = data_dir
    settings = load_settings()
    settings = replace(settings, printer=replace(settings.printer, backend="dummy"))
    host = PluginHost(builtins=("kiosk.plugins.queue", "kiosk.plugins.intake"), load_entrypoints=False, hook_timeout=None)
    ctx = build_context(settings, host, run_migrations=False, startup=False)
    ctx.terminal = f"kiosk-{seed}"
    rng = random.Random(seed)

    def issue(kind: str, key: str) -> str:
        say(f"start {kind} {key}")
        if kind == "ticket":
            taken = queue.take_ticket(ctx, rng.choice(LETTERS), key=key)
            number = taken.ticket.display
            receipt_id = taken.ticket.receipt_id
            layout = taken.issued.layout if taken.issued else None
        else:
            filed = intake.file_case(ctx, dict(CASE), by=f"kiosk:{ctx.terminal}", key=key)
            number = filed.case.case_no
            receipt_id = filed.case.receipt_id
            layout = filed.issued.layout if filed.issued else None
        say(f"done {kind} {key} {number}")
        if layout is not None:
            ctx.print_receipt(receipt_id, layout)  # the print record is a second transaction: kills land here too
        return number

    if retry is not None:
        issue(*retry)
    say("ready")
    for i in range(100_000):
        issue(rng.choice(("ticket", "case")), f"k{seed}x{i}")


def _run_round(url: str, data_dir: str, seed: int, retry, rng: random.Random) -> list[str]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.close(read_fd)
            _kiosk(url, data_dir, seed, retry, write_fd)
        except BaseException:  # noqa: BLE001 - report and end without running the parent's cleanup
            import traceback

            os.write(write_fd, ("error " + traceback.format_exc().replace("\n", " | ") + "\n").encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    buffer = b""

    def read_until(deadline: float, stop: bytes | None = None) -> None:
        nonlocal buffer
        while time.monotonic() < deadline and not (stop and stop in buffer):
            ready, _, _ = select_module.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    return
                buffer += chunk

    # One round in five is killed during start-up or the retry; the others while issuing, after a
    # random number of milliseconds (a kiosk issues a ticket in a few).
    if rng.random() < 0.2:
        read_until(time.monotonic() + rng.uniform(0.0, 0.3))
    else:
        read_until(time.monotonic() + 20, stop=b"ready\n")
        read_until(time.monotonic() + rng.uniform(0.0, 0.25))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read_fd, 65536):
        buffer += chunk
    os.close(read_fd)
    lines = buffer.decode().splitlines()
    errors = [line for line in lines if line.startswith("error ")]
    assert not errors, errors[0]
    return lines


@pytest.mark.postgres
def test_sigkill_while_issuing_loses_nothing_and_leaves_nothing_half_written(db_url, make_host, make_ctx, monkeypatch, isolated_env):
    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)
    ctx = make_ctx(make_host(queue=queue_plugin, intake=intake_plugin), db_url)
    queue_plugin.kiosk_demo_data(ctx)
    intake_demo.load_places(ctx)
    with ctx.transaction() as s:
        s.execute(update(QueueService).values(daily_cap=100_000))
    ctx.engine.dispose()  # no pooled connection crosses a fork

    rng = random.Random(20261130)
    done: dict[str, tuple[str, str]] = {}  # key -> (kind, number) reported after the call returned
    retry = None
    retried: list[tuple[str, str]] = []
    for round_no in range(KILLS):
        lines = _run_round(db_url, str(isolated_env), round_no, retry, rng)
        started = None
        for line in lines:
            word, *rest = line.split()
            if word == "start":
                started = (rest[0], rest[1])
            elif word == "done":
                kind, key, number = rest
                assert done.setdefault(key, (kind, number)) == (kind, number), f"key {key} gave two different results"
                if started and started[1] == key:
                    started = None
        if retry is not None and retry[1] in done:
            retried.append(retry)
        retry = started  # cut off mid-call: the next kiosk retries that key
    assert len(done) > KILLS, "the kiosks issued too little for the test to mean anything"

    with ctx.sessions() as s:
        tickets = list(s.scalars(select(Ticket)))
        cases = list(s.scalars(select(Case)))
        by_key = {t.idempotency_key: t.display for t in tickets} | {c.idempotency_key: c.case_no for c in cases}
        # Every committed ticket and case exists, once, with the number the kiosk showed.
        for key, (_kind, number) in done.items():
            assert by_key.get(key) == number, key
        assert len(by_key) == len(tickets) + len(cases)  # no key twice
        # Numbering: 1..N per day and letter, no gap, no duplicate; the counters agree.
        for letter in LETTERS:
            numbers = sorted(t.number for t in tickets if t.letter == letter)
            assert numbers == list(range(1, len(numbers) + 1)), letter
            last = s.scalar(select(DayNumber.last).where(DayNumber.letter == letter))
            assert (last or 0) == len(numbers)
        case_numbers = sorted(int(c.case_no.rsplit("-", 1)[1]) for c in cases)
        assert case_numbers == list(range(1, len(cases) + 1))
        assert (s.scalar(select(DayCounter.last)) or 0) == len(cases)
        # Nothing half-written.
        receipts = {r.id: r for r in s.scalars(select(Receipt))}
        tokens = dict(s.execute(select(ReceiptToken.receipt_id, func.count()).group_by(ReceiptToken.receipt_id)).all())
        takes = set(s.scalars(select(QueueEvent.ticket_id).where(QueueEvent.action == "take")))
        filed = set(s.scalars(select(CaseEvent.case_id).where(CaseEvent.action == "file")))
        for t in tickets:
            r = receipts.get(t.receipt_id)
            assert r is not None and r.plugin == "queue" and r.number == t.display and r.subject == str(t.id)
            assert tokens.get(r.id, 0) >= 1 and t.id in takes and t.token_sealed
        for c in cases:
            r = receipts.get(c.receipt_id)
            assert r is not None and r.plugin == "intake" and r.number == c.case_no and r.subject == str(c.id)
            assert tokens.get(r.id, 0) >= 1 and c.id in filed and c.token_sealed
        assert len(receipts) == len(tickets) + len(cases)  # no receipt without its ticket or case

    # Numbering continues after the last kill, and the kiosks' retries found their first results.
    from kiosk.plugins.queue import service as queue

    before = max((t.number for t in tickets if t.letter == "A"), default=0)
    assert queue.take_ticket(ctx, "A").ticket.number == before + 1
    print(f"\n{db_url.split(':', 1)[0]}: {KILLS} kills, {len(tickets)} tickets, {len(cases)} cases, "
          f"{len(retried)} cut-off calls retried")
