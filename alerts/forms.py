"""Forms for a venue's call for help, a pastor's answer, and a coordinator's notice."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from alerts.choices import HELP_REASONS
from core.forms import options

ETA_MINUTES = (5, 10, 15, 20)
NOTICE_MAX = 200
AUDIENCES = {
    "team": _l("A team"),
    "venues": _l("All venues"),
    "on_duty": _l("Everyone on duty (pastors on patrol now)"),
}


class HelpRequestForm(FlaskForm):
    """What the venue needs: a reason from a fixed list, never free text."""

    reason = RadioField(
        _l("What do you need help with?"),
        choices=options(HELP_REASONS),
        validators=[InputRequired(message=_l("Choose what you need help with."))],
    )
    venue_id = SelectField(_l("Venue"), coerce=int)


class AcceptForm(FlaskForm):
    """A pastor's "on our way", with how soon."""

    eta = RadioField(
        _l("How soon can you be there?"),
        coerce=int,
        # Translators: the choices of how many minutes until a pastor arrives.
        choices=options((n, _l("About %(num)d minutes", num=n)) for n in ETA_MINUTES),
        validators=[InputRequired(message=_l("Choose how soon you can be there."))],
    )


class NoticeForm(FlaskForm):
    """A coordinator's short notice: who gets it, and a few words with no names."""

    audience = RadioField(
        _l("Send to"),
        choices=options(AUDIENCES),
        validators=[InputRequired(message=_l("Choose who gets the notice."))],
    )
    team_id = SelectField(_l("Team"), coerce=int)
    text = TextAreaField(
        _l("Notice"),
        validators=[
            DataRequired(message=_l("Write the notice.")),
            Length(max=NOTICE_MAX, message=_l("Keep the notice to 200 characters or fewer.")),
        ],
        render_kw={"maxlength": NOTICE_MAX, "rows": 3},
    )

    def validate_team_id(self, field) -> None:
        if self.audience.data == "team" and not field.data:
            raise ValidationError(_l("Choose the team."))
