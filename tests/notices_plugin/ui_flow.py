"""The notices on the real touch shell, driven with real taps: run by test_notices_ui.py in a process of its own.

Why a process of its own: Kivy has one window per process, and the shell's UI tests keep theirs for the
whole session (tests/ui/conftest.py, whose fixtures only tests/ui can see). Here the same pieces are put
together the same way (bootstrap.prepare, KioskApp around an injected context, the shell's Harness) on
a temporary database with the notices plugin, and the shell's own look checks (tests/ui/test_look.py)
are applied to the notices' screens. Any failed assertion exits non-zero with its traceback.

Usage: python ui_flow.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_URL = "http://kiosk.test"
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="notices-ui-"))
WORK = Path(tempfile.mkdtemp(prefix="notices-ui-data-"))
os.environ.update(KIVY_NO_ARGS="1", KIVY_HOME=str(WORK / "kivy"), KIOSK_DATA_DIR=str(WORK / "data"),
                  KIOSK_CONFIG=str(WORK / "kiosk.toml"), KIOSK_NOW="2026-11-30T09:15:00+08:00")
os.environ.pop("KIOSK_DATABASE_URL", None)
(WORK / "kiosk.toml").write_text(f"""
[center]
name = "华新社区服务中心"
name_en = "Huaxin Community Service Center"
timezone = "Asia/Shanghai"
[web]
base_url = "{BASE_URL}"
[printer]
backend = "dummy"
[[seasons]]
name = "all-year"
title = "全年"
title_en = "All year"
start = "01-01"
end = "12-31"
plugins = ["notices"]
""", encoding="utf-8")
sys.path.insert(0, str(HERE.parent / "ui"))  # the shell's look checks and helpers

from kiosk import hookimpl  # noqa: E402
from kiosk.types import PublicOutcome  # noqa: E402

LONG = "\n\n".join([
    "# 防诈骗五要点",
    "最近有人以「免费体检」为名推销保健品。🎉 请记住下面几条。<script>alert(1)</script> [b]不是粗体[/b]",
    "## 要点",
    "\n".join(f"- **第 {i} 条**：" + "不给陌生人转账，拿不准就问子女、问社区。" * 3 for i in range(1, 9)),
    *[f"第 {i} 段。" + "天上不会掉馅饼，免费领礼品的讲座多半是为了推销。" * 6 for i in range(1, 13)],
])


class Outcomes:
    @hookimpl
    def kiosk_public_outcomes(self, ctx, lang):
        return [PublicOutcome(id="C0012", title="5 号楼路灯已修复", body="已于 11 月 29 日修复，感谢居民反映。",
                              published_at=datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc))]


def picture() -> bytes:
    """A poster-like picture: a wide blue band with a white box."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 500), "#0B4A8F")
    ImageDraw.Draw(img).rectangle((100, 100, 1100, 400), fill="white")
    out = BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def setup():
    import kiosk.plugins.notices as notices_plugin
    from kiosk.config import load_settings
    from kiosk.context import build_context
    from kiosk.plugins.notices import images, service
    from kiosk.pluginhost import PluginHost
    from kiosk.staff import set_user

    host = PluginHost(builtins=(), load_entrypoints=False)
    host.register(notices_plugin, name="notices")
    host.register(Outcomes(), name="intake")
    ctx = build_context(load_settings(), host)
    with ctx.transaction() as s:
        set_user(s, "admin", "admin-password", role="admin")
    urgent = service.create(ctx, board="notice", title="本周六服务大厅停电检修，暂停办公", body="急事请拨打 12345。", urgent=True, by="clerk")
    service.create(ctx, board="notice", title="夕阳美老年大学秋季学期开始报名", body="报名请到前台。", pinned=True, by="clerk")
    long = service.create(ctx, board="science", title="老年人防诈骗五要点 🎉", body=LONG, by="clerk")
    images.set_image(ctx, long.id, picture(), by="clerk")
    gone = service.create(ctx, board="science", title="已撤下的旧通知", body="x", by="clerk")
    service.withdraw(ctx, gone.id, by="clerk")
    party = service.create(ctx, board="party", title="社区党支部组织生活安排公示", body="主题党日。", by="clerk")
    service.approve(ctx, party.id, by="admin")
    return ctx, urgent, long


def labels(root) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in root.walk(restrict=True) if isinstance(w, Label) and w.text]


def decode(path: Path) -> str:
    import zxingcpp
    from PIL import Image

    codes = zxingcpp.read_barcodes(Image.open(path))
    assert [c.format for c in codes] == [zxingcpp.BarcodeFormat.QRCode], f"no single QR in {path}"
    return codes[0].text


def main() -> None:
    ctx, urgent, long = setup()
    from kiosk.bootstrap import prepare

    prepare(size=(1920, 1080), show_cursor=True)
    from fastapi.testclient import TestClient
    from kivy.core.window import Window

    from kiosk.app import KioskApp
    from kiosk.screens import shots
    from kiosk.screens.harness import Harness
    from kiosk.web.app import create_app
    from test_look import problems_on_screen
    from uihelpers import tile_for

    app = KioskApp(ctx)
    harness = Harness(app).start()
    web = TestClient(create_app(ctx))
    try:
        # Home: the urgent notice is on the banner, the tile opens the boards.
        assert app.home.banners == ["本周六服务大厅停电检修，暂停办公"], app.home.banners
        harness.tap(tile_for(app, "notices"), frames=3)
        assert app.sm.current == "notices.boards", app.sm.current
        boards = app.sm.current_screen
        rows = [w for w in boards.ids.rows.children if type(w).__name__ == "NoticeRow"][::-1]
        assert [r.title for r in rows] == ["本周六服务大厅停电检修，暂停办公", "夕阳美老年大学秋季学期开始报名"]
        assert rows[0].urgent and "紧急" in rows[0].meta and "置顶" in rows[1].meta
        assert boards.pages == 1

        # Board → notice: the science tab, the long notice, page down and up.
        tabs = {t.code: t for t in boards.ids.tabs.children}
        harness.tap(tabs["science"], frames=3)
        assert tabs["science"].active and not tabs["notice"].active
        rows = [w for w in boards.ids.rows.children if type(w).__name__ == "NoticeRow"]
        assert [r.title for r in rows] == ["老年人防诈骗五要点 "], [r.title for r in rows]  # the emoji the font lacks is left out
        harness.tap(rows[0], frames=4)
        assert app.sm.current == "notices.reader"
        reader = app.sm.current_screen
        harness.step(3)
        assert reader.pages >= 3 and reader.page_label == f"第 1 / {reader.pages} 页", (reader.pages, reader.page_label)
        assert type(reader.ids.body.children[-1]).__name__ == "Image"  # the picture comes first
        harness.screenshot(OUT / "reader-page-1.png")
        texts = [t.replace("[i][/i]", "") for t in labels(reader.ids.body)]  # without the line-break tags
        assert any("&lt;script&gt;" not in t and "<script>" in t for t in texts)  # shown as text
        assert any("&bl;b&br;不是粗体&bl;/b&br;" in t for t in texts) and not any("🎉" in t for t in texts)
        pager = [w for w in reader.walk() if type(w).__name__ == "NoticePager"][0]
        harness.step(2)
        harness.tap(pager.ids.next, frames=2)
        assert reader.page == 1 and reader.ids.scroll.scroll_y < 1
        top = reader._starts[1]
        assert any(abs(a - top) < 1 for a, _b in reader._rows()), "a page must start at a row's top"
        harness.screenshot(OUT / "reader-page-2.png")
        harness.tap(pager.ids.next, frames=2)
        harness.tap(pager.ids.prev, frames=2)
        assert reader.page == 1
        harness.tap(pager.ids.prev, frames=2)
        assert reader.page == 0 and reader.ids.scroll.scroll_y == 1

        # 扫码带走 → a QR that opens the notice on a phone (the tracking page, then the notice page).
        harness.tap(reader.ids.takeaway, frames=3)
        assert app.sm.current == "notices.takeaway"
        take = app.sm.current_screen
        url = decode(harness.screenshot(OUT / "takeaway.png"))
        assert url == take.url and url.startswith(f"{BASE_URL}/t/"), url
        page = web.get("/t/" + url.rsplit("/t/", 1)[1])
        assert page.status_code == 200 and "老年人防诈骗五要点" in page.text and "<h2>防诈骗五要点</h2>" in page.text
        assert "&lt;script&gt;" in page.text and f'href="/notices/{long.id}"' in page.text
        assert web.get(f"/notices/{long.id}").status_code == 200

        # Asked to print: the shell's receipt screen, the same QR, printed on the (dummy) printer.
        harness.tap(take.ids.print_slip, frames=3)
        assert app.sm.current == "receipt"
        receipt = app.screen("receipt")
        assert receipt.number == f"N{long.id}" and receipt.slip_title == "老年人防诈骗五要点"  # no emoji on paper
        assert harness.until(lambda: receipt.status == "printed", timeout=10), receipt.status
        assert decode(harness.screenshot(OUT / "receipt.png")) == url

        # 公示反馈: an outcome another plugin published is on its board and opens in the reader.
        app.open_screen("notices.boards")
        harness.step(2)
        harness.tap(tabs["outcomes"], frames=3)
        rows = [w for w in boards.ids.rows.children if type(w).__name__ == "NoticeRow"]
        assert [r.title for r in rows] == ["5 号楼路灯已修复"]
        harness.tap(rows[0], frames=3)
        assert app.sm.current == "notices.reader" and "感谢居民反映" in " ".join(labels(reader.ids.body)).replace("[i][/i]", "")

        # Home resets every notices screen for the next resident.
        app.go_home()
        harness.step(2)
        assert boards.board == "notice" and reader.key == "" and take.issued is None

        # The shell's look checks on the notices' screens: glyphs, sizes, nothing cut off or outside.
        problems: list[str] = []
        for lang, size, large in [("zh_CN", (1920, 1080), False), ("en", (1920, 1080), True), ("zh_CN", (1080, 1920), False),
                                  ("en", (1080, 1920), True), ("zh_CN", (1920, 1080), True)]:
            Window.size = size
            harness.step(2)
            app.set_lang(lang)
            app.set_large(large)
            harness.step(2)
            for name in ("notices.boards", "notices.reader", "notices.takeaway"):
                app.dismiss_overlays()
                shots.show(app, name)
                harness.step(4)
                problems += [f"{lang} {size} large={large}: {p}" for p in problems_on_screen(app, name)]
                if lang == "zh_CN" and not large:
                    harness.screenshot(OUT / f"{name}-{size[0]}x{size[1]}.png")
            app.go_home()
        assert not problems, "\n".join(problems)
        assert app.errors.handled == 0, "an exception reached the UI's error overlay"
    finally:
        harness.stop()
    print("notices UI flow OK")


if __name__ == "__main__":
    try:
        main()
    finally:
        import shutil

        shutil.rmtree(WORK, ignore_errors=True)
