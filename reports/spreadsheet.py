"""The quarterly report as CSV: one row per figure, as partners (or coordinators) see it."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from reports.quarterly import Report

# A cell starting with one of these is a formula to a spreadsheet; a venue's name is not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(text) -> str:
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows(report: Report) -> list[list[str]]:
    """Scheme, quarter, section, table, row, column and value for every figure."""
    quarter = f"{report.period.first.year}-Q{report.quarter}"
    found = [
        [_("Scheme"), _("Quarter"), _("Section"), _("Table"), _("Row"), _("Column"), _("Value")]
    ]
    for label, cell in report.headline:
        found.append([report.scheme, quarter, _("Summary"), _("Summary"), label, "", cell.raw])
    for section, tables in report.sections:
        for table in tables:
            for row in table.rows:
                for column, cell in zip(table.columns[1:], row.cells, strict=True):
                    found.append(
                        [report.scheme, quarter, section, table.title, row.label, column, cell.raw]
                    )
    return [[safe(value) for value in row] for row in found]


def csv_bytes(report: Report) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read the accents right."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
