"""Phone numbers: what is accepted, how it is stored and masked, and that any text gets a clear answer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import phone
from kiosk.i18n import translator
from kiosk.phone import PhoneError, group_digits, mask_phone, normalize_phone, parse_phone, phone_error


@pytest.mark.parametrize("typed,stored", [
    ("13812341234", "13812341234"),
    ("138 1234 1234", "13812341234"),
    ("138-1234-1234", "13812341234"),
    ("１３８１２３４１２３４", "13812341234"),  # full-width digits from a phone's IME
    ("+86 138 1234 1234", "13812341234"),
    ("19912341234", "19912341234"),
    ("0538-6201234", "0538-6201234"),
    ("05386201234", "0538-6201234"),
    ("0538 6201234", "0538-6201234"),
    ("(0538)6201234", "0538-6201234"),
    ("0538－62012345", "0538-62012345"),
    ("01062012345", "010-62012345"),  # Beijing: 3-digit area code, inferred without a dash
    ("021-62012345", "021-62012345"),
    ("053-86201234", "053-86201234"),  # an explicit split is kept as typed
    ("6201234", "0538-6201234"),  # a local number gets Tai'an's area code
    ("82012345", "0538-82012345"),
])
def test_accepted_numbers_are_stored_one_way(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed,msgid", [
    ("", phone.EMPTY),
    ("   ", phone.EMPTY),
    ("1381234123", phone.MOBILE_DIGITS),  # 10 digits
    ("138123412345", phone.MOBILE_DIGITS),  # 12 digits
    ("12812341234", phone.MOBILE_DIGITS),  # 12x is no mobile prefix
    ("1", phone.MOBILE_DIGITS),
    ("0538", phone.AREA_CODE_NEEDED),
    ("0538-", phone.AREA_CODE_NEEDED),
    ("0538-12345", phone.LANDLINE_DIGITS),
    ("0538-123456789", phone.LANDLINE_DIGITS),
    ("0538-0201234", phone.LANDLINE_DIGITS),  # a local number never starts with 0
    ("138abc41234", phone.NOT_DIGITS),
    ("电话", phone.NOT_DIGITS),
    ("12345", phone.MOBILE_DIGITS),
    ("62012", phone.NOT_A_NUMBER),
    ("620123456", phone.NOT_A_NUMBER),
])
def test_refused_numbers_say_why(typed, msgid):
    with pytest.raises(PhoneError) as err:
        parse_phone(typed)
    assert err.value.msgid == msgid
    assert phone_error(typed) == msgid


def test_local_numbers_can_be_refused_instead():
    with pytest.raises(PhoneError) as err:
        parse_phone("6201234", local_area_code=None)
    assert err.value.msgid == phone.AREA_CODE_NEEDED
    assert normalize_phone("0538-6201234", local_area_code=None) == "0538-6201234"


def test_kind_and_parts():
    mobile, landline = parse_phone("13812341234"), parse_phone("0538-6201234")
    assert (mobile.kind, mobile.area, str(mobile)) == ("mobile", "", "13812341234")
    assert (landline.kind, landline.area, landline.local) == ("landline", "0538", "6201234")


def test_every_message_is_in_the_shell_catalogue_in_chinese_and_english():
    zh, en = translator("zh_CN", "shell"), translator("en", "shell")
    assert zh(phone.MOBILE_DIGITS) == "手机号应为11位数字，以1开头"
    assert zh(phone.AREA_CODE_NEEDED) == "座机请带区号，例如 0538-1234567"
    for msgid in phone.MESSAGES:
        assert zh(msgid) != msgid and any("\u4e00" <= ch <= "\u9fff" for ch in zh(msgid)), msgid
        assert en(msgid) == msgid and msgid.isascii()  # message ids are the English text


@pytest.mark.parametrize("number,masked", [
    ("13812341234", "138****1234"),
    ("138 1234 1234", "138****1234"),
    ("0538-6201234", "0538-***1234"),
    ("010-62012345", "010-****2345"),
    ("6201234", "0538-***1234"),
    ("12345678", "****5678"),  # not a valid number: still masked
    ("123", "***"),
    ("", ""),
])
def test_masking(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize("digits,shown", [
    ("", ""), ("1", "1"), ("138", "138"), ("1381", "138 1"), ("13812341234", "138 1234 1234"),
    ("0538", "0538"), ("05386", "0538 6"), ("05386201234", "0538 620 1234"), ("01062012345", "010 6201 2345"),
    ("6201234", "620 1234"), ("62012345", "6201 2345"),
])
def test_grouping_for_the_display(digits, shown):
    assert group_digits(digits) == shown


# -- properties: any text gets a usable number or a known message, never a crash --------------------
@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_gives_a_number_or_a_known_message(text):
    try:
        number = normalize_phone(text)
    except PhoneError as err:
        assert err.msgid in phone.MESSAGES
    else:
        assert normalize_phone(number) == number  # the stored form is itself accepted unchanged
        masked = mask_phone(number)
        assert masked[-4:] == number[-4:] and "*" in masked


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789- +()", max_size=20))
def test_phone_like_text_gives_a_number_or_a_known_message(text):
    msgid = phone_error(text)
    assert msgid is None or msgid in phone.MESSAGES


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_is_accepted_and_masked(number):
    assert normalize_phone(number) == number
    assert mask_phone(number) == number[:3] + "****" + number[-4:]
    assert group_digits(number).replace(" ", "") == number


@given(st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True), st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True))
def test_every_landline_with_area_code_is_accepted_with_or_without_dash(area, local):
    assert normalize_phone(f"{area}-{local}") == f"{area}-{local}"
    assert normalize_phone(area + local) == f"{area}-{local}"


@given(st.text(max_size=30))
def test_masking_never_shows_more_than_four_digits_of_a_bad_number(text):
    masked = mask_phone(text)
    assert sum(ch.isdigit() for ch in masked) <= 4 or phone_error(text) is None
