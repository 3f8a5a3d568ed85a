"""Printing slips on an 80 mm ESC/POS thermal printer through python-escpos.

The backend comes from config: none (no printer), dummy (bytes kept in memory, for tests), file
(a device node such as /dev/usb/lp0), network (port 9100), usb, serial. Chinese text is sent as
GB18030 after ``FS &`` (Chinese character mode), which is what printers sold in China expect; the QR
is printed with the printer's native command (``GS ( k``), module size 6 dots.

:func:`print_slip` never raises for printer trouble: it returns a :class:`PrintResult` whose message
the screen shows ("打印机暂时故障…"), while the receipt row is already committed.
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


@dataclass(frozen=True)
class PrintResult:
    status: str  # printed | failed | disabled
    error: str = ""

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
        return PrintResult("failed", f"{type(exc).__name__}: {exc}")
    if p is None:
        return PrintResult("disabled", "no printer configured")
    try:
        write_slip(p, layout)
        flush = getattr(p, "flush", None)
        if callable(flush):
            flush()
    except Exception as exc:
        log.warning("printing failed: %s", exc)
        return PrintResult("failed", f"{type(exc).__name__}: {exc}")
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
            online = getattr(p, "is_online", None)
            if cfg.backend in ("dummy", "file"):
                return "online", cfg.backend
            if callable(online) and not online():
                return "offline", "printer does not answer"
            paper = getattr(p, "paper_status", None)
            if callable(paper) and paper() == 0:
                return "paper-out", "out of paper"
            return "online", cfg.backend
        except Exception as exc:
            return "offline", f"{type(exc).__name__}: {exc}"
        finally:
            close = getattr(p, "close", None)  # a USB printer stays claimed until its handle is closed
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
