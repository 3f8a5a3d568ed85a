"""The pinyin engine: community words first, unseparated syllables, abbreviations, and no crash on junk."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import ime


def texts(pinyin: str, n: int = 10) -> list[str]:
    return [c.text for c in ime.candidates(pinyin)[:n]]


@pytest.mark.parametrize("pinyin,word,within", [
    ("loudao", "楼道", 1),
    ("deng", "灯", 5),
    ("ludeng", "路灯", 1),
    ("loudaodeng", "楼道灯", 1),
    ("xiashuidao", "下水道", 1),
    ("zaoyin", "噪音", 1),
    ("lajitong", "垃圾桶", 1),
    ("nuanqi", "暖气", 1),
    ("dianti", "电梯", 1),
    ("wuye", "物业", 1),
    ("tingche", "停车", 1),
    ("lvhua", "绿化", 1),
    ("nihao", "你好", 1),
    ("xi'an", "西安", 1),  # the separator forces two syllables
    ("xian", "先", 8),  # without it, one syllable
    ("ld", "楼道", 2),  # first letters
    ("ld", "路灯", 2),
    ("xsd", "下水道", 3),
    ("loudaod", "楼道灯", 1),  # the last syllable still being typed
    ("jue", "觉", 3),  # üe typed as ue
    ("LouDao", "楼道", 1),
])
def test_expected_word_is_among_the_first_candidates(pinyin, word, within):
    assert word in texts(pinyin, within), texts(pinyin)


def test_community_words_come_before_the_dictionary():
    assert ime.tables().by_initials["ld"][0][1] == "领导"  # the dictionary alone ranks 领导 first
    assert texts("ld", 2) == ["楼道", "路灯"]


def test_a_candidate_for_the_beginning_leaves_the_rest_to_convert():
    by_text = {c.text: c for c in ime.candidates("loudaodeng")}
    assert by_text["楼道灯"].rest == ""
    assert by_text["楼道"].rest == "deng"
    assert by_text["楼"].rest == "daodeng"
    assert {c.rest for c in ime.candidates("xi'an") if c.text == "西"} == {"an"}


def test_segmentation_prefers_whole_syllables():
    assert [[t.letters for t in seg] for seg in ime.segment("loudaodeng")] == [["lou", "dao", "deng"]]
    assert [[t.letters for t in seg] for seg in ime.segment("xian")] == [["xian"]]
    splits = {tuple(t.letters for t in seg) for seg in ime.segment("fangan")}
    assert splits == {("fang", "an"), ("fan", "gan")}


def test_every_community_phrase_is_read_as_written():
    """Each character of ime_phrases.txt has that reading in the dictionary (no typo in the data)."""
    tables = ime.tables()
    assert len(tables.domain) >= 40
    for phrase, syllables in tables.domain:
        assert len(phrase) == len(syllables), phrase
        for char, syllable in zip(phrase, syllables):
            assert char in {w for w, _s in tables.chars[syllable]}, f"{phrase}: {char} is not read {syllable}"
        assert phrase in texts("".join(syllables), 3), phrase


@pytest.mark.parametrize("junk", ["", "'", "'''", "iii", "123", "，。", "🙂", "v", "ü", "a'b'c'''", "q" * 200])
def test_empty_or_junk_input_gives_no_crash(junk):
    found = ime.candidates(junk)
    assert isinstance(found, list)
    assert all(c.text and isinstance(c.rest, str) for c in found)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_candidates_that_leave_a_shorter_rest(text):
    clean = ime.normalize(text)
    for candidate in ime.candidates(text, limit=20):
        assert candidate.text and len(candidate.rest) < len(clean)
        assert clean.endswith(candidate.rest)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", max_size=25))
def test_letters_never_crash_and_candidates_are_unique(text):
    found = ime.candidates(text)
    assert len({c.text for c in found}) == len(found)
