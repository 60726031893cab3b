"""The quarterly report's counts of visits and contacts, read from the counts the database
keeps per scheme, night, field and code (reports.models.RecordCount) instead of from the
records: a few thousand rows a quarter, not every record's lists.

The functions answer as reports.measures' namesakes do, for the dimensions the counts
keep ("month", "venue", "gender", "age_band", "company"; not "team", "weekday" or
"band", which the dashboard takes from the records). A period is whole nights, so its
nights are exactly its records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select

from extensions import db
from reports import sql
from reports.measures import Scope
from reports.models import RecordCount

OWNERS = ("venue", "gender", "age_band", "company")


def _month(scope: Scope) -> ColumnElement[int]:
    """The index of the period's month a night falls in (0 for the first)."""
    starts = scope.period.months()[1:]
    if not starts:
        return literal(0)
    return case(*[(RecordCount.night < s, i) for i, s in enumerate(starts)], else_=len(starts))


def _key(dimension: str, value):
    """A stored code as the records' own value: a venue's id, None for nothing recorded."""
    if dimension == "venue":
        return int(value)
    if dimension in OWNERS:
        return value if value != "" else None
    return value


def _read(
    scope: Scope, field: str, by: tuple[str, ...], code: str | None = None, ids: bool = False
) -> dict:
    """{(key values): (records, people)} of one field, grouped by `by`: its code for the
    one owner dimension among them, the month for "month"."""
    code_column = sql.as_int(RecordCount.code) if ids else RecordCount.code
    columns = {"month": _month(scope), "code": code_column}
    dimensions = ["code" if name in OWNERS else name for name in by]
    keys = [columns[name].label(f"k{i}") for i, name in enumerate(dimensions)]
    records = func.sum(RecordCount.records)
    stmt = select(*keys, records, func.sum(RecordCount.people)).where(
        RecordCount.scheme_id == scope.scheme_id,
        RecordCount.night >= scope.period.first,
        RecordCount.night < scope.period.end,
        RecordCount.field == field,
    )
    if code is not None:
        stmt = stmt.where(RecordCount.code == code)
    if not keys:
        n, people = db.session.execute(stmt).one()
        return {(): (int(n or 0), int(people or 0))}
    found = {}
    for row in db.session.execute(stmt.group_by(*keys).having(records > 0)):
        values = zip(by, row[: len(keys)], strict=True)
        key = tuple(value if ids else _key(name, value) for name, value in values)
        found[key] = (int(row[-2]), int(row[-1]))
    return found


def _field(record: str, by: tuple[str, ...], default: str) -> str:
    """The field that holds a record's counts by the owner dimension among `by`."""
    owners = [name for name in by if name in OWNERS]
    return f"{record}.{owners[0] if owners else default}"


def visits(scope: Scope, *by: str) -> dict[tuple, int]:
    """Safe Haven visits."""
    found = _read(scope, _field("visit", by, "venue"), by)
    return {key: n for key, (n, _people) in found.items()}


def visits_alone(scope: Scope, *by: str) -> dict[tuple, int]:
    """Visits of someone who came alone, by gender (or in all)."""
    found = _read(scope, "visit.alone.gender", by)
    return {key: n for key, (n, _people) in found.items()}


def visits_with(scope: Scope, field: str, code: str, *by: str) -> dict[tuple, int]:
    """Visits whose list (help) holds this code, by month (or in all)."""
    found = _read(scope, f"visit.{field}", by, code)
    return {key: n for key, (n, _people) in found.items()}


def _items(scope: Scope, field: str) -> dict[Any, int]:
    """{code: n} of a list field; for services, {service id: n} (the item cast to an
    integer, as the records' query does)."""
    found = _read(scope, field, ("code",), ids=field.endswith(".services"))
    return {key[0]: n for key, (n, _people) in found.items()}


def visit_items(scope: Scope, field: str) -> dict[Any, int]:
    """How often each code (help) or service id (services) appears on the period's visits."""
    return _items(scope, f"visit.{field}")


def contacts(scope: Scope, *by: str) -> dict[tuple, tuple[int, int]]:
    """Contacts and people engaged."""
    return _read(scope, _field("contact", by, "gender"), by)


def contacts_with(scope: Scope, field: str, code: str, *by: str) -> dict[tuple, tuple[int, int]]:
    """Contacts, and their people, whose list (seen) holds this code: by month from the
    list's counts; by gender for "vulnerable", the one code counted by gender."""
    if "gender" in by:
        if (field, code) != ("seen", "vulnerable"):
            raise ValueError(f"{field} {code} is not counted by gender")
        return _read(scope, "contact.vulnerable.gender", by)
    return _read(scope, f"contact.{field}", by, code)


def contact_items(scope: Scope, field: str) -> dict[Any, int]:
    """How often each code (given, seen) or service id (services) appears on the
    period's contacts."""
    return _items(scope, f"contact.{field}")


def handovers(scope: Scope, *by: str) -> dict[tuple, tuple[int, int]]:
    """Contacts handed over to the scheme's venues, and how many of them a visit continued,
    by venue (or in all)."""
    brought = _read(scope, "contact.handover", by)
    visited = _read(scope, "contact.handover.visited", by)
    if not by:
        return {(): (brought[()][0], visited[()][0])}
    return {key: (n, visited.get(key, (0, 0))[0]) for key, (n, _people) in brought.items()}
