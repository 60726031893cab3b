"""Forms for patrols and contacts: the one place each is validated, for the page and for sync."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from accounts.models import TeamMember, User
from core.forms import (
    BAD_ID,
    LOCAL_MINUTE,
    UUID,
    CheckboxesField,
    not_in_future,
    note_field,
    options,
    record_times_from,
)
from core.timeutil import to_utc
from extensions import db
from havens.access import directory_options
from havens.models import Venue
from patrols.access import teams_for
from patrols.choices import AGE_BANDS, GENDERS, GIVEN, PEOPLE_CHOICES, SEEN
from patrols.models import PatrolArea
from patrols.services import leads

# Patrol and contact times: the same rule as a visit's arrival, in general words.
IN_FUTURE = _l("That time is in the future.")


def rounded(value: float | None) -> float | None:
    """A coordinate rounded to three decimals: about 100 m, never a doorstep."""
    return round(value, 3) if value is not None else None


class StartPatrolForm(FlaskForm):
    id = HiddenField(validators=[DataRequired(), Regexp(UUID, message=BAD_ID)])
    team_id = SelectField(_l("Team"), coerce=int)
    area_id = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    route = StringField(_l("Route (optional)"), validators=[Optional(), Length(max=200)])
    pastors = CheckboxesField(_l("Pastors on duty"), coerce=int)
    started_at = DateTimeLocalField(
        _l("Start time"), format=LOCAL_MINUTE, validators=[DataRequired(), not_in_future(IN_FUTURE)]
    )

    def validate_pastors(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the pastors on duty."))

    def values(self) -> dict:
        return {
            "team_id": self.team_id.data,
            "area_id": self.area_id.data or None,
            "route": (self.route.data or "").strip(),
            "started_at": to_utc(self.started_at.data),
        }


class ContactForm(FlaskForm):
    id = HiddenField(validators=[DataRequired(), Regexp(UUID, message=BAD_ID)])
    given = CheckboxesField(_l("Given or done"), choices=options(GIVEN))
    people = RadioField(
        _l("How many people"),
        coerce=int,
        choices=options((n, str(n)) for n in PEOPLE_CHOICES),
        default=1,
    )
    people_more = IntegerField(
        _l("More than 6"),
        validators=[Optional(), NumberRange(min=7, max=200)],
        render_kw={"inputmode": "numeric"},
    )
    seen = CheckboxesField(_l("What was seen"), choices=options(SEEN))
    age_band = RadioField(
        _l("Age (where obvious)"), choices=options(AGE_BANDS), validators=[Optional()]
    )
    gender = RadioField(
        _l("Gender (where obvious)"), choices=options(GENDERS), validators=[Optional()]
    )
    services = CheckboxesField(_l("Signposted to"), coerce=int)
    handover_venue_id = SelectField(_l("Handed over to"), coerce=int, validators=[Optional()])
    area_id = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    street = StringField(_l("Street (optional)"), validators=[Optional(), Length(max=120)])
    latitude = FloatField(
        widget=HiddenField.widget, validators=[Optional(), NumberRange(min=-90, max=90)]
    )
    longitude = FloatField(
        widget=HiddenField.widget, validators=[Optional(), NumberRange(min=-180, max=180)]
    )
    at = DateTimeLocalField(
        _l("Time"), format=LOCAL_MINUTE, validators=[DataRequired(), not_in_future(IN_FUTURE)]
    )
    note = note_field()

    def validate_given(self, field) -> None:
        if not field.data and not self.seen.data:
            raise ValidationError(_l("Choose what was given or done, or what was seen."))

    def validate_handover_venue_id(self, field) -> None:
        if "handover" in (self.given.data or []) and not field.data:
            raise ValidationError(_l("Choose the Safe Haven they were handed over to."))

    def values(self) -> dict:
        """The validated values, as the Contact model stores them."""
        given = [code for code in GIVEN if code in self.given.data]
        services = list(self.services.data)
        if services and "signposted" not in given:
            given.append("signposted")
        handover = self.handover_venue_id.data or None
        if handover and "handover" not in given:
            given.append("handover")
        return {
            "at": to_utc(self.at.data),
            "people": self.people_more.data or self.people.data or 1,
            "age_band": self.age_band.data or None,
            "gender": self.gender.data or None,
            "seen": [code for code in SEEN if code in self.seen.data],
            "given": given,
            "services": services,
            "handover_venue_id": handover,
            "area_id": self.area_id.data or None,
            "street": (self.street.data or "").strip(),
            "latitude": rounded(self.latitude.data),
            "longitude": rounded(self.longitude.data),
            "note": (self.note.data or "").strip(),
        }


class EndPatrolForm(FlaskForm):
    ended_at = DateTimeLocalField(
        _l("End time"), format=LOCAL_MINUTE, validators=[DataRequired(), not_in_future(IN_FUTURE)]
    )
    note = note_field()


def tally_fields(names: list[str]) -> list[tuple[str, str]]:
    """Form field names for the scheme's tallies: tally_0, tally_1, ..."""
    return [(f"tally_{i}", name) for i, name in enumerate(names)]


def end_form(scheme, **kwargs) -> EndPatrolForm:
    """The end-of-patrol form with a number field for each of the scheme's tallies."""
    names = scheme.tallies

    class Form(EndPatrolForm):
        pass

    for field_name, label in tally_fields(names):
        setattr(
            Form,
            field_name,
            IntegerField(
                label,
                default=0,
                validators=[Optional(), NumberRange(min=0, max=10000)],
                render_kw={"inputmode": "numeric"},
            ),
        )
    return record_times_from(Form(**kwargs), scheme)


def areas(scheme_id: int) -> list[PatrolArea]:
    """A scheme's patrol areas in the coordinator's order."""
    stmt = select(PatrolArea).filter_by(scheme_id=scheme_id)
    return list(db.session.scalars(stmt.order_by(PatrolArea.position, PatrolArea.name)))


def area_choices(scheme_id: int) -> list:
    """The areas a form offers, "no particular area" first; only their ids and names read."""
    stmt = select(PatrolArea.id, PatrolArea.name).filter_by(scheme_id=scheme_id)
    found = db.session.execute(stmt.order_by(PatrolArea.position, PatrolArea.name)).tuples()
    return options([(0, _l("No particular area")), *found])


def start_form_for(user, **kwargs) -> StartPatrolForm:
    """The start form with the teams this person leads, their members and the areas.

    The page and the sync API both build it here, so both offer and accept the same."""
    form = StartPatrolForm(**kwargs)
    teams = [t for t in db.session.scalars(teams_for(user).order_by("name")) if leads(user, t.id)]
    form.team_id.choices = options((t.id, t.name) for t in teams)
    members = db.session.scalars(
        select(User)
        .join(TeamMember)
        .where(TeamMember.team_id.in_([t.id for t in teams]), User.active.is_(True))
        .order_by(User.name)
        .distinct()
    ).all()
    form.pastors.choices = options((p.id, p.name) for p in members)
    form.area_id.choices = area_choices(user.scheme_id)
    form.members = {p.id: p for p in members}
    return record_times_from(form, user.scheme)


def contact_form_for(user, **kwargs) -> ContactForm:
    """The contact form with the scheme's areas, directory and Safe Havens.

    Nothing in it depends on the patrol, so one offline copy serves every patrol."""
    form = ContactForm(**kwargs)
    form.services.choices = options(directory_options(user.scheme_id))
    havens = select(Venue.id, Venue.name).filter_by(scheme_id=user.scheme_id, status="active")
    form.handover_venue_id.choices = options(
        [(0, _l("Not handed over")), *db.session.execute(havens.order_by(Venue.name)).tuples()]
    )
    form.area_id.choices = area_choices(user.scheme_id)
    return record_times_from(form, user.scheme)
