"""What tests/test_translations.py does not see in a catalogue: English left in by accident,
a first plural form that drops the number where the language uses it for 21 too, the
plural rule itself, and each language's own letters.

tests/test_translations.py checks every catalogue in LANGUAGES for gaps, fuzzy and
obsolete entries, the number of plural forms and placeholders.
"""

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations

from core.i18n import LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LOCALES = sorted(code for code in LANGUAGES if code != "en_GB")
NUMBER = re.compile(r"%\(num\)d")

# Words that are the same in English and in the translation, by right: names kept in
# English (translations/glossary.md), and words the language shares with English.
SAME_EVERYWHERE = {"Ask for Angela", "Safe Haven", "Street Pastor", "Street Pastors", "PIN"}
SAME = {
    "pl": {"Format", "Hotel", "Link", "Menu", "Partner", "Patrol", "Status"},
    "ro": {"%(num)d contact", "Contact", "Format", "Hotel", "Link", "Restaurant", "Status"}
    | {"text"},
    "uk": set(),
}
# English words that no translation has, outside the names above.
ENGLISH = re.compile(r"\b(the|and|with|your|this|is|of|you|for|from|not)\b", re.IGNORECASE)


def catalogue(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def left_in_english(cat: Catalog, same: set[str]) -> list[str]:
    """Translations that are their msgid, or that have an English word in them."""
    found = []
    for message in cat:
        if not message.id:
            continue
        for text in texts(message):
            unnamed = text
            for name in SAME_EVERYWHERE:
                unnamed = unnamed.replace(name, "")
            kept = text in ids(message) and re.search("[A-Za-z]", text)  # not "18–24"
            if (kept and text not in same | SAME_EVERYWHERE) or ENGLISH.search(unnamed):
                found.append(text)
    return found


def first_form_serves_more_than_one(locale: str) -> bool:
    plural = gettext.c2py(get_plural(locale).plural_expr)
    return any(plural(n) == 0 for n in range(2, 1000))


def dropped_numbers(cat: Catalog) -> list[str]:
    """Plural messages whose first form has no number: wrong where it also says 21."""
    return [
        texts(m)[0]
        for m in cat
        if m.id and m.pluralizable and NUMBER.search(m.id[1]) and not NUMBER.search(texts(m)[0])
    ]


# --- the checks on made-up catalogues, so we know they can fail ---


def made_up(messages) -> Catalog:
    cat = Catalog(locale="uk")
    for msgid, string in messages:
        cat.add(msgid, string)
    return cat


def test_the_english_check_finds_english():
    cat = made_up([("Sign in", "Sign in"), ("Save", "Save the visit"), ("Hotel", "Hotel")])
    assert left_in_english(cat, {"Hotel"}) == ["Sign in", "Save the visit"]
    assert left_in_english(made_up([("Safe Haven", "Safe Haven")]), set()) == []


def test_the_number_check_finds_a_dropped_number():
    one = ("%(num)d visit", "%(num)d visits")
    cat = made_up([(one, ("один візит", "%(num)d візити", "%(num)d візитів"))])
    assert dropped_numbers(cat) == ["один візит"]
    assert first_form_serves_more_than_one("uk") and not first_form_serves_more_than_one("pl")


# --- the real catalogues ---


@pytest.mark.parametrize("locale", LOCALES)
def test_nothing_is_left_in_english(locale):
    assert left_in_english(catalogue(locale), SAME[locale]) == []


@pytest.mark.parametrize(
    "locale", [code for code in LOCALES if first_form_serves_more_than_one(code)]
)
def test_the_first_plural_form_keeps_the_number_where_it_serves_21(locale):
    assert dropped_numbers(catalogue(locale)) == []


@pytest.mark.parametrize(
    ("locale", "forms"),
    [
        # One (1); few (0, 2-19, 101-119: "2 vizite"); other (20-100: "20 de vizite").
        ("ro", {0: 1, 1: 0, 2: 1, 19: 1, 20: 2, 21: 2, 100: 2, 101: 1, 119: 1, 120: 2}),
        # One (1, 21, 101, not 11); few (2-4, 22-24, not 12-14); many (0, 5-20, 11-14, 25...).
        ("uk", {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 14: 2, 21: 0, 22: 1, 25: 2, 111: 2}),
    ],
)
def test_plural_forms(locale, forms):
    plural = Translations.load(str(TRANSLATIONS), [locale]).plural
    assert {n: plural(n) for n in forms} == forms


def test_romanian_has_comma_below_letters():
    cedilla = [t for m in catalogue("ro") if m.id for t in texts(m) if re.search("[şţŞŢ]", t)]
    assert cedilla == []  # ș and ț, not the Turkish ş and ţ


def test_ukrainian_letters_and_apostrophe():
    wrong = [
        t
        for m in catalogue("uk")
        if m.id
        for t in texts(m)
        # Letters Ukrainian does not have, and an apostrophe other than the ʼ CLDR's dates use.
        if re.search("[ыэъёЫЭЪЁ]", t) or re.search("[а-яіїєґА-ЯІЇЄҐ]['’`][а-яіїєґ]", t)
    ]
    assert wrong == []
