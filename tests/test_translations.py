"""Every catalogue: complete, in step with the code, placeholders intact, and served.

The catalogue is checked against a fresh extraction from the code, made with the same
settings as the command in docs/translations.md:

    pybabel extract -F babel.cfg \
        -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
        --add-comments=Translators: --ignore-dirs=".* ._ tests instance" \
        --no-location --sort-output -o /tmp/messages.pot .
"""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations
from sqlalchemy import select

from accounts.models import User
from core.i18n import LANGUAGES
from extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
SOURCE = "en_GB"  # the language the code is written in
LOCALES = sorted(code for code in LANGUAGES if code != SOURCE)

EXTRACT = [
    "extract",
    "-F",
    str(ROOT / "babel.cfg"),
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "-k",
    "lazy_ngettext:1,2",
    "-k",
    "lazy_pgettext:1c,2",
    "--add-comments=Translators:",
    # Replaces Babel's default ".* ._", so those stay listed: .* keeps out .venv and .git.
    "--ignore-dirs=.* ._ tests instance",
    "--no-location",
    "--sort-output",
]

# A printf-style conversion: %(name)s, %(count)d, %s, %.1f, or a literal %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def run_pybabel(*args: str) -> None:
    """Run a pybabel command in this process, failing the test if it reports an error."""
    status = CommandLineInterface().run(["pybabel", "-q", *args])
    assert not status, f"pybabel {' '.join(args)} failed"


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def key(message) -> tuple:
    """How a message is told apart: its msgid (with plural) and its context."""
    return (message.id, message.context)


def show(message_key: tuple) -> str:
    msgid, context = message_key
    text = " | ".join(msgid) if isinstance(msgid, tuple) else msgid
    return f"{context}: {text!r}" if context else repr(text)


def forms(message) -> list[str]:
    """The translated text of a message, as a list with one entry per plural form."""
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def catalogue_problems(template: Catalog, catalogue: Catalog, nplurals: int) -> list[str]:
    """Every way the catalogue is out of step with the template, one line each."""
    problems = []
    if catalogue.num_plurals != nplurals:
        problems.append(f"Plural-Forms header: nplurals={catalogue.num_plurals}, not {nplurals}")
    if catalogue.fuzzy:
        problems.append("the catalogue header is marked fuzzy")
    wanted = {key(m): m for m in template if m.id}
    have = {key(m): m for m in catalogue if m.id}
    for k in sorted(wanted.keys() - have.keys(), key=show):
        problems.append(f"missing: {show(k)}")
    for k in sorted(wanted.keys() & have.keys(), key=show):
        message = have[k]
        if message.fuzzy:
            problems.append(f"fuzzy: {show(k)}")
        texts = forms(message)
        if message.pluralizable and len(texts) != nplurals:
            problems.append(f"needs {nplurals} plural forms, has {len(texts)}: {show(k)}")
        if not all(text and text.strip() for text in texts):
            problems.append(f"untranslated: {show(k)}")
    for k in sorted(have.keys() - wanted.keys(), key=show):
        problems.append(f"no longer in the code (remove it): {show(k)}")
    for k in sorted(catalogue.obsolete, key=lambda i: show((i, None))):
        problems.append(f"obsolete #~ entry (remove it): {show((k, None))}")
    return problems


def placeholders(text: str) -> set[str]:
    """The conversions in a string, plus '%' for a stray percent sign that is none."""
    found = set(PLACEHOLDER.findall(text))
    if "%" in PLACEHOLDER.sub("", text):
        found.add("%")
    return found


def placeholder_problems(catalogue: Catalog) -> list[str]:
    """Translations whose %(name)s placeholders differ from those of their msgid."""
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        texts = forms(message)
        if message.pluralizable:
            singular, plural = (placeholders(i) for i in message.id)
            # The first form may drop the number ("one visit"); the others are for n != 1.
            expected = [singular | plural] + [plural] * (len(texts) - 1)
            for index, (text, allowed) in enumerate(zip(texts, expected, strict=True)):
                if not text:
                    continue  # reported as untranslated by the completeness check
                got = placeholders(text)
                bad = got - allowed if index == 0 else got ^ allowed
                if bad or (index == 0 and singular - got):
                    problems.append(f"{show(key(message))} form {index}: {sorted(got)}")
        else:
            for text in texts:
                if text and placeholders(text) != placeholders(message.id):
                    problems.append(
                        f"{show(key(message))}: {sorted(placeholders(text))}"
                        f" != {sorted(placeholders(message.id))}"
                    )
    return problems


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Catalog:
    """A fresh extraction of every marked string in the code."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    run_pybabel(*EXTRACT, "-o", str(pot), str(ROOT))
    return read_catalogue(pot)


# --- the checks themselves, on small made-up catalogues, so we know they can fail ---


def synthetic(messages: list, locale: str | None = "pl") -> Catalog:
    catalogue = Catalog(locale=locale, fuzzy=False)
    for msgid, string, flags in messages:
        catalogue.add(msgid, string, flags=flags)
    return catalogue


def test_the_completeness_check_finds_every_kind_of_gap():
    template = synthetic(
        [
            ("Sign in", "", ()),
            ("Missing", "", ()),
            ("Empty", "", ()),
            ("Fuzzy", "", ()),
            (("%(num)d visit", "%(num)d visits"), ("", ""), ()),
        ],
        locale=None,
    )
    catalogue = synthetic(
        [
            ("Sign in", "Zaloguj się", ()),
            ("Empty", "", ()),
            ("Fuzzy", "Niepewne", ("fuzzy",)),
            (("%(num)d visit", "%(num)d visits"), ("%(num)d wizyta", "%(num)d wizyty", ""), ()),
            ("Gone from the code", "Usunięte", ()),
        ]
    )
    catalogue.obsolete["Old"] = Message("Old", "Stare")
    assert catalogue_problems(template, catalogue, 3) == [
        "missing: 'Missing'",
        "untranslated: '%(num)d visit | %(num)d visits'",
        "untranslated: 'Empty'",
        "fuzzy: 'Fuzzy'",
        "no longer in the code (remove it): 'Gone from the code'",
        "obsolete #~ entry (remove it): 'Old'",
    ]


def test_the_completeness_check_passes_a_complete_catalogue():
    template = synthetic([("Sign in", "", ())], locale=None)
    catalogue = synthetic([("Sign in", "Zaloguj się", ())])
    assert catalogue_problems(template, catalogue, 3) == []
    assert catalogue_problems(template, catalogue, 2) == ["Plural-Forms header: nplurals=3, not 2"]


def test_the_placeholder_check_finds_changed_placeholders():
    catalogue = synthetic(
        [
            ("Hello, %(name)s", "Witaj, %(imie)s", ()),
            ("%(count)d left", "Zostało: %(count)s", ()),
            ("Ready", "Gotowe w 100%", ()),
            ("Fine, %(name)s", "Dobrze, %(name)s", ()),
            (("One visit", "%(num)d visits"), ("Jedna wizyta", "%(num)d wizyty", "wizyt"), ()),
        ]
    )
    assert placeholder_problems(catalogue) == [
        "'Hello, %(name)s': ['%(imie)s'] != ['%(name)s']",
        "'%(count)d left': ['%(count)s'] != ['%(count)d']",
        "'Ready': ['%'] != []",
        "'One visit | %(num)d visits' form 2: []",
    ]


# --- the real catalogue ---


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_every_string_translated(template, locale):
    catalogue = read_catalogue(po_path(locale), locale)
    problems = catalogue_problems(template, catalogue, get_plural(locale).num_plurals)
    assert problems == [], (
        "The catalogue is out of step with the code. Run the extract, update and compile "
        "commands in docs/translations.md, translate, and try again:\n  " + "\n  ".join(problems)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders(locale):
    catalogue = read_catalogue(po_path(locale), locale)
    assert placeholder_problems(catalogue) == []


def test_polish_plural_forms():
    # One (1), few (2-4, 22-24, 102-104, not 12-14), many (0, 5-21, 25-31, 111-114...).
    plural = Translations.load(str(TRANSLATIONS), ["pl"]).plural
    numbers = [0, 1, 2, 4, 5, 12, 14, 21, 22, 25, 102, 112]
    assert [plural(n) for n in numbers] == [2, 0, 1, 1, 2, 2, 2, 2, 1, 2, 1, 2]


# --- what people see ---


def page(client, path: str = "/signin", language: str | None = None) -> str:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_polish_browser_gets_polish(client):
    html = page(client, language="pl")
    assert '<html lang="pl"' in html
    assert "<h1>Zaloguj się</h1>" in html
    assert "Nazwa użytkownika lub e-mail" in html  # a lazily translated form label
    assert "Sign in" not in html


def test_a_polish_browser_with_other_languages_first_gets_polish(client):
    html = page(client, language="de-DE,de;q=0.9,pl;q=0.8")
    assert '<html lang="pl"' in html
    assert "<h1>Zaloguj się</h1>" in html


@pytest.mark.parametrize("language", ["en-GB", None, "de", "fr-FR,fr;q=0.9"])
def test_other_browsers_get_british_english(client, language):
    html = page(client, language=language)
    assert '<html lang="en-GB"' in html
    assert "<h1>Sign in</h1>" in html
    assert "Zaloguj" not in html


def test_an_error_page_is_translated(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "pl"})
    assert response.status_code == 404
    assert "Nie znaleziono strony" in response.get_data(as_text=True)


def test_a_chosen_language_beats_the_browser(app, client, auth, make_person):
    person = make_person("jadwiga", roles=["coordinator"])
    assert auth.login("jadwiga").status_code == 302
    assert '<html lang="en-GB"' in page(client, "/", language="en-GB")

    response = client.post(
        "/language",
        data={"csrf_token": auth.csrf("/account"), "language": "pl", "next": "/account"},
        headers={"Accept-Language": "en-GB"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    db.session.refresh(person)
    assert person.locale == "pl"

    for language in ["en-GB", "de", None]:
        html = page(client, "/", language=language)
        assert '<html lang="pl"' in html
        assert "Wyloguj się" in html

    # The choice belongs to the person, not the browser session: a new device has it too.
    other = app.test_client()
    assert (
        auth.login("jadwiga", headers={"Accept-Language": "en-GB"}, client=other).status_code == 302
    )
    assert '<html lang="pl"' in page(other, "/account", language="en-GB")
    assert "Moje konto" in page(other, "/account", language="en-GB")


def test_an_unknown_language_choice_is_ignored(client, auth, make_person):
    make_person("tomasz", roles=["partner"])
    assert auth.login("tomasz").status_code == 302
    client.post("/language", data={"csrf_token": auth.csrf(), "language": "xx"})
    assert db.session.scalar(select(User.locale).filter_by(username="tomasz")) is None
    assert '<html lang="en-GB"' in page(client, "/", language="en-GB")
