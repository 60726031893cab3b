"""Coordinators' pages for people: add, edit roles and memberships, reset links."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import services
from accounts.access import people_for
from accounts.forms import PersonForm
from accounts.models import ROLES, User
from core.access import roles
from core.forms import options
from core.services import audit
from extensions import db
from havens.access import venues_for
from patrols.access import teams_for


def _person_or_404(person_id: int) -> User:
    """A person this coordinator may manage, or 404 (never 403, which would confirm the id)."""
    person = db.session.scalar(people_for(current_user).where(User.id == person_id))
    return person or abort(404)


def _person_form(**kwargs) -> PersonForm:
    """The person form with this scheme's roles, venues and teams to choose from."""
    form = PersonForm(**kwargs)
    form.roles.choices = options(ROLES)
    venues = db.session.scalars(venues_for(current_user).order_by("name")).all()
    teams = db.session.scalars(teams_for(current_user).order_by("name")).all()
    form.venues.choices = options((v.id, v.name) for v in venues)
    form.teams.choices = form.leads.choices = options((t.id, t.name) for t in teams)
    form.lookup = {"venues": {v.id: v for v in venues}, "teams": {t.id: t for t in teams}}
    return form


def _fields(form: PersonForm) -> dict:
    """The form's values in the shape services.update_person takes."""
    venues, teams = form.lookup["venues"], form.lookup["teams"]
    return {
        "email": form.email.data,
        "roles": set(form.roles.data),
        "venues": [venues[i] for i in form.venues.data],
        "teams": [teams[i] for i in form.teams.data],
        "leads": [teams[i] for i in form.leads.data],
        "active": form.active.data,
    }


def _username_taken(form: PersonForm, person: User | None = None) -> bool:
    """Flag a username or email that another person already has."""
    for field in (form.username, form.email):
        other = services.find_by_login(field.data or "") if field.data else None
        if other is not None and other is not person:
            field.errors.append(_("Someone already has this. Choose another."))
    return bool(form.username.errors or form.email.errors)


@roles("coordinator")
def people():
    found = db.session.scalars(people_for(current_user).order_by(User.name)).all()
    return render_template("accounts/people.html", people=found, role_names=ROLES)


@roles("coordinator")
def add_person():
    form = _person_form()
    if form.validate_on_submit() and not _username_taken(form):
        person = services.create_person(
            current_user.scheme, form.name.data, form.username.data, None, **_fields(form)
        )
        token = services.issue_reset(person, current_user)
        db.session.commit()
        flash(
            _("%(name)s added. Hand over this link so they can set a password.", name=person.name),
            "info",
        )
        return render_template("accounts/reset_link.html", person=person, token=token)
    return render_template("accounts/person.html", form=form, person=None)


@roles("coordinator")
def edit_person(person_id: int):
    person = _person_or_404(person_id)
    form = _person_form(obj=person)
    if not form.is_submitted():
        form.roles.data = sorted(person.roles)
        form.venues.data = [v.id for v in person.venues]
        form.teams.data = [row.team_id for row in person.team_rows]
        form.leads.data = [row.team_id for row in person.team_rows if row.is_leader]
    if form.validate_on_submit() and not _username_taken(form, person):
        if person.id == current_user.id and not form.active.data:
            flash(_("You cannot disable your own account."), "error")
        else:
            person.name, person.username = form.name.data, form.username.data.strip().lower()
            services.update_person(person, **_fields(form))
            audit("person_updated", person, roles=sorted(person.roles), active=person.active)
            db.session.commit()
            flash(_("Changes to %(name)s saved.", name=person.name), "info")
            return redirect(url_for("accounts.people"))
    return render_template("accounts/person.html", form=form, person=person)


@roles("coordinator")
def reset_link(person_id: int):
    person = _person_or_404(person_id)
    token = services.issue_reset(person, current_user)
    db.session.commit()
    return render_template("accounts/reset_link.html", person=person, token=token)
