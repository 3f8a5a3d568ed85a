"""One refusal type: every plugin's errors are :class:`kiosk.refusal.Refusal`, and each surface shows one the
same way whoever raised it — the ``kiosk`` command (one line, exit 2), the web (a page in the request's
language, the API's JSON error under /api/) and the touch screen (a notice)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

import kiosk
from kiosk import hookimpl
from kiosk.refusal import Refusal

MONDAY_9AM = "2026-11-30T09:00:00+08:00"
ROOT = Path(kiosk.__file__).parent
SAMPLE = Path(__file__).parent / "sample_plugin" / "kiosk_sample"


def _exception_classes(folder: Path, package: str):
    """(module, class name) of every class in ``folder`` whose base is an exception (``…Error``, ``Exception``,
    ``Refused``…): found by reading the source, so a screen module is not imported (no Kivy)."""
    for path in sorted(folder.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
            if any(b.endswith(("Error", "Exception", "Refusal", "Refused", "Invalid", "NotFound")) for b in bases):
                module = ".".join((package, *path.relative_to(folder).with_suffix("").parts))
                yield module.removesuffix(".__init__"), node.name


PLUGIN_ERRORS = [*_exception_classes(ROOT / "plugins", "kiosk.plugins"), *_exception_classes(SAMPLE, "kiosk_sample")]


def test_the_walk_finds_the_plugins_errors():
    names = {name for _, name in PLUGIN_ERRORS}
    assert {"QueueError", "TimetableError", "NoticeError", "Invalid", "Refused", "NotFound", "HoursError"} <= names


@pytest.mark.parametrize(("module", "name"), PLUGIN_ERRORS, ids=[f"{m}.{n}" for m, n in PLUGIN_ERRORS])
def test_every_plugin_error_is_a_refusal(module, name):
    assert issubclass(getattr(importlib.import_module(module), name), Refusal)


@pytest.mark.parametrize("path", ["kiosk.clock.DateOutOfRange", "kiosk.publicguard.PersonalDataFound", "kiosk.staff.StaffError",
                                  "kiosk.apikeys.ApiKeyError", "kiosk.phone.PhoneError", "kiosk.web.apikeys.ApiError"])
def test_the_cores_refusals_are_refusals_under_their_old_names(path):
    module, name = path.rsplit(".", 1)
    assert issubclass(getattr(importlib.import_module(module), name), Refusal)


def test_a_refusal_carries_code_both_texts_field_and_status():
    from kiosk.clock import DateOutOfRange
    from kiosk.phone import PhoneError, parse_phone
    from kiosk.plugins.intake.service import NotFound
    from kiosk.plugins.intake.validation import FieldError, Invalid
    from kiosk.plugins.queue.service import QueueError

    exc = QueueError("paused", "窗口已暂停", "the counter is paused")
    assert (exc.code, exc.text("zh_CN"), exc.text("zh"), exc.text("en"), str(exc), exc.status) == (
        "paused", "窗口已暂停", "窗口已暂停", "the counter is paused", "the counter is paused", 400)
    assert isinstance(DateOutOfRange("9999-12-31"), ValueError)  # `except ValueError` still refuses it
    assert DateOutOfRange("9999-12-31").code == "date_out_of_range"
    assert NotFound("X1").status == 404 and "X1" in NotFound("X1").zh
    both = Invalid([FieldError("phone", "电话不对", "bad phone"), FieldError("flat", "门牌不对", "bad flat")])
    assert (both.field, both.en, both.zh, str(both)) == ("phone", "phone: bad phone; flat: bad flat", "电话不对；门牌不对",
                                                        "phone: bad phone; flat: bad flat")
    with pytest.raises(PhoneError) as caught:
        parse_phone("12")
    assert caught.value.code == "bad_phone" and caught.value.field == "phone"
    assert caught.value.en == caught.value.msgid and caught.value.zh != caught.value.en  # from the shell's catalogue


# -- the kiosk command ------------------------------------------------------------------------------------
@pytest.fixture
def every_plugin(make_ctx, db_url):
    """A context with every built-in plugin and the sample plugin (what ``kiosk`` itself loads)."""
    from kiosk.pluginhost import PluginHost

    return make_ctx(PluginHost(), db_url, KIOSK_NOW=MONDAY_9AM)


@pytest.mark.parametrize(("args", "message"), [
    (("queue", "take", "Z"), "no service with code 'Z'"),
    (("classes", "signup", "999", "--phone", "13812341234", "--json"), "no class with id 999"),
    (("notices", "publish", "999"), "no notice 999"),
    (("cases", "show", "NOPE", "--json"), "no case with the number 'NOPE'"),
    (("sample", "issue", "1000", "--json"), "a visitor number is 1 to 999"),
    (("staff", "add", "wang", "--role", "staff", "--password-stdin"), "a password needs at least"),
], ids=["queue", "timetable", "notices", "intake", "sample", "core"])
def test_a_refusal_from_any_plugin_is_one_line_and_exit_2(every_plugin, run_cli, monkeypatch, args, message):
    monkeypatch.setattr("sys.stdin", SimpleNamespace(read=lambda: "short\n", readline=lambda: "short\n", isatty=lambda: False))
    code, out, err = run_cli(*args)
    assert code == 2
    assert out == ""  # nothing half-done on stdout, not even for --json
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert "Traceback" not in err


# -- the web ----------------------------------------------------------------------------------------------
class Refuser:
    """A plugin whose routes let refusals rise, as a page and as a JSON API."""

    @hookimpl
    def kiosk_web_routes(self, ctx):
        from kiosk.plugins.intake.service import NotFound
        from kiosk.plugins.timetable.service import TimetableError

        router = APIRouter()

        @router.get("/refuser/full")
        def full_page():
            raise TimetableError("full", "这门课已报满", "the class is full")

        @router.get("/api/refuser/full")
        def full_api():
            raise TimetableError("full", "这门课已报满", "the class is full")

        @router.get("/refuser/case")
        def case_page():
            raise NotFound("<b>X1</b>")

        return [router]


@pytest.fixture
def refuser_client(make_host, make_ctx, db_url):
    from kiosk.web.app import create_app

    ctx = make_ctx(make_host(refuser=Refuser()), db_url, KIOSK_NOW=MONDAY_9AM)
    return TestClient(create_app(ctx), raise_server_exceptions=False)


def test_the_web_answers_a_refusal_with_a_400_page_in_the_requests_language(refuser_client):
    zh = refuser_client.get("/refuser/full")
    assert zh.status_code == 400 and zh.headers["content-type"].startswith("text/html")
    assert "这门课已报满" in zh.text and "the class is full" not in zh.text and "无法处理此请求" in zh.text
    en = refuser_client.get("/refuser/full?lang=en")
    assert en.status_code == 400 and "the class is full" in en.text and "这门课已报满" not in en.text
    assert en.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in en.headers["content-security-policy"]


def test_a_refusals_own_status_and_escaping(refuser_client):
    r = refuser_client.get("/refuser/case?lang=en")
    assert r.status_code == 404
    assert "&lt;b&gt;X1&lt;/b&gt;" in r.text and "<b>X1</b>" not in r.text  # the text is escaped like any message


def test_the_api_answers_a_refusal_with_its_json_error_shape(refuser_client):
    from kiosk.web.apikeys import ERROR_SCHEMA

    r = refuser_client.get("/api/refuser/full")
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert r.json() == {"error": "full", "message_zh": "这门课已报满", "message_en": "the class is full"}
    assert set(r.json()) == set(ERROR_SCHEMA["required"])


# -- the touch screen -------------------------------------------------------------------------------------
class FakeApp:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.notices: list[str] = []
        self.recovered: list[BaseException] = []
        self.ctx = SimpleNamespace(note_error=lambda *a: self.recovered.append(a))

    def notify(self, message: str) -> None:
        self.notices.append(message)

    def recover(self, exc) -> None:
        self.recovered.append(exc)


@pytest.mark.parametrize(("lang", "shown"), [("zh_CN", "今天已约满"), ("en", "fully booked today")])
def test_the_shell_shows_a_refusal_as_a_notice_in_the_residents_language(lang, shown):
    from kiosk.plugins.queue.service import QueueError
    from kiosk.screens.api import Shell

    app = FakeApp(lang)
    Shell(app, "queue").refuse(QueueError("full", "今天已约满", "fully booked today"))
    assert app.notices == [shown]


def test_a_refusal_a_screen_lets_rise_is_a_notice_not_an_apology(monkeypatch):
    """The UI's exception handler: a refusal is not a bug, so the plugin is neither paused nor its error filed."""
    from kivy.base import ExceptionManager

    from kiosk.plugins.notices.service import NoticeError
    from kiosk.screens import errors

    monkeypatch.setattr(errors.Clock, "schedule_once", lambda fn, _delay=0: fn(0))
    app = FakeApp("en")
    handler = errors.UiErrors(app)
    assert handler.handle_exception(NoticeError("gone", "这条通知已撤下", "this notice was withdrawn")) == ExceptionManager.PASS
    assert app.notices == ["this notice was withdrawn"]
    assert app.recovered == [] and handler.handled == 0
    assert handler.handle_exception(RuntimeError("a bug")) == ExceptionManager.PASS  # a real error still apologises
    assert handler.handled == 1 and len(app.recovered) == 2
