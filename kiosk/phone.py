"""Phone numbers residents type at the kiosk: check one, write it one way, and mask it for a slip.

Why one module for every plugin: request intake, class sign-up and any later form ask for "电话" and
staff call those numbers back, so all of them must accept the same things, refuse with the same
words, and store the same form. No Kivy here; the touch keypad (:mod:`kiosk.screens.phonepad`)
only collects digits and calls :func:`parse_phone`.

What is accepted (spaces, full-width digits and a "+86" prefix are tolerated):

- a mobile: exactly 11 digits starting 13–19, stored as ``"13812341234"``;
- a landline with its area code: ``0`` + 2–3 digits, then a local number of 7–8 digits that does
  not start with 0 or 1, stored as ``"0538-6201234"``. A '-' may separate the two; without one, the
  area code is 3 digits for 010 and 020–029 (the big cities) and 4 digits everywhere else, which is
  how Chinese area codes are allotted;
- a local number of 7–8 digits without area code. **Decision:** it gets Tai'an's ``0538-``
  prepended (:data:`LOCAL_AREA_CODE`), because residents of the center give their home number the
  way they dial it, and staff calling back from a mobile need the area code. A caller that wants to
  refuse local numbers passes ``local_area_code=None`` and gets :data:`AREA_CODE_NEEDED`.

Everything else raises :class:`PhoneError` whose ``msgid`` is one of the message ids below; they are
in the shell's catalogue (domain "shell", zh_CN and en), so a screen shows ``app.tr(err.msgid)``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kiosk.i18n import N_, translator
from kiosk.refusal import Refusal

LOCAL_AREA_CODE = "0538"  # 泰安

EMPTY = N_("Please enter a phone number.")
MOBILE_DIGITS = N_("A mobile number has 11 digits and starts with 1.")
AREA_CODE_NEEDED = N_("Please include the area code, for example 0538-1234567.")
LANDLINE_DIGITS = N_("A landline number has 7 or 8 digits after the area code.")
NOT_DIGITS = N_("A phone number has only digits and '-'.")
NOT_A_NUMBER = N_("Please enter an 11-digit mobile number or a landline with its area code.")

#: Every message id :class:`PhoneError` can carry.
MESSAGES = (EMPTY, MOBILE_DIGITS, AREA_CODE_NEEDED, LANDLINE_DIGITS, NOT_DIGITS, NOT_A_NUMBER)

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_AREA = re.compile(r"0\d{2,3}")


class PhoneError(Refusal, ValueError):
    """A number that cannot be used; ``msgid`` is the message id to translate and show (it is ``en``)."""

    def __init__(self, msgid: str) -> None:
        super().__init__("bad_phone", translator("zh_CN", "shell")(msgid), msgid, field="phone")
        self.msgid = msgid


@dataclass(frozen=True)
class Phone:
    """A checked number. ``kind`` is "mobile" or "landline"; ``area`` is "" for a mobile."""

    kind: str
    area: str
    local: str

    @property
    def number(self) -> str:
        """The normalized form: ``13812341234`` or ``0538-6201234``."""
        return f"{self.area}-{self.local}" if self.area else self.local

    def __str__(self) -> str:
        return self.number


def _clean(text: str) -> str:
    """Full-width to ASCII, separators that are not '-' removed, dashes of every kind made '-'."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    value = re.sub(r"[\u2010-\u2015\u2212]", "-", value)
    value = re.sub(r"[\s()（）]+", "", value)
    value = re.sub(r"-+", "-", value).strip("-")
    if value.startswith("+86"):
        value = value[3:].lstrip("-")
    elif value.startswith("0086"):
        value = value[4:].lstrip("-")
    return value


def _area_length(digits: str) -> int:
    """3 for 010 and 020–029, else 4 (the way China's area codes are allotted)."""
    return 3 if digits[:2] in ("01", "02") else 4


def parse_phone(text: str, local_area_code: str | None = LOCAL_AREA_CODE) -> Phone:
    """The :class:`Phone` in ``text``, or :class:`PhoneError` saying what is wrong."""
    value = _clean(text)
    if not value:
        raise PhoneError(EMPTY)
    if not all(ch.isascii() and (ch.isdigit() or ch == "-") for ch in value):
        raise PhoneError(NOT_DIGITS)
    digits = value.replace("-", "")
    if digits.startswith("1"):
        if _MOBILE.fullmatch(digits):
            return Phone("mobile", "", digits)
        raise PhoneError(MOBILE_DIGITS)
    if digits.startswith("0"):
        head, dash, rest = value.partition("-")
        if dash and _AREA.fullmatch(head):
            area, local = head, rest.replace("-", "")
        else:
            size = _area_length(digits)
            area, local = digits[:size], digits[size:]
        if not local:
            raise PhoneError(AREA_CODE_NEEDED if len(digits) <= 4 else LANDLINE_DIGITS)
        if not _LOCAL.fullmatch(local):
            raise PhoneError(LANDLINE_DIGITS)
        return Phone("landline", area, local)
    if _LOCAL.fullmatch(digits):
        if local_area_code is None:
            raise PhoneError(AREA_CODE_NEEDED)
        return Phone("landline", local_area_code, digits)
    raise PhoneError(NOT_A_NUMBER)


def normalize_phone(text: str, local_area_code: str | None = LOCAL_AREA_CODE) -> str:
    """``parse_phone(text).number``: the one form to store; raises :class:`PhoneError`."""
    return parse_phone(text, local_area_code).number


def phone_error(text: str, local_area_code: str | None = LOCAL_AREA_CODE) -> str | None:
    """The message id of what is wrong with ``text``, or None when it is a usable number."""
    try:
        parse_phone(text, local_area_code)
    except PhoneError as err:
        return err.msgid
    return None


def mask_phone(number: str) -> str:
    """A number for a slip or a public page: ``138****1234``, ``0538-***1234``.

    The last four digits stay so a resident recognises their own number; a landline keeps its area
    code. Text that is not a valid number is masked too (all but its last four digits), never shown.
    """
    try:
        phone = parse_phone(number)
    except PhoneError:
        digits = "".join(ch for ch in unicodedata.normalize("NFKC", number or "") if ch.isascii() and ch.isdigit())
        return "*" * max(0, len(digits) - 4) + digits[-4:] if len(digits) > 4 else "*" * len(digits)
    if phone.kind == "mobile":
        return f"{phone.local[:3]}****{phone.local[-4:]}"
    return f"{phone.area}-{'*' * (len(phone.local) - 4)}{phone.local[-4:]}"


def group_digits(digits: str) -> str:
    """Digits as typed, spaced for reading aloud: ``138 1234 1234``, ``0538 620 1234``, ``620 1234``.

    Used by the phone pad's display while the number is incomplete, so it must take any prefix.
    """
    if not digits:
        return ""
    if digits.startswith("0"):
        size = _area_length(digits)
        area, rest = digits[:size], digits[size:]
        return " ".join(p for p in (area, _group_local(rest)) if p)
    if digits.startswith("1"):
        return " ".join(p for p in (digits[:3], digits[3:7], digits[7:]) if p)
    return _group_local(digits)


def _group_local(digits: str) -> str:
    """A local number: the last four digits as one group, the rest before them (620 1234, 8620 1234)."""
    if len(digits) <= 4:
        return digits
    return f"{digits[:-4]} {digits[-4:]}"
