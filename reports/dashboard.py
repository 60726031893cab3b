"""The coordinator's dashboard: this week, month and quarter at a glance, and one period
broken down by venue, team, night of the week and hour band, each as a chart and its table.

Coordinators see every number; nothing here is shown to partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.dates import get_day_names
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from extensions import db
from havens.models import SupportService, Venue
from lists.categories import CATEGORIES, RISK_REDUCING
from lists.items import items_for
from patrols.models import Team
from reports import charts, measures, priority5
from reports.periods import PERIODS, Period

PERIOD_NAMES = {"week": _l("This week"), "month": _l("This month"), "quarter": _l("This quarter")}
# Hour bands in the order of a night; the index is reports.sql.BANDS's.
BAND_ORDER = [
    (1, _l("18:00 to 21:00"), "18–21"),
    (2, _l("21:00 to midnight"), "21–00"),
    (3, _l("Midnight to 03:00"), "00–03"),
    (4, _l("03:00 to 06:00"), "03–06"),
    (0, _l("Daytime, 06:00 to 18:00"), "06–18"),
]


@dataclass
class Breakdown:
    """One chart and the table behind it."""

    id: str
    title: str
    heading: str  # what the categories are: venues, teams, nights
    categories: list[str]
    series: list[charts.Series]
    vertical: bool = False
    extra: list[tuple[str, list]] = field(default_factory=list)  # more columns for the table
    short: list[str] | None = None  # category names for a narrow chart; the table has the full

    @property
    def svg(self) -> Markup:
        draw = charts.columns if self.vertical else charts.bars
        title = _("%(title)s: the chart of the table that follows.", title=self.title)
        return draw(self.short or self.categories, self.series, title, self.id)

    def table_rows(self) -> list[tuple[str, list]]:
        columns = [s.values for s in self.series] + [values for _name, values in self.extra]
        return [(c, [col[i] for col in columns]) for i, c in enumerate(self.categories)]

    @property
    def headings(self) -> list[str]:
        return [s.name for s in self.series] + [name for name, _values in self.extra]


def periods(night: date) -> dict[str, Period]:
    return {kind: make(night) for kind, make in PERIODS.items()}


def period_label(period: Period) -> str:
    first, last = format_date(period.first, "d MMM"), format_date(period.last, "d MMM yyyy")
    return _("%(first)s to %(last)s", first=first, last=last)


def at_a_glance(scheme_id: int, night: date) -> list[tuple[str, list[float | None]]]:
    """The headline measures for this week, this month and this quarter."""
    columns = [glance(measures.Scope(scheme_id, p)) for p in periods(night).values()]
    return [
        (label, [column[i][1] for column in columns]) for i, (label, _v) in enumerate(columns[0])
    ]


def glance(scope: measures.Scope) -> list[tuple[str, float | None]]:
    contacts, people = measures.contacts(scope).get((), (0, 0))
    patrols, hours = measures.patrols(scope).get((), (0, 0.0))
    given = measures.contact_items(scope, "given")
    help_given = measures.visit_items(scope, "help")
    brought, visited = measures.handovers(scope).get((), (0, 0))
    signposted = sum(measures.visit_items(scope, "services").values()) + sum(
        measures.contact_items(scope, "services").values()
    )
    return [
        (_("Safe Haven visits"), measures.visits(scope).get((), 0)),
        (_("People engaged by Street Pastors"), people),
        (_("Street Pastors' contacts"), contacts),
        (_("Patrols"), patrols),
        (_("Hours on duty"), round(hours, 1)),
        (_("Actions to assess or reduce risk"), risk_reducing(scope.scheme_id, given)),
        (_("Hand-overs from Street Pastors to Safe Havens"), brought),
        (_("Hand-overs logged as a visit at the venue"), visited),
        (_("Visits handed over to Street Pastors"), help_given.get("street_pastors", 0)),
        (_("Times signposted to a support service"), signposted),
        *help_glance(scope),
        *priority5.glance(scope),
    ]


def risk_reducing(scheme_id: int, given: dict) -> int:
    """How many of these actions assess or reduce risk, by the scheme's items' categories."""
    of = categories(scheme_id, "given")
    return sum(n for code, n in given.items() if of.get(code) in RISK_REDUCING)


def categories(scheme_id: int, name: str) -> dict[str, str]:
    return {item.code: item.category for item in items_for(scheme_id, name)}


def help_glance(scope: measures.Scope) -> list[tuple[str, float | None]]:
    """Venues' calls for help to the Street Pastors on patrol, and what became of them."""
    asked, accepted, timed_out, cancelled, no_patrol = measures.help_requests(scope).get(
        (), (0,) * 5
    )
    return [
        (_("Calls for help from Safe Havens"), asked),
        (_("Calls for help accepted by a Street Pastor"), accepted),
        (_("Calls for help nobody accepted in time"), timed_out),
        (_("Calls for help cancelled by the venue"), cancelled),
        (_("Calls for help with no patrol on duty"), no_patrol),
        (_("Median minutes to accept a call for help"), measures.minutes_to_accept(scope)),
    ]


def breakdowns(scheme_id: int, period: Period) -> list[Breakdown]:
    """The selected period, broken down; each becomes a chart with its table."""
    scope = measures.Scope(scheme_id, period)
    return [
        by_venue(scope),
        by_team(scope),
        by_night(scope),
        by_band(scope),
        kinds_of_help(scope),
        given_or_done(scope),
        by_category(scope),
        signposting(scope),
        handovers(scope),
        help_by_venue(scope),
    ]


def _names(model, scheme_id: int) -> dict[int, str]:
    stmt = select(model.id, model.name).where(model.scheme_id == scheme_id).order_by(model.name)
    return dict(db.session.execute(stmt).tuples().all())


def by_venue(scope) -> Breakdown:
    venues = _names(Venue, scope.scheme_id)
    found = measures.visits(scope, "venue")
    shown = [v for v in venues if (v,) in found]
    series = [charts.Series(_("Visits"), [found[(v,)] for v in shown])]
    title = _("Safe Haven visits by venue")
    return Breakdown("by-venue", title, _("Venue"), [venues[v] for v in shown], series)


def by_team(scope) -> Breakdown:
    teams = _names(Team, scope.scheme_id)
    contacts, patrols = measures.contacts(scope, "team"), measures.patrols(scope, "team")
    shown = [t for t in teams if (t,) in contacts or (t,) in patrols]
    people = [contacts.get((t,), (0, 0))[1] for t in shown]
    extra: list[tuple[str, list]] = [
        (_("Contacts"), [contacts.get((t,), (0, 0))[0] for t in shown]),
        (_("Patrols"), [patrols.get((t,), (0, 0.0))[0] for t in shown]),
        (_("Hours on duty"), [round(patrols.get((t,), (0, 0.0))[1], 1) for t in shown]),
    ]
    series = [charts.Series(_("People engaged"), people)]
    title = _("People engaged by Street Pastor team")
    names = [teams[t] for t in shown]
    return Breakdown("by-team", title, _("Team"), names, series, extra=extra)


def by_night(scope) -> Breakdown:
    wide = get_day_names("wide", locale=get_locale())
    abbreviated = get_day_names("abbreviated", locale=get_locale())
    visits, contacts = measures.visits(scope, "weekday"), measures.contacts(scope, "weekday")
    series = [
        charts.Series(_("Visits"), [visits.get((d,), 0) for d in range(7)]),
        charts.Series(_("People engaged"), [contacts.get((d,), (0, 0))[1] for d in range(7)]),
    ]
    title = _("Visits and people engaged by night of the week")
    labels, short = [wide[d] for d in range(7)], [abbreviated[d] for d in range(7)]
    return Breakdown("by-night", title, _("Night"), labels, series, vertical=True, short=short)


def by_band(scope) -> Breakdown:
    visits, contacts = measures.visits(scope, "band"), measures.contacts(scope, "band")
    bands = [band for band, _label, _hours in BAND_ORDER]
    series = [
        charts.Series(_("Visits"), [visits.get((b,), 0) for b in bands]),
        charts.Series(_("People engaged"), [contacts.get((b,), (0, 0))[1] for b in bands]),
    ]
    labels = [str(label) for _b, label, _hours in BAND_ORDER]
    short = [hours for _b, _label, hours in BAND_ORDER]
    title = _("Visits and people engaged by time of night")
    heading = _("Time of night")
    return Breakdown("by-band", title, heading, labels, series, vertical=True, short=short)


def labelled(scheme_id: int, name: str, found: dict) -> tuple[list[str], dict[str, str]]:
    """The codes counted, commonest first, and the scheme's labels for them (a code its
    list does not have is shown as itself)."""
    labels = {item.code: item.label for item in items_for(scheme_id, name)}
    codes = sorted((c for c in found if found[c]), key=lambda c: (-found[c], c))
    return codes, {c: labels.get(c, c) for c in codes}


def kinds_of_help(scope) -> Breakdown:
    found = measures.visit_items(scope, "help")
    codes, labels = labelled(scope.scheme_id, "help", found)
    series = [charts.Series(_("Times"), [found[c] for c in codes])]
    title = _("Kinds of help given at Safe Havens")
    return Breakdown("help", title, _("Help"), [labels[c] for c in codes], series)


def given_or_done(scope) -> Breakdown:
    found = measures.contact_items(scope, "given")
    codes, labels = labelled(scope.scheme_id, "given", found)
    of = categories(scope.scheme_id, "given")
    series = [charts.Series(_("Times"), [found[c] for c in codes])]
    risk = [_("Yes") if of.get(c) in RISK_REDUCING else _("No") for c in codes]
    extra = [
        (_("Standard category"), [str(CATEGORIES[of.get(c, "other")]) for c in codes]),
        (_("Assesses or reduces risk"), risk),
    ]
    title, heading = _("Given or done by Street Pastors"), _("Given or done")
    return Breakdown("given", title, heading, [labels[c] for c in codes], series, extra=extra)


def by_category(scope) -> Breakdown:
    """Help and what pastors gave or did, by the standard categories every scheme shares."""
    totals: dict[tuple[str, str], int] = {}
    for name, found in (
        ("help", measures.visit_items(scope, "help")),
        ("given", measures.contact_items(scope, "given")),
    ):
        of = categories(scope.scheme_id, name)
        for code, n in found.items():
            key = (name, of.get(code, "other"))
            totals[key] = totals.get(key, 0) + n
    shown = [c for c in CATEGORIES if totals.get(("help", c)) or totals.get(("given", c))]
    series = [
        charts.Series(_("Help at Safe Havens"), [totals.get(("help", c), 0) for c in shown]),
        charts.Series(
            _("Given or done by Street Pastors"), [totals.get(("given", c), 0) for c in shown]
        ),
    ]
    title = _("Help and services by standard category")
    labels = [str(CATEGORIES[c]) for c in shown]
    return Breakdown("by-category", title, _("Category"), labels, series)


def signposting(scope) -> Breakdown:
    by_havens = measures.visit_items(scope, "services")
    by_pastors = measures.contact_items(scope, "services")
    names = _names(SupportService, scope.scheme_id)
    ids = [s for s in names if by_havens.get(s) or by_pastors.get(s)]
    ids += sorted({*by_havens, *by_pastors} - set(names))
    labels = [names.get(s) or _("A service since removed from the directory") for s in ids]
    series = [
        charts.Series(_("By Safe Havens"), [by_havens.get(s, 0) for s in ids]),
        charts.Series(_("By Street Pastors"), [by_pastors.get(s, 0) for s in ids]),
    ]
    title = _("Support services signposted to")
    return Breakdown("signposting", title, _("Service"), labels, series)


def handovers(scope) -> Breakdown:
    venues = _names(Venue, scope.scheme_id)
    found = measures.handovers(scope, "venue")
    shown = [v for v in venues if (v,) in found]
    series = [
        charts.Series(_("Handed over"), [found[(v,)][0] for v in shown]),
        charts.Series(_("Logged as a visit"), [found[(v,)][1] for v in shown]),
    ]
    title = _("Hand-overs from Street Pastors to Safe Havens")
    return Breakdown("handovers", title, _("Venue"), [venues[v] for v in shown], series)


def help_by_venue(scope) -> Breakdown:
    venues = _names(Venue, scope.scheme_id)
    found = measures.help_requests(scope, "venue")
    shown = [v for v in venues if (v,) in found]
    series = [
        charts.Series(_("Asked"), [found[(v,)][0] for v in shown]),
        charts.Series(_("Accepted"), [found[(v,)][1] for v in shown]),
    ]
    extra = [
        (_("Nobody accepted in time"), [found[(v,)][2] for v in shown]),
        (_("Cancelled"), [found[(v,)][3] for v in shown]),
        (_("No patrol on duty"), [found[(v,)][4] for v in shown]),
    ]
    title = _("Calls for help from Safe Havens to Street Pastors, by venue")
    names = [venues[v] for v in shown]
    return Breakdown("help-requests", title, _("Venue"), names, series, extra=extra)
