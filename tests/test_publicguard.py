"""The public guard (kiosk/publicguard.py): personal data in every disguise is found, ordinary text is not.

Property tests build real numbers (mobiles, landlines, 身份证 with their check character, Luhn-valid bank
cards), disguise them as residents and clerks write them (spaces, dashes, dots, brackets, +86/0086,
full-width and Chinese digits, inside Chinese sentences) and assert the guard finds each one at its place;
the negative properties feed dates, times, case numbers, addresses, prices and counts and assert silence,
so a normal 公示 summary is never blocked.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.publicguard import (PersonalDataFound, find_personal_data, has_personal_data, mask_personal_data,
                               refuse_personal_data)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = str.maketrans("0123456789", "〇一二三四五六七八九")
SEPARATORS = st.sampled_from([" ", "-", ".", " - ", "－", "—", "　", "·", "  "])
CJK = st.text(alphabet=st.sampled_from("您好我家楼道灯不亮请联系电话号码是姓名王张李先生女士社区居委会谢谢，。：、"), max_size=12)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


# -- building real numbers -------------------------------------------------------------------------------
mobiles = st.builds(lambda p, s, rest: f"1{p}{s}{rest:08d}", st.sampled_from("3456789"), st.integers(0, 9), st.integers(0, 10**8 - 1))
area_codes = st.one_of(st.just("010"), st.builds(lambda d: f"02{d}", st.integers(0, 9)),
                       st.builds(lambda a, b: f"0{a}{b:02d}", st.integers(3, 9), st.integers(0, 99)))
landlines = st.tuples(area_codes, st.integers(2, 9), st.integers(0, 10**7 - 1), st.booleans()).map(
    lambda t: (t[0], f"{t[1]}{t[2]:07d}" if t[3] else f"{t[1]}{t[2] // 10:06d}"))


def id_number(region: int, born: date, seq: int) -> str:
    body = f"{region:06d}{born:%Y%m%d}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


ids = st.builds(id_number, st.integers(110000, 829999), st.dates(date(1920, 1, 1), date(2025, 12, 31)), st.integers(0, 999))


def luhn_complete(body: str) -> str:
    for d in "0123456789":
        digits = body + d
        total = sum((int(c) * 2 - 9 if int(c) > 4 else int(c) * 2) if k % 2 else int(c) for k, c in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError


cards = st.builds(lambda prefix, rest, n: luhn_complete(prefix + str(rest).zfill(n - len(prefix) - 1)[: n - len(prefix) - 1]),
                  st.sampled_from(["62", "4", "5", "35", "9"]), st.integers(0, 10**18), st.integers(16, 19))


def grouped(digits: str, sizes: list[int], sep: str) -> str:
    parts, i = [], 0
    for n in sizes:
        if i >= len(digits):
            break
        parts.append(digits[i:i + n])
        i += n
    if i < len(digits):
        parts.append(digits[i:])
    return sep.join(parts)


@st.composite
def disguised_mobile(draw):
    number = draw(mobiles)
    style = draw(st.sampled_from(["plain", "344", "38", "4-4-3", "+86", "0086", "(+86)"]))
    sep = draw(SEPARATORS)
    text = {"plain": number, "344": grouped(number, [3, 4, 4], sep), "38": grouped(number, [3, 8], sep),
            "4-4-3": grouped(number, [4, 4, 3], sep)}.get(style)
    if text is None:
        prefix = {"+86": "+86", "0086": "0086", "(+86)": "(+86)"}[style]
        text = prefix + draw(st.sampled_from(["", " ", "-"])) + grouped(number, [3, 4, 4], sep)
    return draw(_digits_style(text)), number


@st.composite
def disguised_landline(draw):
    area, local = draw(landlines)
    sep = draw(st.sampled_from(["-", " ", "－", ") ", ")"]))
    text = ("(" if sep.startswith(")") else "") + area + sep + grouped(local, [4, 4], draw(st.sampled_from(["", " ", "-"])))
    if draw(st.booleans()):
        text += draw(st.sampled_from(["转", "-", " 分机 ", " ext. "])) + str(draw(st.integers(1, 99999)))
    if draw(st.booleans()):
        text = "+86 " + text[1:] if not text.startswith("(") else "+86 (" + text[2:]
    return draw(_digits_style(text)), area + local


@st.composite
def disguised_id(draw):
    number = draw(ids)
    text = grouped(number, draw(st.sampled_from([[18], [6, 8, 4], [6, 4, 4, 4], [3, 3, 4, 4, 4]])), draw(SEPARATORS))
    if draw(st.booleans()):
        text = text.replace("X", "x")
    return draw(_digits_style(text, chinese=False)), number


@st.composite
def disguised_card(draw):
    number = draw(cards)
    text = number if draw(st.booleans()) else grouped(number, [4, 4, 4, 4, 4], draw(st.sampled_from([" ", "-", "　", "  "])))
    return draw(_digits_style(text, chinese=False)), number


@st.composite
def _digits_style(draw, text: str, chinese: bool = True):
    styles = ["ascii", "full"] + (["chinese"] if chinese else [])
    style = draw(st.sampled_from(styles))
    return text.translate(FULL_WIDTH if style == "full" else CHINESE if style == "chinese" else {})


def embedded(draw, disguised) -> tuple[str, int, int, str]:
    before, after = draw(CJK), draw(CJK)
    text, number = draw(disguised)
    return before + text + after, len(before), len(before) + len(text), number


# -- positive properties ---------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["mobile", "landline", "id_card", "bank_card"]))
def test_every_disguise_is_found_where_it_is(data, kind):
    strategy = {"mobile": disguised_mobile(), "landline": disguised_landline(), "id_card": disguised_id(),
                "bank_card": disguised_card()}[kind]
    text, start, end, number = embedded(data.draw, strategy)
    found = find_personal_data(text)
    assert [f.kind for f in found] == [kind], (text, found)
    f = found[0]
    assert start <= f.start < f.end <= end + 10, (text, f)  # an extension may follow a landline
    masked = mask_personal_data(text)
    assert not has_personal_data(masked)
    assert number not in masked and number[-6:] not in masked.translate({ord(c): None for c in " -．.－—　·()+（）转分机ext"})
    # never the number in what the guard says
    assert number not in repr(found) and number[3:9] not in repr(found) and number[3:9] not in f.label("en")


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_two_numbers_in_one_text_are_both_found(data):
    text_a, *_ = embedded(data.draw, disguised_mobile())
    text_b, *_ = embedded(data.draw, disguised_id())
    found = find_personal_data(text_a + "，身份证" + text_b)
    assert [f.kind for f in found] == ["mobile", "id_card"]


@settings(max_examples=100, deadline=None)
@given(number=mobiles, surname=st.sampled_from(["李", "欧阳", "张"]), given_name=st.sampled_from(["秀英", "娜", "建国"]),
       spaced=st.booleans(), before=CJK)
def test_the_residents_known_name_and_phone_are_found(number, surname, given_name, spaced, before):
    name = surname + given_name
    shown = " ".join(name) if spaced else name
    found = find_personal_data(before + shown + "反映", names=[name], phones=[number])
    assert [f.kind for f in found] == ["known_name"] and found[0].hint == surname[0] + "*"
    found = find_personal_data(f"{before}{number[:3]} {number[3:7]} {number[7:]}", phones=["+86 " + number])
    assert [f.kind for f in found] == ["known_phone"]


def test_a_stored_landline_without_area_code_is_found_as_the_residents_phone():
    assert [f.kind for f in find_personal_data("请拨 6201 2345 联系", phones=["62012345"])] == ["known_phone"]
    assert find_personal_data("请拨 6201 2345 联系") == []  # an 8-digit number alone could be anything


# -- negative properties: ordinary 公示 text is never blocked ---------------------------------------------------
ordinary_pieces = st.one_of(
    st.dates(date(2000, 1, 1), date(2099, 12, 31)).flatmap(lambda d: st.sampled_from([
        f"{d:%Y-%m-%d}", f"{d:%Y年%m月%d日}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y.%m.%d}", f"{d:%Y/%m/%d}", f"{d:%Y%m%d}",
        f"{d:%Y-%m-%d} 至 {(d + timedelta(days=14)):%Y-%m-%d}", f"{d:%Y-%m-%d} {(d + timedelta(days=14)):%Y-%m-%d}",
        f"{d:%m月%d日}"])),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    st.builds(lambda h: f"{h}:00-{h + 2}:30", st.integers(6, 20)),
    st.builds(lambda d, n: f"MS{d:%y%m%d}-{n:03d} {d:%Y-%m-%d}", st.dates(date(2020, 1, 1), date(2099, 12, 31)), st.integers(1, 99999)),
    st.builds(lambda b, u, f: f"{b}号楼{u}单元{f}室", st.integers(1, 99), st.integers(1, 9), st.integers(101, 3308)),
    st.builds(lambda p, c: f"¥{p}.{c:02d}", st.integers(0, 999999), st.integers(0, 99)),
    st.builds(lambda p: f"{p}元", st.integers(0, 10**7)),
    st.builds(lambda n: f"共{n}件", st.integers(0, 99999)),
    st.builds(lambda a, b: f"第{a}批{b}户", st.integers(1, 999), st.integers(1, 9999)),
    st.sampled_from(["12号楼3单元", "2026年12月4日", "一楼到三楼", "十二号楼", "三单元二楼", "110", "119", "120", "12345热线",
                     "96110", "400 800 8888"]),
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.tuples(ordinary_pieces, st.sampled_from([" ", "，", "；", "。", "、", " 和 ", "\n"])), min_size=1, max_size=4),
       words=CJK)
def test_ordinary_summaries_are_not_flagged(pieces, words):
    text = words + "".join(p + sep for p, sep in pieces)
    assert find_personal_data(text) == [], text
    assert refuse_personal_data(text) == text


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 10**10 - 1))
def test_short_numbers_are_not_flagged(n):
    assert find_personal_data(f"编号{n}号，{n} 户") == []


@pytest.mark.parametrize("text", ["12号楼3单元楼道灯已更换", "2026年12月4日已修好", "于2026-12-04 09:30上门维修", "MS261204-001 已办结",
                                  "维修费用 ¥1,380.50 由物业承担", "共 3 户 12 人", "张贴通知", "张先生反映的问题已解决"])
def test_examples_of_ordinary_text(text):
    assert find_personal_data(text, names=["张"]) == []  # a one-character surname alone is never searched for


# -- the refusal ------------------------------------------------------------------------------------------
def test_refusal_names_what_was_found_in_both_languages_without_the_number():
    with pytest.raises(PersonalDataFound) as info:
        refuse_personal_data("李秀英13987654321，身份证 11010519491231002X", what="公示摘要", what_en="public summary",
                             names=["李秀英"])
    exc = info.value
    assert [f.kind for f in exc.findings] == ["known_name", "mobile", "id_card"]
    assert exc.zh.startswith("公示摘要中含有个人信息") and "手机号" in exc.zh and "身份证号" in exc.zh and "居民本人的姓名" in exc.zh
    assert "public summary" in exc.en and "mobile number" in exc.en and "ID card number" in exc.en
    for text in (exc.zh, exc.en, str(exc), repr(exc.findings)):
        assert "13987654321" not in text and "1101051949" not in text and "李秀英" not in text and re.search(r"\d{5}", text) is None


def test_the_guard_is_part_of_the_plugin_api(make_host, make_ctx):
    ctx = make_ctx(make_host())
    assert [f.kind for f in ctx.find_personal_data("电话 139 8765 4321")] == ["mobile"]
    assert ctx.mask_personal_data("电话 139 8765 4321") == "电话 *************"
    with pytest.raises(ctx.PersonalDataFound):
        ctx.refuse_personal_data("王娜的电话", names=["王娜"])
    assert ctx.refuse_personal_data("12号楼已修好") == "12号楼已修好"


def test_a_slip_line_never_carries_a_phone_or_an_id_number(make_host, make_ctx):
    """Slips are left on counters: any plugin's line with a number in it is masked as the receipt is issued."""
    from fastapi.testclient import TestClient

    from kiosk.receipts import receipt_json
    from kiosk.web.app import create_app

    ctx = make_ctx(make_host())
    with ctx.transaction() as s:
        issued = ctx.issue_receipt(s, plugin="p", kind="visit", subject="1", number="V001", title="来访凭条",
                                   lines=["联系人 王娜 139 8765 4321", "证件 11010519491231002X", "约 10–20 分钟，2026-12-04 09:30"])
        data = receipt_json(issued.receipt, ctx.settings)
    assert data["lines"] == ["联系人 王娜 *************", "证件 ******************", "约 10–20 分钟，2026-12-04 09:30"]
    page = TestClient(create_app(ctx)).get("/t/" + issued.token).text
    assert "8765" not in page and "19491231" not in page and "2026-12-04 09:30" in page
