"""The action plan's priority 5 in the quarterly report: violence against women and girls
and in the night-time economy.

- 5.1: the people Safe Havens and Street Pastors helped, by gender, age band, alone or with
  others and what was seen, and the named measure "alone and showing signs of
  vulnerability, by gender";
- spiking and "sticking": suspected spiking (drink or needle) on visits and contacts;
- 5.13, 5.14 and 5.6: unsafe-place reports by category and month, EVAs done, actions;
- 5.17: venues taking part in Ask for Angela.

Every count about people is a keyed cell that suppression treats as the quarterly report's
own: a figure shown in two tables (all visits, visits of someone alone, suspected spiking)
is one key. Counts of EVAs, actions and venues are about places and partners' work, which
the EVA reports and the venues' public pages show anyway: they are shown whatever their
size, as patrols and hours on duty are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from havens.choices import AGE_BANDS, COMPANY
from lists.items import with_unknown
from places.choices import CATEGORIES
from reports import measures, place_measures
from reports.tables import ALL, Draft, DraftRows, Layout

# Genders as both records have them: a visit's "another gender", a contact's "mixed
# group"; "prefer not to say" and nothing recorded are one row.
GENDER_ROWS = [
    ("woman", _l("Women")),
    ("man", _l("Men")),
    ("other", _l("Another gender")),
    ("mixed", _l("Mixed groups")),
    (None, _l("Not recorded or not said")),
]
NOT_RECORDED = _l("Not recorded")


@dataclass
class Data:
    """The counts the priority-5 tables need, each from one grouped query."""

    visits_gender: dict
    people_gender: dict
    visits_age: dict
    people_age: dict
    visits_company: dict
    people_company: dict
    visits_alone_gender: dict
    vulnerable_gender: dict
    seen: dict
    spiking_visits: dict
    spiking_contacts: dict
    categories: dict
    received: dict
    evas_done: int
    actions: tuple[int, int]
    angela_venues: int


def gather(scope: measures.Scope, source: Any = measures) -> Data:
    """Run the queries, counting visits and contacts with `source` (reports.counts or
    reports.measures)."""

    def people(found: dict) -> dict:
        return {key: pair[1] for key, pair in found.items()}

    return Data(
        visits_gender=source.visits(scope, "gender"),
        people_gender=people(source.contacts(scope, "gender")),
        visits_age=source.visits(scope, "age_band"),
        people_age=people(source.contacts(scope, "age_band")),
        visits_company=source.visits(scope, "company"),
        people_company=people(source.contacts(scope, "company")),
        visits_alone_gender=source.visits_alone(scope, "gender"),
        vulnerable_gender=people(source.contacts_with(scope, "seen", "vulnerable", "gender")),
        seen=source.contact_items(scope, "seen"),
        spiking_visits=source.visits_with(scope, "help", "suspected_spiking", "month"),
        spiking_contacts={
            key: pair[0]
            for key, pair in source.contacts_with(scope, "seen", "spiking", "month").items()
        },
        categories=place_measures.categories_by_month(scope),
        received=place_measures.reports_by_month(scope),
        evas_done=place_measures.evas_done(scope),
        actions=place_measures.actions(scope),
        angela_venues=place_measures.angela_venues(scope.scheme_id),
    )


def glance(scope: measures.Scope) -> list[tuple[str, float | None]]:
    """Priority 5's headline figures, for the dashboard's "at a glance" table."""
    spiking_contacts, _people = measures.contacts_with(scope, "seen", "spiking").get((), (0, 0))
    _contacts, vulnerable = measures.contacts_with(scope, "seen", "vulnerable").get((), (0, 0))
    done, still_open = place_measures.actions(scope)
    return [
        (_("Safe Haven visits of someone alone"), measures.visits_alone(scope).get((), 0)),
        (_("People Street Pastors saw alone and vulnerable"), vulnerable),
        (
            _("Suspected spiking at Safe Havens"),
            measures.visits_with(scope, "help", "suspected_spiking").get((), 0),
        ),
        (_("Suspected spiking seen by Street Pastors"), spiking_contacts),
        (_("Unsafe-place reports received"), sum(place_measures.reports_by_month(scope).values())),
        (_("EVAs done"), place_measures.evas_done(scope)),
        (_("EVA actions done"), done),
        (_("EVA actions still open"), still_open),
    ]


def gender_of(code: str | None) -> str | None:
    """A record's gender as a row of GENDER_ROWS: "not said" goes with not recorded."""
    return code if code in ("woman", "man", "other", "mixed") else None


def by_gender(found: dict) -> dict:
    """{(gender,): n} folded into GENDER_ROWS' rows."""
    rows: dict = {}
    for (code,), n in found.items():
        row = gender_of(code)
        rows[row] = rows.get(row, 0) + n
    return rows


def tables(layout: Layout) -> list[Draft]:
    """The section's tables, in the order the report shows them."""
    return [
        alone_vulnerable_table(layout),
        gender_table(layout),
        age_table(layout),
        company_table(layout),
        seen_table(layout),
        spiking_table(layout),
        places_table(layout),
        work_table(layout),
    ]


def _two_columns(layout: Layout, name: str, rows, visits: dict, people: dict, totals) -> DraftRows:
    """Rows of visits and people engaged that add up, each column, to the given totals."""
    drafts: DraftRows = []
    for code, label in rows:
        keys = [
            layout.count((name, code, "visits"), visits.get(code, 0)),
            layout.count((name, code, "people"), people.get(code, 0)),
        ]
        drafts.append((str(label), keys, False))
    codes = [code for code, _label in rows]
    layout.columns_add_up(codes, ["visits", "people"], lambda c, col: (name, c, col), totals)
    return drafts


def everyone(column: str) -> tuple:
    """The quarter's visits or people engaged: the keys the other tables' totals have."""
    return ("visits", ALL, ALL) if column == "visits" else ("people", ALL)


def gender_table(layout: Layout) -> Draft:
    data = layout.data.priority5
    rows = _two_columns(
        layout,
        "gender",
        GENDER_ROWS,
        by_gender(data.visits_gender),
        by_gender(data.people_gender),
        everyone,
    )
    rows.append((_("Everyone"), [everyone("visits"), everyone("people")], True))
    columns = [_("Gender"), _("Safe Haven visits"), _("People engaged by Street Pastors")]
    return Draft("by-gender", _("People helped, by gender"), columns, rows)


def age_table(layout: Layout) -> Draft:
    data = layout.data.priority5
    bands: list[tuple[str | None, object]] = [
        (code, label) for code, label in AGE_BANDS.items() if code != "unknown"
    ]
    bands.append((None, _l("Not sure or not recorded")))

    def folded(found: dict) -> dict:
        rows: dict = {}
        for (code,), n in found.items():
            row = None if code in (None, "unknown") else code
            rows[row] = rows.get(row, 0) + n
        return rows

    rows = _two_columns(
        layout, "age", bands, folded(data.visits_age), folded(data.people_age), everyone
    )
    rows.append((_("Everyone"), [everyone("visits"), everyone("people")], True))
    columns = [_("Age"), _("Safe Haven visits"), _("People engaged by Street Pastors")]
    return Draft("by-age", _("People helped, by age"), columns, rows)


def company_table(layout: Layout) -> Draft:
    data = layout.data.priority5
    kinds = [*COMPANY.items(), (None, NOT_RECORDED)]
    visits = {code: n for (code,), n in data.visits_company.items()}
    people = {code: n for (code,), n in data.people_company.items()}
    rows = _two_columns(layout, "company", kinds, visits, people, everyone)
    rows.append((_("Everyone"), [everyone("visits"), everyone("people")], True))
    columns = [
        _("Alone or with others"),
        _("Safe Haven visits"),
        _("People engaged by Street Pastors"),
    ]
    return Draft("by-company", _("People helped, alone or with others"), columns, rows)


def alone_vulnerable_table(layout: Layout) -> Draft:
    """Action plan 5.1's named measure. Visits of someone who came alone (they came in
    feeling unsafe), and the people in contacts the pastors marked alone and vulnerable."""
    data = layout.data.priority5
    totals = {
        "visits": ("company", "alone", "visits"),
        "people": ("alone_vulnerable", ALL, "people"),
    }
    # The visits of someone alone are the company table's figure: one key, counted here too.
    layout.count(totals["visits"], data.visits_company.get(("alone",), 0))
    rows = _two_columns(
        layout,
        "alone_vulnerable",
        GENDER_ROWS,
        by_gender(data.visits_alone_gender),
        by_gender(data.vulnerable_gender),
        totals.__getitem__,
    )
    layout.count(totals["people"], sum(data.vulnerable_gender.values()))
    both = layout.count(
        ("alone_vulnerable", ALL, ALL),
        layout.counts[totals["visits"]] + layout.counts[totals["people"]],
    )
    layout.sums.append((both, [totals["visits"], totals["people"]]))
    rows.append((_("Everyone"), [totals["visits"], totals["people"]], True))
    columns = [
        _("Gender"),
        _("Safe Haven visits, alone"),
        _("Street Pastors: people alone and vulnerable"),
    ]
    title = _("Alone and showing signs of vulnerability, by gender (action plan 5.1)")
    return Draft("alone-vulnerable", title, columns, rows)


def seen_table(layout: Layout) -> Draft:
    """What pastors saw; one contact can have several, so there is no total."""
    found = layout.data.priority5.seen
    rows: DraftRows = [
        (item.label, [layout.count(("seen", item.code), found.get(item.code, 0))], False)
        for item in with_unknown(layout.data.lists["seen"], found)
    ]
    columns = [_("Seen"), _("Contacts")]
    return Draft("seen", _("What Street Pastors saw"), columns, rows)


def spiking_table(layout: Layout) -> Draft:
    """Suspected spiking by month. Its totals are the help table's and the seen table's
    own figures for it, one key each."""
    data = layout.data.priority5
    rows: DraftRows = []
    for m in layout.months:
        keys = [
            layout.count(("spiking", m, "visits"), data.spiking_visits.get((m,), 0)),
            layout.count(("spiking", m, "contacts"), data.spiking_contacts.get((m,), 0)),
        ]
        rows.append((layout.month_names[m], keys, False))
    totals = {"visits": ("help", "suspected_spiking"), "contacts": ("seen", "spiking")}
    layout.columns_add_up(
        layout.months, ["visits", "contacts"], lambda m, c: ("spiking", m, c), totals.__getitem__
    )
    rows.append((_("Quarter"), [totals["visits"], totals["contacts"]], True))
    columns = [_("Month"), _("Safe Haven visits"), _("Street Pastors' contacts")]
    return Draft("spiking", _("Suspected spiking (drink or needle)"), columns, rows)


def places_table(layout: Layout) -> Draft:
    """Unsafe-place reports received, and what made the places feel unsafe, by month."""
    data, months = layout.data.priority5, layout.months
    rows: DraftRows = []
    received = [layout.count(("places_received", m), data.received.get(m, 0)) for m in months]
    total = layout.count(("places_received", ALL), sum(data.received.values()))
    layout.sums.append((total, received))
    rows.append((_("Reports received"), [*received, total], True))
    for code, label in CATEGORIES.items():
        cells = [
            layout.count(("places", code, m), data.categories.get((code, m), 0)) for m in months
        ]
        row_total = layout.count(("places", code, ALL), sum(layout.counts[k] for k in cells))
        layout.sums.append((row_total, cells))
        rows.append((str(label), [*cells, row_total], False))
    columns = [_("What made it feel unsafe"), *layout.month_names, _("Quarter")]
    title = _("Unsafe-place reports from the public, by what made the place feel unsafe")
    return Draft("unsafe-places", title, columns, rows)


def work_table(layout: Layout) -> Draft:
    """EVAs, their actions and Ask for Angela: about places and partners' work, shown whatever
    their size."""
    data = layout.data.priority5
    done, still_open = data.actions
    rows: DraftRows = [
        (_("EVAs done"), [layout.shown_always(("evas_done", ALL), data.evas_done)], False),
        (_("EVA actions done"), [layout.shown_always(("actions_done", ALL), done)], False),
        (
            _("EVA actions still open at the end of the quarter"),
            [layout.shown_always(("actions_open", ALL), still_open)],
            False,
        ),
        (
            _("Venues taking part in Ask for Angela now"),
            [layout.shown_always(("angela_venues", ALL), data.angela_venues)],
            False,
        ),
    ]
    columns = [_("Measure"), _("Number")]
    return Draft("evas", _("Environmental visual audits and Ask for Angela"), columns, rows)
