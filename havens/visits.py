"""Logging, listing and correcting Safe Haven visits."""

import uuid
from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import records
from core.access import roles
from core.forms import options
from core.services import audit_read
from core.timeutil import london_now_minute, to_london, to_utc
from extensions import db
from havens import services
from havens.access import venues_for, visits_for
from havens.choices import AGE_BANDS, COMPANY, GENDERS
from havens.forms import VisitFilterForm, filter_form_for, visit_form_for
from havens.handovers import handover_matches, pending_handover, pending_handovers
from havens.models import Visit
from lists.items import labels_for

FIELD_NAMES = {
    # Translators: names of a visit's fields, listed in its correction history.
    "venue_id": _l("Venue"),
    "arrived_at": _l("Arrival time"),
    "departed_at": _l("Departure time"),
    "help": _l("Help given"),
    "services": _l("Signposted to"),
    "age_band": _l("Age"),
    "gender": _l("Gender"),
    "company": _l("Alone or with others"),
    "left_how": _l("How they left"),
    "note": _l("Note"),
}


def labels() -> dict:
    """The labels a visit is shown with: the scheme's own lists, in the reader's language."""
    mine = {name: labels_for(current_user.scheme_id, name) for name in ("help", "left_how")}
    return {
        **mine,
        "age_band": AGE_BANDS,
        "gender": GENDERS,
        "company": COMPANY,
        "fields": FIELD_NAMES,
    }


def visit_or_404(visit_id: str) -> Visit:
    """A visit this person may see, or 404, whether it exists elsewhere or not at all."""
    visit = db.session.scalar(visits_for(current_user).where(Visit.id == visit_id))
    return visit or abort(404)


@roles("venue_staff", "coordinator")
def log_visit():
    form = visit_form_for(current_user, by_use=True)
    if not form.is_submitted():
        form.id.data = str(uuid.uuid4())  # made once per form, so a resend is recognised
        form.arrived_at.data = london_now_minute()
        if form.venue_id.choices:
            form.venue_id.data = form.venue_id.choices[0].value
        contact_id = request.args.get("contact", "")
        handover = pending_handover(current_user, contact_id) if contact_id else None
        if handover is not None:
            form.contact_id.data, form.venue_id.data = handover.id, handover.handover_venue_id
    if form.validate_on_submit() and handover_matches(form, current_user):
        try:
            visit, created = services.save_visit(form.id.data, form.values(), current_user)
        except records.OutOfScope as refused:  # another venue's or scheme's visit id
            records.refused_on_page(form, refused, current_user)
            db.session.commit()
            page = render_template("havens/visit_form.html", form=form, visit=None, handovers=[])
            return page, 400
        except services.Conflict:
            flash(
                _("This visit was saved already with other details. Open it to correct it."),
                "error",
            )
            return redirect(url_for("havens.visits"))
        db.session.commit()
        flash(_("Visit saved.") if created else _("This visit was saved already."), "info")
        for warning in services.note_warnings(visit.note):
            flash(warning, "warning")
        return redirect(url_for("havens.visits"))
    status = 400 if form.is_submitted() else 200
    handovers = [] if request.args.get("shell") else pending_handovers(current_user)
    return render_template(
        "havens/visit_form.html", form=form, visit=None, handovers=handovers
    ), status


@roles("venue_staff", "coordinator")
def visits():
    filters = filter_form_for(current_user, request.args)
    venues = db.session.scalars(venues_for(current_user).order_by("name")).all()
    filters.venue.choices = options([(0, _("All venues"))] + [(v.id, v.name) for v in venues])
    stmt = (
        filtered(visits_for(current_user), filters)
        if filters.validate()
        else visits_for(current_user)
    )
    found = db.session.scalars(stmt.order_by(Visit.arrived_at.desc()).limit(500)).all()
    return render_template(
        "havens/visits.html",
        visits=found,
        filters=filters,
        labels=labels(),
        handovers=pending_handovers(current_user),
    )


def filtered(stmt, filters: VisitFilterForm):
    """Narrow a visits query by the coordinator's filters."""
    if filters.venue.data:
        stmt = stmt.where(Visit.venue_id == filters.venue.data)
    if filters.date_from.data:
        stmt = stmt.where(
            Visit.arrived_at >= to_utc(datetime.combine(filters.date_from.data, time()))
        )
    if filters.date_to.data:
        end = datetime.combine(filters.date_to.data, time()) + timedelta(days=1)
        stmt = stmt.where(Visit.arrived_at < to_utc(end))
    if filters.q.data:
        stmt = stmt.where(Visit.note.ilike(f"%{filters.q.data}%"))
    if filters.help.data:
        # JSON lists are searched as text: the codes are plain words in quotes.
        stmt = stmt.where(db.cast(Visit.help, db.String).like(f'%"{filters.help.data}"%'))
    return stmt


@roles("venue_staff", "coordinator")
def visit(visit_id: str):
    visit = visit_or_404(visit_id)
    may_correct = services.can_correct(visit, current_user)
    form = visit_form_for(current_user, obj=visit) if may_correct else None
    if form and not form.is_submitted():
        form.arrived_at.data = to_london(visit.arrived_at)
        form.departed_at.data = to_london(visit.departed_at) if visit.departed_at else None
    if form and form.validate_on_submit() and form.id.data == visit.id:
        values = form.values() | {"contact_id": visit.contact_id}  # the link is not corrected
        if services.correct_visit(visit, values, current_user):
            db.session.commit()
            flash(_("Correction saved. The earlier version is kept."), "info")
        for warning in services.note_warnings(visit.note):
            flash(warning, "warning")
        return redirect(url_for("havens.visit", visit_id=visit.id))
    if request.method == "POST" and not may_correct:
        flash(_("Visits can be corrected only within 24 hours. Ask your coordinator."), "error")
    if request.method == "GET":
        audit_read("viewed", visit, scheme_id=visit.venue.scheme_id)  # who read which record
    status = 400 if request.method == "POST" else 200
    return render_template(
        "havens/visit.html",
        visit=visit,
        form=form,
        labels=labels(),
        history=services.history(visit),
    ), status
