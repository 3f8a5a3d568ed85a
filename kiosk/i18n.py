"""Translations: gettext catalogs (.po, managed with Babel) for zh_CN (the default) and en.

Message ids are English; every user-facing string must have a zh_CN translation (a test extracts all
marked strings and fails on a missing one). The en catalog may translate too (for wording changes), and
falls back to the id. Catalogs are read from the .po files at run time with Babel, so no compile step
is needed; they are cached per (domain, language).

Domains: ``shell`` (the touch screens), ``web`` (tracking pages and staff area); a plugin may ship its
own folder and domain and call :func:`translator` with ``locale_dir``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def normalize(lang: str | None) -> str:
    """Map "zh", "zh-CN", "zh_CN", "en-US", "EN"… to a supported language; unknown → default."""
    value = (lang or "").replace("-", "_").lower()
    if value.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def catalog(domain: str, lang: str, locale_dir: str = str(LOCALE_DIR)) -> dict[str, str]:
    path = Path(locale_dir) / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        po = read_po(fh, locale=lang)
    out: dict[str, str] = {}
    for message in po:
        if message.id and message.string and not message.fuzzy:
            key = message.id if isinstance(message.id, str) else message.id[0]
            value = message.string if isinstance(message.string, str) else message.string[0]
            out[key] = value
    return out


def translator(lang: str | None, domain: str, locale_dir: Path | str = LOCALE_DIR) -> Callable[[str], str]:
    """A ``_(msgid)`` function for ``lang``: the catalog's translation, else the id itself."""
    table = catalog(domain, normalize(lang), str(locale_dir))
    return lambda msgid: table.get(msgid, msgid)


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it now (translated where it is shown)."""
    return msgid
