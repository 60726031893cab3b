"""Coordinators' page for teams, patrol areas and the tallies patrols count."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from accounts.models import TeamMember, User
from core.access import in_my_scheme_or_404, roles
from core.forms import PositionFields, latitude_field, longitude_field, phone_number
from core.services import audit
from extensions import db
from patrols.access import teams_for
from patrols.models import PatrolArea, Team


class NameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class DutyPhoneForm(FlaskForm):
    """The number a venue phones when no pastor answers its call for help."""

    duty_phone = StringField(
        _l("Duty phone"),
        validators=[
            Optional(),
            Length(max=40),
            phone_number(),
        ],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


class AreaForm(PositionFields, FlaskForm):
    """A patrol area's name and where it is on the maps: a centre and how far it reaches."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    latitude = latitude_field(_l("Latitude of its centre"))
    longitude = longitude_field(_l("Longitude of its centre"))
    radius_m = IntegerField(
        _l("How far it reaches from the centre, in metres"),
        default=250,
        validators=[
            DataRequired(message=_l("Give a distance from 50 to 5,000 metres.")),
            NumberRange(min=50, max=5000, message=_l("Give a distance from 50 to 5,000 metres.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class TalliesForm(FlaskForm):
    tallies = TextAreaField(
        _l("Tallies counted at the end of each patrol, one per line"),
        validators=[Length(max=1000)],
        render_kw={"rows": 4},
    )


def page(**forms):
    scheme_id = current_user.scheme_id
    teams = db.session.scalars(teams_for(current_user).order_by(Team.name)).all()
    members = {
        team.id: db.session.execute(
            select(User.name, TeamMember.is_leader)
            .join(TeamMember)
            .where(TeamMember.team_id == team.id)
            .order_by(User.name)
        ).all()
        for team in teams
    }
    all_areas = db.session.scalars(
        select(PatrolArea)
        .filter_by(scheme_id=scheme_id)
        .order_by(PatrolArea.position, PatrolArea.name)
    ).all()
    tallies = forms.get("tallies") or TalliesForm(tallies="\n".join(current_user.scheme.tallies))
    code = 400 if any(form.errors for form in forms.values()) else 200
    return render_template(
        "patrols/teams.html",
        teams=teams,
        members=members,
        areas=all_areas,
        team_form=forms.get("team") or NameForm(prefix="team"),
        area_form=forms.get("area") or NameForm(prefix="area"),
        tallies_form=tallies,
        phone_forms={
            team.id: forms.get(f"phone-{team.id}")
            or DutyPhoneForm(prefix=f"team-{team.id}", duty_phone=team.duty_phone)
            for team in teams
        },
    ), code


@roles("coordinator")
def teams():
    return page()


@roles("coordinator")
def add_team():
    form = NameForm(prefix="team")
    if form.validate_on_submit():
        if db.session.scalar(
            select(Team).filter_by(scheme_id=current_user.scheme_id, name=form.name.data.strip())
        ):
            form.name.errors.append(_("A team with this name exists already."))
        else:
            team = Team(scheme_id=current_user.scheme_id, name=form.name.data.strip())
            db.session.add(team)
            db.session.flush()
            audit("team_added", team)
            db.session.commit()
            flash(
                _(
                    "Team %(name)s added. Add its pastors and leaders on the People page.",
                    name=team.name,
                ),
                "info",
            )
            return redirect(url_for("patrols.teams"))
    return page(team=form)


@roles("coordinator")
def team_phone(team_id: int):
    team = in_my_scheme_or_404(Team, team_id)
    form = DutyPhoneForm(prefix=f"team-{team.id}")
    if form.validate_on_submit():
        team.duty_phone = (form.duty_phone.data or "").strip()
        audit("team_duty_phone_changed", team)
        db.session.commit()
        flash(_("Duty phone of %(name)s saved.", name=team.name), "info")
        return redirect(url_for("patrols.teams"))
    return page(**{f"phone-{team.id}": form})


@roles("coordinator")
def add_area():
    form = NameForm(prefix="area")
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(
            select(PatrolArea).filter_by(scheme_id=current_user.scheme_id, name=name)
        ):
            form.name.errors.append(_("An area with this name exists already."))
        else:
            db.session.add(PatrolArea(scheme_id=current_user.scheme_id, name=name))
            db.session.commit()
            flash(_("Area %(name)s added.", name=name), "info")
            return redirect(url_for("patrols.teams"))
    return page(area=form)


@roles("coordinator")
def edit_area(area_id: int):
    area = in_my_scheme_or_404(PatrolArea, area_id)
    form = AreaForm(obj=area)
    if form.validate_on_submit():
        name = form.name.data.strip()
        taken = db.session.scalar(select(PatrolArea).filter_by(scheme_id=area.scheme_id, name=name))
        if taken is not None and taken.id != area.id:
            form.name.errors.append(_("An area with this name exists already."))
        else:
            area.name, area.radius_m = name, form.radius_m.data
            found = form.position()
            area.latitude, area.longitude = (round(c, 5) for c in found) if found else (None, None)
            audit("area_updated", area, scheme_id=area.scheme_id)
            db.session.commit()
            flash(_("Area %(name)s saved.", name=area.name), "info")
            return redirect(url_for("patrols.teams"))
    status = 400 if form.errors else 200
    return render_template("patrols/area.html", area=area, form=form), status


@roles("coordinator")
def delete_area(area_id: int):
    area = in_my_scheme_or_404(PatrolArea, area_id)
    db.session.delete(area)
    db.session.commit()
    flash(_("Area %(name)s removed.", name=area.name), "info")
    return redirect(url_for("patrols.teams"))


@roles("coordinator")
def set_tallies():
    form = TalliesForm()
    if form.validate_on_submit():
        names = [
            line.strip()[:60] for line in (form.tallies.data or "").splitlines() if line.strip()
        ]
        current_user.scheme.tallies = list(dict.fromkeys(names))
        audit(
            "tallies_changed", current_user.scheme, scheme_id=current_user.scheme_id, tallies=names
        )
        db.session.commit()
        flash(_("Tallies saved."), "info")
        return redirect(url_for("patrols.teams"))
    return page(tallies=form)
