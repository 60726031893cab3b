"""Analysts' exports: every record with no free text and no one's name, times to the hour.

Each table's columns are described once, in TABLES, and that description is the export's
data dictionary too. The rows come from reports.export_rows.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.services import audit
from core.timeutil import utcnow
from havens import choices as havens_choices
from havens.models import VENUE_STATUSES
from lists.categories import CATEGORIES
from lists.items import items_for
from patrols import choices as patrols_choices
from reports import export_rows
from reports.export_rows import Period, london_hour

FORMATS = ("csv", "json", "sqlite")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, integer, number, list, object, hour, date
    about: object  # a lazy string


@dataclass(frozen=True)
class Table:
    name: str
    about: object
    columns: tuple[Column, ...]
    rows: Callable[[list[int], Period], Iterator[dict]]


KINDS = {
    # Translators: column types in the export's data dictionary: text, whole number, ...
    "text": _l("text"),
    "integer": _l("whole number"),
    "number": _l("number"),
    "list": _l("list of codes"),
    "object": _l("names with numbers"),
    "hour": _l("London time, to the hour"),
    "month": _l("month"),
}


# Each field of codes fixed in Lantern, with the labels people see in the app.
CODE_LISTS = {
    ("visits", "age_band"): havens_choices.AGE_BANDS,
    ("visits", "gender"): havens_choices.GENDERS,
    ("visits", "company"): havens_choices.COMPANY,
    ("contacts", "age_band"): patrols_choices.AGE_BANDS,
    ("contacts", "gender"): patrols_choices.GENDERS,
    ("venues", "kind"): havens_choices.PREMISES,
    ("venues", "status"): VENUE_STATUSES,
}
# Each field of codes from a scheme's own lists (lists.items): labels and categories per
# scheme, hidden items included, since records keep them.
SCHEME_LISTS = {
    ("visits", "help"): "help",
    ("visits", "left_how"): "left_how",
    ("contacts", "seen"): "seen",
    ("contacts", "given"): "given",
}


def _codes(ids, _period):
    for (table, column), labels in CODE_LISTS.items():
        for code, label in labels.items():
            yield {
                "table": table,
                "column": column,
                "scheme_id": None,
                "code": code,
                "label": str(label),
                "category": None,
            }
    for scheme_id in ids:
        for (table, column), name in SCHEME_LISTS.items():
            for item in items_for(scheme_id, name):
                yield {
                    "table": table,
                    "column": column,
                    "scheme_id": scheme_id,
                    "code": item.code,
                    "label": item.label,
                    "category": item.category,
                }


def _categories(_ids, _period):
    for code, label in CATEGORIES.items():
        yield {"category": code, "label": str(label)}


ID = _l("Its id in Lantern.")
SCHEME = _l("The scheme (one town's network): see the schemes table.")
VENUE = _l("The Safe Haven venue: see the venues table.")
TEAM = _l("The Street Pastor team: see the teams table.")
AREA = _l("The patrol area: see the patrol_areas table. Empty when none was chosen.")
CODES = _l("One code from the codes table; empty when not recorded.")
SERVICES = _l("Support services signposted to, by service_id: see the support_services table.")
NAME = _l("Its name.")
CATEGORY_LIST = _l(
    "The standard category of each code in the column before, in the same order: see the "
    "categories table. The same in every scheme, whatever each calls its items."
)
CATEGORY_ONE = _l("The standard category of the code before: see the categories table.")

TABLES = (
    Table(
        "schemes",
        _l("Schemes: one town's network each."),
        (Column("scheme_id", "integer", ID), Column("name", "text", NAME)),
        export_rows.schemes,
    ),
    Table(
        "venues",
        _l("Safe Haven venues (businesses). Their contacts' names and details are left out."),
        (
            Column("venue_id", "integer", ID),
            Column("scheme_id", "integer", SCHEME),
            Column("name", "text", _l("The business's name.")),
            Column("kind", "text", CODES),
            Column("status", "text", _l("Where the venue is in the scheme now: a code.")),
        ),
        export_rows.venues,
    ),
    Table(
        "teams",
        _l("Street Pastor teams. The pastors in them are not listed."),
        (
            Column("team_id", "integer", ID),
            Column("scheme_id", "integer", SCHEME),
            Column("name", "text", NAME),
        ),
        export_rows.teams,
    ),
    Table(
        "patrol_areas",
        _l("The named areas patrols cover."),
        (
            Column("area_id", "integer", ID),
            Column("scheme_id", "integer", SCHEME),
            Column("name", "text", NAME),
        ),
        export_rows.areas,
    ),
    Table(
        "support_services",
        _l("The support services people are signposted to."),
        (
            Column("service_id", "integer", ID),
            Column("scheme_id", "integer", SCHEME),
            Column("name", "text", NAME),
        ),
        export_rows.services,
    ),
    Table(
        "visits",
        _l("Safe Haven visits: help given to someone at a venue. Notes are left out."),
        (
            Column("visit_id", "text", ID),
            Column("scheme_id", "integer", SCHEME),
            Column("venue_id", "integer", VENUE),
            Column("arrived_hour", "hour", _l("When they arrived.")),
            Column("departed_hour", "hour", _l("When they left; empty when not recorded.")),
            Column("help", "list", _l("Kinds of help given: codes from the codes table.")),
            Column("help_categories", "list", CATEGORY_LIST),
            Column("services", "list", SERVICES),
            Column("age_band", "text", CODES),
            Column("gender", "text", CODES),
            Column("company", "text", CODES),
            Column("left_how", "text", CODES),
            Column("left_how_category", "text", CATEGORY_ONE),
            Column(
                "from_contact_id",
                "text",
                _l("The Street Pastors' contact that handed this person over, if any."),
            ),
        ),
        export_rows.visits,
    ),
    Table(
        "patrols",
        _l("Street Pastor patrols. Routes and notes are left out."),
        (
            Column("patrol_id", "text", ID),
            Column("scheme_id", "integer", SCHEME),
            Column("team_id", "integer", TEAM),
            Column("area_id", "integer", AREA),
            Column("started_hour", "hour", _l("When the patrol started.")),
            Column("ended_hour", "hour", _l("When it ended; empty while it is open.")),
            Column("pastors", "integer", _l("How many pastors were on duty.")),
            Column(
                "hours_on_duty",
                "number",
                _l("Patrol length in hours times pastors on duty, from the exact times."),
            ),
            Column("tallies", "object", _l("The end-of-patrol tallies, by name.")),
        ),
        export_rows.patrols,
    ),
    Table(
        "contacts",
        _l("People a patrol engaged with. Streets, positions and notes are left out."),
        (
            Column("contact_id", "text", ID),
            Column("patrol_id", "text", _l("The patrol: see the patrols table.")),
            Column("scheme_id", "integer", SCHEME),
            Column("team_id", "integer", TEAM),
            Column("at_hour", "hour", _l("When the contact happened.")),
            Column("people", "integer", _l("How many people were engaged.")),
            Column("age_band", "text", CODES),
            Column("gender", "text", CODES),
            Column("seen", "list", _l("What was seen: codes from the codes table.")),
            Column("seen_categories", "list", CATEGORY_LIST),
            Column("given", "list", _l("What was given or done: codes from the codes table.")),
            Column("given_categories", "list", CATEGORY_LIST),
            Column("services", "list", SERVICES),
            Column("area_id", "integer", AREA),
            Column(
                "handover_venue_id",
                "integer",
                _l("The Safe Haven venue the person was handed over to, if any."),
            ),
        ),
        export_rows.contacts,
    ),
    Table(
        "monthly_counts",
        _l("Totals kept from records older than the retention period, which were deleted."),
        (
            Column("scheme_id", "integer", SCHEME),
            Column("month", "month", _l("The month, in London, as YYYY-MM.")),
            Column("venue_id", "integer", _l("The venue counted, if the measure has one.")),
            Column("team_id", "integer", _l("The team counted, if the measure has one.")),
            Column(
                "measure",
                "text",
                _l(
                    "What is counted: visits, help, signposted, visits_from_handover, patrols, "
                    "hours_on_duty, tally, contacts, people_engaged, given, risk_reducing or "
                    "handovers."
                ),
            ),
            Column(
                "code",
                "text",
                _l("Which kind, for help, given, signposted (a service_id) and tally (its name)."),
            ),
            Column("value", "number", _l("The count, or hours for hours_on_duty.")),
        ),
        export_rows.monthly,
    ),
    Table(
        "codes",
        _l("What each code means, in the words the app shows."),
        (
            Column("table", "text", _l("The table that uses the code.")),
            Column("column", "text", _l("The column that uses the code.")),
            Column(
                "scheme_id",
                "integer",
                _l("The scheme whose own list it is; empty for codes every scheme shares."),
            ),
            Column("code", "text", _l("The code as it appears in the data.")),
            Column("label", "text", _l("What it means.")),
            Column("category", "text", _l("Its standard category, for a scheme's own list.")),
        ),
        _codes,
    ),
    Table(
        "categories",
        _l("The standard categories the partnership reports on, the same for every scheme."),
        (
            Column("category", "text", _l("The category as it appears in the data.")),
            Column("label", "text", _l("What it means.")),
        ),
        _categories,
    ),
)


def dictionary() -> list[dict]:
    """The data dictionary: one row for every column of every table, itself included."""
    rows = [
        {"table": t.name, "column": c.name, "type": str(KINDS[c.kind]), "description": str(c.about)}
        for t in TABLES
        for c in t.columns
    ]
    own = (
        ("table", _l("The table the column belongs to.")),
        ("column", _l("The column's name.")),
        ("type", _l("What kind of value it holds.")),
        ("description", _l("What it means.")),
    )
    rows += [
        {
            "table": "dictionary",
            "column": name,
            "type": str(KINDS["text"]),
            "description": str(about),
        }
        for name, about in own
    ]
    return rows


def about(period: Period, scheme_names: list[str]) -> list[dict]:
    """What the export is: the period, when it was made, and the rules it follows."""
    facts = [
        ("made_at", london_hour(utcnow())),
        ("schemes", ", ".join(scheme_names)),
        ("from", period.start.isoformat() if period.start else ""),
        ("to", period.end.isoformat() if period.end else ""),
        (
            "times",
            _(
                "Times are London local time (GMT or BST, the offset is given), rounded down "
                "to the hour."
            ),
        ),
        ("free_text", _("Notes, streets, routes and every other free text are left out.")),
        ("people", _("No one's name is included, and no id of a person.")),
        ("lists", _("In CSV files a list of codes is written with ';' between the codes.")),
    ]
    return [{"key": key, "value": value} for key, value in facts]


@dataclass
class Export:
    """The tables of one export, in order, with its dictionary and description."""

    tables: dict[str, list[dict]]
    columns: dict[str, list[str]]
    dictionary: list[dict]
    about: list[dict]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def build(scheme_ids: list[int], period: Period) -> Export:
    """Read every table of an export for these schemes and this period."""
    tables = {t.name: list(t.rows(scheme_ids, period)) for t in TABLES}
    columns = {t.name: [c.name for c in t.columns] for t in TABLES}
    names = [row["name"] for row in tables["schemes"]]
    return Export(tables, columns, dictionary(), about(period, names))


def audit_detail(export: Export, fmt: str, period: Period, via: str) -> dict:
    """What an export's audit event keeps: format, period, how it was made, rows per table."""
    return {
        "format": fmt,
        "date_from": period.start.isoformat() if period.start else None,
        "date_to": period.end.isoformat() if period.end else None,
        "via": via,
        "rows": {name: n for name, n in export.counts().items() if name in AUDITED_TABLES},
    }


def record(export: Export, scheme_ids: list[int], fmt: str, period: Period) -> None:
    """Audit an export made on the command line once for each scheme in it; the caller
    commits."""
    for scheme_id in scheme_ids:
        audit(
            "exported", scheme_id=scheme_id, actor=None, **audit_detail(export, fmt, period, "cli")
        )


# The tables of records, whose row counts the audit event keeps.
AUDITED_TABLES = ("visits", "patrols", "contacts", "monthly_counts")
