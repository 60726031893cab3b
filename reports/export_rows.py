"""The rows of an export, read column by column: a note, street or route is never
selected, so free text never leaves the database on the way to an export."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from accounts.models import Scheme
from core.timeutil import LONDON, to_utc
from extensions import db
from havens.models import SupportService, Venue, Visit
from lists.defaults import LISTS
from lists.items import categories_for
from patrols.models import Contact, Patrol, PatrolArea, Team, patrol_pastor
from reports.models import MonthlyCount


@dataclass(frozen=True)
class Period:
    """London dates, both included; None leaves that end open."""

    start: date | None = None
    end: date | None = None

    def bounds(self, column):
        """SQL conditions keeping a naive-UTC column inside the period."""
        conditions = []
        if self.start:
            conditions.append(column >= to_utc(datetime.combine(self.start, time())))
        if self.end:
            conditions.append(
                column < to_utc(datetime.combine(self.end + timedelta(days=1), time()))
            )
        return conditions

    def months(self, column):
        """The same for a column holding the first day of a month."""
        conditions = []
        if self.start:
            conditions.append(column >= self.start.replace(day=1))
        if self.end:
            conditions.append(column <= self.end)
        return conditions


def london_hour(utc: datetime | None) -> str | None:
    """A stored UTC time as London local time rounded down to the hour, with its offset
    (so the hour that happens twice when the clocks go back stays two hours)."""
    if utc is None:
        return None
    local = utc.replace(tzinfo=UTC).astimezone(LONDON)
    return local.replace(minute=0, second=0, microsecond=0).isoformat(timespec="minutes")


class Categories:
    """Each scheme's standard category of each item of its lists, read once an export."""

    def __init__(self, ids) -> None:
        self.found = {(s, name): categories_for(s, name) for s in ids for name in LISTS}

    def of(self, scheme_id: int, name: str, codes) -> list[str]:
        found = self.found[(scheme_id, name)]
        return [found.get(code, "other") for code in codes or []]

    def one(self, scheme_id: int, name: str, code: str | None) -> str | None:
        return self.of(scheme_id, name, [code])[0] if code else None


def schemes(ids, _period):
    for row in db.session.execute(select(Scheme.id, Scheme.name).where(Scheme.id.in_(ids))):
        yield {"scheme_id": row.id, "name": row.name}


def venues(ids, _period):
    stmt = select(Venue.id, Venue.scheme_id, Venue.name, Venue.kind, Venue.status)
    for row in db.session.execute(stmt.where(Venue.scheme_id.in_(ids)).order_by(Venue.id)):
        yield {
            "venue_id": row.id,
            "scheme_id": row.scheme_id,
            "name": row.name,
            "kind": row.kind,
            "status": row.status,
        }


def teams(ids, _period):
    stmt = select(Team.id, Team.scheme_id, Team.name).where(Team.scheme_id.in_(ids))
    for row in db.session.execute(stmt.order_by(Team.id)):
        yield {"team_id": row.id, "scheme_id": row.scheme_id, "name": row.name}


def areas(ids, _period):
    stmt = select(PatrolArea.id, PatrolArea.scheme_id, PatrolArea.name)
    for row in db.session.execute(stmt.where(PatrolArea.scheme_id.in_(ids)).order_by("id")):
        yield {"area_id": row.id, "scheme_id": row.scheme_id, "name": row.name}


def services(ids, _period):
    stmt = select(SupportService.id, SupportService.scheme_id, SupportService.name)
    for row in db.session.execute(stmt.where(SupportService.scheme_id.in_(ids)).order_by("id")):
        yield {"service_id": row.id, "scheme_id": row.scheme_id, "name": row.name}


def visits(ids, period):
    stmt = (
        select(
            Visit.id,
            Venue.scheme_id,
            Visit.venue_id,
            Visit.arrived_at,
            Visit.departed_at,
            Visit.help,
            Visit.services,
            Visit.age_band,
            Visit.gender,
            Visit.company,
            Visit.left_how,
            Visit.contact_id,
        )
        .join(Venue, Venue.id == Visit.venue_id)
        .where(Venue.scheme_id.in_(ids), *period.bounds(Visit.arrived_at))
        .order_by(Visit.arrived_at, Visit.id)
    )
    categories = Categories(ids)
    for row in db.session.execute(stmt):
        yield {
            "visit_id": row.id,
            "scheme_id": row.scheme_id,
            "venue_id": row.venue_id,
            "arrived_hour": london_hour(row.arrived_at),
            "departed_hour": london_hour(row.departed_at),
            "help": list(row.help or []),
            "help_categories": categories.of(row.scheme_id, "help", row.help),
            "services": list(row.services or []),
            "age_band": row.age_band,
            "gender": row.gender,
            "company": row.company,
            "left_how": row.left_how,
            "left_how_category": categories.one(row.scheme_id, "left_how", row.left_how),
            "from_contact_id": row.contact_id,
        }


def patrols(ids, period):
    pastors = (
        select(func.count())
        .select_from(patrol_pastor)
        .where(patrol_pastor.c.patrol_id == Patrol.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            Patrol.id,
            Team.scheme_id,
            Patrol.team_id,
            Patrol.area_id,
            Patrol.started_at,
            Patrol.ended_at,
            Patrol.tallies,
            pastors.label("pastors"),
        )
        .join(Team, Team.id == Patrol.team_id)
        .where(Team.scheme_id.in_(ids), *period.bounds(Patrol.started_at))
        .order_by(Patrol.started_at, Patrol.id)
    )
    for row in db.session.execute(stmt):
        yield {
            "patrol_id": row.id,
            "scheme_id": row.scheme_id,
            "team_id": row.team_id,
            "area_id": row.area_id,
            "started_hour": london_hour(row.started_at),
            "ended_hour": london_hour(row.ended_at),
            "pastors": row.pastors,
            "hours_on_duty": hours(row.started_at, row.ended_at, row.pastors),
            "tallies": dict(row.tallies or {}),
        }


def hours(started: datetime, ended: datetime | None, pastors: int) -> float:
    """Hours on duty as patrols.services.hours_on_duty counts them, from plain values
    (the export reads columns, not Patrol objects; a test keeps the two equal)."""
    if ended is None:
        return 0.0
    return round((ended - started).total_seconds() / 3600 * pastors, 2)


def contacts(ids, period):
    stmt = (
        select(
            Contact.id,
            Contact.patrol_id,
            Team.scheme_id,
            Patrol.team_id,
            Contact.at,
            Contact.people,
            Contact.age_band,
            Contact.gender,
            Contact.seen,
            Contact.given,
            Contact.services,
            Contact.area_id,
            Contact.handover_venue_id,
        )
        .join(Patrol, Patrol.id == Contact.patrol_id)
        .join(Team, Team.id == Patrol.team_id)
        .where(Team.scheme_id.in_(ids), *period.bounds(Contact.at))
        .order_by(Contact.at, Contact.id)
    )
    categories = Categories(ids)
    for row in db.session.execute(stmt):
        yield {
            "contact_id": row.id,
            "patrol_id": row.patrol_id,
            "scheme_id": row.scheme_id,
            "team_id": row.team_id,
            "at_hour": london_hour(row.at),
            "people": row.people,
            "age_band": row.age_band,
            "gender": row.gender,
            "seen": list(row.seen or []),
            "seen_categories": categories.of(row.scheme_id, "seen", row.seen),
            "given": list(row.given or []),
            "given_categories": categories.of(row.scheme_id, "given", row.given),
            "services": list(row.services or []),
            "area_id": row.area_id,
            "handover_venue_id": row.handover_venue_id,
        }


def monthly(ids, period):
    stmt = select(MonthlyCount).where(
        MonthlyCount.scheme_id.in_(ids), *period.months(MonthlyCount.month)
    )
    order = (MonthlyCount.month, MonthlyCount.scheme_id, MonthlyCount.measure, MonthlyCount.id)
    for row in db.session.scalars(stmt.order_by(*order)):
        yield {
            "scheme_id": row.scheme_id,
            "month": row.month.strftime("%Y-%m"),
            "venue_id": row.venue_id,
            "team_id": row.team_id,
            "measure": row.measure,
            "code": row.code,
            "value": row.value,
        }
