"""The coordinator's forms for a scheme's lists."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from core.forms import options
from core.i18n import LANGUAGES
from lists.categories import CATEGORIES, FOR_LIST

LABEL_MAX = 60


class ArrangeForm(FlaskForm):
    """The list's order and hidden items come as one field per item (lists.views.arrange);
    this form carries the token and the list-wide choice."""

    by_use = BooleanField(_l("Offer the commonest first (by the last 90 days' use)"))


class ItemForm(FlaskForm):
    """An item's words in each language and its standard category."""

    category = SelectField(_l("Standard category"))

    def validate_category(self, field) -> None:
        if field.data not in CATEGORIES:
            raise ValidationError(_l("Choose a category from the list."))


def item_form(name: str, main: str, required: bool, **kwargs) -> ItemForm:
    """The item form for a list: a label per language, the main language's first and
    required for a new item (a default item without words keeps its translations)."""

    class Form(ItemForm):
        pass

    for locale in sorted(LANGUAGES, key=lambda code: code != main):
        setattr(
            Form,
            f"label_{locale}",
            StringField(
                _l("Label in %(language)s", language=LANGUAGES[locale]),
                validators=[Optional(), Length(max=LABEL_MAX)],
            ),
        )
    form = Form(**kwargs)
    form.category.choices = options((code, CATEGORIES[code]) for code in FOR_LIST[name])
    form.main = main
    form.required = required
    return form


def labels_of(form) -> dict[str, str]:
    """{locale: label} of the languages given words in the form."""
    found = {locale: (form[f"label_{locale}"].data or "").strip() for locale in LANGUAGES}
    return {locale: label for locale, label in found.items() if label}


def check_labels(form) -> bool:
    """A new item needs words in the scheme's main language; say so on that field."""
    if form.required and not labels_of(form).get(form.main):
        form[f"label_{form.main}"].errors = [_l("Give the item a label in this language.")]
        return False
    return True


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Main language"), choices=options(LANGUAGES.items()), validators=[Optional()]
    )
