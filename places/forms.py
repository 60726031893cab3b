"""Forms for unsafe-place reports (the public's, and the coordinators' triage) and EVAs.

ReportForm is the one place a report is validated: the page posts to it, and so does the
report outbox when it sends a report saved with no connection, so both get the same
errors in the same words.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from core.forms import (
    BAD_ID,
    LOCAL_MINUTE,
    NOTE_HINT,
    NOTE_MAX,
    NOTE_TOO_LONG,
    UUID,
    CheckboxesField,
    PositionFields,
    email_format,
    latitude_field,
    longitude_field,
    options,
)
from core.geo import rounded
from core.timeutil import london_today, to_utc
from places.choices import (
    ACTION_STATUSES,
    CATEGORIES,
    CHECKLIST,
    EVA_STATUSES,
    RATINGS,
    STATUSES,
    TIME_OF_DAY,
    TODAY,
    WHEN,
)

# How far back a report may reach: older places are still worth a word, but not a form.
OLDEST_DAYS = 366
# A pin is kept to four decimals, about 10 m: the place, not a doorstep.
PIN_DECIMALS = 4


class ReportForm(PositionFields, FlaskForm):
    """A member of the public's report of a place where they felt unsafe."""

    # Made by the page (and again by the outbox for each new report): a resend is one report.
    id = HiddenField(validators=[DataRequired(message=BAD_ID), Regexp(UUID, message=BAD_ID)])
    # Set by the map's pin or "use my location"; hidden, as nobody types them here.
    latitude = latitude_field(widget=HiddenField.widget)
    longitude = longitude_field(widget=HiddenField.widget)
    place = StringField(
        _l("Street or landmark"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    rough_time = RadioField(
        _l("When was it?"),
        choices=options(WHEN),
        validators=[DataRequired(message=_l("Choose when it was."))],
    )
    happened_on = DateField(_l("Which day?"), validators=[Optional()])
    time_of_day = RadioField(
        _l("What time of day? (optional)"), choices=options(TIME_OF_DAY), validators=[Optional()]
    )
    categories = CheckboxesField(_l("What made it feel unsafe?"), choices=options(CATEGORIES))
    description = TextAreaField(
        _l("Tell us more (optional)"),
        description=NOTE_HINT,
        validators=[Optional(), Length(max=NOTE_MAX, message=NOTE_TOO_LONG)],
        render_kw={"maxlength": NOTE_MAX, "rows": 4},
    )
    contact_me = BooleanField(_l("I would like to be contacted about this report"))
    email = StringField(
        _l("Your email address"),
        validators=[Optional(), email_format(), Length(max=254)],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )
    # Left empty by people; bots fill every field. Hidden from sight and from screen readers.
    website = StringField(_l("Leave this empty"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # What the reader did not mean to send is not checked: the day of a report about
        # today, and an email address they chose not to give.
        day = self.happened_on
        if self.rough_time.data in TODAY:
            day.errors = []
        elif day.data is None and not day.errors:
            day.errors = [_l("Choose the day, or the nearest you remember.")]
        if not self.contact_me.data:
            self.email.errors = []
        elif not (self.email.data or "").strip():
            self.email.errors = [_l("Give an email address, or untick being contacted.")]
        where = (self.latitude, self.longitude, self.place)
        if not any(f.errors for f in where) and not self.place_given() and not self.position():
            self.place.errors = [_l("Put a pin on the map, or type a street or landmark.")]
        return not self.errors

    def place_given(self) -> bool:
        return bool((self.place.data or "").strip())

    def validate_happened_on(self, field) -> None:
        if field.data is None or self.rough_time.data in TODAY:
            return  # no day (see validate), or today's, whatever the field says
        if field.data > london_today() + timedelta(days=1):
            raise ValidationError(_l("That day is in the future."))
        if field.data < london_today() - timedelta(days=OLDEST_DAYS):
            raise ValidationError(_l("Tell us about places from the last 12 months."))

    def validate_categories(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one thing that made it feel unsafe."))

    def values(self) -> dict:
        """The validated values, as the report stores them."""
        today = self.rough_time.data in TODAY
        return {
            "latitude": rounded(self.latitude.data, PIN_DECIMALS),
            "longitude": rounded(self.longitude.data, PIN_DECIMALS),
            "place": (self.place.data or "").strip(),
            "rough_time": self.rough_time.data,
            "happened_on": london_today() if today else self.happened_on.data,
            "time_of_day": self.time_of_day.data or None,
            "categories": [code for code in CATEGORIES if code in self.categories.data],
            "description": (self.description.data or "").strip(),
        }

    def contact_email(self) -> str | None:
        """The email address, only when they asked to be contacted."""
        return (self.email.data or "").strip() if self.contact_me.data else None


class FilterForm(FlaskForm):
    """The queue's and the map's filters."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    category = SelectField(_l("What made it feel unsafe"), validators=[Optional()])
    area = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    date_from = DateField(_l("Received from"), validators=[Optional()])
    date_to = DateField(_l("Received to"), validators=[Optional()])


def filter_form(args, areas) -> FilterForm:
    """The filters with the scheme's areas to choose from."""
    form = FilterForm(args)
    form.category.choices = options([("", _l("Any")), *CATEGORIES.items()])
    form.area.choices = options([(0, _l("Any area")), *((a.id, a.name) for a in areas)])
    form.status.choices = options(
        [("", _l("Any open status")), ("all", _l("Any status, closed too")), *STATUSES.items()]
    )
    return form


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"))
    reason = StringField(
        _l("Why"),
        validators=[DataRequired(message=_l("Say why the status changes.")), Length(max=300)],
    )


class MergeForm(FlaskForm):
    into = SelectField(_l("A duplicate of report"), coerce=str)


class AreaForm(FlaskForm):
    area_id = SelectField(_l("Patrol area"), coerce=int)


class FindingForm(Form):
    """One checklist item's finding."""

    rating = SelectField(_l("Finding"), choices=options(RATINGS), default="not_checked")
    note = StringField(_l("Notes"), validators=[Optional(), Length(max=300)])


class EvaForm(PositionFields, FlaskForm):
    place = StringField(
        _l("Place or area"),
        validators=[DataRequired(message=_l("Name the place or area.")), Length(max=200)],
    )
    area_id = SelectField(_l("Patrol area"), coerce=int, validators=[Optional()])
    latitude = latitude_field()
    longitude = longitude_field()
    walked_at = DateTimeLocalField(
        _l("Date and time"),
        format=LOCAL_MINUTE,
        validators=[InputRequired(message=_l("Give the date and time of the walk."))],
    )
    status = RadioField(_l("Status"), choices=options(EVA_STATUSES), default="planned")
    organisations = TextAreaField(
        _l("Organisations taking part, one per line"),
        description=_l("Organisations, not people's names."),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 4},
    )
    summary = TextAreaField(
        _l("Summary"),
        description=NOTE_HINT,
        validators=[Optional(), Length(max=NOTE_MAX, message=NOTE_TOO_LONG)],
        render_kw={"rows": 4, "maxlength": NOTE_MAX},
    )
    reports = CheckboxesField(_l("Reports this EVA answers"), coerce=str)

    def validate_organisations(self, field) -> None:
        if any(len(name) > 120 for name in self.organisation_list()):
            raise ValidationError(_l("Keep each organisation's name to 120 characters."))

    def organisation_list(self) -> list[str]:
        lines = (line.strip() for line in (self.organisations.data or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def findings(self) -> dict:
        return {
            code: {
                "rating": getattr(self, f"finding_{code}").rating.data,
                "note": (getattr(self, f"finding_{code}").note.data or "").strip(),
            }
            for code in CHECKLIST
        }

    def show_findings(self, findings: dict) -> None:
        """Fill the checklist from an EVA's stored findings, for a form not yet sent."""
        for code in CHECKLIST:
            entry = findings.get(code) or {}
            item = getattr(self, f"finding_{code}")
            item.rating.data = entry.get("rating", "not_checked")
            item.note.data = entry.get("note", "")

    def values(self) -> dict:
        return {
            "place": self.place.data.strip(),
            "area_id": self.area_id.data or None,
            "latitude": rounded(self.latitude.data, PIN_DECIMALS),
            "longitude": rounded(self.longitude.data, PIN_DECIMALS),
            "walked_at": to_utc(self.walked_at.data),
            "status": self.status.data,
            "organisations": self.organisation_list(),
            "summary": (self.summary.data or "").strip(),
            "findings": self.findings(),
        }


# One nested form per checklist item, named finding_<code>, labelled with the item.
for _code, _label in CHECKLIST.items():
    setattr(EvaForm, f"finding_{_code}", FormField(FindingForm, label=_label))


class ActionForm(FlaskForm):
    what = StringField(
        _l("Action"),
        validators=[DataRequired(message=_l("Say what is to be done.")), Length(max=300)],
    )
    owner = StringField(
        _l("Owner organisation"),
        description=_l("An organisation, not a person's name."),
        validators=[
            DataRequired(message=_l("Name the organisation that owns it.")),
            Length(max=120),
        ],
    )
    due_on = DateField(
        _l("Due by"), validators=[InputRequired(message=_l("Give the date it is due by."))]
    )

    def values(self) -> dict:
        return {
            "what": self.what.data.strip(),
            "owner": self.owner.data.strip(),
            "due_on": self.due_on.data,
        }


class ActionStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options(ACTION_STATUSES))
