"""Filing a request at the kiosk, driven with real taps from the tile to the receipt, whose QR opens
the case's tracking page; plus the emergency path, a refused phone number and the idle reset."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from uihelpers import tile_for

pytestmark = pytest.mark.ui


@pytest.fixture
def intake_ui(plugin_ui):
    return plugin_ui("intake")


def choice(screen, grid: str, value: str):
    found = [c for c in screen.ids[grid].children if c.value == value]
    assert found, f"no choice {value!r} on {screen.name}"
    return found[0]


def type_digits(harness, pad, digits: str) -> None:
    for d in digits:
        harness.tap(pad.key(d))


def count_cases(app) -> int:
    from kiosk.plugins.intake.models import Case

    with app.ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_file_a_request_from_tile_to_receipt_and_follow_it(intake_ui, tmp_path):
    import zxingcpp
    from fastapi.testclient import TestClient
    from PIL import Image

    from kiosk.plugins.intake import service
    from kiosk.web.app import create_app

    app, harness = intake_ui
    before = count_cases(app)
    harness.tap(tile_for(app, "intake"))
    assert app.sm.current == "intake.categories"
    harness.tap(choice(app.sm.current_screen, "grid", "repair"))
    assert app.sm.current == "intake.problem"
    harness.tap(choice(app.sm.current_screen, "grid", "楼道灯不亮"))
    assert app.sm.current == "intake.building"
    harness.tap(choice(app.sm.current_screen, "grid", "12"))
    assert app.sm.current == "intake.unit"
    unit = app.sm.current_screen
    harness.tap(choice(unit, "units", "2"))
    type_digits(harness, unit.ids.flat, "302")
    harness.tap(unit.ids.next)
    assert app.sm.current == "intake.phone"
    phone = app.sm.current_screen
    type_digits(harness, phone.ids.pad, "138123")
    harness.tap(phone.ids.next)
    assert app.sm.current == "intake.phone" and phone.ids.pad.error  # said plainly, next to the field
    assert phone.ids.pad.text == "138123"  # nothing typed is lost
    type_digits(harness, phone.ids.pad, "45678")
    harness.tap(phone.ids.next)
    assert app.sm.current == "intake.name"
    name = app.sm.current_screen
    harness.tap(name.ids.picker.key("张"))
    harness.tap(name.ids.picker.key("先生"))
    harness.tap(name.ids.consent)
    harness.tap(name.ids.next)
    assert app.sm.current == "intake.describe"
    describe = app.sm.current_screen
    harness.tap(describe.ids.keyboard.candidate_buttons()[1])  # the phrase 晚上很黑
    harness.tap(describe.ids.next)
    assert app.sm.current == "intake.review"
    review = app.sm.current_screen
    shown = {row.label: row.value for row in review.ids.rows.children}
    assert shown["类别"] == "设施维修" and shown["问题"] == "楼道灯不亮" and shown["地点"] == "12号楼 2单元 302室"
    assert shown["电话"] == "138 1234 5678" and shown["称呼"].startswith("张先生") and "张*" in shown["称呼"]
    assert shown["说明"] == "晚上很黑"
    submit = review.ids.submit
    submit.dispatch("on_release")  # a double tap files one case
    submit.dispatch("on_release")
    harness.step(2)
    assert app.sm.current == "receipt"
    assert count_cases(app) == before + 1
    receipt = app.sm.get_screen("receipt")
    assert receipt.number.startswith("MS261130-") and "第二先锋队" in receipt.lines and "2026年12月07日" in receipt.lines
    assert "13812345678" not in receipt.lines and "张" not in receipt.lines and "302" not in receipt.lines
    assert harness.until(lambda: receipt.status == "printed")
    codes = zxingcpp.read_barcodes(Image.open(harness.screenshot(tmp_path / "case.png")))
    assert [c.text for c in codes] == [receipt.url]
    with TestClient(create_app(app.ctx)) as client:
        page = client.get("/t/" + receipt.url.rsplit("/t/", 1)[1])
    assert page.status_code == 200 and receipt.number in page.text and "民生受理" in page.text and "138****5678" in page.text
    case = service.card(app.ctx, receipt.number).case
    assert (case.building, case.unit, case.flat, case.surname, case.title, case.name_public, case.description) == (
        "12", "2", "302", "张", "先生", True, "晚上很黑")
    app.go_home()
    harness.step(2)
    harness.tap(tile_for(app, "intake"))
    assert not any(c.selected for c in app.sm.current_screen.ids.grid.children)  # the next resident starts empty


def test_emergency_shows_the_numbers_and_files_nothing(intake_ui):
    app, harness = intake_ui
    before = count_cases(app)
    harness.tap(tile_for(app, "intake"))
    harness.tap(app.sm.current_screen.ids.emergency)
    assert app.sm.current == "intake.emergency"
    harness.tap(app.sm.current_screen.ids.header.ids.back)
    harness.tap(choice(app.sm.current_screen, "grid", "safety"))
    harness.tap(choice(app.sm.current_screen, "grid", "着火或冒烟"))
    assert app.sm.current == "intake.emergency" and app.sm.current_screen.number == "119"
    assert count_cases(app) == before


def test_going_back_keeps_what_was_entered_and_idle_reset_clears_it(intake_ui):
    app, harness = intake_ui
    harness.tap(tile_for(app, "intake"))
    harness.tap(choice(app.sm.current_screen, "grid", "env"))
    harness.tap(choice(app.sm.current_screen, "grid", "垃圾未清运"))
    harness.tap(choice(app.sm.current_screen, "grid", "5"))
    type_digits(harness, app.sm.current_screen.ids.flat, "101")
    harness.tap(app.sm.current_screen.ids.next)
    type_digits(harness, app.sm.current_screen.ids.pad, "1395")
    harness.tap(app.sm.current_screen.ids.header.ids.back)  # back to the unit step
    assert app.sm.current == "intake.unit" and app.sm.current_screen.ids.flat.text == "101"
    harness.tap(app.sm.current_screen.ids.next)
    assert app.sm.current_screen.ids.pad.text == "1395"
    app.reset_session()  # what the idle timeout does
    harness.step(2)
    harness.tap(tile_for(app, "intake"))
    assert not any(c.selected for c in app.sm.current_screen.ids.grid.children)
    app.open_screen("intake.phone")
    harness.step(2)
    assert app.sm.current_screen.ids.pad.text == ""
