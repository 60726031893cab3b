"""The form kit every domain shares: option lists, checkboxes, phone and email checks,
and what every record carries (its id made on the device, its note, its local times).

Small documented validators that belong to no domain, as Indico keeps web/forms/validators.py.
"""

import re
from collections.abc import Callable
from datetime import timedelta

from flask_babel import get_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import FloatField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.timeutil import to_utc, utcnow

# A record's id, made on the device that first saved it (a version 4 UUID, lower case).
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
BAD_ID = _l("This record has no valid id.")
# The format of a datetime-local field, to the minute, in London time.
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
# A device clock a little ahead of the server's is not an error.
CLOCK_SKEW = timedelta(minutes=10)
# How long before its scheme began a record may be dated (core.forms.record_times_from).
BEFORE_SCHEME = timedelta(days=1)
TOO_EARLY = _l("That time is before your scheme started using Lantern. Check the date.")

NOTE_MAX = 500
NOTE_TOO_LONG = lazy_ngettext(
    "Keep the note to %(num)d character or fewer.",
    "Keep the note to %(num)d characters or fewer.",
    NOTE_MAX,
)
NOTE_HINT = lazy_ngettext(
    "Do not write names, phone numbers or addresses. At most %(num)d character.",
    "Do not write names, phone numbers or addresses. At most %(num)d characters.",
    NOTE_MAX,
)


def is_uuid(value: str) -> bool:
    """True for a record id in the form devices make them."""
    return re.fullmatch(UUID, value) is not None


def options(pairs) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field, from (value, label) pairs or a dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes: easier to tap than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# A code a scheme's list never had (lists.items): the field error, in the reader's language.
NOT_ON_LIST = _l("“%(value)s” is not on your scheme's list.")


class ListItemsMixin:
    """A field offering a scheme's list (lists.items.fill): a hidden item is shown only
    where a record already has it. What is accepted is the schema's (core.schema)."""

    hidden_values: frozenset = frozenset()

    def iter_choices(self):
        choices = super().iter_choices()
        return [c for c in choices if c.selected or c.value not in self.hidden_values]


class ItemChips(ListItemsMixin, CheckboxesField):
    """Checkboxes of a scheme's list."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)


class ItemRadios(ListItemsMixin, RadioField):
    """Radio buttons of a scheme's list."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)


# Chips rendered once: each option's input, unchecked and checked, with its label.
# Rendering every option through WTForms and a Jinja macro on each request was most of a
# form's server time. The key holds the language and every value and label, so an edited
# list (the directory, a scheme's own lists) is a new key: no worker can serve an old one,
# and nothing has to be told of the edit. A label still to be translated (lazy_gettext)
# counts by identity, as translating it costs more than the rest of the lookup: its
# translation depends only on it and the language. The entry keeps those labels alive,
# so no other object can take their identity while the key stands.
_CHIPS: dict[tuple, tuple[list, list[tuple[Markup, Markup]]]] = {}
CHIPS_KEPT = 500  # keys at most; an edit leaves its old key behind, so the cache is capped
CHIP = Markup('\n    <label class="chip">{}<span>{}</span></label>')


def chip_options(field) -> Markup:
    """The options of a radio or checkbox field as chips, the checked ones checked."""
    choices = list(field.iter_choices())
    key = (
        str(get_locale()),
        type(field.meta),
        type(field),
        field.name,
        field.id,
        repr(field.render_kw),
        tuple(
            (c.value, c.label if isinstance(c.label, str) else id(c.label), repr(c.render_kw))
            for c in choices
        ),
    )
    entry = _CHIPS.get(key)
    if entry is None:
        rendered = []
        for option in field:
            label = option.label.text
            option.checked = False
            unchecked = CHIP.format(option(), label)
            option.checked = True
            rendered.append((unchecked, CHIP.format(option(), label)))
        if len(_CHIPS) >= CHIPS_KEPT:
            _CHIPS.clear()
        entry = _CHIPS[key] = ([c.label for c in choices], rendered)
    pairs = zip(choices, entry[1], strict=True)
    return Markup("").join(on if c.selected else off for c, (off, on) in pairs)


def phone_number() -> Regexp:
    """The characters a phone number is written with; any length or layout."""
    return Regexp(r"^[0-9 +()-]+$", message=_l("Use only digits, spaces, brackets, dashes and +."))


def email_format() -> Regexp:
    """A light check of an email address's shape; nothing here sends mail."""
    return Regexp(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        message=_l("Enter an email address such as name@example.org."),
    )


def not_in_future(message) -> Callable:
    """A validator for a record's London time: a little ahead is a drifting clock, more is
    an error (`message`); and a time more than a day before the person's scheme began is
    an error too. The form's builder says when that was (record_times_from)."""

    def check(form, field) -> None:
        if not field.data:
            return
        try:
            moment = to_utc(field.data)
        except OverflowError:  # the first hours of year 1: out of any range
            raise ValidationError(TOO_EARLY) from None
        if moment > utcnow() + CLOCK_SKEW:
            raise ValidationError(message)
        if moment < form.earliest:
            raise ValidationError(TOO_EARLY)

    return check


def record_times_from(form, scheme):
    """Let a record form accept times from a day before the scheme began (records kept on
    paper the night before it went live), never earlier. Returns the form."""
    form.earliest = scheme.created_at - BEFORE_SCHEME
    return form


def note_field(validators=None) -> TextAreaField:
    """The free-text note every record may carry: short, and never a name. A form whose
    rules are a schema (core.schema) passes validators=[]: the schema checks the length."""
    return TextAreaField(
        _l("Note"),
        description=NOTE_HINT,
        validators=[Length(max=NOTE_MAX, message=NOTE_TOO_LONG)]
        if validators is None
        else validators,
        render_kw={"maxlength": NOTE_MAX, "rows": 3},
    )


def latitude_field(label=None, **kwargs) -> FloatField:
    """A latitude in decimal degrees (51.1324), optional; see PositionFields."""
    message = _l("A latitude is a number from -90 to 90, such as 51.1324.")
    return FloatField(
        label or _l("Latitude"),
        validators=[Optional(), NumberRange(min=-90, max=90, message=message)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        **kwargs,
    )


def longitude_field(label=None, **kwargs) -> FloatField:
    """A longitude in decimal degrees (0.2637), optional; see PositionFields."""
    message = _l("A longitude is a number from -180 to 180, such as 0.2637.")
    return FloatField(
        label or _l("Longitude"),
        validators=[Optional(), NumberRange(min=-180, max=180, message=message)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        **kwargs,
    )


class PositionFields:
    """For a form with `latitude` and `longitude` fields: a place on the map is both
    coordinates or neither. Put it before FlaskForm among the bases."""

    latitude: FloatField
    longitude: FloatField

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        lat, lng = self.latitude, self.longitude
        if lat.errors or lng.errors or (lat.data is None) == (lng.data is None):
            return valid
        missing = lng if lng.data is None else lat
        missing.errors = [
            *missing.errors,
            _l("Give both the latitude and the longitude, or neither."),
        ]
        return False

    def position(self) -> tuple[float, float] | None:
        """The (latitude, longitude) given, or None."""
        if self.latitude.data is None or self.longitude.data is None:
            return None
        return self.latitude.data, self.longitude.data
