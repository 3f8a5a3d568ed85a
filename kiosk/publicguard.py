"""The one guard at the public boundary: finds personal data in text before it reaches anonymous readers.

Everything an anonymous reader sees (the 公示 board and outcome pages, Atom feeds, Open311, public
JSON, slips) is built from staff-written text and fixed labels, but staff copy residents' words, and a
resident types a phone number wherever there is a text field. So every such projection passes
:func:`find_personal_data` — at the moment staff publish (:func:`refuse_personal_data` says what was
found, in Chinese and English, so they edit the text) and again as each public page is built (the
projection drops what still trips it: nothing is ever shown "just this once").

What it finds, in any disguise residents and clerks actually use (spaces, dashes, dots, brackets,
``+86``/``0086``, full-width ０-９, other Unicode digits, the Chinese digits 〇一二…九 and 幺):

- mainland mobile numbers (``1[3-9]`` and 9 more digits);
- landlines with their area code (``010``/``02x``/``0xxx`` and 7–8 digits, an extension may follow);
- 18-digit 身份证 numbers (a valid birth date and the ISO 7064 check character, ``X`` included);
- bank card numbers (16–19 digits passing the Luhn check, written in one run or in groups of four);
- the values a caller knows belong to the resident (their stored phone, surname with title, name).

Digits are read in groups split by separators; a match is made of whole groups, so a date
(2026-12-04), a case number (MS261204-001), an address (12号楼3单元) or a price never trips it.
A :class:`Finding` says what and where, with only the last two digits: logs and messages built from
findings never repeat the number itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kiosk.refusal import Refusal

#: kind → (Chinese, English) for messages.
KINDS: dict[str, tuple[str, str]] = {
    "mobile": ("手机号", "mobile number"),
    "landline": ("固定电话", "landline number"),
    "id_card": ("身份证号", "ID card number"),
    "bank_card": ("银行卡号", "bank card number"),
    "known_phone": ("居民本人的电话", "the resident's own phone"),
    "known_name": ("居民本人的姓名", "the resident's own name"),
}

_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
              "八": "8", "九": "9"}
#: Characters that may stand between the digit groups of one number (at most three in a row).
_SEPARATORS = frozenset(" \t\u00a0\u3000-‐‑‒–—―−－﹣.．·・()（）[]【】/／_+＋~～")
_MAX_SEP = 3
_MAX_GROUPS = 8
_MAX_DIGITS = 24
_PREFIX = re.compile(r"^(?:0086|86)")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")
_LANDLINE_INTL = re.compile(r"^(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")  # after +86 the trunk 0 is dropped
_EXTENSION = re.compile(r"^\s*(?:转|分机|ext\.?|x|-|－)\s*(\d{1,6})(?!\d)", re.IGNORECASE)
_ID = re.compile(r"^[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Finding:
    """Personal data found in a text: what (``kind``, see :data:`KINDS`), where (``start``:``end``, character
    offsets) and ``hint``, a masked form safe for logs and messages (``…21``, ``李*``)."""

    kind: str
    start: int
    end: int
    hint: str

    def label(self, lang: str = "zh") -> str:
        zh, en = KINDS.get(self.kind, (self.kind, self.kind))
        if lang == "en":
            return f"{en} ({self.hint}) at character {self.start + 1}"
        return f"{zh}（{self.hint}，第 {self.start + 1} 个字起）"


class PersonalDataFound(Refusal, ValueError):
    """Publication refused: ``findings`` say what was found; ``zh``/``en`` are the message for staff."""

    def __init__(self, findings: list[Finding], what: str = "", what_en: str = "") -> None:
        self.findings = findings
        where_zh = f"{what}中" if what else ""
        where_en = f" in the {what_en}" if what_en else ""
        super().__init__("personal_data",
                         f"{where_zh}含有个人信息：{'、'.join(f.label('zh') for f in findings)}。"
                         "请删去后再公示（公示内容不能含电话、身份证号、银行卡号或居民姓名）。",
                         f"Personal data{where_en}: {', '.join(f.label('en') for f in findings)}. "
                         "Remove it before publishing (no phone, ID, bank card number or resident's name may be public).")


# -- reading digits --------------------------------------------------------------------------------------
def _digit(ch: str) -> str | None:
    if "0" <= ch <= "9":
        return ch
    if ch in _CN_DIGITS:
        return _CN_DIGITS[ch]
    value = unicodedata.digit(ch, None)  # full-width ０-９, other scripts' digits, ①, ¹ …
    return str(value) if value is not None else None


@dataclass(frozen=True)
class _Group:
    digits: str  # may end in "X" (the 身份证 check character)
    start: int
    end: int
    joined: bool  # only separators stand between this group and the one before


def _groups(text: str) -> list[_Group]:
    """Runs of digits, each with whether it continues the previous run across a short separator."""
    groups: list[_Group] = []
    i, n = 0, len(text)
    last_end = -1
    while i < n:
        d = _digit(text[i])
        if d is None:
            i += 1
            continue
        start, digits = i, []
        while i < n and (d := _digit(text[i])) is not None:
            digits.append(d)
            i += 1
        if (i < n and text[i] in "xXｘＸ" and _id_tail(text, start, i, digits)
                and (i + 1 == n or _digit(text[i + 1]) is None and not (text[i + 1].isascii() and text[i + 1].isalnum()))):
            digits.append("X")
            i += 1
        gap = text[last_end:start] if last_end >= 0 else None
        joined = gap is not None and 0 < len(gap) <= _MAX_SEP and all(ch in _SEPARATORS for ch in gap)
        groups.append(_Group("".join(digits), start, i, joined))
        last_end = i
    return groups


def _id_tail(text: str, start: int, i: int, digits: list[str]) -> bool:
    """An X ends a 身份证 number: it follows the 17th digit (counting the groups just before, 110101 19900307 123X)."""
    count, k = len(digits), start
    while count < 17 and k > 0:
        j = k
        while j > 0 and text[j - 1] in _SEPARATORS and k - j < _MAX_SEP:
            j -= 1
        m = j
        while m > 0 and _digit(text[m - 1]) is not None:
            m -= 1
        if m == j or j == k:
            break
        count += j - m
        k = m
    return count == 17


def _luhn(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        v = int(ch)
        if k % 2:
            v = v * 2 - 9 if v > 4 else v * 2
        total += v
    return total % 10 == 0


def _id_ok(digits: str) -> bool:
    if not _ID.match(digits):
        return False
    try:
        date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(digits[:17], _ID_WEIGHTS)) % 11]
    return digits[17] == check


def _has_date(parts: list[str]) -> bool:
    """Three groups that read as a date (2031-12-18, 18.12.2031): a date list, not a number written in groups."""
    for a, b, c in zip(parts, parts[1:], parts[2:]):
        for y, m, d in ((a, b, c), (c, b, a)):
            if len(y) == 4 and y.isdigit() and 1 <= len(m) <= 2 and 1 <= len(d) <= 2 and m.isdigit() and d.isdigit():
                try:
                    date(int(y), int(m), int(d))
                except ValueError:
                    continue
                if 1900 <= int(y) <= 2099:
                    return True
    return False


def _kind(digits: str, parts: list[str], known: set[str]) -> str | None:
    """What a number made of ``parts`` (the digit groups, joined = ``digits``) is, if anything personal."""
    if "X" in digits[:-1]:
        return None
    if digits.endswith("X"):
        return "id_card" if len(digits) == 18 and _id_ok(digits) else None
    if len(parts) > 1 and parts[0] in ("86", "0086"):  # +86 written apart
        bare = digits[len(parts[0]):]
    else:
        bare = _PREFIX.sub("", digits) if len(digits) > 11 else digits
    if known and (digits in known or bare in known or "0" + bare in known):
        return "known_phone"
    if _MOBILE.match(digits) or bare != digits and _MOBILE.match(bare):
        return "mobile"
    if _LANDLINE.match(digits) or bare != digits and (_LANDLINE_INTL.match(bare) or _LANDLINE.match(bare)):
        return "landline"
    if len(digits) == 18 and _id_ok(digits):
        return "id_card"
    if 16 <= len(digits) <= 19 and digits[0] in "345689" and _luhn(digits):
        # in one run, or written in fours (6225 8801 2345 6789 012): never a date list such as 2026-12-04 2026-12-18
        if len(parts) == 1 or all(len(p) == 4 for p in parts[:-1]) and 1 <= len(parts[-1]) <= 4:
            return "bank_card"
    return None


def _hint(digits: str) -> str:
    return "…" + digits[-2:]


#: The center's own case numbers (MS261204-001): never part of a phone number.
_CASE_NO = re.compile(r"MS\d{6}-\d{3,5}(?!\d)")


def _not_numbers(text: str, groups: list[_Group]) -> set[int]:
    """Groups that are dates written in three groups (2026-12-04, 04.12.2026) or the digits of a case number."""
    out: set[int] = set()
    for k in range(len(groups) - 2):
        if groups[k + 1].joined and groups[k + 2].joined and _has_date([g.digits for g in groups[k:k + 3]]):
            out |= {k, k + 1, k + 2}
    for m in _CASE_NO.finditer(text):
        out |= {k for k, g in enumerate(groups) if m.start() <= g.start < m.end()}
    return out


def _numbers(text: str, known_phones: set[str]) -> list[Finding]:
    groups = _groups(text)
    skip = _not_numbers(text, groups)
    found: list[Finding] = []
    covered = -1  # index of the last group already inside a finding
    for i in range(len(groups)):
        if i <= covered or i in skip:
            continue
        best: tuple[int, str] | None = None
        parts: list[str] = []
        for j in range(i, min(len(groups), i + _MAX_GROUPS)):
            if j > i and not groups[j].joined or j in skip:
                break
            parts.append(groups[j].digits)
            digits = "".join(parts)
            if len(digits) > _MAX_DIGITS:
                break
            kind = _kind(digits, parts, known_phones)
            if kind:
                best = (j, kind)  # the longest match from group i wins (+86 139… over 139…)
        if best is None:
            continue
        j, kind = best
        end = groups[j].end
        if kind == "landline" and (ext := _EXTENSION.match(text[end:])):
            end += ext.end()
        found.append(Finding(kind, groups[i].start, end, _hint("".join(g.digits for g in groups[i:j + 1]))))
        covered = j
    return found


def _names(text: str, names: Iterable[str]) -> list[Finding]:
    """Known names of two characters or more, also with spaces between the characters (李 秀 英)."""
    found = []
    for name in names:
        name = "".join(str(name or "").split())
        if len(name) < 2:
            continue  # a bare one-character surname (张) is in too many ordinary words (张贴) to search for
        pattern = re.compile(r"\s*".join(re.escape(ch) for ch in name), re.IGNORECASE)
        for m in pattern.finditer(text):
            found.append(Finding("known_name", m.start(), m.end(), name[0] + "*"))
    return found


def _phone_digits(value: str) -> str:
    return "".join(d for ch in str(value or "") if (d := _digit(ch)) is not None)


def find_personal_data(text: str, *, phones: Iterable[str] = (), names: Iterable[str] = ()) -> list[Finding]:
    """Every piece of personal data in ``text``, in order of position.

    ``phones`` and ``names`` are what is stored about the resident concerned (their phone; their surname
    with title, full name): found wherever they appear, in any spacing. Ordinary text — dates, times,
    case numbers, building and flat numbers, prices, counts — gives no findings.
    """
    text = unicodedata.normalize("NFC", str(text or ""))
    known = {d for p in phones if len(d := _phone_digits(p)) >= 7}
    known |= {_PREFIX.sub("", d) for d in known if len(d) > 11}
    found = _numbers(text, known) + _names(text, names)
    found.sort(key=lambda f: (f.start, -f.end))
    out: list[Finding] = []
    for f in found:  # drop findings inside an earlier one
        if not out or f.start >= out[-1].end:
            out.append(f)
    return out


def has_personal_data(text: str, **known) -> bool:
    return bool(find_personal_data(text, **known))


def mask_personal_data(text: str, **known) -> str:
    """``text`` with every finding replaced by ``*`` (for a slip or a log line that must keep the rest)."""
    text = unicodedata.normalize("NFC", str(text or ""))
    for f in reversed(find_personal_data(text, **known)):
        text = text[:f.start] + "*" * (f.end - f.start) + text[f.end:]
    return text


def refuse_personal_data(text: str, *, what: str = "", what_en: str = "", **known) -> str:
    """Return ``text`` unchanged when it holds no personal data; else raise :class:`PersonalDataFound`
    naming each finding (``what``/``what_en`` name the field: 公示摘要 / public summary)."""
    found = find_personal_data(text, **known)
    if found:
        raise PersonalDataFound(found, what, what_en)
    return text


__all__ = ["KINDS", "Finding", "PersonalDataFound", "find_personal_data", "has_personal_data", "mask_personal_data",
           "refuse_personal_data"]
