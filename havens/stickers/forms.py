"""Forms for printing and reissuing stickers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from core.forms import options
from havens.stickers.services import other_languages

SIZES = {
    "a5": _l("A5, one sticker a page"),
    "a6": _l("A6, one sticker a page"),
    "a4-4up": _l("A4 sheet of four A6 stickers"),
}
FILE_TYPES = {"pdf": "PDF", "svg": "SVG", "png": "PNG"}


class PrintForm(FlaskForm):
    """What to print: the size and the languages. Posted, as printing may issue a number."""

    size = SelectField(_l("Size"), default="a5")
    language = SelectField(_l("Languages"), default="")
    file_type = SelectField(_l("File"), default="pdf", choices=options(FILE_TYPES))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.size.choices = options(SIZES)
        both = [
            (code, _l("English and %(language)s", language=name))
            for code, name in other_languages().items()
        ]
        self.language.choices = options([("", _l("English only")), *both])


class ReissueForm(FlaskForm):
    reason = StringField(
        _l("Why"),
        validators=[DataRequired(message=_l("Say why the sticker is reissued.")), Length(max=300)],
    )
