"""Printer offline, out of paper, or answering garbage: the ticket or case and its receipt are committed,
the failure is recorded with its reason (the receipt screen tells the resident), and staff reprint.

The printer is a fake network printer on loopback (tests/resilience/fake_printer.py) speaking the
ESC/POS real-time status protocol, so the configured "network" backend of python-escpos is exercised
end to end; a refusing printer is a port nobody listens on.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from fake_printer import FakePrinter, closed_port
from kit import MONDAY_9AM
from sqlalchemy import func, select

import kiosk.plugins.intake as intake_plugin
import kiosk.plugins.queue as queue_plugin
from kiosk.models import Receipt, ReceiptToken
from kiosk.plugins.intake import demo as intake_demo
from kiosk.plugins.intake import service as intake
from kiosk.plugins.intake.models import Case
from kiosk.plugins.queue import service as queue
from kiosk.plugins.queue.models import Ticket
from kiosk.printing import printer_status

CASE = {"category": "repair", "problem": "楼道灯不亮", "building": "3", "unit": "2", "phone": "13812345678"}


@pytest.fixture
def ctx(make_host, make_ctx, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", MONDAY_9AM)
    ctx = make_ctx(make_host(queue=queue_plugin, intake=intake_plugin))
    queue_plugin.kiosk_demo_data(ctx)
    intake_demo.load_places(ctx)
    return ctx


def use_printer(ctx, port: int) -> None:
    ctx.settings = replace(ctx.settings, printer=replace(ctx.settings.printer, backend="network", host="127.0.0.1",
                                                         port=port, timeout=1.0))


def slip_of_ticket(ctx, taken):
    return ctx.print_receipt(taken.ticket.receipt_id, taken.issued.layout)


@pytest.mark.parametrize("mode, reason, state", [
    ("refused", "offline", "offline"),
    ("offline", "offline", "offline"),
    ("paper-out", "paper-out", "paper-out"),
    ("garbage", "garbage", "unknown"),
    ("silent", "offline", "offline"),
])
def test_a_failing_printer_loses_nothing_and_staff_reprint(ctx, mode, reason, state):
    printer = FakePrinter("ok" if mode == "refused" else mode)
    with printer:
        use_printer(ctx, closed_port() if mode == "refused" else printer.port)
        taken = queue.take_ticket(ctx, "A", key="tap-1")
        filed = intake.file_case(ctx, dict(CASE), by="kiosk:test", key="case-1")

        ticket_result = slip_of_ticket(ctx, taken)
        case_result = ctx.print_receipt(filed.issued.receipt.id, filed.issued.layout)
        for result in (ticket_result, case_result):
            assert result.status == "failed" and result.reason == reason, result
        assert printer.printed() == b""  # no slip was sent to a printer that cannot print it
        assert printer_status(ctx.settings)[0] == state  # what the admin screen and staff page show

        # Both are committed, with their receipts; the failure is recorded on the receipt row.
        with ctx.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Ticket)) == 1
            assert s.scalar(select(func.count()).select_from(Case)) == 1
            for receipt_id in (taken.ticket.receipt_id, filed.issued.receipt.id):
                row = s.get(Receipt, receipt_id)
                assert row.printed_at is None and row.print_error
        # A retry of the same tap (the resident presses again) returns the same ticket, not a second one.
        assert queue.take_ticket(ctx, "A", key="tap-1").ticket.id == taken.ticket.id

        # The printer is fixed (paper in, cable back): staff reprint both slips.
        printer.mode = "ok"
        use_printer(ctx, printer.port)
        assert printer_status(ctx.settings)[0] == "online"
        assert queue_reprint(ctx, "A001")
        assert intake.reprint(ctx, filed.case.case_no).ok
        printed = printer.printed()
        assert "A001".encode() in printed and filed.case.case_no.encode() in printed
        assert printed.count(b"\x1d\x56") == 2 or printed.count(b"\x1dV") == 2  # two cuts: two slips
        with ctx.sessions() as s:
            for receipt_id in (taken.ticket.receipt_id, filed.issued.receipt.id):
                row = s.get(Receipt, receipt_id)
                assert row.printed_at is not None and row.print_error is None
                # The reprint added a token; the resident's first QR keeps working.
                assert s.scalar(select(func.count()).select_from(ReceiptToken).where(ReceiptToken.receipt_id == receipt_id)) == 2


def queue_reprint(ctx, number: str) -> bool:
    """The queue's staff reprint, as the counter page's 补打 button runs it."""
    from starlette.requests import Request

    from kiosk.plugins.queue.web import _reprint

    request = Request({"type": "http", "headers": [], "query_string": b"", "path": "/staff/queue", "session": {}})
    return "已重新打印" in _reprint(request, ctx, number)


def test_a_good_printer_gets_the_slip_after_the_status_check(ctx):
    with FakePrinter("ok") as printer:
        use_printer(ctx, printer.port)
        taken = queue.take_ticket(ctx, "B")
        assert slip_of_ticket(ctx, taken).ok
        assert printer.received.startswith(b"\x10\x04\x01\x10\x04\x04")  # asked first, then printed
        assert b"B001" in printer.printed()


def test_status_check_can_be_switched_off_for_a_printer_that_never_answers(ctx):
    with FakePrinter("silent") as printer:
        use_printer(ctx, printer.port)
        ctx.settings = replace(ctx.settings, printer=replace(ctx.settings.printer, status_check=False))
        taken = queue.take_ticket(ctx, "B")
        assert slip_of_ticket(ctx, taken).ok
        assert b"B001" in printer.printed()


def test_staff_reprint_from_the_command_line(ctx, monkeypatch, capsys):
    from kiosk.cli import main

    filed = intake.file_case(ctx, dict(CASE), by="kiosk:test")

    def kiosk(*args):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out + err
    with FakePrinter("paper-out") as printer:
        config = ctx.settings.data_dir / "kiosk.toml"
        packaged = ctx.settings.source.read_text(encoding="utf-8")
        config.write_text(packaged.replace('backend = "none"', f'backend = "network"\nhost = "127.0.0.1"\nport = {printer.port}\ntimeout = 1'),
                          encoding="utf-8")
        monkeypatch.setenv("KIOSK_CONFIG", str(config))
        code, output = kiosk("cases", "reprint", filed.case.case_no)
        assert code == 1 and "out of paper" in output
        printer.mode = "ok"
        code, output = kiosk("cases", "reprint", filed.case.case_no.lower())
        assert code == 0, output
        assert f"slip {filed.case.case_no} printed" in output
        assert filed.case.case_no.encode() in printer.printed()
        code, output = kiosk("cases", "reprint", "MS000000-999")
        assert code == 2
