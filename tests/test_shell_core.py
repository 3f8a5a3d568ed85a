"""The touch shell's parts that need no window: the Kivy-free guard, the PIN lockout, the idle rules,
the theme's numbers, the date line, and the Kivy Config the lockdown sets."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path

import pytest

from kiosk.pinlock import LOCK_TIME, MAX_TRIES, PinLock
from kiosk.pluginhost import ENTRY_POINT_GROUP
from kiosk.screens.idle import IdleMonitor
from kiosk.screens.text import format_datetime
from kiosk.security import hash_secret
from kiosk.theme import COLORS, MIN_CONTRAST, PAIRS, Theme, contrast, readable_on_white_text

KIVY_FREE = [
    "kiosk.context", "kiosk.receipts", "kiosk.seasons", "kiosk.printing", "kiosk.config", "kiosk.cli",
    "kiosk.pinlock", "kiosk.theme", "kiosk.screens.text", "kiosk.screens.idle", "kiosk.screens.api",
    "kiosk.shell_cli", "kiosk.bootstrap", "kiosk.web.app", "kiosk.api", "kiosk.api.storage", "kiosk.api.web", "kiosk.api.cli",
]


# A plugin's touch screens may use Kivy; the rest of it (service, models, CLI, web pages, migrations...)
# runs in the web host and the CLI too, which never load a window toolkit. A screen module is one named
# below (or ``*_screens``), or any module inside a ``screens`` package. Built-in and installed plugins alike.
PLUGIN_SCREEN_MODULES = {"screens", "display", "checkin", "widgets"}
PLUGINS_DIR = Path(__file__).resolve().parents[1] / "kiosk" / "plugins"


def first_kivy_importer(modules: list[str]) -> str | None:
    """Import ``modules`` in order in a fresh interpreter: the first one after whose import Kivy is loaded."""
    code = (
        "import importlib, json, sys\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    importlib.import_module(name)\n"
        "    if any(m.split('.')[0] == 'kivy' for m in sys.modules):\n"
        "        print(json.dumps(name))\n"
        "        break\n"
        "else:\n"
        "    print('null')\n"
    )
    out = subprocess.run([sys.executable, "-c", code, json.dumps(modules)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def plugin_packages() -> dict[str, tuple[Path, str]]:
    """Each plugin's folder and package name: the built-ins, and those installed through the entry point."""
    found = {p.name: (p, f"kiosk.plugins.{p.name}") for p in sorted(PLUGINS_DIR.iterdir()) if (p / "__init__.py").exists()}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        top = ep.value.split(":")[0].split(".")[0]
        found[ep.name] = (Path(importlib.util.find_spec(top).origin).parent, top)
    return found


def plugin_modules(screens: bool) -> dict[str, list[str]]:
    """Every plugin's modules (migrations included) by plugin: its screen modules, or all the others."""
    found: dict[str, list[str]] = {}
    for plugin, (folder, package) in plugin_packages().items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if any(p in PLUGIN_SCREEN_MODULES or p.endswith("_screens") for p in parts) == screens:
                found.setdefault(plugin, []).append(".".join((package, *parts)))
    return found


def test_domain_code_never_imports_kivy():
    assert first_kivy_importer(KIVY_FREE) is None


def test_no_plugin_module_but_its_screens_imports_kivy():
    domain = plugin_modules(screens=False)
    assert {"queue", "notices", "intake", "timetable"} <= set(domain)
    assert "sample" in domain  # the third-party plugin of tests/sample_plugin, installed through its entry point
    for plugin in ("queue", "notices", "intake", "timetable"):
        assert f"kiosk.plugins.{plugin}.models" in domain[plugin] and len(domain[plugin]) > 5, domain[plugin]
    everything = [m for modules in domain.values() for m in modules]
    assert first_kivy_importer(everything) is None  # the module named here brought Kivy in


def test_the_kivy_check_sees_a_screen_module():
    """The check above can fail: the screen modules are found, and one that loads Kivy is named."""
    screens = plugin_modules(screens=True)
    assert all(f"kiosk.plugins.{p}.screens" in screens.get(p, []) for p in ("queue", "notices", "intake", "timetable"))
    assert first_kivy_importer(["kiosk.plugins.queue.service", "kiosk.plugins.queue.screens"]) == "kiosk.plugins.queue.screens"


# -- PIN lockout -------------------------------------------------------------------------------------
class Now:
    def __init__(self):
        self.value = datetime(2026, 11, 30, 9, 15, tzinfo=timezone(timedelta(hours=8)))

    def __call__(self):
        return self.value


@pytest.fixture(scope="module")
def pin_hash():
    return hash_secret("246810")


def test_five_wrong_pins_lock_for_five_minutes_and_survive_a_restart(tmp_path, pin_hash):
    now = Now()
    lock = PinLock(tmp_path / "pin-lock.json", pin_hash, now)
    results = [lock.attempt("0000").result for _ in range(MAX_TRIES)]
    assert results == ["wrong"] * (MAX_TRIES - 1) + ["locked"]
    assert lock.attempt("246810").result == "locked"
    again = PinLock(tmp_path / "pin-lock.json", pin_hash, now)  # the app restarted
    assert again.locked_seconds() == int(LOCK_TIME.total_seconds())
    now.value += LOCK_TIME - timedelta(seconds=1)
    assert again.attempt("246810").result == "locked"
    now.value += timedelta(seconds=2)
    assert again.attempt("246810").result == "ok"
    assert json.loads((tmp_path / "pin-lock.json").read_text())["failures"] == 0


def test_a_right_pin_resets_the_count(tmp_path, pin_hash):
    lock = PinLock(tmp_path / "l.json", pin_hash, Now())
    for _ in range(MAX_TRIES - 1):
        lock.attempt("1")
    assert lock.attempt("246810").result == "ok"
    assert lock.attempt("1").tries_left == MAX_TRIES - 1


def test_a_clock_set_back_never_stretches_the_lock(tmp_path, pin_hash):
    now = Now()
    lock = PinLock(tmp_path / "l.json", pin_hash, now)
    for _ in range(MAX_TRIES):
        lock.attempt("1")
    now.value -= timedelta(days=2)
    assert lock.locked_seconds() <= LOCK_TIME.total_seconds()


def test_a_damaged_lock_file_locks_rather_than_opens(tmp_path, pin_hash):
    path = tmp_path / "l.json"
    path.write_text("{not json")
    assert PinLock(path, pin_hash, Now()).attempt("246810").result == "locked"


def test_no_pin_configured_means_no_way_in(tmp_path):
    assert PinLock(tmp_path / "l.json", "", Now()).attempt("").result == "wrong"


# -- idle ------------------------------------------------------------------------------------------
def test_idle_prompts_after_the_timeout_then_resets_after_the_countdown():
    t = [0.0]
    idle = IdleMonitor(60, 15, clock=lambda: t[0])
    t[0] = 59.9
    assert idle.poll(quiet=False) is None
    t[0] = 60
    assert idle.poll(quiet=False) == "prompt" and idle.seconds_left() == 15
    t[0] = 70.5
    assert idle.poll(quiet=False) is None and idle.seconds_left() == 5
    t[0] = 75
    assert idle.poll(quiet=False) == "reset" and not idle.prompting


def test_a_touch_cancels_the_prompt_and_a_quiet_kiosk_is_left_alone():
    t = [0.0]
    idle = IdleMonitor(60, 15, clock=lambda: t[0])
    t[0] = 61
    assert idle.poll(quiet=False) == "prompt"
    idle.touched()
    assert not idle.prompting and idle.poll(quiet=False) is None
    t[0] = 200
    assert idle.poll(quiet=True) is None and not idle.prompting


# -- theme -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fg,bg", PAIRS)
def test_every_text_colour_reaches_seven_to_one(fg, bg):
    assert contrast(COLORS[fg], COLORS[bg]) >= MIN_CONTRAST


def test_plugin_tile_colours_are_darkened_until_white_text_is_readable():
    for color in ("#1F5FAD", "#FFD700", "#00FF00", "#FFFFFF", "not a colour"):
        assert contrast("#FFFFFF", readable_on_white_text(color)) >= MIN_CONTRAST
    assert readable_on_white_text("#0B4A8F") == "#0B4A8F"  # already dark enough: unchanged


def test_sizes_meet_the_minimums_and_scale():
    t = Theme(1920, 1080)
    assert (t.body, t.heading, t.touch) == (28, 48, 100)
    assert t.button_height >= t.touch and t.gap >= 24 and t.qr >= 240
    assert Theme(1080, 1920).body == 28 and Theme(1080, 1920).portrait  # portrait: same sizes
    assert Theme(1080, 1920).qr >= 240
    large = Theme(1920, 1080, large=True)
    assert (large.body, large.heading, large.touch) == (35, 60, 125)
    assert Theme(1280, 720).body == round(28 * 720 / 1080)


# -- text ------------------------------------------------------------------------------------------
def test_the_date_line_in_chinese_and_english():
    moment = datetime(2026, 11, 30, 9, 5)
    assert format_datetime(moment, "zh_CN") == "2026年11月30日 星期一 09:05"
    assert format_datetime(moment, "en") == "Monday 30 November 2026 09:05"


# -- lockdown --------------------------------------------------------------------------------------
def test_fullscreen_locks_kivy_down(tmp_path):
    code = (
        "from kiosk.bootstrap import prepare; prepare(fullscreen=True, show_cursor=False)\n"
        "from kivy.config import Config\n"
        "print([Config.get(s, k) for s, k in [('kivy','exit_on_escape'), ('graphics','fullscreen'), "
        "('graphics','show_cursor'), ('kivy','allow_screensaver'), ('graphics','borderless'), ('kivy','keyboard_mode')]])"
    )
    env = {"KIVY_HOME": str(tmp_path), "KIVY_NO_ARGS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['0', 'auto', '0', '0', '1', 'systemanddock']"


def test_shell_commands_are_registered_without_importing_kivy():
    code = (
        "import sys; from kiosk.cli import cli, _register_shell_commands; _register_shell_commands();"
        "print(sorted(c for c in cli.commands if c in ('run', 'screenshot')), 'kivy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['run', 'screenshot'] False"


def test_run_without_a_chinese_font_says_what_is_missing_before_opening_a_window(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nfont_path = "/nonexistent/NoSuchFont.ttf"\n', encoding="utf-8")
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CONFIG": str(config), "PATH": "/usr/bin:/bin", "DISPLAY": ""}
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "run"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 1
    assert "font_path /nonexistent/NoSuchFont.ttf does not exist" in out.stderr


def test_no_chinese_font_at_all_names_the_package(monkeypatch, tmp_path):
    from kiosk import fonts
    from kiosk.fonts import FontMissing, find_faces

    monkeypatch.setattr(fonts, "NOTO_TTC_DIRS", ())
    monkeypatch.setattr(fonts, "FALLBACKS", ())
    with pytest.raises(FontMissing, match="apt-get install fonts-noto-cjk"):
        find_faces("", tmp_path)
