"""Property tests: whatever a resident (or an Open311 client) types, either one clear field error or a
stored case whose text shows escaped on every page, and never a crash."""

from __future__ import annotations


import markupsafe

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import staff_client

from kiosk.plugins.intake import service
from kiosk.plugins.intake.validation import DESCRIPTION_MAX, Invalid, clean_text

NASTY = st.sampled_from([
    "<script>alert(1)</script>", "'; DROP TABLE intake_case; --", "\x00\x07\x1b[31m", "🔥🚒" * 20, "&amp;<b>x</b>", "\u202e反转",
    "a" * 5000, "", "   ", "\n\n\n", "楼道灯不亮", '" onmouseover="x', "{{7*7}}", "%s%s%n",
])
TEXT = st.one_of(st.text(max_size=400), NASTY, st.text(alphabet=st.characters(categories=["Cc", "Cf", "So", "Lo"]), max_size=50))


@pytest.fixture
def web(sctx):
    return staff_client(sctx)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=TEXT, surname=st.one_of(st.just(""), st.just("张"), TEXT), problem=st.one_of(st.just("楼道灯不亮"), TEXT),
       phone=st.one_of(st.just("13812341234"), st.just("0538-6201234"), TEXT), unit=st.one_of(st.just(""), st.just("2"), TEXT),
       flat=st.one_of(st.just(""), st.just("302"), TEXT))
def test_any_input_is_a_field_error_or_a_case_shown_escaped(sctx, web, description, surname, problem, phone, unit, flat):
    raw = {"category": "repair", "building": "12", "unit": unit, "flat": flat, "phone": phone, "surname": surname,
           "problem": problem, "description": description}
    try:
        r = service.file_case(sctx, raw)
    except Invalid as exc:
        assert exc.errors and all(e.field in raw or e.field == "title" for e in exc.errors)
        assert all(e.zh.strip() and e.en.strip() for e in exc.errors)
        return
    case = r.case
    assert len(case.description or "") <= DESCRIPTION_MAX
    assert case.description == (clean_text(description) or None)
    staff_page = web.get(f"/staff/cases/{case.case_no}").text
    track = web.get("/t/" + r.url.rsplit("/t/", 1)[1]).text
    for value in (case.description, case.problem, case.surname):
        if value and len(value) >= 6 and ("<" in value or "&" in value or '"' in value):
            assert value not in staff_page  # the raw markup never reaches the page
            assert str(markupsafe.escape(value)) in staff_page
    assert "<script>alert(1)</script>" not in staff_page + track
    if case.description and len(case.description) >= 20 and case.description not in case.problem:
        assert case.description not in track  # the resident's words are not on the public page


@settings(max_examples=80, deadline=None)
@given(value=st.text(max_size=300))
def test_clean_text_is_idempotent_and_printable(value):
    once = clean_text(value)
    assert clean_text(once) == once
    assert all(ch == "\n" or ch.isprintable() for ch in once)


@pytest.mark.parametrize("nasty", ["<script>alert(1)</script>", "'; DROP TABLE intake_case; --", "&amp;<b>x</b>", '" onmouseover="x'])
def test_markup_and_sql_are_stored_as_typed_and_escaped(sctx, web, nasty):
    r = service.file_case(sctx, {"category": "repair", "building": "12", "phone": "13812341234", "problem": nasty, "description": nasty})
    assert r.case.description == nasty and r.case.problem == nasty
    staff_page = web.get(f"/staff/cases/{r.case.case_no}").text
    markup = "<" in nasty or '"' in nasty
    if markup:
        assert nasty not in staff_page and str(markupsafe.escape(nasty)) in staff_page
    else:  # SQL is just text: stored as typed, the table is still there
        assert "DROP TABLE intake_case" in staff_page and service.card(sctx, r.case.case_no).case.description == nasty
    service.transition(sctx, r.case.case_no, "accept", by="x", kind="promised")
    # staff write the public texts (a copy of the resident's own words is refused), markup included
    service.transition(sctx, r.case.case_no, "resolve", by="x", response="答复：" + nasty, summary="摘要：" + nasty)
    service.transition(sctx, r.case.case_no, "publish", by="x")
    for path in ("/cases/public", "/t/" + r.url.rsplit("/t/", 1)[1], "/staff/cases", f"/notices/outcome/intake/{r.case.case_no}"):
        page = web.get(path).text
        assert not markup or nasty not in page, path
    assert nasty in web.get("/open311/v2/requests.json").json()[0]["description"]  # JSON carries the text as data
