"""The one way Lantern writes CSV, so that no cell of it runs as a spreadsheet formula.

A business registering at /join/<scheme> chooses its own name, and names reach exports
and reports. Excel, LibreOffice and Google Sheets read a cell starting with one of
FORMULA_STARTS as a formula (a tab or carriage return can hide one). OWASP's rule, kept
here: such a cell gets a leading apostrophe, which spreadsheets take to mean "text".
A phone number written "+44 ..." gets one too: the rule cannot tell it from a formula.
"""

import csv
import io
from collections.abc import Iterable
from numbers import Number

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A value as it goes in a cell: text that starts like a formula behind an apostrophe.
    Numbers stay numbers: one Lantern computed cannot carry a formula, even when negative.
    Anything else (a lazily translated label, say) is text."""
    if isinstance(value, Number) or value is None:
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text with CRLF line ends (RFC 4180), every cell passed through cell()."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
