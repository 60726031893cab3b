"""Records that arrived under a known id with other content: a coordinator decides."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core import records
from core.access import roles
from core.services import audit
from core.timeutil import utcnow
from extensions import db
from havens import services as havens
from havens.forms import visit_form_for
from havens.models import Visit
from patrols import services as patrols
from patrols.forms import contact_form_for
from patrols.models import Contact, Patrol
from sync.entries import Rejected, validated
from sync.models import SyncConflict
from sync.takers import hidden

KIND_NAMES = {
    # Translators: kinds of record, as a coordinator reviewing a sync conflict sees them.
    "visit": _l("Visit"),
    "visit_correction": _l("Correction of a visit"),
    "contact": _l("Contact"),
    "contact_correction": _l("Correction of a contact"),
    "patrol_start": _l("Start of a patrol"),
    "patrol_end": _l("End of a patrol"),
}
# Kinds whose incoming version can become a correction of the stored record.
APPLICABLE = {"visit", "visit_correction", "contact", "contact_correction"}


def conflict_or_404(conflict_id: int) -> SyncConflict:
    conflict = db.session.get(SyncConflict, conflict_id)
    if conflict is None or conflict.scheme_id != current_user.scheme_id:
        abort(404)
    return conflict


def stored_record(conflict: SyncConflict):
    """The record the conflict is about, as it stands, if this coordinator may see it.

    Checked on every read and before applying: a conflict kept before ids were checked
    against the sender's scope can point at another scheme's record, which must never be
    shown here nor rewritten from here. Such a record reads as gone; only "keep" is left.
    """
    model = {"visit": Visit, "contact": Contact, "patrol": Patrol}[conflict.kind.split("_")[0]]
    record = db.session.get(model, conflict.record_id)
    if record is None or hidden(current_user, record):
        return None
    return record


def stored_values(record) -> dict:
    if isinstance(record, Visit):
        return records.snapshot(record, havens.VISIT_FIELDS)
    if isinstance(record, Contact):
        return records.snapshot(record, patrols.CONTACT_FIELDS)
    if isinstance(record, Patrol):
        return {
            "started_at": record.started_at.isoformat(),
            "ended_at": record.ended_at.isoformat() if record.ended_at else None,
            "tallies": record.tallies,
            "note": record.note,
        }
    return {}


@roles("coordinator")
def conflicts():
    stmt = select(SyncConflict).filter_by(scheme_id=current_user.scheme_id)
    found = db.session.scalars(stmt.order_by(SyncConflict.received_at.desc()).limit(200)).all()
    return render_template("sync/conflicts.html", conflicts=found, kinds=KIND_NAMES)


@roles("coordinator")
def conflict(conflict_id: int):
    conflict = conflict_or_404(conflict_id)
    record = stored_record(conflict)
    return render_template(
        "sync/conflict.html",
        conflict=conflict,
        record=record,
        stored=stored_values(record),
        kinds=KIND_NAMES,
        applicable=conflict.kind in APPLICABLE and record is not None,
    )


@roles("coordinator")
def resolve_conflict(conflict_id: int):
    conflict = conflict_or_404(conflict_id)
    if conflict.resolution is not None:
        return redirect(url_for("sync.conflict", conflict_id=conflict.id))
    action = request.form.get("action")
    if action == "apply" and conflict.kind in APPLICABLE:
        try:
            apply_incoming(conflict)
        except Rejected as rejected:
            messages = [m for errors in rejected.errors.values() for m in errors]
            flash(_("The incoming version cannot be applied: %(why)s", why=" ".join(messages)))
            return redirect(url_for("sync.conflict", conflict_id=conflict.id))
    elif action != "keep":
        abort(400)
    conflict.resolution, conflict.resolved_at = action, utcnow()
    conflict.resolved_by_id = current_user.id
    audit("sync_conflict_resolved", conflict, resolution=action, record=conflict.record_id)
    db.session.commit()
    flash(_("Conflict resolved."), "info")
    return redirect(url_for("sync.conflicts"))


def apply_incoming(conflict: SyncConflict) -> None:
    """Make the incoming version a correction of the stored record, by this coordinator;
    the stored version stays in the record's history."""
    record = stored_record(conflict) or abort(404)
    data = conflict.payload.get("data") or {}
    if isinstance(record, Visit):
        form = validated(lambda **kw: visit_form_for(current_user, **kw), data)
        values = form.values() | {"contact_id": record.contact_id}
        havens.correct_visit(record, values, current_user)
    else:
        form = validated(lambda **kw: contact_form_for(current_user, **kw), data)
        patrols.correct_contact(record, form.values(), current_user)
