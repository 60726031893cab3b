"""What each person may see of venues, visits and the support directory."""

from datetime import timedelta
from functools import cache

from sqlalchemy import Select, bindparam, false, select

from accounts.models import User, venue_staff
from core.timeutil import utcnow
from extensions import db
from havens.models import SupportService, Venue, Visit

# Venue staff see their venue's visits of the last week; older ones are the coordinator's.
STAFF_VISIT_DAYS = 7


def venue_access(user: User) -> str | None:
    """Which venues this person may act for: "scheme" (every venue of their scheme, as a
    coordinator), "own" (those they staff), or None."""
    if user.has_role("coordinator"):
        return "scheme"
    if user.has_role("venue_staff"):
        return "own"
    return None


def staffed_by(user_id) -> Select:
    """The ids of the venues a person staffs: `user_id` is their id, or a bindparam."""
    return select(venue_staff.c.venue_id).where(venue_staff.c.user_id == user_id)


def venues_for(user: User) -> Select:
    """The venues this person may act for."""
    stmt = select(Venue).where(Venue.scheme_id == user.scheme_id)
    access = venue_access(user)
    if access == "scheme":
        return stmt
    if access == "own":
        return stmt.where(Venue.id.in_(staffed_by(user.id)))
    return stmt.where(false())


@cache
def venue_ids(access: str) -> Select:
    """The ids of the venues a person with this access may act for (venue_access), for a
    statement built once per process: the parameters scheme_id and user_id say whose."""
    stmt = select(Venue.id).where(Venue.scheme_id == bindparam("scheme_id"))
    if access == "own":
        stmt = stmt.where(Venue.id.in_(staffed_by(bindparam("user_id"))))
    return stmt


def may_act_for_venue(user: User, venue_id: int | None) -> bool:
    """True when the venue is one this person may act for (venues_for)."""
    stmt = venues_for(user).where(Venue.id == venue_id).with_only_columns(Venue.id)
    return db.session.scalar(stmt) is not None


def visits_for(user: User) -> Select:
    """The visits this person may see."""
    venues = venues_for(user).with_only_columns(Venue.id)
    stmt = select(Visit).where(Visit.venue_id.in_(venues))
    if user.has_role("coordinator"):
        return stmt
    if user.has_role("venue_staff"):
        return stmt.where(Visit.arrived_at >= utcnow() - timedelta(days=STAFF_VISIT_DAYS))
    return stmt.where(false())


def directory_for(scheme_id: int) -> list[SupportService]:
    """A scheme's support services in the coordinator's order."""
    stmt = select(SupportService).filter_by(scheme_id=scheme_id)
    return list(db.session.scalars(stmt.order_by(SupportService.position, SupportService.name)))


@cache
def _directory_options() -> Select:
    """The statement of directory_options, built once (every record form runs it; building
    it took longer than running it), the scheme a parameter."""
    stmt = select(SupportService.id, SupportService.name)
    stmt = stmt.where(SupportService.scheme_id == bindparam("scheme_id"))
    return stmt.order_by(SupportService.position, SupportService.name)


def directory_options(scheme_id: int) -> list[tuple[int, str]]:
    """A scheme's support services as (id, name), in the coordinator's order: what a
    record form offers, read without loading every column of every service."""
    found = db.session.execute(_directory_options(), {"scheme_id": scheme_id})
    return [(row.id, row.name) for row in found]
