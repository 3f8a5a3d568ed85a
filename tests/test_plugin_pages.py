"""Plugin pages from templates and plugin files from ``/static/{plugin}/`` (kiosk.web.plugin_pages), shown
through the sample plugin a newcomer copies, and the rule that a converted plugin web module builds no HTML
in Python strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import kiosk
import kiosk.plugins.notices as notices_plugin
from kit import CSRF
from kiosk.web.app import create_app
KIOSK = Path(kiosk.__file__).parent

#: Plugin web modules whose pages are templates. Add a module here once it is converted.
CONVERTED = [
    "plugins/notices/web.py",
    "plugins/notices/staff_web.py",
    "plugins/timetable/web.py",
    "plugins/intake/public_web.py",
    "plugins/timetable/staff_web.py",
]
HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


@pytest.fixture
def sample_client(make_host, make_ctx, db_url):
    import kiosk_sample.plugin as sample
    from kiosk.staff import set_user

    ctx = make_ctx(make_host(sample=sample), db_url)
    with ctx.transaction() as s:
        set_user(s, "clerk", "clerk-password", role="staff")
    client = TestClient(create_app(ctx))
    token = CSRF.search(client.get("/staff/login").text).group(1)
    r = client.post("/staff/login", data={"username": "clerk", "password": "clerk-password", "csrf_token": token, "next": "/staff"})
    assert r.status_code in (200, 303)
    return client


def test_sample_plugin_page_comes_from_its_template_in_the_site_layout(sample_client):
    page = sample_client.get("/staff/sample/visitors")
    assert page.status_code == 200
    html = page.text
    assert "<h1>访客登记</h1>" in html and "还没有访客" in html and "已发出 0 张访客凭条" in html
    assert '<link rel="stylesheet" href="/static/sample/sample.css">' in html  # its own stylesheet, by convention
    assert '<link rel="stylesheet" href="/static/kiosk.css">' in html and 'name="csrf_token"' in html  # the core's layout
    english = sample_client.get("/staff/sample/visitors?lang=en").text
    assert "<h1>Visitor passes</h1>" in english and "No visitors yet" in english and 'action="/staff/sample/visitors?lang=en"' in english


def test_sample_plugin_page_is_for_staff_only(make_host, make_ctx):
    import kiosk_sample.plugin as sample

    anonymous = TestClient(create_app(make_ctx(make_host(sample=sample))))
    r = anonymous.get("/staff/sample/visitors")
    assert r.history and r.url.path == "/staff/login"
    assert anonymous.get("/static/sample/sample.css").status_code == 200  # its files are public, like the core's


def test_sample_plugin_form_refuses_in_the_page_language_and_keeps_what_was_typed(sample_client):
    token = CSRF.search(sample_client.get("/staff/sample/visitors").text).group(1)
    bad = sample_client.post("/staff/sample/visitors", data={"csrf_token": token, "number": "12a<b>"})
    assert bad.status_code == 400 and "访客编号应为 1 到 999 的数字" in bad.text
    assert 'value="12a&lt;b&gt;"' in bad.text  # kept, and escaped like every value in a template
    done = sample_client.post("/staff/sample/visitors", data={"csrf_token": token, "number": "7"}, follow_redirects=False)
    assert done.status_code == 303
    page = sample_client.get("/staff/sample/visitors").text
    assert "<td>V007</td>" in page and "已发出 1 张访客凭条" in page


def test_sample_plugin_static_file_is_served_at_static_plugin(sample_client):
    css = sample_client.get("/static/sample/sample.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".sample-count" in css.text and "no-store" not in css.headers.get("cache-control", "")
    assert sample_client.get("/static/kiosk.css").status_code == 200  # the core's files still answer
    for escape in ("/static/sample/../plugin.py", "/static/sample/%2e%2e/plugin.py", "/static/sample/..%2fplugin.py"):
        assert sample_client.get(escape).status_code == 404  # only what lies in static/ is served
    assert sample_client.get("/static/sample/plugin.py").status_code == 404


def test_builtin_plugin_static_files_move_to_static_plugin(make_host, make_ctx, monkeypatch):
    monkeypatch.setenv("KIOSK_NOW", "2026-11-30T09:00:00+08:00")
    client = TestClient(create_app(make_ctx(make_host(notices=notices_plugin))))
    assert client.get("/static/notices/notices.css").status_code == 200
    assert 'href="/static/notices/notices.css"' in client.get("/notices").text
    assert client.get("/static/queue/queue.css").status_code == 404  # only registered plugins are served


@pytest.mark.parametrize("module", CONVERTED)
def test_converted_plugin_web_module_builds_no_html_in_python(module):
    """Every string in the module except docstrings is free of HTML tags, and no ``Markup(`` call remains."""
    tree = ast.parse((KIOSK / module).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    tags = [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and HTML_TAG.search(node.value)]
    markup_calls = [node.lineno for node in ast.walk(tree)
                    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Markup"]
    assert tags == [] and markup_calls == [], f"{module} builds HTML in Python: {tags or markup_calls}"
