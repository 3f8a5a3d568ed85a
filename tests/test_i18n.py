"""Every user-facing string has a Chinese translation.

Strings are found the way ``pybabel extract`` would find them: ``_()``, ``N_()`` and ``tr()`` calls in
``kiosk/**/*.py``, ``app.tr()``/``_()`` in ``kiosk/**/*.kv`` (Babel has no .kv extractor, so a small one
lives here), and ``_()``/``{% trans %}`` in the web host's Jinja templates. Each file belongs to a
gettext domain: the web host's files to ``web``, a built-in plugin's files to its own domain when it
ships a catalog, everything else to ``shell``. A message id without a (non-fuzzy) zh_CN string fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KIOSK = ROOT / "kiosk"
LOCALE = KIOSK / "locale"
KEYWORDS = {"_": None, "N_": None, "tr": None, "gettext": None}
KV_CALL = re.compile(r"""\b(tr|_|N_)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*[,)]""")
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extract_kv(fileobj, keywords, comment_tags, options):
    """A Babel extraction method for Kivy .kv files: literal first arguments of tr()/_()/N_()."""
    for lineno, raw in enumerate(fileobj, start=1):
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if line.lstrip().startswith("#"):
            continue
        for match in KV_CALL.finditer(line):
            yield lineno, match.group(1), ast.literal_eval(match.group(2)), []


def domain_of(path: Path) -> str:
    rel = path.relative_to(KIOSK)
    if rel.parts[0] == "web":
        return "web"
    if rel.parts[0] == "plugins" and len(rel.parts) > 2:
        name = rel.parts[1]
        if (LOCALE / "zh_CN" / "LC_MESSAGES" / f"{name}.po").exists():
            return name
    return "shell"


def catalog_path(domain: str, lang: str = "zh_CN") -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def marked_strings() -> dict[str, dict[str, list[str]]]:
    """domain -> msgid -> where it appears ("path:line")."""
    found: dict[str, dict[str, list[str]]] = {}
    sources = [(p, "python", {}) for p in KIOSK.rglob("*.py")]
    sources += [(p, extract_kv, {}) for p in KIOSK.rglob("*.kv")]
    templates = KIOSK / "web" / "templates"
    if templates.exists():
        sources += [(p, "jinja2.ext:babel_extract", {"trimmed": "true"}) for p in templates.rglob("*.html")]
    for path, method, options in sources:
        if "migrations" in path.parts:
            continue
        with path.open("rb") as fh:
            for lineno, message, _comments, _context in extract(method, fh, keywords=KEYWORDS, options=options):
                msgid = message[0] if isinstance(message, tuple) else message
                if msgid:
                    found.setdefault(domain_of(path), {}).setdefault(msgid, []).append(f"{path.relative_to(ROOT)}:{lineno}")
    return found


def translations(domain: str, lang: str = "zh_CN") -> dict[str, str]:
    path = catalog_path(domain, lang)
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        po = read_po(fh, locale=lang)
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}


def test_extraction_finds_strings_in_python_and_kv():
    shell = marked_strings().get("shell", {})
    assert "Back to home" in shell  # receipt.kv: app.tr("Back to home")
    assert "Printing…" in shell  # receipt.py: N_("Printing…")
    assert "Do you still need help?" in shell  # overlays.kv


@pytest.mark.parametrize("domain", ["shell", "web"])
def test_every_marked_string_has_a_chinese_translation(domain):
    wanted = marked_strings().get(domain, {})
    assert wanted, f"no strings marked for the {domain} domain were found: the extraction is broken"
    have = translations(domain)
    missing = {msgid: where for msgid, where in wanted.items() if msgid not in have}
    assert not missing, f"{len(missing)} string(s) lack a zh_CN translation in {catalog_path(domain)}:\n" + "\n".join(
        f"  {msgid!r}  ({', '.join(where[:3])})" for msgid, where in sorted(missing.items()))


@pytest.mark.parametrize("domain", ["shell", "web"])
def test_translations_keep_their_placeholders(domain):
    for msgid, text in translations(domain).items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), msgid


def test_english_catalog_exists_for_the_shell():
    assert catalog_path("shell", "en").exists()
