"""Checking what a resident (or a clerk, or an Open311 client) submitted, field by field.

Every problem is reported against its field in Chinese and English, all at once, so a form can show
each message next to its field and keep everything else that was typed. Text is cleaned, not rejected,
where cleaning loses nothing a resident meant (control characters, stray spaces); markup and SQL are
just text here: they are stored as typed and escaped wherever they are shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kiosk.api import translator, PhoneError, normalize_phone, Refusal

DESCRIPTION_MAX = 300
SURNAME_MAX = 4
CHANNELS = {
    "kiosk": ("自助机", "Kiosk"),
    "diary": ("民情日记", "Visit diary"),
    "mailbox": ("民生信箱", "Mailbox"),
    "card": ("连心卡", "Contact card"),
    "phone": ("电话", "Phone"),
    "walk-in": ("来访", "Walk-in"),
    "open311": ("开放接口", "Open311"),
}
TITLES = ("", "先生", "女士")
_FLAT = re.compile(r"^[0-9]{1,4}$")
_UNIT = re.compile(r"^[0-9]{1,2}$")  # ASCII digits only: "¹".isdigit() is True, int("¹") is not


@dataclass(frozen=True)
class FieldError:
    field: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Invalid(Refusal):
    """One or more fields are wrong; ``errors`` has one entry per field.

    As a :class:`~kiosk.refusal.Refusal` its text names every field (``phone: …; address: …``, what the CLI
    prints) and ``field`` is the first one; forms show ``errors`` beside their fields instead.
    """

    def __init__(self, errors: list[FieldError] | None = None) -> None:
        self.errors = list(errors or [])
        super().__init__("invalid", "；".join(e.zh for e in self.errors),
                         "; ".join(f"{e.field}: {e.en}" for e in self.errors),
                         field=self.errors[0].field if self.errors else "")

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.en}" for e in self.errors)

    def for_field(self, name: str) -> FieldError | None:
        return next((e for e in self.errors if e.field == name), None)


def clean_text(value: object) -> str:
    """Drop control and format characters (keeping line breaks), normalize width, trim each line."""
    text = unicodedata.normalize("NFC", str(value or ""))
    kept = []
    for ch in text:
        if ch in "\n\r\t":
            kept.append("\n" if ch != "\t" else " ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(ch)
    lines = [" ".join(line.split()) for line in "".join(kept).split("\n")]
    out = "\n".join(lines)
    while "\n\n\n" in out:
        out = out.replace("\n\n\n", "\n\n")
    return out.strip()


@dataclass
class Submission:
    """A request as entered, before it becomes a case (every field already cleaned)."""

    category: str
    building: str
    unit: str = ""
    flat: str = ""
    problem: str = ""
    phone: str = ""
    surname: str = ""
    title: str = ""
    name_public: bool = False
    description: str = ""
    channel: str = "kiosk"


def validate(raw: dict, categories: dict, buildings: dict[str, int], *, phone_required: bool = True) -> Submission:
    """Check a submission; ``categories`` maps code → Category, ``buildings`` maps code → entrances.

    Raises :class:`Invalid` with every wrong field; returns the cleaned :class:`Submission` otherwise.
    """
    errors: list[FieldError] = []
    get = lambda k: clean_text(raw.get(k, ""))  # noqa: E731

    category = get("category")
    cat = categories.get(category)
    if cat is None:
        errors.append(FieldError("category", "请选择诉求类别", "choose a category" if not category else f"unknown category {category[:30]!r}"))

    problem = get("problem")
    if len(problem) > 60:
        errors.append(FieldError("problem", "问题名称太长（最多60字）", "the problem is at most 60 characters"))

    building = get("building").removesuffix("号楼").removesuffix("楼")
    units = buildings.get(building)
    if not building:
        errors.append(FieldError("building", "请选择楼号", "choose the building"))
    elif units is None:
        errors.append(FieldError("building", f"没有“{building[:20]}”这栋楼，请在列表中选择", f"no building {building[:20]!r} in this community"))

    unit = get("unit").removesuffix("单元")
    if unit:
        if not _UNIT.match(unit) or units is not None and not 1 <= int(unit) <= units:
            errors.append(FieldError("unit", f"单元号应为 1 到 {units or 9}", f"the entrance is a number from 1 to {units or 9}"))
        else:
            unit = str(int(unit))

    flat = get("flat").removesuffix("室")
    if flat and not _FLAT.match(flat):
        errors.append(FieldError("flat", "门牌号只填数字，例如 302", "the flat is digits only, like 302"))

    phone = get("phone")
    if phone or phone_required:
        try:
            phone = normalize_phone(phone)
        except PhoneError as exc:
            errors.append(FieldError("phone", translator("zh", "shell")(exc.msgid), exc.msgid))

    surname = get("surname")
    if surname and (len(surname) > SURNAME_MAX or not all(ch.isalpha() for ch in surname)):
        errors.append(FieldError("surname", f"姓氏请填 1 到 {SURNAME_MAX} 个字", f"the surname is 1 to {SURNAME_MAX} letters"))
    title = get("title")
    if title not in TITLES:
        errors.append(FieldError("title", "称呼请选“先生”或“女士”", "the title is 先生 or 女士"))

    description = get("description")
    if len(description) > DESCRIPTION_MAX:
        errors.append(FieldError("description", f"描述最多 {DESCRIPTION_MAX} 字，现在 {len(description)} 字",
                                 f"the description is at most {DESCRIPTION_MAX} characters ({len(description)} now)"))
    if cat is not None and not problem and not description:
        errors.append(FieldError("problem", "请选择常见问题，或简单描述一下", "pick a common problem or describe it"))

    channel = get("channel") or "kiosk"
    if channel not in CHANNELS:
        errors.append(FieldError("channel", "来源渠道不正确", f"the channel is one of {', '.join(CHANNELS)}"))

    if errors:
        raise Invalid(errors)
    return Submission(category=category, building=building, unit=unit, flat=flat, problem=problem, phone=phone,
                      surname=surname, title=title, name_public=bool(raw.get("name_public")) and bool(surname),
                      description=description, channel=channel)


def mask_surname(surname: str | None, title: str = "") -> str:
    """张先生 → 张*; what the public may see of a name, and only with consent."""
    if not surname:
        return ""
    return surname[0] + "*" + (title or "")
