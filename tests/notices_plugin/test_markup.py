"""The notices' markup: one source, the same structure on the web and the kiosk, never executable."""

from __future__ import annotations

import re

import pytest

from kiosk.plugins.notices import markup
from kiosk.plugins.notices.markup import Block, Span


def test_paragraphs_headings_lists_and_bold():
    blocks = markup.parse("# 通知\n\n第一行\n第二行\n\n## 要带的材料\n- 身份证\n- **户口本**\n\n请到 **3 号窗口** 办理")
    assert [b.kind for b in blocks] == ["h1", "p", "h2", "ul", "p"]
    assert blocks[1].lines == ((Span("第一行"),), (Span("第二行"),))
    assert blocks[3].lines[1] == (Span("户口本", True),)
    assert blocks[4].lines[0] == (Span("请到 "), Span("3 号窗口", True), Span(" 办理"))
    html = markup.to_html(blocks)
    assert "<h2>通知</h2>" in html and "<h3>要带的材料</h3>" in html
    assert "<p>第一行<br>第二行</p>" in html and "<li><strong>户口本</strong></li>" in html


def test_unclosed_bold_and_lone_markers_stay_text():
    assert markup.inline("价格 **五折") == (Span("价格 **五折"),)
    assert markup.inline("a**b**c**d") == (Span("a"), Span("b", True), Span("c**d"))
    assert [b.kind for b in markup.parse("#没有空格\n-也没有")] == ["p"]
    assert [b.kind for b in markup.parse("# \n- ")] == ["p"]  # empty heading/item markers are just text


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "**<b>粗</b>**",
    "# <i>标题</i>\n- <a href='javascript:alert(1)'>链接</a>",
    "[b]kivy[/b] [color=ff0000]红[/color] &bl; &amp;",
])
def test_html_and_script_are_shown_as_text(source):
    html = str(markup.to_html(markup.parse(source)))
    assert "<script" not in html and "<img" not in html and "<i>" not in html and "<a " not in html and "<b>" not in html
    assert "&lt;" in html or "[b]" in html
    for row in markup.kivy_rows(markup.parse(source)):
        # Only our own tags survive ([b] and the empty line-break tags); every [ ] of the source is an entity.
        own = re.sub(r"\[/?[bi]\]", "", row.markup)
        assert "[" not in own and "]" not in own


def test_kivy_escape_matches_kivy_semantics():
    assert markup.kivy_escape("a & [b] c") == "a &amp; &bl;b&br; c"
    rows = markup.kivy_rows(markup.parse("**[警告]** & 提醒"), breaks=False)
    assert rows[0].markup == "[b]&bl;警告&br;[/b] &amp; 提醒"


def test_chinese_gets_break_opportunities_but_not_before_closing_punctuation():
    row = markup.kivy_rows(markup.parse("**第3条**：不转账。OK words"))[0]
    assert row.markup == "[b]第[i][/i]3条[/b]：[i][/i]不[i][/i]转[i][/i]账。[i][/i]OK words"


def test_control_characters_are_removed_newlines_kept():
    raw = "第一行\x00\x07\x1b[31m\r\n第二\u202e行\x7f\x85\ufeff\ud800\n\n\t缩进"
    clean = markup.clean(raw)
    assert clean == "第一行[31m\n第二行\n\n    缩进"
    assert not any(ord(c) < 32 and c != "\n" for c in clean)
    assert markup.clean("标题\n换行\t了", single_line=True) == "标题 换行 了"


def test_emoji_survive_on_the_web_and_can_be_filtered_for_the_kiosk():
    blocks = markup.parse("欢迎 🎉 参加 👨‍👩‍👧 活动")
    assert "🎉" in str(markup.to_html(blocks))
    only_bmp = lambda ch: ord(ch) < 0x10000 and ch not in "\u200d\ufe0f"  # noqa: E731
    row = markup.kivy_rows(blocks, keep=only_bmp, breaks=False)[0]
    assert row.markup == "欢迎  参加  活动"


def test_huge_bodies_are_cut_into_small_kiosk_rows():
    one_line = "很长的一段没有换行的文字" * 1500  # 18,000 characters, one line
    rows = markup.kivy_rows(markup.parse(one_line), max_chars=240, breaks=False)
    assert len(rows) == -(-len(one_line) // 240)
    assert all(len(r.markup) <= 240 for r in rows)
    assert rows[0].starts_block and not rows[1].starts_block
    # Bold survives a cut in the middle of a span.
    rows = markup.kivy_rows(markup.parse("**" + "粗" * 10 + "**"), max_chars=4, breaks=False)
    assert [r.markup for r in rows] == ["[b]粗粗粗粗[/b]", "[b]粗粗粗粗[/b]", "[b]粗粗[/b]"]


def test_list_rows_have_bullets_and_plain_helpers():
    blocks = markup.parse("- 一\n- 二")
    assert [r.markup for r in markup.kivy_rows(blocks)] == ["•  一", "•  二"]
    assert markup.kivy_rows(markup.parse("- 一二"))[0].markup == "•  一[i][/i]二"
    assert markup.plain_text(markup.parse("# 标题\n\n**粗**体")) == "标题\n粗体"
    assert markup.summary(markup.parse("字" * 100), 10) == "字" * 9 + "…"
    assert markup.plain_blocks("第一段 **不是粗体**\n\n\n第二段") == [
        Block("p", ((Span("第一段 **不是粗体**"),),)), Block("p", ((Span("第二段"),),))]
