"""The quarterly partnership report: the action plan's measures (2.3, and priority 5 in
reports.priority5) and the Safe Haven scheme's, as tables that the page, the PDF and the
CSV all show alike.

Every count about people is a keyed cell; a figure that appears twice (a table's total
and a headline) is one key, so suppression (reports.suppression) treats it once and
every place shows it the same way. Patrols and hours on duty are volunteers' time, not
people helped: they are shown whatever their size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from havens.models import SupportService, Venue
from lists import defaults
from lists.categories import CATEGORIES, RISK_REDUCING
from lists.items import Item, items_for, with_unknown
from reports import counts, measures, priority5, suppression
from reports.periods import Period, quarter_number
from reports.tables import ALL, Cell, Draft, DraftRows, Layout, Table


@dataclass
class Report:
    scheme: str
    period: Period
    partner_view: bool
    small_max: int
    headline: list[tuple[str, Cell]] = field(default_factory=list)
    sections: list[tuple[str, list[Table]]] = field(default_factory=list)

    @property
    def quarter(self) -> int:
        return quarter_number(self.period)

    @property
    def title(self) -> str:
        return _("%(year)d, quarter %(quarter)d", year=self.period.first.year, quarter=self.quarter)

    @property
    def dates(self) -> str:
        first = format_date(self.period.first, "d MMMM yyyy")
        last = format_date(self.period.last, "d MMMM yyyy")
        return _("Nights of %(first)s to %(last)s", first=first, last=last)

    def tables(self) -> list[Table]:
        return [table for _title, tables in self.sections for table in tables]


@dataclass
class Data:
    """Every count the report needs, each from one grouped query."""

    venues: dict[int, str]
    active: set[int]
    services: dict[int, str]
    patrols: dict
    contacts: dict
    given: dict
    visits: dict
    help: dict
    signposted_by_venues: dict
    signposted_by_pastors: dict
    handovers: dict
    help_requests: dict
    priority5: priority5.Data
    lists: dict[str, list[Item]]  # the scheme's help, given and seen lists, hidden items too


def gather(scheme_id: int, period: Period, source: Any = counts) -> Data:
    """Run the report's queries. Visits and contacts are counted by `source`: the counts
    the database keeps (reports.counts), or the records themselves (reports.measures, the
    slow way the kept counts are checked against)."""
    scope = measures.Scope(scheme_id, period)
    venues = db.session.execute(
        select(Venue.id, Venue.name, Venue.status)
        .where(Venue.scheme_id == scheme_id)
        .order_by(Venue.name)
    ).all()
    services = (
        db.session.execute(
            select(SupportService.id, SupportService.name)
            .where(SupportService.scheme_id == scheme_id)
            .order_by(SupportService.position, SupportService.name)
        )
        .tuples()
        .all()
    )
    return Data(
        venues={v.id: v.name for v in venues},
        active={v.id for v in venues if v.status == "active"},
        services=dict(services),
        patrols=measures.patrols(scope, "month"),
        contacts=source.contacts(scope, "month"),
        given=source.contact_items(scope, "given"),
        visits=source.visits(scope, "venue", "month"),
        help=source.visit_items(scope, "help"),
        signposted_by_venues=source.visit_items(scope, "services"),
        signposted_by_pastors=source.contact_items(scope, "services"),
        handovers=source.handovers(scope, "venue"),
        help_requests=measures.help_requests(scope),
        priority5=priority5.gather(scope, source),
        lists={name: items_for(scheme_id, name) for name in ("help", "given", "seen")},
    )


def build(data: Data, scheme: str, period: Period, partner_view: bool, small_max: int) -> Report:
    """Lay out the report and, for partners, hide the small numbers."""
    layout = Layout(data, period)
    sections = [
        (_("Street Pastors"), [duty_table(layout), engaged_table(layout), given_table(layout)]),
        (
            _("Safe Havens"),
            [
                visits_table(layout),
                help_table(layout),
                signposting_table(layout),
                handovers_table(layout),
                help_requests_table(layout),
            ],
        ),
        (_("Women's and girls' safety, and the night-time economy"), priority5.tables(layout)),
        (_("Standard categories, the same in every scheme"), [categories_table(layout)]),
    ]
    headline = headline_keys(layout)
    marks = dict.fromkeys(layout.counts, suppression.SHOWN)
    if partner_view:
        marks = suppression.suppress(layout.counts, layout.sums, small_max)

    def cell(key) -> Cell:
        if key in layout.free:
            return Cell(layout.free[key], hours=isinstance(layout.free[key], float))
        return Cell(layout.counts[key], marks[key], small_max)

    report = Report(scheme, period, partner_view, small_max)
    report.headline = [(label, cell(key)) for label, key in headline]
    for title, tables in sections:
        report.sections.append((title, [table.shown(cell) for table in tables]))
    return report


# --- Street Pastors: action plan 2.3 and 5.1 ----------------------------------------


def duty_table(layout: Layout) -> Draft:
    """Patrols and hours on duty by month (a patrol counts in the month of its first night)."""
    found = layout.data.patrols
    rows = []
    for m in layout.months:
        patrols, hours = found.get((m,), (0, 0.0))
        keys = [
            layout.shown_always(("patrols", m), patrols),
            layout.shown_always(("hours", m), hours),
        ]
        rows.append((layout.month_names[m], keys, False))
    patrols = layout.shown_always(("patrols", ALL), sum(n for n, _h in found.values()))
    hours = layout.shown_always(("hours", ALL), float(sum(h for _n, h in found.values())))
    rows.append((_("Quarter"), [patrols, hours], True))
    columns = [_("Month"), _("Patrols"), _("Hours on duty")]
    return Draft("duty", _("Patrols and hours on duty"), columns, rows)


def engaged_table(layout: Layout) -> Draft:
    """Contacts and people engaged by month, each column adding up to the quarter."""
    found = layout.data.contacts
    rows = []
    for m in layout.months:
        contacts, people = found.get((m,), (0, 0))
        keys = [layout.count(("contacts", m), contacts), layout.count(("people", m), people)]
        rows.append((layout.month_names[m], keys, False))
    totals = [
        layout.count(("contacts", ALL), sum(c for c, _p in found.values())),
        layout.count(("people", ALL), sum(p for _c, p in found.values())),
    ]
    rows.append((_("Quarter"), totals, True))
    layout.columns_add_up(
        layout.months, ["contacts", "people"], lambda m, c: (c, m), lambda c: (c, ALL)
    )
    columns = [_("Month"), _("Contacts"), _("People engaged")]
    return Draft("engaged", _("People engaged by Street Pastors"), columns, rows)


def given_table(layout: Layout) -> Draft:
    """Services provided: the actions that assess or reduce risk with their total, then
    the rest. A hand-over is counted from the contact's chosen venue, so its row and the
    hand-overs table's total are one figure."""
    given = layout.data.given
    handed_over = sum(brought for brought, _visited in layout.data.handovers.values())
    items = with_unknown(layout.data.lists["given"], given)
    rows, risk = [], []
    for item in (i for i in items if i.category in RISK_REDUCING):
        if item.code == "handover":
            key = layout.count(("handovers", ALL, "brought"), handed_over)
        else:
            key = layout.count(("given", item.code), given.get(item.code, 0))
        layout.keys[("given", item.code)] = key
        risk.append(key)
        rows.append((item.label, [key], False))
    total = layout.count(("risk", ALL), sum(layout.counts[key] for key in risk))
    layout.sums.append((total, risk))
    rows.append((_("Actions to assess or reduce risk, in all"), [total], True))
    for item in (i for i in items if i.category not in RISK_REDUCING):
        key = layout.count(("given", item.code), given.get(item.code, 0))
        layout.keys[("given", item.code)] = key
        rows.append((item.label, [key], False))
    columns = [_("Given or done"), _("Times")]
    return Draft("given", _("Services provided by Street Pastors"), columns, rows)


# --- Safe Havens ----------------------------------------------------------------------


def visits_table(layout: Layout) -> Draft:
    """Visits per venue and per month, with totals both ways."""
    data, months = layout.data, layout.months
    found = data.visits
    venues = [v for v in data.venues if v in data.active or any(k[0] == v for k in found)]
    for v in venues:
        for m in months:
            layout.count(("visits", v, m), found.get((v, m), 0))
        layout.count(("visits", v, ALL), sum(found.get((v, m), 0) for m in months))
    for m in months:
        layout.count(("visits", ALL, m), sum(found.get((v, m), 0) for v in venues))
    layout.count(("visits", ALL, ALL), sum(layout.counts[("visits", ALL, m)] for m in months))
    layout.sums += suppression.table_sums(
        venues,
        months,
        lambda v, m: ("visits", v, m),
        lambda v: ("visits", ALL if v is None else v, ALL),
        lambda m: ("visits", ALL, ALL if m is None else m),
    )
    rows: DraftRows = [
        (data.venues[v], [("visits", v, m) for m in [*months, ALL]], False) for v in venues
    ]
    rows.append((_("All venues"), [("visits", ALL, m) for m in [*months, ALL]], True))
    columns = [_("Venue"), *layout.month_names, _("Quarter")]
    return Draft("visits", _("Safe Haven visits by venue and month"), columns, rows)


def help_table(layout: Layout) -> Draft:
    """How often each kind of help was given (a visit can have several)."""
    found = layout.data.help
    rows: DraftRows = []
    for item in with_unknown(layout.data.lists["help"], found):
        key = layout.count(("help", item.code), found.get(item.code, 0))
        layout.keys[("help", item.code)] = key
        rows.append((item.label, [key], False))
    return Draft("help", _("Kinds of help given at Safe Havens"), [_("Help"), _("Times")], rows)


def categories_table(layout: Layout) -> Draft:
    """Help at Safe Havens and what pastors gave or did, by the partnership's standard
    categories: comparable across schemes whatever each calls its items. Each figure is
    the sum of its items' figures, which suppression knows."""
    rows: DraftRows = []
    of = {name: {i.code: i.category for i in layout.data.lists[name]} for name in ("help", "given")}
    for category, label in CATEGORIES.items():
        keys = []
        for name in ("help", "given"):
            parts = [
                key
                for (list_name, code), key in layout.keys.items()
                if list_name == name and of[name].get(code, "other") == category
            ]
            key = layout.count((name, "category", category), sum(layout.counts[k] for k in parts))
            if parts:
                layout.sums.append((key, parts))
            keys.append(key)
        if any(layout.counts[k] for k in keys) or category in USUAL_CATEGORIES:
            rows.append((label, keys, False))
    columns = [_("Category"), _("Help at Safe Havens"), _("Given or done by Street Pastors")]
    return Draft("categories", _("Help and services by standard category"), columns, rows)


# Shown even when nothing was counted in them: the categories of both lists' defaults.
USUAL_CATEGORIES = set(defaults.categories("help").values()) & set(
    defaults.categories("given").values()
)


def signposting_table(layout: Layout) -> Draft:
    """Support services signposted to, by Safe Haven staff and by Street Pastors."""
    data = layout.data
    by_venues, by_pastors = data.signposted_by_venues, data.signposted_by_pastors
    removed = sorted({*by_venues, *by_pastors} - set(data.services))
    rows = []
    for sid in [*data.services, *removed]:
        a, b = by_venues.get(sid, 0), by_pastors.get(sid, 0)
        if not (a or b):
            continue
        keys = [layout.count(("signposted", sid, "havens"), a)]
        keys.append(layout.count(("signposted", sid, "pastors"), b))
        total = layout.count(("signposted", sid, ALL), a + b)
        layout.sums.append((total, keys))
        name = data.services.get(sid) or _("A service since removed from the directory")
        rows.append((name, [*keys, total], False))
    columns = [_("Service"), _("By Safe Havens"), _("By Street Pastors"), _("In all")]
    empty = _("No one was signposted to a support service.")
    return Draft("signposting", _("Support services signposted to"), columns, rows, empty)


def handovers_table(layout: Layout) -> Draft:
    """Hand-overs from Street Pastors to each venue, and how many the venue logged as a
    visit continuing the hand-over."""
    data, found = layout.data, layout.data.handovers
    venues = [v for v in data.venues if (v,) in found]
    for v in venues:
        layout.count(("handovers", v, "brought"), found[(v,)][0])
        layout.count(("handovers", v, "visited"), found[(v,)][1])
    layout.count(("handovers", ALL, "visited"), sum(found[(v,)][1] for v in venues))
    layout.columns_add_up(
        venues,
        ["brought", "visited"],
        lambda v, c: ("handovers", v, c),
        lambda c: ("handovers", ALL, c),
    )
    rows: DraftRows = [
        (data.venues[v], [("handovers", v, "brought"), ("handovers", v, "visited")], False)
        for v in venues
    ]
    totals = [("handovers", ALL, "brought"), ("handovers", ALL, "visited")]
    rows.append((_("All venues"), totals, True))
    columns = [_("Venue"), _("Handed over"), _("Logged as a visit")]
    return Draft("handovers", _("Hand-overs from Street Pastors to Safe Havens"), columns, rows)


HELP_ROWS = [
    # Translators: what became of venues' calls for help to the Street Pastors on patrol.
    ("accepted", _l("Accepted by a Street Pastor")),
    ("timed_out", _l("Nobody accepted in time")),
    ("cancelled", _l("Cancelled by the venue")),
    ("no_patrol", _l("No patrol on duty")),
    ("open", _l("Still waiting for an answer")),
]


def help_requests_table(layout: Layout) -> Draft:
    """Venues' calls for help to the pastors on patrol, by what became of them. Each call
    is about a person, so each figure is a count that may be hidden; the outcomes add up
    to the whole, which suppression knows."""
    asked, *ended = layout.data.help_requests.get((), (0,) * (1 + len(measures.HELP_OUTCOMES)))
    figures = dict(zip(measures.HELP_OUTCOMES, ended, strict=True))
    figures["open"] = asked - sum(ended)
    rows = [
        (label, [layout.count(("calls", code), figures[code])], False) for code, label in HELP_ROWS
    ]
    total = layout.count(("calls", ALL), asked)
    layout.sums.append((total, [("calls", code) for code, _label in HELP_ROWS]))
    rows.append((_("All calls for help"), [total], True))
    columns = [_("Outcome"), _("Calls for help")]
    title = _("Calls for help from Safe Havens to Street Pastors on patrol")
    return Draft("help-requests", title, columns, rows)


def headline_keys(layout: Layout) -> list[tuple[str, tuple]]:
    """The figures at the top: each is a total from one of the tables."""
    return [
        (_("People engaged by Street Pastors"), ("people", ALL)),
        (_("Hours on duty"), ("hours", ALL)),
        (_("Patrols"), ("patrols", ALL)),
        (_("Actions to assess or reduce risk"), ("risk", ALL)),
        (_("Safe Haven visits"), ("visits", ALL, ALL)),
        (_("Hand-overs from Street Pastors to Safe Havens"), ("handovers", ALL, "brought")),
        (_("Alone and showing signs of vulnerability"), ("alone_vulnerable", ALL, ALL)),
        (_("Suspected spiking at Safe Havens"), ("help", "suspected_spiking")),
        (_("Unsafe-place reports received"), ("places_received", ALL)),
    ]
