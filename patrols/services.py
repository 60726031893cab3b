"""State changes for patrols and contacts, and the end-of-patrol summary."""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from accounts.models import TeamMember, User
from core import records, signals
from core.services import audit
from core.timeutil import utcnow
from extensions import db
from lists.categories import RISK_REDUCING
from lists.items import categories_for
from patrols.access import may_see_team
from patrols.models import Contact, ContactRevision, Patrol

# The leader may correct a patrol's contacts until this long after it ends.
CORRECTION_WINDOW = timedelta(hours=12)


class RuleBroken(Exception):
    """A change the scheme's rules do not allow; the message is for the person."""


Conflict = records.Conflict


def leads(user: User, team_id: int) -> bool:
    """True when this person leads the team (coordinators may act as leaders)."""
    if user.has_role("coordinator"):
        return True
    row = db.session.get(TeamMember, (user.id, team_id))
    return row is not None and row.is_leader and user.has_role("pastor")


def open_patrol(team_id: int) -> Patrol | None:
    """The team's patrol that has not ended, if any."""
    return db.session.scalar(select(Patrol).filter_by(team_id=team_id, ended_at=None))


def start_patrol(
    patrol_id: str, values: dict, pastors: list[User], by: User
) -> tuple[Patrol, bool]:
    """Start a patrol, unless the team has one open. Returns (patrol, created). An id taken
    by a patrol of a team this person may not see is records.OutOfScope."""
    existing = db.session.get(Patrol, patrol_id)
    if existing is not None:
        if not may_see_team(by, existing.team_id):
            raise records.OutOfScope("patrol", patrol_id)
        same = all(getattr(existing, name) == value for name, value in values.items())
        if same and {p.id for p in existing.pastors} == {p.id for p in pastors}:
            return existing, False
        raise Conflict(patrol_id)
    if open_patrol(values["team_id"]) is not None:
        raise RuleBroken("open")
    patrol = Patrol(id=patrol_id, started_by_id=by.id, pastors=pastors, **values)
    db.session.add(patrol)
    db.session.flush()
    audit("patrol_started", patrol, scheme_id=patrol.team.scheme_id, actor=by)
    return patrol, True


def end_patrol(patrol: Patrol, ended_at: datetime, tallies: dict, note: str, by: User) -> None:
    """End a patrol with its tallies and note."""
    if ended_at <= patrol.started_at:
        raise RuleBroken("order")
    patrol.ended_at, patrol.tallies, patrol.note = ended_at, tallies, note
    audit("patrol_ended", patrol, scheme_id=patrol.team.scheme_id, actor=by)


CONTACT_FIELDS = (
    "at",
    "people",
    "age_band",
    "gender",
    "seen",
    "given",
    "services",
    "area_id",
    "street",
    "latitude",
    "longitude",
    "handover_venue_id",
    "note",
)


def snapshot(contact: Contact) -> dict:
    """A contact's recorded values, as stored in its history."""
    return records.snapshot(contact, CONTACT_FIELDS)


def _scheme_of(contact: Contact) -> int:
    return contact.patrol.team.scheme_id


def save_contact(contact_id: str, patrol: Patrol, values: dict, by: User) -> tuple[Contact, bool]:
    """Store a new contact on a patrol; the same one sent again is accepted once. A new
    contact handed over to a venue alerts the venue (the page and sync both come here).
    An id taken by a contact of a team this person may not see is records.OutOfScope."""
    contact, created = records.create(
        Contact,
        ContactRevision,
        contact_id,
        values,
        CONTACT_FIELDS,
        by,
        "contact_logged",
        _scheme_of,
        lambda contact: may_see_team(by, contact.patrol.team_id),
        patrol_id=patrol.id,
    )
    if created and contact.handover_venue_id:
        signals.contact_handed_over.send(contact)
    return contact, created


def can_correct(contact: Contact, by: User) -> bool:
    """The team's leader may correct until 12 hours after the patrol ends."""
    patrol = contact.patrol
    if not leads(by, patrol.team_id):
        return False
    return patrol.ended_at is None or utcnow() - patrol.ended_at <= CORRECTION_WINDOW


def correct_contact(contact: Contact, values: dict, by: User) -> bool:
    """Apply a correction as a new version, keeping every earlier one. False if nothing changed."""
    return records.correct(
        contact, ContactRevision, values, CONTACT_FIELDS, by, "contact_corrected", _scheme_of
    )


def hours_on_duty(patrol: Patrol) -> float:
    """Patrol length times pastors on duty. Times are UTC, so midnight and clock changes
    need no special care: 22:00 to 04:00 across the October change is seven hours."""
    if patrol.ended_at is None:
        return 0.0
    length = (patrol.ended_at - patrol.started_at).total_seconds() / 3600
    return round(length * len(patrol.pastors), 2)


def summary(patrol: Patrol) -> dict:
    """What the debrief and the partnership count for one patrol."""
    contacts = patrol.contacts
    given = Counter(code for contact in contacts for code in contact.given)
    of = categories_for(patrol.team.scheme_id, "given")
    risk = Counter({code: n for code, n in given.items() if of.get(code) in RISK_REDUCING})
    return {
        "people": sum(contact.people for contact in contacts),
        "contacts": len(contacts),
        "given": given.most_common(),
        "risk_reducing": risk.most_common(),
        "risk_reducing_total": sum(risk.values()),
        "handovers": sum(1 for contact in contacts if contact.handover_venue_id),
        "hours_on_duty": hours_on_duty(patrol),
        "pastors": len(patrol.pastors),
        "tallies": patrol.tallies,
    }
