"""Choosing the language and time zone for each request."""

from functools import cache

from babel import Locale, support
from flask import g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from wtforms.i18n import messages_path

# The languages Lantern speaks, each named in itself for the language menu.
LANGUAGES = {"en_GB": "English", "pl": "Polski", "ro": "Română", "uk": "Українська"}

# Languages written right to left; <html dir> follows the locale.
RTL = {"ar", "fa", "he", "ur"}


def select_locale() -> str:
    """The person's chosen language, then the browser's, then British English."""
    if not has_request_context():
        return "en_GB"  # the command line speaks the default language
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("language") in LANGUAGES:
        return session["language"]
    return request.accept_languages.best_match(LANGUAGES, default="en_GB")


def template_catalogue() -> support.NullTranslations:
    """The reader's catalogue for a template's texts, looked up once per request: a page has
    a hundred or more texts, and flask_babel's lookup (its context, domain, locale and cache
    key) cost more than translating them. Kept where flask_babel keeps it on its context
    (babel_translations), which its force_locale and refresh clear."""
    if not g:  # no app context: flask_babel's answer, untranslated
        return get_translations()
    found = getattr(g.get("_flask_babel"), "babel_translations", None)
    if found is None:
        found = get_translations()
        g._flask_babel.babel_translations = found
    return found


def install_template_gettext(env) -> None:
    """Templates translate through template_catalogue (in place of flask_babel's own
    callables, which look the catalogue up for every text)."""
    env.install_gettext_callables(
        gettext=lambda s: template_catalogue().ugettext(s),
        ngettext=lambda s, p, n: template_catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: template_catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def text_direction(locale: str) -> str:
    """'rtl' or 'ltr' for a locale."""
    return "rtl" if str(locale).split("_")[0] in RTL else "ltr"


@cache
def plural_samples(locale: str) -> dict[str, int]:
    """A whole number in each plural category the language uses for whole numbers (CLDR:
    one, few, many, other), for texts that scripts pick with Intl.PluralRules."""
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for n in range(200):
        samples.setdefault(rule(n), n)
    return samples


@cache
def wtforms_catalogue(locale: str) -> support.NullTranslations:
    """WTForms' own messages ("Not a valid choice.") in one language, read once."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages in the request's language, from catalogues read once per
    process. Flask-WTF reads the catalogue file again on every request that builds a form
    (any field without a label asks it), unless request.wtforms_translations is set."""

    def ugettext(self, string: str) -> str:
        return wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


def share_wtforms_messages() -> None:
    """Before each request: WTForms' messages come from WTFormsMessages."""
    # The attribute Flask-WTF (flask_wtf/i18n.py) looks for before reading the file.
    request.wtforms_translations = WTFORMS_MESSAGES  # type: ignore[attr-defined]
