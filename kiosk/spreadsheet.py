"""The one way the product writes CSV: every export (sign-up lists, and any later one) goes through here.

A cell a spreadsheet would read as a formula is neutralised as OWASP recommends ("CSV Injection"): text
that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a single quote in
front, so Excel, WPS and LibreOffice show it as text instead of running ``=HYPERLINK(…)`` or a DDE command
typed into a surname or a class name. The full-width ``＝ ＋ － ＠`` are treated the same, because Chinese
input methods type them and some spreadsheet versions convert them. Numbers (int, float) are written as
they are: a negative number is not a formula. Quoting of commas, quotes and line breaks inside a cell is
the ``csv`` module's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
#: Excel opens a UTF-8 file as UTF-8 (not the local code page) only when it starts with a byte-order mark.
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it without evaluating it (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(out: TextIO, rows: Iterable[Iterable[Any]]) -> None:
    """Write ``rows`` to ``out`` as CSV, every cell through :func:`safe_cell`."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_text(rows: Iterable[Iterable[Any]], bom: bool = False) -> str:
    """The CSV of ``rows`` as one string (with a byte-order mark for a file staff download and open in Excel)."""
    buf = io.StringIO()
    write_csv(buf, rows)
    return (BOM if bom else "") + buf.getvalue()
