"""Coordinators' venue pages: the inbox, the life cycle, training and lapsing venues."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import User, venue_staff
from core.access import in_my_scheme_or_404, roles
from core.forms import options
from core.services import audit
from core.timeutil import utcnow
from extensions import db
from havens import hours, services
from havens.access import venues_for
from havens.choices import PREMISES
from havens.forms import StatusForm, TrainingForm, VenueForm
from havens.models import VENUE_STATUSES, Registration, Training, Venue
from havens.stickers.forms import PrintForm


def venue_or_404(venue_id: int) -> Venue:
    venue = db.session.scalar(venues_for(current_user).where(Venue.id == venue_id))
    return venue or abort(404)


def registration_or_404(registration_id: int) -> Registration:
    return in_my_scheme_or_404(Registration, registration_id)


def staff_of(venue: Venue) -> list[User]:
    stmt = select(User).join(venue_staff).where(venue_staff.c.venue_id == venue.id)
    return list(db.session.scalars(stmt.order_by(User.name)))


@roles("coordinator")
def venues():
    scheme_id = current_user.scheme_id
    inbox = db.session.scalars(
        select(Registration)
        .filter_by(scheme_id=scheme_id, handled_at=None)
        .order_by(Registration.created_at)
    ).all()
    all_venues = db.session.scalars(venues_for(current_user).order_by(Venue.name)).all()
    lapsing = services.lapsing_venues(scheme_id, current_app.config["LAPSE_WARNING_DAYS"])
    return render_template(
        "havens/venues.html",
        venues=all_venues,
        inbox=inbox,
        lapsing=lapsing,
        angela_due=services.angela_briefings_due(scheme_id),
        premises=PREMISES,
        sticker_form=PrintForm(),
    )


@roles("coordinator")
def venue(venue_id: int):
    venue = venue_or_404(venue_id)
    form = VenueForm(obj=venue)
    if not form.is_submitted():
        form.show_hours(venue.weekly_hours)
    if form.validate_on_submit():
        form.apply(venue)
        audit("venue_updated", venue)
        db.session.commit()
        flash(_("Venue details saved."), "info")
        return redirect(url_for("havens.venue", venue_id=venue.id))
    return render_venue(venue, form=form)


def venue_form(venue: Venue) -> VenueForm:
    """The venue's details form, filled from the venue."""
    form = VenueForm(formdata=None, obj=venue)
    form.show_hours(venue.weekly_hours)
    return form


def render_venue(venue: Venue, **forms):
    """The venue page with all its forms; a form with errors is passed in by its view."""
    staff = staff_of(venue)
    status = forms.pop("status", None) or StatusForm()
    status.status.choices = options(
        (s, VENUE_STATUSES[s]) for s in sorted(services.TRANSITIONS[venue.status])
    )
    training = forms.pop("training", None) or TrainingForm()
    training.person.choices = options((p.id, p.name) for p in staff)
    records = db.session.scalars(
        select(Training)
        .where(Training.user_id.in_([p.id for p in staff]))
        .order_by(Training.expires_on.desc())
    ).all()
    code = 400 if any(f.errors for f in (status, training, *forms.values())) else 200
    return render_template(
        "havens/venue.html",
        venue=venue,
        form=forms.get("form") or venue_form(venue),
        status_form=status,
        training_form=training,
        staff=staff,
        trainings=records,
        trained_until=services.trained_until(venue),
        valid=services.is_valid_haven(venue),
        day_names=hours.day_names(),
    ), code


@roles("coordinator")
def venue_status(venue_id: int):
    venue = venue_or_404(venue_id)
    form = StatusForm()
    form.status.choices = options(
        (s, VENUE_STATUSES[s]) for s in services.TRANSITIONS[venue.status]
    )
    if form.validate_on_submit():
        try:
            services.change_status(venue, form.status.data, form.reason.data, current_user)
        except services.RuleBroken as broken:
            form.status.errors.append(str(broken))
            return render_venue(venue, status=form)
        db.session.commit()
        flash(
            _(
                "%(venue)s is now: %(status)s.",
                venue=venue.name,
                status=VENUE_STATUSES[venue.status],
            ),
            "info",
        )
        return redirect(url_for("havens.venue", venue_id=venue.id))
    return render_venue(venue, status=form)


@roles("coordinator")
def venue_training(venue_id: int):
    venue = venue_or_404(venue_id)
    staff = {p.id: p for p in staff_of(venue)}
    form = TrainingForm()
    form.person.choices = options((p.id, p.name) for p in staff.values())
    if form.validate_on_submit():
        services.record_training(
            staff[form.person.data], form.trained_on.data, form.trainer.data, current_user
        )
        db.session.commit()
        flash(_("Training recorded."), "info")
        return redirect(url_for("havens.venue", venue_id=venue.id))
    return render_venue(venue, training=form)


@roles("coordinator")
def accept_registration(registration_id: int):
    registration = registration_or_404(registration_id)
    if registration.handled_at is not None:
        abort(404)
    if db.session.scalar(
        select(Venue).filter_by(scheme_id=registration.scheme_id, name=registration.business_name)
    ):
        flash(
            _("A venue with this name exists already. Rename it or dismiss this registration."),
            "error",
        )
        return redirect(url_for("havens.venues"))
    venue = services.accept_registration(registration, current_user)
    db.session.commit()
    flash(_("%(venue)s added as interested.", venue=venue.name), "info")
    return redirect(url_for("havens.venue", venue_id=venue.id))


@roles("coordinator")
def dismiss_registration(registration_id: int):
    registration = registration_or_404(registration_id)
    registration.handled_at = utcnow()
    audit("registration_dismissed", registration, scheme_id=registration.scheme_id)
    db.session.commit()
    flash(_("Registration dismissed."), "info")
    return redirect(url_for("havens.venues"))
