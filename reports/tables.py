"""The pieces every table shared with partners is built from: keyed counts laid out in
tables (a Layout of Drafts) and, once suppression has marked them, the cells each page,
PDF and CSV shows alike. Used by the quarterly report and the EVA reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_date, format_decimal

from reports import suppression
from reports.periods import Period

ALL = "all"


@dataclass
class Cell:
    """One figure as it is shown: the number, "1-5" or "[c]"."""

    value: float
    mark: str = suppression.SHOWN
    small_max: int = suppression.SMALL_COUNT_MAX
    hours: bool = False

    @property
    def text(self) -> str:
        shown = suppression.display(self.value, self.mark, self.small_max)
        if isinstance(shown, str):
            return shown
        return format_decimal(shown, "#,##0.0" if self.hours else "#,##0")

    @property
    def raw(self) -> str:
        """The figure for a file: no thousands separator, hours to a tenth."""
        shown = suppression.display(self.value, self.mark, self.small_max)
        if isinstance(shown, str):
            return shown
        return f"{shown:.1f}" if self.hours else str(int(shown))

    @property
    def hidden(self) -> bool:
        return self.mark != suppression.SHOWN


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[Row]
    empty: str = ""


class Layout:
    """Tables of keyed counts, and the sums that tie the counts together."""

    def __init__(self, data: Any, period: Period) -> None:
        self.data, self.period = data, period
        self.months = list(range(len(period.months())))
        self.month_names = [format_date(m, "LLLL yyyy") for m in period.months()]
        self.counts: dict = {}
        self.sums: list = []
        self.free: dict = {}  # figures shown whatever their size
        self.keys: dict = {}  # (list, item code): its count's key, for sums across tables

    def count(self, key, value) -> tuple:
        self.counts[key] = int(value)
        return key

    def shown_always(self, key, value) -> tuple:
        self.free[key] = value
        return key

    def columns_add_up(self, rows, columns, cell, total) -> None:
        for column in columns:
            self.sums.append((total(column), [cell(row, column) for row in rows]))


# A draft table's rows: (label, the keys of its cells, whether it is a total row).
DraftRows = list[tuple[str, list, bool]]


@dataclass
class Draft:
    """A table of keys, before the keys become shown cells."""

    id: str
    title: str
    columns: list[str]
    rows: DraftRows
    empty: str = ""

    def shown(self, cell) -> Table:
        rows = [Row(label, [cell(key) for key in keys], total) for label, keys, total in self.rows]
        return Table(self.id, self.title, self.columns, rows, self.empty)
