"""Forms for visits, venues, training, registrations and the directory.

VisitForm is the one place a visit is validated: the HTML form posts to it, and the
sync API feeds it each queued record, so both give the same errors in the same words.
"""

from collections import Counter
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from core.forms import (
    LOCAL_MINUTE,
    CheckboxesField,
    ItemChips,
    ItemRadios,
    PositionFields,
    email_format,
    latitude_field,
    longitude_field,
    note_field,
    options,
    phone_number,
)
from core.schema import SchemaForm
from core.timeutil import utcnow
from extensions import db
from havens.choices import LISTS, OWN_LISTS, PREMISES
from havens.hours import DAYS, span
from havens.models import Venue, Visit
from havens.schema import VISIT, VisitContext, visit_context, visit_values
from lists import items as lists

POSTCODE = r"^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$"


class VisitForm(SchemaForm, FlaskForm):
    """The visit page's fields, for rendering; a visit's rules are havens.schema.VISIT."""

    schema = VISIT

    id = HiddenField()
    venue_id = SelectField(_l("Venue"), coerce=int, validate_choice=False)
    # The Street Pastors' contact this visit continues, when they brought the person.
    contact_id = HiddenField()
    arrived_at = DateTimeLocalField(_l("Arrival time"), format=LOCAL_MINUTE)
    help = ItemChips(_l("Help given"))  # the scheme's own list: lists.items.fill
    services = CheckboxesField(_l("Signposted to"), coerce=int, validate_choice=False)
    age_band = RadioField(_l("Age"), validate_choice=False)
    gender = RadioField(_l("Gender (optional)"), validate_choice=False)
    company = RadioField(_l("Alone or with others"), validate_choice=False)
    left_how = ItemRadios(_l("How they left"))
    departed_at = DateTimeLocalField(_l("Departure time"), format=LOCAL_MINUTE)
    note = note_field(validators=[])

    def values(self) -> dict:
        """The validated values, as the Visit model stores them."""
        return visit_values(self.checked, self.context.scheme_id)


def visit_form_for(
    user, context: VisitContext | None = None, by_use: bool = False, **kwargs
) -> VisitForm:
    """The visit form with this person's venues and their scheme's directory and lists to
    choose from; a page (`by_use`) offers a scheme's own list commonest first if the
    scheme asks so. The page and the sync API both build it here, so both offer and accept
    the same (the rules themselves are havens.schema.VISIT)."""
    form = VisitForm(**kwargs)
    context = context or visit_context(user)
    form.venue_id.choices = options(context.venues.items())
    form.services.choices = options(context.services.items())
    by = use_counts if by_use else None
    lists.fill_form(form, context.scheme_id, LISTS, OWN_LISTS, by)
    form.earliest = context.earliest
    return form.bind(context)


def use_counts(scheme_id: int, name: str) -> Counter | None:
    """How often each item of a visit list was chosen at the scheme's venues in the last
    90 days; None when the scheme keeps the list in the coordinator's order."""
    if not lists.by_use(scheme_id, name):
        return None
    column = Visit.help if name == "help" else Visit.left_how
    since = utcnow() - timedelta(days=lists.USE_DAYS)
    return lists.tally(
        db.session.scalars(
            select(column)
            .join(Venue, Venue.id == Visit.venue_id)
            .where(Venue.scheme_id == scheme_id, Visit.arrived_at >= since)
        )
    )


class VisitFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    venue = SelectField(_l("Venue"), coerce=int, validators=[Optional()])
    help = SelectField(_l("Help given"), validators=[Optional()])  # choices: filter_form_for
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    q = StringField(_l("Note contains"), validators=[Optional(), Length(max=100)])


def filter_form_for(user, formdata) -> VisitFilterForm:
    """The visits' search form, offering every item of the scheme's help list."""
    form = VisitFilterForm(formdata)
    items = lists.items_for(user.scheme_id, "help")
    form.help.choices = options([("", _l("Any")), *((i.code, i.label) for i in items)])
    return form


class RegistrationForm(FlaskForm):
    business_name = StringField(_l("Business name"), validators=[DataRequired(), Length(max=120)])
    contact_name = StringField(_l("Contact name"), validators=[DataRequired(), Length(max=120)])
    contact_phone = StringField(
        _l("Contact phone"), validators=[Optional(), Length(max=40)], render_kw={"inputmode": "tel"}
    )
    contact_email = StringField(
        _l("Contact email"),
        validators=[DataRequired(), email_format(), Length(max=254)],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"),
        validators=[
            DataRequired(),
            Regexp(POSTCODE, message=_l("Enter a UK postcode such as TN1 1AA.")),
        ],
        render_kw={"autocapitalize": "characters"},
    )
    kind = SelectField(_l("Kind of premises"), choices=options(PREMISES))
    # Left empty by people; bots fill every field. Hidden from sight and from screen readers.
    website = StringField(_l("Leave this empty"), validators=[Optional()])


class DayHoursForm(Form):
    """One day's opening hours on the venue form: both times, or neither (closed)."""

    opens = TimeField(_l("Opens"), validators=[Optional()])
    closes = TimeField(_l("Closes"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if bool(self.opens.data) != bool(self.closes.data):
            message = _l("Give both times, or neither for a day it is closed.")
            self.closes.errors = [*self.closes.errors, message]
            return False
        return valid


class VenueForm(PositionFields, FlaskForm):
    def show_hours(self, hours: list | None) -> None:
        """Fill the days from a venue's stored hours, for a form not yet sent."""
        for day, entry in enumerate(self.weekly_hours.entries):
            found = span(hours, day)
            entry.opens.data, entry.closes.data = found if found else (None, None)

    def apply(self, venue) -> None:
        """Write the form's values to the venue."""
        for field in self:
            if field.name not in ("csrf_token", "weekly_hours"):
                setattr(venue, field.name, field.data)
        venue.postcode = (venue.postcode or "").upper()
        venue.weekly_hours = self.hours()
        found = self.position()
        if found is not None:  # to about a metre: a shop's door, not a GPS reading
            venue.latitude, venue.longitude = round(found[0], 5), round(found[1], 5)

    def hours(self) -> list | None:
        """The days as the venue stores them; None when no day has times."""
        days = [
            [e.opens.data.strftime("%H:%M"), e.closes.data.strftime("%H:%M")]
            if e.opens.data and e.closes.data
            else None
            for e in self.weekly_hours.entries
        ]
        return days if any(days) else None

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"),
        validators=[
            Optional(),
            Regexp(POSTCODE, message=_l("Enter a UK postcode such as TN1 1AA.")),
        ],
    )
    kind = SelectField(_l("Kind of premises"), choices=options(PREMISES))
    # Monday to Sunday; a closing time before the opening time runs past midnight.
    weekly_hours = FieldList(FormField(DayHoursForm), min_entries=DAYS, max_entries=DAYS)
    opening_hours = StringField(
        _l("Note on opening hours (optional)"), validators=[Optional(), Length(max=200)]
    )
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=120)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(
        _l("Contact email"),
        validators=[Optional(), email_format(), Length(max=254)],
    )
    # Where it is, for the maps and the public finder: a pin on the map fills these in.
    latitude = latitude_field()
    longitude = longitude_field()
    # Ask for Angela (action plan 5.17).
    ask_for_angela = BooleanField(_l("Takes part in Ask for Angela"))
    angela_briefed_on = DateField(
        _l("Staff last briefed on Ask for Angela"), validators=[Optional()]
    )

    def validate_angela_briefed_on(self, field) -> None:
        if field.data and field.data > utcnow().date() + timedelta(days=1):
            raise ValidationError(_l("A briefing cannot be recorded before it happens."))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"))
    reason = StringField(
        _l("Why"),
        validators=[DataRequired(message=_l("Say why the status changes.")), Length(max=300)],
    )


class TrainingForm(FlaskForm):
    person = SelectField(_l("Staff member"), coerce=int)
    trained_on = DateField(_l("Date trained"), validators=[DataRequired()])
    trainer = StringField(_l("Trainer"), validators=[DataRequired(), Length(max=120)])

    def validate_trained_on(self, field) -> None:
        if field.data and field.data > utcnow().date() + timedelta(days=1):
            raise ValidationError(_l("Training cannot be recorded before it happens."))


class ServiceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    purpose = TextAreaField(_l("What it is for"), validators=[Optional(), Length(max=300)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            phone_number(),
        ],
        render_kw={"inputmode": "tel"},
    )
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=200),
            URL(message=_l("Enter a full address starting https://")),
        ],
    )
    hours = StringField(_l("Hours"), validators=[Optional(), Length(max=200)])
    area = StringField(_l("Area"), validators=[Optional(), Length(max=120)])
    position = IntegerField(
        _l("Order in the list"), default=0, validators=[Optional(), NumberRange(min=0, max=999)]
    )
