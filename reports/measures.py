"""The counts behind the dashboard and the quarterly report: one aggregate query each,
grouped in the database, for one scheme and one period.

Each function takes the dimensions to group by ("venue", "team", "month", "weekday",
"band") and returns {key: figures}, the key a tuple of those dimensions' values (the
empty tuple for the period's total). A visit or contact is placed by its own time, a
patrol by its start; all by London night (reports.periods).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

from sqlalchemy import Select, case, func, select, true

from alerts.models import HelpRequest
from extensions import db
from havens.models import Venue, Visit
from patrols.models import Contact, Patrol, Team, patrol_pastor
from reports import sql
from reports.periods import Period


@dataclass(frozen=True)
class Scope:
    """Whose records, over which nights."""

    scheme_id: int
    period: Period

    @property
    def dialect(self) -> str:
        return db.session.get_bind().dialect.name


def _keys(scope: Scope, time, owners: dict, by: tuple[str, ...]) -> list:
    """The grouping expressions for the named dimensions, labelled k0, k1, ..."""
    period = scope.period
    kinds = {
        "month": lambda: sql.month(time, period),
        "weekday": lambda: sql.weekday(time, period),
        "band": lambda: sql.band(time, period),
    }
    kinds.update({name: (lambda column=column: column) for name, column in owners.items()})
    return [kinds[name]().label(f"k{i}") for i, name in enumerate(by)]


def _run(stmt: Select, keys: list, figures: int) -> dict:
    """Execute a grouped query: {(key values): figures} with figures as a tuple or one value."""
    rows = db.session.execute(stmt.group_by(*keys) if keys else stmt)
    found = {}
    for row in rows:
        key, values = tuple(row[: len(keys)]), tuple(row[len(keys) :])
        found[key] = values if figures > 1 else values[0]
    return found


def _visits(scope: Scope, *columns, whole_rows: bool = False) -> Select:
    """Visits at the scheme's venues, in the period.

    A query that reads whole rows (their lists) goes through them in time order on
    SQLite, which serves one town and stores visits as they arrive: "+ 0" keeps its
    planner off the venue index, whose venue-by-venue order would visit each page of the
    quarter once per venue. PostgreSQL's planner, with its statistics, chooses for itself."""
    venue_id = Visit.venue_id + 0 if whole_rows and scope.dialect == "sqlite" else Visit.venue_id
    return (
        select(*columns)
        .select_from(Visit)
        .join(Venue, Venue.id == venue_id)
        .where(
            Venue.scheme_id == scope.scheme_id,
            Visit.arrived_at >= scope.period.start_utc,
            Visit.arrived_at < scope.period.end_utc,
        )
    )


def _contacts(scope: Scope, *columns) -> Select:
    """Contacts logged on the scheme's teams' patrols, in the period."""
    return (
        select(*columns)
        .select_from(Contact)
        .join(Patrol, Patrol.id == Contact.patrol_id)
        .join(Team, Team.id == Patrol.team_id)
        .where(
            Team.scheme_id == scope.scheme_id,
            Contact.at >= scope.period.start_utc,
            Contact.at < scope.period.end_utc,
        )
    )


# What a visit can be grouped by, besides its time (each person as recorded, or None).
VISIT_OWNERS = {
    "venue": Visit.venue_id,
    "gender": Visit.gender,
    "age_band": Visit.age_band,
    "company": Visit.company,
}


def visits(scope: Scope, *by: str) -> dict[tuple, int]:
    """Safe Haven visits."""
    keys = _keys(scope, Visit.arrived_at, VISIT_OWNERS, by)
    return _run(_visits(scope, *keys, func.count()), keys, 1)


def visits_alone(scope: Scope, *by: str) -> dict[tuple, int]:
    """Visits of someone who came alone (action plan 5.1: a Safe Haven visit is someone
    who felt unsafe, so one who came alone is alone and showing signs of vulnerability)."""
    keys = _keys(scope, Visit.arrived_at, VISIT_OWNERS, by)
    return _run(_visits(scope, *keys, func.count()).where(Visit.company == "alone"), keys, 1)


def visits_with(scope: Scope, field: str, code: str, *by: str) -> dict[tuple, int]:
    """Visits whose list (help) holds this code, such as "suspected_spiking"."""
    column = getattr(Visit, field)
    item = sql.items(column, scope.dialect)
    keys = _keys(scope, Visit.arrived_at, VISIT_OWNERS, by)
    stmt = _visits(scope, *keys, func.count(), whole_rows=True).join(item, true())
    return _run(stmt.where(sql.not_empty(column), item.c.value == code), keys, 1)


def visit_items(scope: Scope, field: str) -> dict[Any, int]:
    """How often each code (help) or service id (services) appears on the period's visits."""
    column = getattr(Visit, field)
    item = sql.items(column, scope.dialect)
    value = sql.as_int(item.c.value) if field == "services" else item.c.value
    stmt = _visits(scope, value.label("k0"), func.count(), whole_rows=True).join(item, true())
    stmt = stmt.where(sql.not_empty(column))
    return {key[0]: n for key, n in _run(stmt, [value.label("k0")], 1).items()}


# What a contact can be grouped by: its team, and the people as the pastor saw them. A
# contact with one person is someone alone; with more, people with others.
CONTACT_OWNERS = {
    "team": Patrol.team_id,
    "gender": Contact.gender,
    "age_band": Contact.age_band,
    "company": case((Contact.people == 1, "alone"), else_="with_others"),
}


def contacts(scope: Scope, *by: str) -> dict[tuple, tuple[int, int]]:
    """Contacts and people engaged (a contact may be with several people)."""
    keys = _keys(scope, Contact.at, CONTACT_OWNERS, by)
    people = func.coalesce(func.sum(Contact.people), 0)
    return _run(_contacts(scope, *keys, func.count(), people), keys, 2)


def contacts_with(scope: Scope, field: str, code: str, *by: str) -> dict[tuple, tuple[int, int]]:
    """Contacts, and their people, whose list (seen, given) holds this code."""
    column = getattr(Contact, field)
    item = sql.items(column, scope.dialect)
    keys = _keys(scope, Contact.at, CONTACT_OWNERS, by)
    people = func.coalesce(func.sum(Contact.people), 0)
    stmt = _contacts(scope, *keys, func.count(), people).join(item, true())
    return _run(stmt.where(sql.not_empty(column), item.c.value == code), keys, 2)


def contact_items(scope: Scope, field: str) -> dict[Any, int]:
    """How often each code (given) or service id (services) appears on the period's contacts."""
    column = getattr(Contact, field)
    item = sql.items(column, scope.dialect)
    value = sql.as_int(item.c.value) if field == "services" else item.c.value
    stmt = _contacts(scope, value.label("k0"), func.count()).join(item, true())
    stmt = stmt.where(sql.not_empty(column))
    return {key[0]: n for key, n in _run(stmt, [value.label("k0")], 1).items()}


def handovers(scope: Scope, *by: str) -> dict[tuple, tuple[int, int]]:
    """Contacts handed over to the scheme's venues, and how many of them a visit continued.
    Found from the venue's side, through the index of hand-overs by venue and time; each
    one's visit is looked up by its own key (a join would let PostgreSQL's planner read
    every visit to find the few that continue a hand-over)."""
    keys = _keys(scope, Contact.at, {"venue": Contact.handover_venue_id}, by)
    visited = select(Visit.id).where(Visit.contact_id == Contact.id).exists()
    stmt = (
        select(*keys, func.count(), func.count().filter(visited))
        .select_from(Contact)
        .join(Venue, Venue.id == Contact.handover_venue_id)
        .where(
            Venue.scheme_id == scope.scheme_id,
            Contact.at >= scope.period.start_utc,
            Contact.at < scope.period.end_utc,
        )
    )
    return _run(stmt, keys, 2)


def patrols(scope: Scope, *by: str) -> dict[tuple, tuple[int, float]]:
    """Patrols started in the period, and hours on duty: each ended patrol's length in
    real (UTC) time times the pastors on it, so midnight and clock changes count true."""
    keys = _keys(scope, Patrol.started_at, {"team": Patrol.team_id}, by)
    pastors = (
        select(func.count())
        .where(patrol_pastor.c.patrol_id == Patrol.id)
        .correlate(Patrol)
        .scalar_subquery()
    )
    seconds = (sql.epoch(Patrol.ended_at) - sql.epoch(Patrol.started_at)) * pastors
    stmt = (
        select(*keys, func.count(), func.coalesce(func.sum(seconds), 0))
        .select_from(Patrol)
        .join(Team, Team.id == Patrol.team_id)
        .where(
            Team.scheme_id == scope.scheme_id,
            Patrol.started_at >= scope.period.start_utc,
            Patrol.started_at < scope.period.end_utc,
        )
    )
    return {key: (n, float(total) / 3600) for key, (n, total) in _run(stmt, keys, 2).items()}


HELP_OUTCOMES = ("accepted", "timed_out", "cancelled", "no_patrol")


def help_requests(scope: Scope, *by: str) -> dict[tuple, tuple[int, ...]]:
    """Venues' calls for help asked in the period: all of them, then how many ended in
    each of HELP_OUTCOMES (those still open count in the first figure only)."""
    keys = _keys(scope, HelpRequest.asked_at, {"venue": HelpRequest.venue_id}, by)
    outcomes = [func.count().filter(HelpRequest.outcome == name) for name in HELP_OUTCOMES]
    stmt = select(*keys, func.count(), *outcomes).where(
        HelpRequest.scheme_id == scope.scheme_id,
        HelpRequest.asked_at >= scope.period.start_utc,
        HelpRequest.asked_at < scope.period.end_utc,
    )
    return _run(stmt, keys, 1 + len(HELP_OUTCOMES))


def minutes_to_accept(scope: Scope) -> float | None:
    """The median minutes from a call for help to a pastor's acceptance, or None."""
    stmt = select(HelpRequest.asked_at, HelpRequest.accepted_at).where(
        HelpRequest.scheme_id == scope.scheme_id,
        HelpRequest.asked_at >= scope.period.start_utc,
        HelpRequest.asked_at < scope.period.end_utc,
        HelpRequest.accepted_at.is_not(None),
    )
    waits = [
        (accepted - asked).total_seconds() / 60 for asked, accepted in db.session.execute(stmt)
    ]
    return round(median(waits), 1) if waits else None
