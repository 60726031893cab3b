"""The dashboard's charts for the action plan's priority 5 (reports.priority5 has the
quarterly report's tables): who Safe Havens and Street Pastors helped, alone and showing
signs of vulnerability, what pastors saw, and the public's unsafe-place reports. Each is
a chart with its table beside it; coordinators see every number."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from havens.choices import AGE_BANDS, COMPANY
from lists.items import labels_for
from places.choices import CATEGORIES, STATUSES
from reports import charts, measures, place_measures
from reports.dashboard import Breakdown
from reports.periods import Period
from reports.priority5 import GENDER_ROWS, NOT_RECORDED, by_gender


def breakdowns(scheme_id: int, period: Period) -> list[Breakdown]:
    scope = measures.Scope(scheme_id, period)
    return [
        alone_vulnerable(scope),
        by_gender_chart(scope),
        by_age(scope),
        by_company(scope),
        seen(scope),
        unsafe_places(scope),
        report_statuses(scope),
    ]


def _people(found: dict) -> dict:
    return {key: pair[1] for key, pair in found.items()}


def _gender_rows(visits: dict, people: dict, names: tuple[str, str]) -> list[charts.Series]:
    visits, people = by_gender(visits), by_gender(people)
    return [
        charts.Series(names[0], [visits.get(code, 0) for code, _label in GENDER_ROWS]),
        charts.Series(names[1], [people.get(code, 0) for code, _label in GENDER_ROWS]),
    ]


def alone_vulnerable(scope) -> Breakdown:
    series = _gender_rows(
        measures.visits_alone(scope, "gender"),
        _people(measures.contacts_with(scope, "seen", "vulnerable", "gender")),
        (_("Safe Haven visits, alone"), _("Street Pastors: people alone and vulnerable")),
    )
    title = _("Alone and showing signs of vulnerability, by gender (action plan 5.1)")
    labels = [str(label) for _code, label in GENDER_ROWS]
    return Breakdown("alone-vulnerable", title, _("Gender"), labels, series)


def by_gender_chart(scope) -> Breakdown:
    series = _gender_rows(
        measures.visits(scope, "gender"),
        _people(measures.contacts(scope, "gender")),
        (_("Safe Haven visits"), _("People engaged")),
    )
    labels = [str(label) for _code, label in GENDER_ROWS]
    return Breakdown("by-gender", _("People helped, by gender"), _("Gender"), labels, series)


def by_age(scope) -> Breakdown:
    visits = measures.visits(scope, "age_band")
    people = _people(measures.contacts(scope, "age_band"))
    codes: list[str | None] = [*AGE_BANDS, None]
    series = [
        charts.Series(_("Safe Haven visits"), [visits.get((c,), 0) for c in codes]),
        charts.Series(_("People engaged"), [people.get((c,), 0) for c in codes]),
    ]
    labels = [str(AGE_BANDS[c]) if c else str(NOT_RECORDED) for c in codes]
    return Breakdown("by-age", _("People helped, by age"), _("Age"), labels, series)


def by_company(scope) -> Breakdown:
    visits = measures.visits(scope, "company")
    people = _people(measures.contacts(scope, "company"))
    codes: list[str | None] = [*COMPANY, None]
    series = [
        charts.Series(_("Safe Haven visits"), [visits.get((c,), 0) for c in codes]),
        charts.Series(_("People engaged"), [people.get((c,), 0) for c in codes]),
    ]
    labels = [str(COMPANY[c]) if c else str(NOT_RECORDED) for c in codes]
    title = _("People helped, alone or with others")
    return Breakdown("by-company", title, _("Alone or with others"), labels, series)


def seen(scope) -> Breakdown:
    found = measures.contact_items(scope, "seen")
    known = labels_for(scope.scheme_id, "seen")
    codes = sorted((c for c in found if found[c]), key=lambda c: (-found[c], c))
    series = [charts.Series(_("Contacts"), [found[c] for c in codes])]
    labels = [known.get(c, c) for c in codes]
    return Breakdown("seen", _("What Street Pastors saw"), _("Seen"), labels, series)


def unsafe_places(scope) -> Breakdown:
    found: dict[str, int] = {}
    for (code, _month), n in place_measures.categories_by_month(scope).items():
        found[code] = found.get(code, 0) + n
    codes = sorted((c for c in CATEGORIES if found.get(c)), key=lambda c: -found[c])
    series = [charts.Series(pgettext("unsafe-place reports", "Reports"), [found[c] for c in codes])]
    title = _("Unsafe-place reports from the public, by what made the place feel unsafe")
    labels = [str(CATEGORIES[c]) for c in codes]
    return Breakdown("unsafe-places", title, _("What made it feel unsafe"), labels, series)


def report_statuses(scope) -> Breakdown:
    found = place_measures.reports_by_status(scope)
    codes = [c for c in STATUSES if found.get(c)]
    series = [charts.Series(pgettext("unsafe-place reports", "Reports"), [found[c] for c in codes])]
    title = _("Unsafe-place reports received, by where they are now")
    labels = [str(STATUSES[c]) for c in codes]
    return Breakdown("report-statuses", title, _("Status"), labels, series)
