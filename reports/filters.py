"""The GET forms of the export download and the audit log: they change nothing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from core.forms import options

FORMAT_NAMES = {
    "csv": _l("CSV files in a zip, with dictionary.csv"),
    "json": _l("One JSON file, with a dictionary key"),
    "sqlite": _l("A SQLite database, with a dictionary table"),
}


def not_before_start(form, field) -> None:
    """The end of a period may not come before its start."""
    if field.data and form.date_from.data and field.data < form.date_from.data:
        raise ValidationError(_l("The end date must not be before the start date."))


class ExportForm(FlaskForm):
    format = RadioField(_l("Format"), choices=options(FORMAT_NAMES), validators=[DataRequired()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional(), not_before_start])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    action = SelectField(_l("What was done"), validators=[Optional()])
    person = SelectField(_l("Who"), coerce=int, validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional(), not_before_start])
