"""The quarterly report's choice of quarter: a GET form that changes nothing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from core.forms import options

VIEWS = {
    "all": _l("Every number (coordinators only)"),
    "partner": _l("As partners see it"),
}


class QuarterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what to show

    year = IntegerField(
        _l("Year"),
        validators=[InputRequired(), NumberRange(min=2000, max=2100)],
        render_kw={"inputmode": "numeric"},
    )
    quarter = SelectField(
        _l("Quarter"),
        coerce=int,
        choices=options(
            [
                (1, _l("January to March")),
                (2, _l("April to June")),
                (3, _l("July to September")),
                (4, _l("October to December")),
            ]
        ),
        validators=[InputRequired()],
    )
    view = RadioField(_l("Show"), choices=options(VIEWS), default="all", validators=[Optional()])
