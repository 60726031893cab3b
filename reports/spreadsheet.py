"""The quarterly report as CSV: one row per figure, as partners (or coordinators) see it."""

from __future__ import annotations

from flask_babel import gettext as _

from core.csvfile import csv_text
from reports.quarterly import Report


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
    return found


def csv_bytes(report: Report) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read the accents right."""
    return ("\ufeff" + csv_text(rows(report))).encode("utf-8")
