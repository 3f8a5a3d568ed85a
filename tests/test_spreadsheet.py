"""The one CSV writer (kiosk.spreadsheet): cells a spreadsheet would run as a formula are neutralised (OWASP
"CSV Injection"), everything else is written unchanged, and every CSV export of the product uses it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from kiosk.spreadsheet import csv_text, safe_cell, write_csv

ROOT = Path(__file__).resolve().parents[1] / "kiosk"


@pytest.mark.parametrize("cell", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1+1", "＋1", "－1", "＠x",
                                  '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0"])
def test_a_formula_looking_cell_gets_a_quote_in_front(cell):
    assert safe_cell(cell) == "'" + cell
    text = csv_text([[cell]])
    assert next(csv.reader(io.StringIO(text))) == ["'" + cell]


@pytest.mark.parametrize("cell", ["王", "书法", "138****5678", "2026-11-30 09:00", "a=b", " =1", "'=1", ""])
def test_ordinary_text_is_written_as_it_is(cell):
    assert safe_cell(cell) == cell


def test_numbers_stay_numbers_and_none_is_empty():
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5 and safe_cell(None) == "" and safe_cell(True) == "True"
    buf = io.StringIO()
    write_csv(buf, [["序号", -1, None, "=1"]])
    assert buf.getvalue() == "序号,-1,,'=1\r\n"
    assert csv_text([["a"]], bom=True) == "\ufeffa\r\n"


def test_every_csv_export_goes_through_the_one_writer():
    """A new export written with csv.writer directly would skip the neutralising: only kiosk/spreadsheet.py may."""
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                 if p.name != "spreadsheet.py" and re.search(r"\bcsv\.(writer|DictWriter)\b", p.read_text(encoding="utf-8"))]
    assert offenders == []
