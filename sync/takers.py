"""One function per kind of entry. Each returns "created" or "duplicate", raises Rejected,
raises Conflict when the record is known with other content, or OutOfScope when its id
belongs to a record the author may not see."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core import records
from core.records import Conflict, OutOfScope
from extensions import db
from havens import services as havens
from havens.access import may_act_for_venue, visits_for
from havens.forms import visit_form_for
from havens.handovers import handover_matches
from havens.models import Visit
from patrols import services as patrols
from patrols.access import may_see_team, patrol_for
from patrols.forms import contact_form_for, end_form, start_form_for
from patrols.models import Contact, Patrol
from sync.entries import RECORD, Rejected, record_error, same_id, validated


def hidden(user: User, record) -> bool:
    """True for a stored record beyond what this person may see: another scheme's, or a
    venue or team that is not theirs."""
    if isinstance(record, Visit):
        return not may_act_for_venue(user, record.venue_id)
    team_id = record.team_id if isinstance(record, Patrol) else record.patrol.team_id
    return not may_see_team(user, team_id)


def not_yours(model, record_id: str, author: User, message: str) -> Exception:
    """The answer for a record this author cannot change, in the same words whether it does
    not exist or exists beyond their sight; only the second is audited (OutOfScope)."""
    stored = db.session.get(model, record_id)
    if stored is not None and hidden(author, stored):
        return OutOfScope(model.__name__.lower(), record_id, RECORD, message)
    return record_error(message)


def take_visit(entry: dict, author: User) -> str:
    form = validated(lambda **kw: visit_form_for(author, **kw), entry["data"])
    same_id(form.id.data, entry)
    if not handover_matches(form, author):
        raise Rejected(form.errors)
    _visit, created = havens.save_visit(entry["id"], form.values(), author)
    return "created" if created else "duplicate"


def take_visit_correction(entry: dict, author: User) -> str:
    visit = db.session.scalar(visits_for(author).where(Visit.id == entry["id"]))
    if visit is None:
        raise not_yours(Visit, entry["id"], author, _("This visit is not one you can correct."))
    form = validated(lambda **kw: visit_form_for(author, **kw), entry["data"])
    values = form.values() | {"contact_id": visit.contact_id}  # the link is not corrected
    if visit.version != entry["base_version"]:
        return already(visit, values, havens.VISIT_FIELDS)
    if not havens.can_correct(visit, author):
        raise record_error(_("Visits can be corrected only within 24 hours. Ask your coordinator."))
    return "created" if havens.correct_visit(visit, values, author) else "duplicate"


def already(record, values: dict, fields: tuple[str, ...]) -> str:
    """A correction made to an older version: a duplicate if the record already reads
    so, else a conflict for a coordinator; it never overwrites a newer version."""
    if records.snapshot(record, fields) == records.snapshot_of_values(values, fields):
        return "duplicate"
    raise Conflict(record.id)


def while_out(patrol: Patrol, values: dict) -> None:
    """A phone that was offline may send a contact after the leader ended the patrol: it
    is kept if it happened while the patrol was out."""
    if patrol.ended_at is not None and values["at"] > patrol.ended_at:
        raise Rejected({"at": [_("The patrol had ended by this time.")]})


def patrol_of(entry: dict, author: User, key: str = "patrol") -> Patrol:
    patrol = patrol_for(author, entry[key])
    if patrol is None:
        raise not_yours(Patrol, entry[key], author, _("This patrol is not one you can log to."))
    return patrol


def take_contact(entry: dict, author: User) -> str:
    patrol = patrol_of(entry, author)
    form = validated(lambda **kw: contact_form_for(author, **kw), entry["data"])
    same_id(form.id.data, entry)
    values = form.values()
    while_out(patrol, values)
    _contact, created = patrols.save_contact(entry["id"], patrol, values, author)
    return "created" if created else "duplicate"


def take_contact_correction(entry: dict, author: User) -> str:
    patrol = patrol_of(entry, author)
    contact = db.session.scalar(select(Contact).filter_by(id=entry["id"], patrol_id=patrol.id))
    if contact is None:
        message = _("This contact is not one you can correct.")
        raise not_yours(Contact, entry["id"], author, message)
    form = validated(lambda **kw: contact_form_for(author, **kw), entry["data"])
    if contact.version != entry["base_version"]:
        return already(contact, form.values(), patrols.CONTACT_FIELDS)
    if not patrols.can_correct(contact, author):
        raise record_error(_("Only the team's leader can correct contacts, until 12 hours after."))
    return "created" if patrols.correct_contact(contact, form.values(), author) else "duplicate"


def take_patrol_start(entry: dict, author: User) -> str:
    form = validated(lambda **kw: start_form_for(author, **kw), entry["data"])
    same_id(form.id.data, entry)
    pastors = [form.members[i] for i in form.pastors.data]
    try:
        with db.session.begin_nested():
            _patrol, created = patrols.start_patrol(entry["id"], form.values(), pastors, author)
    except (patrols.RuleBroken, IntegrityError):
        raise Rejected(
            {"team_id": [_("This team has a patrol open already. End it first.")]}
        ) from None
    return "created" if created else "duplicate"


def take_patrol_end(entry: dict, author: User) -> str:
    patrol = patrol_of(entry, author, key="id")
    if not patrols.leads(author, patrol.team_id):
        raise record_error(_("Only the team's leader can end its patrol."))
    form = validated(lambda **kw: end_form(patrol.team.scheme, **kw), entry["data"])
    values = form.values()
    ended_at, tallies, note = values["ended_at"], values["tallies"], values["note"]
    if patrol.ended_at is not None:
        if (patrol.ended_at, patrol.tallies, patrol.note) == (ended_at, tallies, note):
            return "duplicate"
        raise Conflict(patrol.id)
    try:
        patrols.end_patrol(patrol, ended_at, tallies, note, author)
    except patrols.RuleBroken:
        raise Rejected({"ended_at": [_("The end time must be after the start time.")]}) from None
    return "created"


TAKERS = {
    "visit": take_visit,
    "visit_correction": take_visit_correction,
    "contact": take_contact,
    "contact_correction": take_contact_correction,
    "patrol_start": take_patrol_start,
    "patrol_end": take_patrol_end,
}
