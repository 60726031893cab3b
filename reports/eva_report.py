"""An EVA's printable report, the one partners read (action plan 5.6: "EVAs completed and
reports produced and shared with relevant partners").

The EVA itself (the place, who took part, the findings, the actions) is shown as written.
The reports it answers are the public's and are shown only as counts, by what made the
place feel unsafe and by the month they arrived, with small numbers suppressed exactly as
in the quarterly report, for everyone who reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from core.timeutil import to_london
from places.choices import CATEGORIES
from places.models import Eva, UnsafePlaceReport
from reports import suppression
from reports.periods import month_start
from reports.tables import ALL, Cell, Draft, DraftRows, Table


@dataclass
class EvaReport:
    eva: Eva
    answered: Table
    small_max: int


def months_of(reports: list[UnsafePlaceReport]) -> list[date]:
    """Every month from the first report's arrival to the last's (London time)."""
    if not reports:
        return []
    arrived = sorted(month_start(to_london(r.received_at).date()) for r in reports)
    months, month = [], arrived[0]
    while month <= arrived[-1]:
        months.append(month)
        month = month_start(month, 1)
    return months


def answered_table(reports: list[UnsafePlaceReport], small_max: int) -> Table:
    """The reports an EVA answers, by category and by the month they arrived."""
    months = months_of(reports)
    index = {m: i for i, m in enumerate(months)}
    counts: dict = {}
    sums: list = []

    def month_of(report: UnsafePlaceReport) -> int:
        return index[month_start(to_london(report.received_at).date())]

    rows: DraftRows = []
    received = [("received", m) for m in range(len(months))]
    for m in range(len(months)):
        counts[("received", m)] = sum(1 for r in reports if month_of(r) == m)
    counts[("received", ALL)] = len(reports)
    sums.append((("received", ALL), received))
    rows.append((_("Reports answered"), [*received, ("received", ALL)], True))
    for code, label in CATEGORIES.items():
        keys = [(code, m) for m in range(len(months))]
        for m in range(len(months)):
            counts[(code, m)] = sum(1 for r in reports if month_of(r) == m and code in r.categories)
        counts[(code, ALL)] = sum(counts[k] for k in keys)
        sums.append(((code, ALL), keys))
        rows.append((str(label), [*keys, (code, ALL)], False))
    marks = suppression.suppress(counts, sums, small_max)
    columns = [
        _("What made it feel unsafe"),
        *(format_date(m, "LLLL yyyy") for m in months),
        _("In all"),
    ]
    draft = Draft(
        "answered",
        _("The reports this EVA answers"),
        columns,
        rows if reports else [],
        _("This EVA answers no report from the public."),
    )
    return draft.shown(lambda key: Cell(counts[key], marks[key], small_max))


def build(eva: Eva, small_max: int) -> EvaReport:
    # A duplicate merged into another report is not linked to EVAs: each counts once.
    return EvaReport(eva, answered_table(list(eva.reports), small_max), small_max)
