"""State changes for venues: life cycle, training, registrations and visits."""

import re
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts.models import User, venue_staff
from core import records
from core.services import audit
from core.timeutil import london_today, utcnow
from extensions import db
from havens.access import may_act_for_venue
from havens.models import Registration, Training, Venue, VenueStatusChange, Visit, VisitRevision

# Which status may follow which. Leaving is always possible; a venue that left may rejoin.
TRANSITIONS = {
    "interested": {"training", "left"},
    "training": {"active", "interested", "left"},
    "active": {"paused", "left"},
    "paused": {"active", "training", "left"},
    "left": {"interested"},
}


class RuleBroken(Exception):
    """A change the scheme's rules do not allow; the message is for the person."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def trained_until(venue: Venue) -> date | None:
    """The latest training expiry among the venue's active staff, or None."""
    stmt = (
        select(func.max(Training.expires_on))
        .join(venue_staff, venue_staff.c.user_id == Training.user_id)
        .join(User, User.id == Training.user_id)
        .where(venue_staff.c.venue_id == venue.id, User.active.is_(True))
    )
    return db.session.scalar(stmt)


def has_in_date_training(venue: Venue, on: date | None = None) -> bool:
    """True while at least one of the venue's staff holds in-date training."""
    until = trained_until(venue)
    return until is not None and until >= (on or london_today())


def is_valid_haven(venue: Venue | None) -> bool:
    """What the public page shows: active, and someone there is trained."""
    return venue is not None and venue.status == "active" and has_in_date_training(venue)


def change_status(venue: Venue, to: str, reason: str, by: User) -> None:
    """Move a venue to another status, if the rules allow it; the caller commits."""
    if to not in TRANSITIONS[venue.status]:
        raise RuleBroken(_("A venue cannot go straight from this status to that one."))
    if to == "active" and not has_in_date_training(venue):
        raise RuleBroken(
            _("A venue can be active only while at least one of its staff has in-date training.")
        )
    db.session.add(
        VenueStatusChange(
            venue_id=venue.id, from_status=venue.status, to_status=to, reason=reason, by_id=by.id
        )
    )
    audit(
        "venue_status_changed",
        venue,
        actor=by,
        status_from=venue.status,
        status_to=to,
        reason=reason,
    )
    venue.status = to


def lapsing_venues(scheme_id: int, within_days: int = 30) -> list[tuple[Venue, date | None]]:
    """Active venues whose staff training has lapsed or lapses within the coming days."""
    horizon = london_today() + timedelta(days=within_days)
    venues = db.session.scalars(
        select(Venue).filter_by(scheme_id=scheme_id, status="active").order_by(Venue.name)
    )
    found = [(venue, trained_until(venue)) for venue in venues]
    return [(venue, until) for venue, until in found if until is None or until <= horizon]


def angela_briefings_due(scheme_id: int) -> list[tuple[Venue, date | None]]:
    """Venues taking part in Ask for Angela whose staff were never briefed on it, or not
    within the training period (TRAINING_VALID_MONTHS), oldest briefing first."""
    months = current_app.config["TRAINING_VALID_MONTHS"]
    today = london_today()
    venues = db.session.scalars(
        select(Venue)
        .where(Venue.scheme_id == scheme_id, Venue.ask_for_angela.is_(True), Venue.status != "left")
        .order_by(Venue.name)
    )
    due = [
        (venue, venue.angela_briefed_on)
        for venue in venues
        if venue.angela_briefed_on is None or add_months(venue.angela_briefed_on, months) < today
    ]
    return sorted(due, key=lambda pair: pair[1] or date.min)


def record_training(person: User, trained_on: date, trainer: str, by: User) -> Training:
    """Record a staff member's training; it expires after the configured months."""
    months = current_app.config["TRAINING_VALID_MONTHS"]
    training = Training(
        user_id=person.id,
        trained_on=trained_on,
        trainer=trainer.strip(),
        expires_on=add_months(trained_on, months),
        recorded_by_id=by.id,
    )
    db.session.add(training)
    audit("training_recorded", person, actor=by, trained_on=trained_on.isoformat())
    return training


def accept_registration(registration: Registration, by: User) -> Venue:
    """Turn a registration into a venue in the "interested" status."""
    venue = Venue(
        scheme_id=registration.scheme_id,
        name=registration.business_name,
        address=registration.address,
        postcode=registration.postcode,
        kind=registration.kind,
        contact_name=registration.contact_name,
        contact_phone=registration.contact_phone,
        contact_email=registration.contact_email,
        status="interested",
    )
    db.session.add(venue)
    db.session.flush()
    registration.handled_at, registration.venue_id = utcnow(), venue.id
    audit("registration_accepted", venue, actor=by)
    return venue


# What a note must never hold, by the look of it: phone numbers and email addresses.
PHONE = re.compile(r"(?:\+|\b)\d(?:[\s().-]?\d){8,}\b")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)


def note_warnings(note: str) -> list[str]:
    """Warnings, not refusals, about personal details a note seems to hold."""
    warnings = []
    if PHONE.search(note or ""):
        warnings.append(_("The note looks like it holds a phone number. Please remove it."))
    if EMAIL.search(note or ""):
        warnings.append(_("The note looks like it holds an email address. Please remove it."))
    return warnings


VISIT_FIELDS = (
    "contact_id",
    "venue_id",
    "arrived_at",
    "departed_at",
    "help",
    "services",
    "age_band",
    "gender",
    "company",
    "left_how",
    "note",
)


def snapshot(visit: Visit) -> dict:
    """A visit's recorded values, as stored in its history."""
    return records.snapshot(visit, VISIT_FIELDS)


Conflict = records.Conflict


def _scheme_of(visit: Visit) -> int:
    return visit.venue.scheme_id


def save_visit(visit_id: str, values: dict, by: User) -> tuple[Visit, bool]:
    """Store a new visit; the same one sent again is accepted once. Returns (visit, created).
    An id taken by a visit of a venue this person does not act for is records.OutOfScope."""
    return records.create(
        Visit,
        VisitRevision,
        visit_id,
        values,
        VISIT_FIELDS,
        by,
        "visit_logged",
        _scheme_of,
        lambda visit: may_act_for_venue(by, visit.venue_id),
    )


def history(visit: Visit) -> list[tuple[VisitRevision, list[str]]]:
    """Each version of a visit with the names of the fields it changed."""
    rows, before = [], None
    for revision in visit.revisions:
        changed: list[str] = (
            []
            if before is None
            else [k for k in revision.data if revision.data[k] != before.get(k)]
        )
        rows.append((revision, changed))
        before = revision.data
    return rows


def can_correct(visit: Visit, by: User) -> bool:
    """Staff may correct a visit within 24 hours of logging it; coordinators at any time."""
    if by.has_role("coordinator"):
        return True
    return utcnow() - visit.created_at <= timedelta(hours=24)


def correct_visit(visit: Visit, values: dict, by: User) -> bool:
    """Apply a correction as a new version, keeping every earlier one. False if nothing changed."""
    return records.correct(
        visit, VisitRevision, values, VISIT_FIELDS, by, "visit_corrected", _scheme_of
    )
