"""Forms for signing in, passwords and managing people."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from accounts.passwords import PASSWORD_HINT, password_problem
from core.forms import CheckboxesField, email_format


def strong_password(_form, field) -> None:
    """WTForms validator for the password rules."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SignInForm(FlaskForm):
    username = StringField(
        _l("Username or email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        description=PASSWORD_HINT,
        validators=[DataRequired(), strong_password],
        render_kw={"autocomplete": "new-password", "minlength": 8},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class PersonForm(FlaskForm):
    # A person's name, told apart from a venue's or a team's: Polish and Ukrainian word them
    # differently (imię i nazwisko, імʼя; nazwa, назва).
    name = StringField(
        lazy_pgettext("person", "Name"), validators=[DataRequired(), Length(max=120)]
    )
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=80),
            Regexp(
                r"^[a-z0-9._-]+$",
                message=_l("Use lower-case letters, digits, dots, dashes or underscores."),
            ),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    email = EmailField(
        _l("Email (optional)"), validators=[Optional(), Length(max=254), email_format()]
    )
    roles = CheckboxesField(_l("Roles"))
    venues = CheckboxesField(_l("Venues (for venue staff)"), coerce=int)
    teams = CheckboxesField(_l("Teams (for Street Pastors)"), coerce=int)
    leads = CheckboxesField(_l("Team leader of"), coerce=int)
    active = BooleanField(_l("Can sign in"), default=True)


PIN_PATTERN = r"^[0-9]{4,8}$"


class EnrolmentForm(FlaskForm):
    name = StringField(
        _l("Name of the device"),
        description=_l("So you can tell devices apart, e.g. Bar tablet or Friday team phone."),
        validators=[DataRequired(), Length(max=80)],
    )
    # "venue:<id>" or "team:<id>": one list for both, grouped by the template.
    target = SelectField(_l("For"), validators=[DataRequired()])


class PinForm(FlaskForm):
    pin = PasswordField(
        _l("New PIN"),
        description=_l("4 to 8 digits. Only for signing in on your venue's tablet."),
        validators=[DataRequired(), Regexp(PIN_PATTERN, message=_l("Use 4 to 8 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New PIN again"),
        id="pin-confirm",  # the password form on the same page has a "confirm" too
        validators=[DataRequired(), EqualTo("pin", message=_l("The two PINs do not match."))],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password"},
    )


class PinSignInForm(FlaskForm):
    person = RadioField(_l("Who are you?"), coerce=int)
    pin = PasswordField(
        _l("PIN"),
        validators=[DataRequired(), Regexp(PIN_PATTERN, message=_l("Use 4 to 8 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
