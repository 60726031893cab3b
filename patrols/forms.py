"""Forms for patrols and contacts: the one place each is validated, for the page and for sync."""

from collections import Counter
from datetime import timedelta

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
    ItemChips,
    not_in_future,
    note_field,
    options,
    record_times_from,
)
from core.schema import SchemaForm
from core.timeutil import to_utc, utcnow
from extensions import db
from lists import items as lists
from patrols.access import teams_for
from patrols.choices import LISTS, OWN_LISTS, PEOPLE_CHOICES
from patrols.models import Contact, Patrol, PatrolArea, Team
from patrols.schema import (
    CONTACT,
    IN_FUTURE,
    ContactContext,
    contact_context,
    contact_values,
)
from patrols.services import leads


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
        teams = {choice.value for choice in self.team_id.choices or ()}
        if self.team_id.data not in teams:
            return  # the team's own error says what is wrong
        members = select(TeamMember.user_id).filter_by(team_id=self.team_id.data)
        if not set(field.data) <= set(db.session.scalars(members)):
            raise ValidationError(_l("Choose only pastors from this team."))

    def values(self) -> dict:
        return {
            "team_id": self.team_id.data,
            "area_id": self.area_id.data or None,
            "route": (self.route.data or "").strip(),
            "started_at": to_utc(self.started_at.data),
        }


class ContactForm(SchemaForm, FlaskForm):
    """The contact page's fields, for rendering; a contact's rules are patrols.schema.CONTACT."""

    schema = CONTACT

    id = HiddenField()
    given = ItemChips(_l("Given or done"))  # the scheme's own list: lists.items.fill
    people = RadioField(
        _l("How many people"),
        coerce=int,
        choices=options((n, str(n)) for n in PEOPLE_CHOICES),
        default=1,
        validate_choice=False,
    )
    people_more = IntegerField(_l("More than 6"), render_kw={"inputmode": "numeric"})
    seen = ItemChips(_l("What was seen"))
    age_band = RadioField(_l("Age (where obvious)"), validate_choice=False)
    gender = RadioField(_l("Gender (where obvious)"), validate_choice=False)
    services = CheckboxesField(_l("Signposted to"), coerce=int, validate_choice=False)
    handover_venue_id = SelectField(_l("Handed over to"), coerce=int, validate_choice=False)
    area_id = SelectField(_l("Area"), coerce=int, validate_choice=False)
    street = StringField(_l("Street (optional)"))
    latitude = FloatField(widget=HiddenField.widget)
    longitude = FloatField(widget=HiddenField.widget)
    at = DateTimeLocalField(_l("Time"), format=LOCAL_MINUTE)
    note = note_field(validators=[])

    def values(self) -> dict:
        """The validated values, as the Contact model stores them."""
        return contact_values(self.checked, self.context.scheme_id)


class EndPatrolForm(FlaskForm):
    ended_at = DateTimeLocalField(
        _l("End time"), format=LOCAL_MINUTE, validators=[DataRequired(), not_in_future(IN_FUTURE)]
    )
    note = note_field()
    tally_names: list[str] = []  # the scheme's, set by end_form

    def tally_inputs(self) -> list:
        """The scheme's tally fields, in its order."""
        return [getattr(self, name) for name, _label in tally_fields(self.tally_names)]

    def values(self) -> dict:
        """The end time, each tally by its name (0 where none was given) and the note."""
        fields = tally_fields(self.tally_names)
        return {
            "ended_at": to_utc(self.ended_at.data),
            "tallies": {label: getattr(self, name).data or 0 for name, label in fields},
            "note": (self.note.data or "").strip(),
        }


def tally_fields(names: list[str]) -> list[tuple[str, str]]:
    """Form field names for the scheme's tallies: tally_0, tally_1, ..."""
    return [(f"tally_{i}", name) for i, name in enumerate(names)]


def end_form(scheme, **kwargs) -> EndPatrolForm:
    """The end-of-patrol form with a number field for each of the scheme's tallies."""
    names = scheme.tallies

    class Form(EndPatrolForm):
        tally_names = names

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


def use_counts(scheme_id: int, name: str) -> Counter | None:
    """How often each item of a contact list was chosen by the scheme's teams in the last
    90 days; None when the scheme keeps the list in the coordinator's order."""
    if not lists.by_use(scheme_id, name):
        return None
    column = Contact.given if name == "given" else Contact.seen
    since = utcnow() - timedelta(days=lists.USE_DAYS)
    return lists.tally(
        db.session.scalars(
            select(column)
            .join(Patrol, Patrol.id == Contact.patrol_id)
            .join(Team, Team.id == Patrol.team_id)
            .where(Team.scheme_id == scheme_id, Contact.at >= since)
        )
    )


def contact_form_for(
    user, context: ContactContext | None = None, by_use: bool = False, **kwargs
) -> ContactForm:
    """The contact form with the scheme's lists, areas, directory and Safe Havens; a page
    (`by_use`) offers a scheme's own list commonest first if the scheme asks so.

    Nothing in it depends on the patrol, so one offline copy serves every patrol. The page
    and the sync API both build it here (the rules themselves are patrols.schema.CONTACT)."""
    form = ContactForm(**kwargs)
    context = context or contact_context(user)
    form.services.choices = options(context.services.items())
    form.handover_venue_id.choices = options(
        [(0, _l("Not handed over"))] + list(context.havens.items())
    )
    form.area_id.choices = options([(0, _l("No particular area"))] + list(context.areas.items()))
    by = use_counts if by_use else None
    lists.fill_form(form, context.scheme_id, LISTS, OWN_LISTS, by)
    form.earliest = context.earliest
    return form.bind(context)
