"""The help band and 朗读, with real taps: 请工作人员帮助 pages staff once, 朗读 reads screens and the idle question."""

from __future__ import annotations

import pytest
from uihelpers import labels_text, overlays, tile_for

pytestmark = pytest.mark.ui


def _forget_help_requests(ctx) -> None:
    from sqlalchemy import delete

    from kiosk.models import HelpRequest

    with ctx.transaction() as s:
        s.execute(delete(HelpRequest))


def test_help_button_pages_staff_once_from_any_screen(ui):
    from kiosk.helpdesk import mark_done, open_requests

    app, harness, _clock = ui
    _forget_help_requests(app.ctx)
    harness.tap(tile_for(app, "demo"))
    assert app.sm.current == "demo.main" and app.assist.active
    harness.tap(app.assist.ids.help)
    assert harness.until(lambda: app.help_overlay.outcome == "sent", timeout=10)
    assert app.help_overlay in overlays()
    assert "已通知工作人员，请在此稍候" in labels_text(app.help_overlay)
    assert app.help_overlay.ids.title.font_size == app.theme.title  # large, calm type
    (call,) = open_requests(app.ctx)
    assert (call.terminal, call.screen) == (app.ctx.terminal, "demo.main")

    harness.tap(app.help_overlay.ids.ok)
    assert app.help_overlay not in overlays() and app.sm.current == "demo.main"  # the resident's screen is kept
    harness.tap(app.assist.ids.help)  # an anxious second tap
    assert harness.until(lambda: app.help_overlay.outcome == "already", timeout=10)
    assert "工作人员已收到通知，正在赶来。" in labels_text(app.help_overlay)
    assert len(open_requests(app.ctx)) == 1

    mark_done(app.ctx, call.id, "web:clerk")
    app.dismiss_overlays()
    harness.step(1)
    harness.tap(app.sm.current_screen.home_button)
    assert app.sm.current == "home"
    harness.tap(app.assist.ids.help)  # handled: a new tap, from home, pages again
    assert harness.until(lambda: app.help_overlay.outcome == "sent", timeout=10)
    assert [c.screen for c in open_requests(app.ctx)] == ["home"]


def test_help_without_a_database_sends_the_resident_to_the_front_desk(ui):
    from kiosk.db import make_engine, make_write_session_factory

    app, harness, _clock = ui
    harness.tap(tile_for(app, "demo"))
    working = app.ctx.write_sessions
    app.ctx.write_sessions = make_write_session_factory(
        make_engine("postgresql+psycopg://kiosk@127.0.0.1:1/kiosk", connect_args={"connect_timeout": 2}))
    try:
        harness.tap(app.assist.ids.help)
        assert app.help_overlay.outcome == "sending" and app.help_overlay in overlays()  # an answer at once
        assert harness.until(lambda: app.help_overlay.outcome == "failed", timeout=15)
    finally:
        app.ctx.write_sessions = working
    assert "请在此稍候，或到前台找工作人员" in labels_text(app.help_overlay)
    assert app.sm.current == "demo.main"


def test_help_band_is_on_resident_screens_only(ui):
    app, harness, _clock = ui
    assert app.assist.active and app.assist.ids.again.opacity == 0  # 再听一遍 only while 朗读 is on
    height = app.sm.height
    app.open_pin()
    harness.step(2)
    assert not app.assist.active and app.assist.opacity == 0 and app.assist.disabled
    assert app.sm.height == height  # the screens keep their size: taps land where they were drawn
    app.go_home()
    harness.step(2)
    assert app.assist.active and app.assist.height >= app.theme.button_height
    assert app.home.ids.help_large.opacity == 0


def test_large_text_moves_help_onto_the_home_screen(ui):
    from kiosk.helpdesk import open_requests

    app, harness, _clock = ui
    _forget_help_requests(app.ctx)
    harness.tap(app.home.ids.large, frames=5)
    assert not app.assist.shown and app.assist.height == 0 and not app.assist.active
    button = app.home.ids.help_large
    assert button.opacity == 1 and button.text == "请工作人员帮助" and button.height >= app.theme.button_height
    harness.tap(button)
    assert harness.until(lambda: app.help_overlay.outcome == "sent", timeout=10)
    assert [c.screen for c in open_requests(app.ctx)] == ["home"]


def test_read_aloud_reads_screens_again_on_request_and_asks_the_idle_question(ui):
    app, harness, clock = ui
    reader = app.reader
    reader.last_text = ""
    harness.tap(app.home.ids.read_aloud)
    assert app.read_aloud and app.home.ids.read_aloud.text == "朗读：开"
    assert harness.until(lambda: reader.last_text.startswith("华新社区服务中心。请选择："), timeout=5)
    assert "测试服务" in reader.last_text and "请工作人员帮助" in reader.last_text
    assert harness.until(lambda: reader.last_wav is not None, timeout=20)  # espeak-ng rendered it (no sound card: not played)
    assert reader.last_wav.stat().st_size > 1000

    harness.tap(tile_for(app, "demo"))
    assert harness.until(lambda: "测试服务" in reader.last_text and "取凭条" in reader.last_text
                         and not reader.last_text.startswith("华新"), timeout=5)
    assert reader.last_text.index("测试服务") < reader.last_text.index("取凭条")  # top to bottom
    assert app.assist.ids.again.opacity == 1 and app.assist.ids.again.text == "再听一遍"
    said = reader.last_text
    reader.last_text = ""
    harness.tap(app.assist.ids.again)
    assert reader.last_text == said

    clock.advance(61)
    assert harness.until(lambda: app.idle_prompt in overlays(), timeout=3)
    assert reader.last_text == "还需要更多时间吗？请点屏幕"
    clock.advance(16)
    assert harness.until(lambda: app.sm.current == "home" and not app.read_aloud, timeout=3)  # reset for the next resident
    assert app.home.ids.read_aloud.text == "朗读"


def test_read_aloud_without_espeak_is_silent_and_harmless(ui, monkeypatch):
    from kiosk import speech

    app, harness, _clock = ui
    monkeypatch.setattr(speech.shutil, "which", lambda _name: None)
    reader = app.reader
    reader.last_wav = "unchanged"
    harness.tap(app.home.ids.read_aloud)
    assert harness.until(lambda: reader.last_wav is None, timeout=5)
    assert reader.last_text.startswith("华新社区服务中心")
    harness.tap(tile_for(app, "demo"))
    assert app.sm.current == "demo.main"
    harness.tap(app.assist.ids.again)
    harness.step(5)
    assert app.sm.current == "demo.main" and app.read_aloud


@pytest.mark.parametrize("name,expected", [
    ("queue.services", ["取号。请选择要办理的业务。社保医保，", "低保救助，", "绿色通道"]),
    ("queue.service", ["社保医保。", "请带好：身份证"]),
    ("notices.boards", ["通知公告，通知。", "点标题可以看全文"]),
    ("timetable.week", ["课程表 ", "节课。点课程可以看详情和报名"]),
    ("intake.categories", ["民生诉求。", "紧急情况按钮", "您要反映什么问题？请选择："]),
])
def test_plugin_main_screens_have_their_own_spoken_text(ui, name, expected):
    from kiosk.screens import shots
    from kiosk.screens.readaloud import default_spoken_text, spoken_text_of
    from kiosk.speech import speakable

    app, harness, _clock = ui
    shots.show(app, name)
    harness.step(4)
    screen = app.sm.current_screen
    text = speakable(spoken_text_of(screen))
    assert callable(getattr(screen, "spoken_text", None))
    for part in expected:
        assert part in text, (part, text)
    assert "–" not in text and "·" not in text and text != default_spoken_text(screen)


def test_a_screen_that_needs_the_whole_window_goes_without_the_band(ui):
    from kiosk.screens import shots

    app, harness, _clock = ui
    shots.show(app, "timetable.surname")  # no frame in between: the screen is laid out at once
    picker = app.sm.current_screen.ids.picker
    assert not app.assist.shown and app.sm.height == app.root.height
    harness.step(3)
    from kivy.uix.scrollview import ScrollView

    mr = picker.key("先生")
    view = mr.parent
    while not isinstance(view, ScrollView):
        view = view.parent
    assert mr.to_window(*mr.pos)[1] >= view.to_window(*view.pos)[1] - 1  # 先生 is in sight, not scrolled below
    app.go_home()
    assert app.assist.shown and app.assist.active
