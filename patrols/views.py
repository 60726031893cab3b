"""Starting and ending patrols, logging contacts, and the end-of-patrol summary."""

import re
import uuid
from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import records
from core.access import roles
from core.services import audit_read
from core.timeutil import london_now_minute, to_london, to_utc, utcnow
from extensions import db
from lists.items import labels_for
from patrols import services
from patrols.access import patrol_for, patrols_for, teams_for
from patrols.choices import AGE_BANDS, GENDERS
from patrols.forms import contact_form_for, end_form, start_form_for
from patrols.models import Contact, Patrol


def labels() -> dict:
    """The labels a contact is shown with: the scheme's own lists, in the reader's language."""
    mine = {name: labels_for(current_user.scheme_id, name) for name in ("given", "seen")}
    return {**mine, "age_band": AGE_BANDS, "gender": GENDERS}


PASTOR_ROLES = ("pastor", "coordinator")


def patrol_or_404(patrol_id: str) -> Patrol:
    return patrol_for(current_user, patrol_id) or abort(404)


def must_lead(patrol: Patrol) -> None:
    if not services.leads(current_user, patrol.team_id):
        abort(403)


# The list shows the open patrols, then this many recent nights; older ones by month.
RECENT_DAYS = 14
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@roles(*PASTOR_ROLES)
def patrols():
    mine = patrols_for(current_user)
    month = request.args.get("month", "")
    if MONTH.match(month):
        first = datetime.strptime(month, "%Y-%m")  # London time, as people count months
        after = (first + timedelta(days=32)).replace(day=1)
        shown = mine.where(Patrol.started_at >= to_utc(first), Patrol.started_at < to_utc(after))
        current, month_label = [], first.date()
    else:
        since = utcnow() - timedelta(days=RECENT_DAYS)
        shown = mine.where(Patrol.ended_at.is_not(None), Patrol.started_at >= since)
        current = db.session.scalars(mine.where(Patrol.ended_at.is_(None))).all()
        month, month_label = "", None
    found = db.session.scalars(shown.order_by(Patrol.started_at.desc())).all()
    teams = db.session.scalars(teams_for(current_user).order_by("name")).all()
    leading = [team for team in teams if services.leads(current_user, team.id)]
    return render_template(
        "patrols/patrols.html",
        current=current,
        patrols=found,
        month=month_label,
        months=patrol_months(mine),
        leading=leading,
        hours=services.hours_on_duty,
    )


def patrol_months(patrols_query) -> list[date]:
    """The months (their first days, London time) in which these patrols started."""
    starts = db.session.scalars(patrols_query.with_only_columns(Patrol.started_at))
    return sorted({to_london(start).date().replace(day=1) for start in starts}, reverse=True)


@roles(*PASTOR_ROLES)
def start_patrol():
    form = start_form_for(current_user)
    if not form.is_submitted():
        form.id.data, form.started_at.data = str(uuid.uuid4()), london_now_minute()
        form.pastors.data = [current_user.id] if current_user.id in form.members else []
    if form.validate_on_submit():
        pastors = [form.members[i] for i in form.pastors.data]
        try:
            patrol, _created = services.start_patrol(
                form.id.data, form.values(), pastors, current_user
            )
        except (services.RuleBroken, IntegrityError):
            # IntegrityError: another leader started one at the same moment.
            db.session.rollback()
            form.team_id.errors.append(_("This team has a patrol open already. End it first."))
        except records.OutOfScope as refused:  # another team's or scheme's patrol id
            records.refused_on_page(form, refused, current_user)
            db.session.commit()
        except services.Conflict:
            form.id.errors.append(_("This patrol was saved already with other details."))
        else:
            db.session.commit()
            flash(_("Patrol started. Stay safe."), "info")
            return redirect(url_for("patrols.patrol", patrol_id=patrol.id))
    status = 400 if form.is_submitted() else 200
    return render_template("patrols/start.html", form=form), status


@roles(*PASTOR_ROLES)
def patrol(patrol_id: str):
    patrol = patrol_or_404(patrol_id)
    return render_template(
        "patrols/patrol.html",
        patrol=patrol,
        labels=labels(),
        leads=services.leads(current_user, patrol.team_id),
    )


@roles(*PASTOR_ROLES)
def log_contact(patrol_id: str):
    patrol = patrol_or_404(patrol_id)
    if patrol.ended_at is not None:
        flash(_("This patrol has ended."), "error")
        return redirect(url_for("patrols.patrol", patrol_id=patrol.id))
    form = contact_form_for(current_user, by_use=True)
    if not form.is_submitted():
        form.id.data, form.at.data = str(uuid.uuid4()), london_now_minute()
        form.area_id.data = patrol.area_id or 0
    if form.validate_on_submit():
        try:
            contact, created = services.save_contact(
                form.id.data, patrol, form.values(), current_user
            )
        except records.OutOfScope as refused:  # another team's or scheme's contact id
            records.refused_on_page(form, refused, current_user)
            db.session.commit()
            return render_template(
                "patrols/contact_form.html", form=form, patrol=patrol, contact=None
            ), 400
        except services.Conflict:
            flash(_("This contact was saved already with other details."), "error")
            return redirect(url_for("patrols.patrol", patrol_id=patrol.id))
        db.session.commit()
        flash(_("Contact saved.") if created else _("This contact was saved already."), "info")
        return redirect(url_for("patrols.patrol", patrol_id=patrol.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "patrols/contact_form.html", form=form, patrol=patrol, contact=None
    ), status


@roles(*PASTOR_ROLES)
def contact(patrol_id: str, contact_id: str):
    patrol = patrol_or_404(patrol_id)
    contact = db.session.scalar(
        select(Contact).filter_by(id=contact_id, patrol_id=patrol.id)
    ) or abort(404)
    may_correct = services.can_correct(contact, current_user)
    form = contact_form_for(current_user, obj=contact) if may_correct else None
    if form and not form.is_submitted():
        form.at.data = to_london(contact.at)
        form.handover_venue_id.data = contact.handover_venue_id or 0
        form.area_id.data = contact.area_id or 0
        if contact.people > 6:
            form.people.data, form.people_more.data = 6, contact.people
    if form and form.validate_on_submit() and form.id.data == contact.id:
        if services.correct_contact(contact, form.values(), current_user):
            db.session.commit()
            flash(_("Correction saved. The earlier version is kept."), "info")
        return redirect(url_for("patrols.contact", patrol_id=patrol.id, contact_id=contact.id))
    if request.method == "GET":
        audit_read("viewed", contact, scheme_id=patrol.team.scheme_id)  # who read which record
    return render_template(
        "patrols/contact.html", patrol=patrol, contact=contact, form=form, labels=labels()
    )


@roles(*PASTOR_ROLES)
def end_patrol(patrol_id: str):
    patrol = patrol_or_404(patrol_id)
    must_lead(patrol)
    if patrol.ended_at is not None:
        return redirect(url_for("patrols.summary", patrol_id=patrol.id))
    form = end_form(patrol.team.scheme)
    if not form.is_submitted():
        # A patrol started this very minute can still be ended now.
        form.ended_at.data = max(
            london_now_minute(), to_london(patrol.started_at + timedelta(minutes=1))
        )
    if form.validate_on_submit():
        values = form.values()
        try:
            services.end_patrol(
                patrol, values["ended_at"], values["tallies"], values["note"], current_user
            )
        except services.RuleBroken:
            form.ended_at.errors.append(_("The end time must be after the start time."))
        else:
            db.session.commit()
            flash(_("Patrol ended. Thank you."), "info")
            return redirect(url_for("patrols.summary", patrol_id=patrol.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "patrols/end.html", form=form, patrol=patrol, tally_inputs=form.tally_inputs()
    ), status


@roles(*PASTOR_ROLES)
def summary(patrol_id: str):
    patrol = patrol_or_404(patrol_id)
    return render_template(
        "patrols/summary.html", patrol=patrol, summary=services.summary(patrol), labels=labels()
    )


# The pages a pastor's device keeps for use offline. They hold no records and name no
# patrol: the page reads the patrol from its own address, so one copy serves them all.


@roles(*PASTOR_ROLES)
def contact_shell():
    form = contact_form_for(current_user, by_use=True)
    return render_template("patrols/contact_form.html", form=form, patrol=None, contact=None)


@roles(*PASTOR_ROLES)
def end_shell():
    form = end_form(current_user.scheme)
    return render_template(
        "patrols/end.html", form=form, patrol=None, tally_inputs=form.tally_inputs()
    )
