"""Links built from what a request sent stay on this site (issue 14, finding 8): the 404 page's language
link followed a path like ``//evil.example/x`` to another host; ``safe_next`` refuses paths a browser would
read as another host."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from kiosk.web.app import create_app
from kiosk.web.auth import safe_next
from kiosk.web.templating import same_site_path

HOSTILE = ["//evil.example/x", "///evil.example/x", "/\\evil.example/x", "//evil.example", "/%09/evil.example/x",
           "/%0a/evil.example", "/%5Cevil.example", "//evil.example/%2F..", "/.//evil.example"]
LANG_LINK = re.compile(r'<a class="lang" href="([^"]*)"')


@pytest.fixture
def client(make_host, make_ctx):
    return TestClient(create_app(make_ctx(make_host())))


def _browser_target(href: str) -> str:
    """Where a browser goes from https://kiosk.example/ (it drops tabs and line breaks, reads \\ as /)."""
    cleaned = re.sub(r"[\t\n\r]", "", href.replace("&amp;", "&")).replace("\\", "/")
    return urljoin("https://kiosk.example/some/page", cleaned)


@pytest.mark.parametrize("path", HOSTILE)
@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_the_language_link_of_the_404_page_stays_on_the_site(client, path, lang):
    r = client.get(f"http://testserver{path}{lang}")
    assert r.status_code == 404
    links = LANG_LINK.findall(r.text)
    assert links, r.text[:500]
    for href in links:
        assert href.startswith("/") and not href.startswith("//"), href
        assert _browser_target(href).startswith("https://kiosk.example/"), href


def test_the_language_link_still_switches_the_same_page(client):
    page = client.get("/staff/login")
    assert LANG_LINK.findall(page.text) == ["/staff/login?lang=en"]
    english = client.get("/staff/login?lang=en&next=/staff/queue")
    assert LANG_LINK.findall(english.text) == ["/staff/login?next=%2Fstaff%2Fqueue"]


@pytest.mark.parametrize("path,expected", [("/", "/"), ("/classes", "/classes"), ("//evil.example/x", "/evil.example/x"),
                                           ("/\\evil.example", "/%5Cevil.example"), ("/\t/evil.example", "/%09/evil.example"),
                                           ("/公示", "/%E5%85%AC%E7%A4%BA"), ("", "/")])
def test_same_site_path(path, expected):
    assert same_site_path(path) == expected


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/staff\\..\\x",
                                    "https://evil.example", "evil.example", "", None, "/staff/login"])
def test_safe_next_refuses_what_a_browser_would_read_as_another_site(target):
    assert safe_next(target) == "/staff"


def test_safe_next_keeps_a_local_path_and_its_query():
    assert safe_next("/staff/queue?hall=main") == "/staff/queue?hall=main"
