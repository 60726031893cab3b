"""The partnership's count across schemes: help at Safe Havens and what pastors gave or
did, by standard category. Each scheme's own items are counted in the categories they
belong to, so towns with different lists add up; small numbers are hidden as in every
report shared outside the coordinators (reports.suppression)."""

from __future__ import annotations

from dataclasses import dataclass

from lists.categories import CATEGORIES
from lists.items import categories_for
from reports import counts as kept
from reports import measures, suppression
from reports.periods import Period
from reports.tables import ALL, Cell

# The lists counted, each read from the counts the database keeps per night (reports.counts).
LISTS = {"help": kept.visit_items, "given": kept.contact_items}


@dataclass
class Row:
    list_name: str
    category: str
    cells: list[Cell]  # one per scheme, then all of them


def counts(scheme_ids: list[int], period: Period) -> dict:
    """{(list, category, scheme id): times} for every scheme, category and list."""
    found: dict = {
        (name, category, s): 0 for name in LISTS for category in CATEGORIES for s in scheme_ids
    }
    for s in scheme_ids:
        scope = measures.Scope(s, period)
        for name, read in LISTS.items():
            of = categories_for(s, name)
            for code, n in read(scope, name).items():
                found[(name, of.get(code, "other"), s)] += n
    return found


def rows(scheme_ids: list[int], period: Period, small_max: int) -> list[Row]:
    """Each list's categories with a figure per scheme and their total, small ones hidden.
    A category no scheme used in the period is left out."""
    found = counts(scheme_ids, period)
    sums = []
    for name in LISTS:
        for category in CATEGORIES:
            parts = [(name, category, s) for s in scheme_ids]
            found[(name, category, ALL)] = sum(found[key] for key in parts)
            sums.append(((name, category, ALL), parts))
    marks = suppression.suppress(found, sums, small_max)
    shown = []
    for total, parts in sums:
        if found[total]:
            cells = [Cell(found[key], marks[key], small_max) for key in (*parts, total)]
            shown.append(Row(total[0], total[1], cells))
    return shown
