"""``kiosk screenshot`` in its own process, as the README's pictures are made."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.ui


def kiosk(*args, data_dir):
    env = dict(os.environ, KIOSK_DATA_DIR=str(data_dir), KIOSK_NOW="2026-11-30T09:15:00+08:00")
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def test_list_names_the_shells_screens(tmp_path):
    out = kiosk("screenshot", "--list", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    assert {"home", "receipt", "pin", "admin", "idle", "error"} <= set(out.stdout.split())


def test_a_portrait_english_large_receipt(tmp_path):
    import zxingcpp
    from PIL import Image

    png = tmp_path / "receipt.png"
    out = kiosk("screenshot", "receipt", "--out", str(png), "--lang", "en", "--size", "1080x1920", "--large", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    image = Image.open(png)
    assert image.size == (1080, 1920)
    codes = zxingcpp.read_barcodes(image)
    assert codes and codes[0].text.endswith("/t/k3Jq9TzVw2LxR8mN5bQa1c")


def test_an_unknown_screen_is_a_clear_error(tmp_path):
    out = kiosk("screenshot", "nowhere", "--out", str(tmp_path / "x.png"), data_dir=tmp_path)
    assert out.returncode == 2 and "unknown screen" in out.stderr
