"""Hand-overs: Street Pastors bring someone to a Safe Haven, and its staff log their visit.

The one link that runs both ways through the data: a contact names the venue it was
handed to (patrols stand above havens), and the visit that follows names the contact. So
this module, and only this one, reads a higher package's model (patrols.models.Contact);
tests/test_layers.py names it as the deliberate exception.
"""

from datetime import timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from accounts.models import User
from core.timeutil import utcnow
from extensions import db
from havens.access import venue_access, venue_ids
from havens.models import Visit
from patrols.models import Contact

# A hand-over waits at the venue this long for its visit to be logged.
WAITING = timedelta(hours=12)


@cache
def _pending(access: str) -> Select:
    """pending_handovers' statement for one kind of venue access, built once (the visit
    page runs it on every request; building it took as long as running it)."""
    linked = select(Visit.contact_id).where(Visit.contact_id.is_not(None))
    stmt = select(Contact).where(
        Contact.handover_venue_id.in_(venue_ids(access)),
        Contact.at >= bindparam("since"),
        Contact.id.not_in(linked),
    )
    # The page names each one's venue: read with the contacts, not one query each.
    return stmt.options(joinedload(Contact.handover_venue)).order_by(Contact.at.desc())


def pending_handovers(user: User) -> list[Contact]:
    """Contacts Street Pastors handed over to this person's venues in the last 12 hours,
    not yet continued by a visit."""
    access = venue_access(user)
    if access is None:
        return []
    whose = {"scheme_id": user.scheme_id, "user_id": user.id, "since": utcnow() - WAITING}
    return list(db.session.scalars(_pending(access), whose))


def pending_handover(user: User, contact_id: str) -> Contact | None:
    """One of pending_handovers(), by id."""
    return next((c for c in pending_handovers(user) if c.id == contact_id), None)


def handover_matches(form, user: User) -> bool:
    """A visit may continue only a pending hand-over to the venue it is logged for."""
    if not form.contact_id.data:
        return True
    handover = pending_handover(user, form.contact_id.data)
    if handover is None and db.session.get(Visit, form.id.data) is not None:
        return True  # a resend of the visit that took up this hand-over
    if handover is None or handover.handover_venue_id != form.venue_id.data:
        form.contact_id.errors.append(_("This hand-over is not waiting at this venue."))
        return False
    return True
