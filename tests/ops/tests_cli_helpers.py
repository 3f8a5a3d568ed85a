"""Running the ``kiosk`` command in a subprocess, as staff and scripts do."""

from __future__ import annotations

import os
import subprocess
import sys

KIOSK = [sys.executable, "-m", "kiosk"]


def run(*args: str, env: dict | None = None, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    merged = {**os.environ, **(env or {})}
    proc = subprocess.run([*KIOSK, *args], capture_output=True, text=True, env=merged, input=input, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"kiosk {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc
