"""Choosing the language and time zone for each request."""

from functools import cache

from babel import Locale
from flask import has_request_context, request, session
from flask_login import current_user

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
