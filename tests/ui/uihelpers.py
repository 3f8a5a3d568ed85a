"""What the UI tests share: inline test plugins, their config, a fake clock, widget look-ups."""

from __future__ import annotations

from kiosk import hookimpl
from kiosk.types import PluginInfo, ScreenSpec, Tile, TrackingView

from forms_harness import FormsPlugin  # noqa: E402,I001 - a sibling module of the UI tests

DEMO_PIN = "246810"  # the packaged config's demo PIN
BASE_URL = "http://kiosk.test"


class FakeClock:
    """Seconds for the idle monitor; tests call advance() instead of sleeping."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


# -- inline test plugins ---------------------------------------------------------------------------
def build_demo_screen(shell):
    """A plugin screen: a text field, an "issue" button that issues a receipt, and a button that fails."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import Screen

    from kiosk.screens.widgets import Heading, KioskButton, KioskInput

    class DemoScreen(Screen):
        def reset(self):
            self.field.text = ""

    screen = DemoScreen()
    box = BoxLayout(orientation="vertical", padding=40, spacing=30)
    box.add_widget(Heading(text=shell.text("测试服务", "Demo service")))
    screen.field = KioskInput(hint_text=shell.text("您的姓名", "Your name"))
    box.add_widget(screen.field)

    def issue(*_args):
        with shell.ctx.transaction() as s:
            issued = shell.ctx.issue_receipt(s, plugin="demo", kind="k", subject="1", number="A001", title="测试",
                                             lines=["请到1号窗口"])
        shell.show_receipt(issued)

    def boom(*_args):
        raise RuntimeError("demo plugin failed on purpose")

    screen.issue_button = KioskButton(text=shell.text("取凭条", "Get a slip"), on_release=issue)
    screen.boom_button = KioskButton(text=shell.text("出错", "Fail"), on_release=boom)
    screen.home_button = KioskButton(text=shell._("Back to home"), on_release=lambda *_: shell.go_home())
    for widget in (screen.issue_button, screen.boom_button, screen.home_button):
        box.add_widget(widget)
    screen.add_widget(box)
    return screen


def build_plain_screen(shell):
    """A plugin screen without reset(): the shell must throw it away to clear its input."""
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.screens.widgets import KioskInput

    box = BoxLayout(orientation="vertical")
    box.field = KioskInput()
    box.add_widget(box.field)
    return box


class DemoPlugin:
    @hookimpl
    def kiosk_plugin_info(self):
        return PluginInfo(title="测试服务", title_en="Demo service")

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="demo", title="测试服务", title_en="Demo service", hint="领取测试凭条", hint_en="Get a test slip",
                     screen="demo.main", icon="测", order=10)]

    @hookimpl
    def kiosk_screens(self, ctx):
        return [ScreenSpec(name="demo.main", factory=build_demo_screen, title="测试服务")]

    @hookimpl
    def kiosk_screenshots(self, ctx):
        return ["demo.main"]

    @hookimpl
    def kiosk_tracking_view(self, ctx, receipt, lang):
        return TrackingView(title="测试凭条", status="有效", rows=[("号码", receipt.number)])


class PlainPlugin:
    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="plain", title="留言", title_en="Message", hint="写几句话", hint_en="Write a note",
                     screen="plain.main", icon="留", color="#7A3E00", order=20)]

    @hookimpl
    def kiosk_screens(self, ctx):
        return [ScreenSpec(name="plain.main", factory=build_plain_screen)]


class BrokenScreensPlugin:
    """Its tile works, its screen hook raises: the tile must show as out of service."""

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="broken", title="坏了", title_en="Broken", screen="broken.main", icon="坏", order=30)]

    @hookimpl
    def kiosk_screens(self, ctx):
        raise RuntimeError("screen hook failed on purpose")


class CrashyFactoryPlugin:
    """Its screen factory raises when the tile is tapped."""

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="crashy", title="出错", title_en="Crashy", screen="crashy.main", icon="错", order=40)]

    @hookimpl
    def kiosk_screens(self, ctx):
        def factory(shell):
            raise ValueError("factory failed on purpose")

        return [ScreenSpec(name="crashy.main", factory=factory)]


class MoodyPlugin:
    """Its screen builds, then raises when it is about to be shown (plugin code in on_pre_enter)."""

    @hookimpl
    def kiosk_home_tiles(self, ctx):
        return [Tile(id="moody", title="闹脾气", title_en="Moody", screen="moody.main", icon="闹", order=50)]

    @hookimpl
    def kiosk_screens(self, ctx):
        def factory(shell):
            from kivy.uix.screenmanager import Screen

            class MoodyScreen(Screen):
                def on_pre_enter(self, *_args):
                    raise KeyError("no data on purpose")

            return MoodyScreen()

        return [ScreenSpec(name="moody.main", factory=factory)]


TEST_PLUGINS = {"demo": DemoPlugin(), "plain": PlainPlugin(), "broken": BrokenScreensPlugin(),
                "crashy": CrashyFactoryPlugin(), "moody": MoodyPlugin()}
TEST_PLUGINS["forms"] = FormsPlugin()  # the shell's form widgets on test screens (forms_harness.py)

CONFIG = f"""
[center]
name = "华新社区服务中心"
name_en = "Huaxin Community Service Center"
timezone = "Asia/Shanghai"

[web]
base_url = "{BASE_URL}"

[printer]
backend = "dummy"

[staff]
pin_hash = "scrypt$16384$8$1$-0vJL2swOUwhGPY8DZlP0A$LYQEqYaixYo-rNZRdoPdLtwk9HCisN-JaxuFJclaZd8"

[kiosk]
idle_timeout = 60
idle_countdown = 15

[[seasons]]
name = "all-year"
title = "全年"
title_en = "All year"
start = "01-01"
end = "12-31"
plugins = ["demo", "plain", "broken", "crashy", "moody"]

[[seasons]]
name = "summer"
title = "暑期"
title_en = "Summer"
start = "07-01"
end = "08-31"
plugins = ["demo"]
"""


def tile_for(app, plugin: str):
    for tile in app.home.ids.tiles.children:
        if tile.plugin == plugin:
            return tile
    return None


def labels_text(root) -> list[str]:
    """Every text shown by a label or button under ``root``."""
    from kivy.uix.label import Label

    return [w.text for w in root.walk(restrict=True) if isinstance(w, Label) and w.text]


def visible_widgets(root):
    """Widgets under ``root`` that a resident can see: skips hidden (opacity 0) or collapsed subtrees."""
    stack = [root]
    while stack:
        widget = stack.pop()
        if widget.opacity == 0 or widget.width <= 0 or widget.height <= 0:
            continue
        yield widget
        stack.extend(widget.children)


def overlays():
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    return [w for w in Window.children if isinstance(w, ModalView)]


def has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def open_pin_pad(app, harness):
    """The hidden gesture: hold the center's name (the hold time is shortened for the test)."""
    name = app.home.ids.center_name
    name.hold_time = 0.05
    touch = harness.press(name)
    assert harness.until(lambda: app.sm.current == "pin", timeout=3)
    harness.release(touch)
    harness.step()
    name.hold_time = 3.0


def type_pin(app, harness, pin: str):
    assert app.sm.current == "pin"
    pad = app.screen("pin")
    keys = {k.text: k for k in pad.ids.keypad.children}
    for digit in pin:
        harness.tap(keys[digit])
    harness.tap(pad.ids.ok, frames=2)
