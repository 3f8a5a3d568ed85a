"""The receipt screen every plugin ends on: the slip as it prints, its QR, and how printing went.

Why print from here, in a thread: the receipt row is already committed when this screen opens, so the
resident sees the number and the QR at once (one frame), while the printer may take seconds or fail;
the status line follows the printer. When the printer fails, the QR on the screen is the way home:
"请用手机扫码或拍照保存".
"""

from __future__ import annotations

from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import N_
from kiosk.screens import background

#: status -> message id; the .kv translates it with app.tr.
STATUS_MESSAGES = {
    "": "",
    "printing": N_("Printing…"),
    "printed": N_("Printed. Please take your slip."),
    "failed": N_("The printer is not working right now. Please scan the code with your phone or take a photo."),
    "disabled": N_("There is no printer here. Please scan the code with your phone or take a photo."),
    "paper-out": N_("The printer is out of paper. Please scan the code with your phone, or ask at the front desk to print your slip."),
}
STATUS_COLORS = {"printing": "secondary", "printed": "ok", "failed": "danger", "disabled": "danger", "paper-out": "danger",
                 "": "secondary"}


class ReceiptScreen(Screen):
    center = StringProperty("")
    slip_title = StringProperty("")
    number = StringProperty("")
    lines = StringProperty("")
    url = StringProperty("")
    issued = StringProperty("")
    footer = StringProperty("")
    status = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._job: object | None = None

    def show(self, issued, printer=None, status: str = "printing") -> None:
        """Fill the slip from ``issued`` (a :class:`kiosk.receipts.IssuedReceipt`) and print it with ``printer``.

        ``printer(receipt_id, layout)`` is the Shell's :meth:`~kiosk.screens.api.Shell.print_receipt` (it runs
        in a background thread); without one the slip is only shown. The screen does not look for the running
        app: what prints is handed to it.
        """
        layout = issued.layout
        self.center = layout.center
        self.slip_title = layout.title
        self.number = layout.number
        self.lines = "\n".join(layout.lines)
        self.issued = layout.issued
        self.footer = layout.footer
        self.url = layout.url
        self.ids.qr.data = layout.url
        self.status = status
        job = self._job = object()
        if printer is None:
            return
        receipt_id = issued.receipt.id
        background.run(
            lambda: printer(receipt_id, layout),
            lambda result, error: self._printed(job, result, error),
            name="kiosk-print",
        )

    def _printed(self, job, result, error) -> None:
        if job is not self._job:  # a newer receipt is on screen (or it was cleared): old news
            return
        status = "failed" if error is not None or result is None else result.status
        if status == "failed" and getattr(result, "reason", "") == "paper-out":
            status = "paper-out"  # the one trouble a resident can act on: staff reprint once paper is in
        self.status = status
        if self.status not in STATUS_MESSAGES:
            self.status = "failed"

    def reset(self) -> None:
        self._job = None
        for name in ("center", "slip_title", "number", "lines", "url", "issued", "footer", "status"):
            setattr(self, name, "")
        self.ids.qr.data = ""
