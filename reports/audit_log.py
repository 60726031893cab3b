"""Reading the audit log: what each action is called, and a scheme's events filtered."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from accounts.models import User
from core.models import AuditEvent
from extensions import db
from reports.export_rows import Period

# Translators: what someone did, as the audit log lists it.
ACTIONS = {
    "viewed": _l("Viewed a record"),
    "exported": _l("Exported data"),
    "retention_dry_run": _l("Retention checked (dry run)"),
    "retention_applied": _l("Retention applied: old notes removed, old records deleted"),
    "database_restored": _l("Database restored from a backup"),
    "visit_logged": _l("Logged a visit"),
    "visit_corrected": _l("Corrected a visit"),
    "contact_logged": _l("Logged a contact"),
    "contact_corrected": _l("Corrected a contact"),
    "patrol_started": _l("Started a patrol"),
    "patrol_ended": _l("Ended a patrol"),
    "sync_conflict": _l("A record arrived in conflict"),
    "sync_conflict_resolved": _l("Decided a sync conflict"),
    # An id that belongs to a record beyond the sender's scheme, venue or team.
    "record_id_refused": _l("Sent a record under an id that was refused"),
    "signed_in": _l("Signed in"),
    "signed_in_with_pin": _l("Signed in with a PIN"),
    "signed_out": _l("Signed out"),
    "password_changed": _l("Changed a password"),
    "reset_link_issued": _l("Made a password link"),
    "person_created": _l("Added a person"),
    "person_updated": _l("Changed a person"),
    "pin_set": _l("Set a PIN"),
    "pin_locked": _l("PIN locked after wrong tries"),
    "enrolment_code_made": _l("Made a device enrolment code"),
    "device_enrolled": _l("Enrolled a device"),
    "device_revoked": _l("Revoked a device"),
    "scheme_created": _l("Created the scheme"),
    "venue_updated": _l("Changed a venue"),
    "venue_status_changed": _l("Moved a venue to another status"),
    "training_recorded": _l("Recorded training"),
    "registration_accepted": _l("Accepted a registration"),
    "registration_dismissed": _l("Dismissed a registration"),
    "service_added": _l("Added a support service"),
    "service_updated": _l("Changed a support service"),
    "service_removed": _l("Removed a support service"),
    "sticker_issued": _l("Issued a sticker"),
    "sticker_reissued": _l("Reissued a sticker"),
    "team_added": _l("Added a team"),
    "tallies_changed": _l("Changed the tallies"),
    "list_changed": _l("Reordered or hid items of a list"),
    "list_item_added": _l("Added an item to a list"),
    "list_item_changed": _l("Renamed an item of a list"),
    "scheme_language_changed": _l("Changed the scheme's main language"),
}

# Translators: the kind of thing an audit log entry is about.
TARGETS = {
    "visit": _l("Visit"),
    "contact": _l("Contact"),
    "patrol": _l("Patrol"),
    "user": _l("Person"),
    "venue": _l("Venue"),
    "team": _l("Team"),
    "device": _l("Device"),
    "scheme": _l("Scheme"),
    "supportservice": _l("Support service"),
    "registration": _l("Registration"),
    "syncconflict": _l("Sync conflict"),
    "enrolmentcode": _l("Enrolment code"),
}

PER_PAGE = 50
NO_ONE = -1  # the person filter's value for events with no one signed in


def events(
    scheme_id: int, action: str = "", person: int = 0, start: date | None = None, end=None
) -> Select:
    """A scheme's audit events, newest first, narrowed by the filters given."""
    stmt = select(AuditEvent).where(AuditEvent.scheme_id == scheme_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if person == NO_ONE:
        stmt = stmt.where(AuditEvent.actor_id.is_(None))
    elif person:
        stmt = stmt.where(AuditEvent.actor_id == person)
    stmt = stmt.where(*Period(start, end).bounds(AuditEvent.at))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def actions_in(scheme_id: int) -> list[str]:
    """The actions that appear in a scheme's log."""
    stmt = select(AuditEvent.action).where(AuditEvent.scheme_id == scheme_id).distinct()
    return sorted(db.session.scalars(stmt))


def people_in(scheme_id: int) -> dict[int, str]:
    """Names of the scheme's people by id, to say who did what."""
    stmt = select(User.id, User.name).where(User.scheme_id == scheme_id).order_by(User.name)
    return dict(db.session.execute(stmt).tuples().all())
