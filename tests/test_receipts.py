"""Receipts rendered three ways: the PNG slip (its QR decodes), ESC/POS bytes, and print failures."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from kiosk.fonts import find_faces
from kiosk.models import Receipt
from kiosk.printing import FS_CHINESE_ON, PrintResult, print_slip
from kiosk.receipts import find_receipt, layout_for, qr_matrix
from kiosk.slip_image import render_slip, save_slip_png


@pytest.fixture
def ctx(make_host, make_ctx):
    return make_ctx(make_host())


@pytest.fixture
def issued(ctx):
    with ctx.transaction() as s:
        return ctx.issue_receipt(s, plugin="p", kind="ticket", subject="7", number="A023", title="社保医保", lines=["前面还有 3 人", "约 10–20 分钟"])


def test_png_slip_qr_decodes_to_the_tracking_url(ctx, issued, tmp_path):
    faces = find_faces(ctx.settings.font_path, ctx.settings.data_dir)
    out = save_slip_png(issued.layout, faces, tmp_path / "slip.png")
    image = Image.open(out)
    assert image.width == 576  # the 80 mm printer's dot width
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == [issued.url]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode  # a normal QR code, not Micro QR
    assert codes[0].ec_level in ("M", "Q")


def test_chinese_face_is_the_simplified_one(ctx):
    from fontTools.ttLib import TTFont

    faces = find_faces(ctx.settings.font_path, ctx.settings.data_dir)
    font = TTFont(str(faces.regular))
    assert "SC" in font["name"].getDebugName(1) or "Micro Hei" in font["name"].getDebugName(1)
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "华新社区服务中心取号凭条")


def test_long_lines_wrap_instead_of_being_cut(ctx, issued):
    faces = find_faces(ctx.settings.font_path, ctx.settings.data_dir)
    short = render_slip(issued.layout, faces)
    from dataclasses import replace

    long = render_slip(replace(issued.layout, lines=("楼道灯不亮" * 12,)), faces)
    assert long.height > short.height


def test_qr_is_small_enough_for_a_phone():
    url = "http://127.0.0.1:8080/t/" + "x" * 22
    assert len(qr_matrix(url)) <= 37 + 8  # version 5 or below with the quiet zone: large modules on paper



def test_escpos_bytes_have_gb18030_text_and_a_native_qr(ctx, issued):
    from escpos.printer import Dummy

    printer = Dummy()
    result = print_slip(ctx.settings, issued.layout, printer=printer)
    assert result == PrintResult("printed")
    data = printer.output
    assert FS_CHINESE_ON in data
    assert "华新社区服务中心".encode("gb18030") in data
    assert "前面还有 3 人".encode("gb18030") in data
    assert b"A023" in data
    # GS ( k: store the QR data, then print it; module size 6 dots (>= 5), error correction M.
    assert b"\x1d(k" in data
    assert issued.url.encode() in data
    assert b"\x1d(k\x03\x001C\x06" in data  # module size
    assert b"\x1d(k\x03\x001E1" in data  # error correction level M
    assert "华新".encode("utf-8") not in data  # never UTF-8 on the wire


def test_file_backend_writes_the_slip(ctx, issued, tmp_path, monkeypatch):
    from dataclasses import replace

    out = tmp_path / "lp0"
    settings = replace(ctx.settings, printer=replace(ctx.settings.printer, backend="file", path=str(out)))
    assert print_slip(settings, issued.layout).ok
    assert "社保医保".encode("gb18030") in out.read_bytes()


class BrokenPrinter:
    def _raw(self, data):
        raise OSError("paper out")

    def set(self, **kwargs):
        pass


def test_printer_failure_is_reported_and_the_receipt_is_kept(ctx, issued, monkeypatch):
    from kiosk import printing

    monkeypatch.setattr(printing, "make_printer", lambda cfg: BrokenPrinter())
    result = ctx.print_receipt(issued.receipt.id, issued.layout)
    assert result.status == "failed" and "paper out" in result.error
    with ctx.sessions() as s:
        row = s.get(Receipt, issued.receipt.id)
        assert row is not None and "paper out" in row.print_error and row.printed_at is None
        assert find_receipt(s, issued.token) is not None


def test_unreachable_network_printer_fails_cleanly(ctx, issued):
    from dataclasses import replace

    settings = replace(ctx.settings, printer=replace(ctx.settings.printer, backend="network", host="127.0.0.1", port=9, timeout=1))
    result = print_slip(settings, issued.layout)
    assert result.status == "failed" and result.error


def test_no_printer_configured(ctx, issued):
    assert print_slip(ctx.settings, issued.layout).status == "disabled"


def test_reprint_records_success(ctx, issued, monkeypatch):
    from escpos.printer import Dummy

    from kiosk import printing

    monkeypatch.setattr(printing, "make_printer", lambda cfg: Dummy())
    assert ctx.print_receipt(issued.receipt.id, layout_for(issued.receipt, issued.url, ctx.settings)).ok
    with ctx.sessions() as s:
        assert s.get(Receipt, issued.receipt.id).printed_at is not None


def test_png_qr_opens_the_issuing_plugins_tracking_page(make_host, make_ctx, tmp_path):
    """The whole loop: a plugin issues, the slip is rendered, its QR is decoded, the web host answers."""
    from fastapi.testclient import TestClient

    from kiosk import hookimpl
    from kiosk.types import TrackingView
    from kiosk.web.app import create_app

    class Visits:
        @hookimpl
        def kiosk_tracking_view(self, ctx, receipt, lang):
            return TrackingView(title="来访登记", status="已登记", rows=[("编号", receipt.number)])

    ctx = make_ctx(make_host(visits=Visits()))
    with ctx.transaction() as s:
        issued = ctx.issue_receipt(s, plugin="visits", kind="visit", subject="5", number="V005", title="来访凭条")
    png = save_slip_png(issued.layout, find_faces(ctx.settings.font_path, ctx.settings.data_dir), tmp_path / "slip.png")
    url = zxingcpp.read_barcodes(Image.open(png))[0].text
    assert url.startswith(ctx.settings.base_url + "/t/")
    with TestClient(create_app(ctx)) as client:
        page = client.get(url[len(ctx.settings.base_url):])
    assert page.status_code == 200 and "来访登记" in page.text and "已登记" in page.text and "V005" in page.text


def test_tokens_never_start_with_a_dash(monkeypatch):
    """A token typed after a command must not read as an option: a draw starting with '-' is redrawn."""
    from kiosk import security

    draws = iter(["-abcdefghijklmnopqrstu", "Zabcdefghijklmnopqrstu"])
    monkeypatch.setattr(security.secrets, "token_urlsafe", lambda n: next(draws))
    assert security.new_token() == "Zabcdefghijklmnopqrstu"
