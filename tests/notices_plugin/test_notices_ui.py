"""The notices on the touch shell: board → notice → page down/up → 扫码带走 → QR → the notice on a phone,
printing on request, 公示反馈 from another plugin, the reset for the next resident, and the shell's look
checks on every notices screen (two languages, landscape and portrait, large text).

The flow runs in a process of its own (ui_flow.py explains why: one Kivy window per process, and the
shell's UI fixtures belong to tests/ui), on the display the test run has (``xvfb-run``, as ``make test``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

FLOW = Path(__file__).with_name("ui_flow.py")


def test_board_notice_takeaway_and_print(tmp_path):
    if not os.environ.get("DISPLAY"):
        pytest.fail("no display: run the UI tests under xvfb-run (make test does)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    proc = subprocess.run([sys.executable, str(FLOW), str(tmp_path)], capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    assert "notices UI flow OK" in proc.stdout
    assert (tmp_path / "takeaway.png").exists() and (tmp_path / "receipt.png").exists()
