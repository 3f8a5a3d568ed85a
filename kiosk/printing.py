"""Printing slips on an 80 mm ESC/POS thermal printer through python-escpos.

The backend comes from config: none (no printer), dummy (bytes kept in memory, for tests), file
(a device node such as /dev/usb/lp0), network (port 9100), usb, serial. Chinese text is sent as
GB18030 after ``FS &`` (Chinese character mode), which is what printers sold in China expect; the QR
is printed with the printer's native command (``GS ( k``), module size 6 dots.

:func:`print_slip` never raises for printer trouble: it returns a :class:`PrintResult` whose message
the screen shows ("打印机暂时故障…"), while the receipt row is already committed.

Why ask the printer before printing: a network printer that is out of paper still accepts the bytes of
a slip (into its buffer) and prints nothing, so "sent" is not "printed". Printers that talk back
(network, usb, serial) are asked for their real-time status first (``DLE EOT 1`` printer, ``DLE EOT 4``
paper sensor); a printer that is offline, out of paper, silent or answering something that is no
status byte gets no job, and the result says why (``reason``: offline, paper-out, garbage, error).
``[printer] status_check = false`` turns this off for a printer that never answers status requests.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import PrinterConfig, Settings
from kiosk.receipts import SlipLayout

log = logging.getLogger(__name__)

FS_CHINESE_ON = b"\x1c\x26"
QR_MODULE_DOTS = 6
LINE_CHARS = 48  # font A on 80 mm paper: 48 ASCII columns, 24 Chinese characters
#: One user of the configured printer at a time in this process: a slip and a status probe (the
#: heartbeat's) must not both open a USB printer, which only one handle can claim.
DEVICE_LOCK = threading.Lock()


#: Real-time status requests (ESC/POS DLE EOT n) and the bits of their one-byte answers.
STATUS_PRINTER = b"\x10\x04\x01"
STATUS_PAPER = b"\x10\x04\x04"
STATUS_FIXED_MASK, STATUS_FIXED_BITS = 0x93, 0x12  # bits 1 and 4 set, 0 and 7 clear, in every answer
STATUS_OFFLINE_BIT = 0x08
PAPER_END_BITS = 0x60  # paper roll end sensor
TWO_WAY_BACKENDS = ("network", "usb", "serial")


@dataclass(frozen=True)
class PrintResult:
    status: str  # printed | failed | disabled
    error: str = ""
    reason: str = ""  # when failed: offline | paper-out | garbage | error

    @property
    def ok(self) -> bool:
        return self.status == "printed"


class PrinterUnavailable(RuntimeError):
    pass


def make_printer(cfg: PrinterConfig):
    """The python-escpos printer object for ``cfg`` (None for backend "none")."""
    from escpos import printer as escpos_printer

    profile = {"profile": cfg.profile} if cfg.profile else {}
    if cfg.backend == "none":
        return None
    if cfg.backend == "dummy":
        return escpos_printer.Dummy(**profile)
    if cfg.backend == "file":
        return escpos_printer.File(devfile=cfg.path, auto_flush=False, **profile)
    if cfg.backend == "network":
        return escpos_printer.Network(host=cfg.host, port=cfg.port, timeout=cfg.timeout, **profile)
    if cfg.backend == "usb":
        return escpos_printer.Usb(idVendor=cfg.vendor_id, idProduct=cfg.product_id, timeout=int(cfg.timeout * 1000), **profile)
    if cfg.backend == "serial":
        return escpos_printer.Serial(devfile=cfg.device, baudrate=cfg.baudrate, timeout=cfg.timeout, **profile)
    raise PrinterUnavailable(f"unknown printer backend {cfg.backend!r}")


def gb18030(text: str) -> bytes:
    return text.encode("gb18030", errors="replace")


def write_slip(p, layout: SlipLayout) -> None:
    """Send one slip to an open python-escpos printer ``p``."""
    p._raw(b"\x1b\x40")  # ESC @: reset, so a previous half-printed job cannot leave odd modes behind
    p._raw(FS_CHINESE_ON)
    p.set(align="center", bold=True, double_height=True, double_width=True)
    p._raw(gb18030(layout.center) + b"\n")
    p.set(align="center", bold=False, normal_textsize=True)
    p._raw(gb18030(layout.title) + b"\n")
    p.set(align="center", bold=True, custom_size=True, width=4, height=4)
    p._raw(gb18030(layout.number) + b"\n")
    p.set(align="left", bold=False, normal_textsize=True)
    for line in layout.lines:
        p._raw(gb18030(line) + b"\n")
    p.set(align="center")
    p.qr(layout.url, native=True, size=QR_MODULE_DOTS, ec=_qr_ec_m())
    p._raw(gb18030(layout.footer) + b"\n")
    p._raw(gb18030(layout.issued) + b"\n")
    p.cut()


def _qr_ec_m() -> int:
    from escpos.constants import QR_ECLEVEL_M

    return QR_ECLEVEL_M


class PrinterTrouble(RuntimeError):
    """The printer answered its status request with a problem (or with something that is no status)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _status_byte(p, request: bytes, what: str) -> int:
    p._raw(request)
    answer = p._read()
    if not answer:
        raise PrinterTrouble("offline", f"no answer to the {what} status request")
    if len(answer) != 1 or (answer[0] & STATUS_FIXED_MASK) != STATUS_FIXED_BITS:
        raise PrinterTrouble("garbage", f"the printer answered {bytes(answer[:16])!r}, not a {what} status byte")
    return answer[0]


def check_ready(p) -> None:
    """Ask a two-way printer whether it can print now; raise :class:`PrinterTrouble` when it cannot."""
    try:
        printer = _status_byte(p, STATUS_PRINTER, "printer")
        paper = _status_byte(p, STATUS_PAPER, "paper")  # asked even when offline: paper out is the usual cause
        if (paper & PAPER_END_BITS) == PAPER_END_BITS:
            raise PrinterTrouble("paper-out", "out of paper")
        if printer & STATUS_OFFLINE_BIT:
            raise PrinterTrouble("offline", "the printer reports it is offline (cover open or an error)")
    except PrinterTrouble:
        raise
    except (TimeoutError, OSError) as exc:
        raise PrinterTrouble("offline", f"no answer to the status request ({type(exc).__name__}: {exc})") from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PrinterTrouble):
        return exc.reason
    if isinstance(exc, OSError) or "DeviceNotFound" in type(exc).__name__:
        return "offline"
    return "error"


def print_slip(settings: Settings, layout: SlipLayout, printer=None) -> PrintResult:
    """Print ``layout``; report failure instead of raising. ``printer`` overrides the configured one."""
    if printer is not None:
        return _print_on(settings, layout, printer)
    with DEVICE_LOCK:
        return _print_on(settings, layout, None)


def _print_on(settings: Settings, layout: SlipLayout, printer) -> PrintResult:
    try:
        p = printer if printer is not None else make_printer(settings.printer)
    except Exception as exc:
        log.warning("printer could not be opened: %s", exc)
        return PrintResult("failed", f"{type(exc).__name__}: {exc}", _reason(exc))
    if p is None:
        return PrintResult("disabled", "no printer configured")
    try:
        if printer is None and settings.printer.backend in TWO_WAY_BACKENDS and settings.printer.status_check:
            check_ready(p)
        write_slip(p, layout)
        flush = getattr(p, "flush", None)
        if callable(flush):
            flush()
    except Exception as exc:
        log.warning("printing failed: %s", exc)
        return PrintResult("failed", f"{type(exc).__name__}: {exc}", _reason(exc))
    finally:
        if printer is None:
            close = getattr(p, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
    return PrintResult("printed")


def printer_status(settings: Settings) -> tuple[str, str]:
    """(state, detail) for the admin screens: disabled | online | offline | paper-out | unknown."""
    cfg = settings.printer
    if cfg.backend == "none":
        return "disabled", "no printer configured"
    if cfg.backend in ("file", "serial"):  # python-escpos opens these lazily: look at the device node itself
        node = Path(cfg.path if cfg.backend == "file" else cfg.device)
        if not node.exists():
            return "offline", f"{node} does not exist (printer unplugged or switched off)"
        if not os.access(node, os.W_OK):
            return "offline", f"no permission to write to {node}"
    with DEVICE_LOCK:
        p = None
        try:
            p = make_printer(cfg)
            if cfg.backend in ("dummy", "file"):
                return "online", cfg.backend
            check_ready(p)  # the same status check a slip gets (offline, paper-out, silent, garbage)
            return "online", cfg.backend
        except PrinterTrouble as exc:
            return ("unknown" if exc.reason == "garbage" else exc.reason), str(exc)
        except Exception as exc:
            return "offline", f"{type(exc).__name__}: {exc}"
        finally:
            close = getattr(p, "close", None)  # a USB printer stays claimed until its handle is closed
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
