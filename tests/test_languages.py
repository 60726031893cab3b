"""Romanian and Ukrainian beside English and Polish: chosen, matched to the browser, and
served everywhere the interface speaks (pages, error pages, the scripts' texts, pushes)."""

import json
import re
import shutil
import subprocess

import pytest
from flask import render_template_string
from flask_babel import force_locale

from alerts.models import Alert
from alerts.texts import words
from core.i18n import LANGUAGES, plural_samples
from extensions import db


def page(client, path: str, language: str | None) -> str:
    headers = {"Accept-Language": language} if language else {}
    return client.get(path, headers=headers).get_data(as_text=True)


def test_each_language_is_named_in_itself(client):
    assert LANGUAGES == {
        "en_GB": "English",
        "pl": "Polski",
        "ro": "Română",
        "uk": "Українська",
    }
    html = page(client, "/signin", "de")
    for code, name in [("pl", "Polski"), ("ro", "Română"), ("uk", "Українська")]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in html


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("ro", "ro", "Conectați-vă"),
        ("ro-RO", "ro", "Conectați-vă"),
        ("de-DE,de;q=0.9,ro;q=0.8", "ro", "Conectați-vă"),
        ("uk", "uk", "Увійти"),
        ("uk-UA", "uk", "Увійти"),
        ("uk-UA,uk;q=0.9,en;q=0.5", "uk", "Увійти"),
        ("en-GB,ro;q=0.5", "en-GB", "Sign in"),
    ],
)
def test_the_browser_language_is_matched(client, accept, lang, heading):
    html = page(client, "/signin", accept)
    assert f'<html lang="{lang}"' in html
    assert f"<h1>{heading}</h1>" in html


@pytest.mark.parametrize(
    ("language", "title"), [("ro", "Pagina nu a fost găsită"), ("uk", "Сторінку не знайдено")]
)
def test_error_pages_speak_the_language(client, language, title):
    response = client.get("/no-such-page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


@pytest.mark.parametrize(("choice", "words_"), [("ro", "Deconectați-vă"), ("uk", "Вийти")])
def test_a_person_can_choose_romanian_or_ukrainian(client, auth, make_person, choice, words_):
    person = make_person("oksana", roles=["partner"])
    assert auth.login("oksana").status_code == 302
    token = auth.csrf("/account")
    client.post("/language", data={"csrf_token": token, "language": choice, "next": "/"})
    db.session.refresh(person)
    assert person.locale == choice
    html = page(client, "/", "en-GB")
    assert f'<html lang="{choice}"' in html and words_ in html


def script_texts(html: str) -> dict:
    """The JSON block of texts every page gives its scripts (sync/texts.py)."""
    found = re.search(r'<script type="application/json" id="lantern-text">(.*?)</script>', html)
    return json.loads(found.group(1))


# What Intl.PluralRules gives for whole numbers (CLDR): Ukrainian's fourth category,
# "other", is only for fractions, and counts are whole.
CATEGORIES = {"ro": {"one", "few", "other"}, "uk": {"one", "few", "many"}}


@pytest.mark.parametrize("language", ["ro", "uk"])
def test_the_scripts_get_a_count_in_every_plural_category(client, language):
    assert set(plural_samples(language)) == CATEGORIES[language]
    texts = script_texts(page(client, "/signin", language))
    waiting = texts["device_waiting"]
    assert set(waiting) == CATEGORIES[language]
    if language == "ro":  # 1; 0 and 2 to 19; 20 and over, with "de"
        assert waiting["one"].startswith("%(num)d înregistrare așteaptă")
        assert waiting["few"].startswith("%(num)d înregistrări așteaptă")
        assert waiting["other"].startswith("%(num)d de înregistrări așteaptă")
    else:  # 1, 21...; 2 to 4, 22...; 0, 5 to 20, 25...
        assert "%(num)d запис чекає" in waiting["one"]
        assert "%(num)d записи чекають" in waiting["few"]
        assert "%(num)d записів чекають" in waiting["many"]


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("ro", "Anunț de la coordonator", "Deschideți Lantern ca să-l citiți."),
        ("uk", "Оголошення від координатора", "Відкрийте Lantern, щоб прочитати."),
    ],
)
def test_push_texts_speak_the_persons_language(app, language, title, body):
    with app.test_request_context():
        assert words(Alert(kind="notice"), language) == (title, body)


@pytest.mark.parametrize(
    ("language", "heading"), [("ro", "Nu aveți conexiune"), ("uk", "Немає зʼєднання з інтернетом")]
)
def test_the_offline_page_speaks_the_language(client, language, heading):
    html = page(client, "/offline", language)
    assert f'<html lang="{language}"' in html and f"<h1>{heading}</h1>" in html


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ro", "Raport pentru parteneri: Street Pastors"),
        ("uk", "Звіт для партнерів: Street Pastors"),
    ],
)
def test_the_quarterly_report_pdf_speaks_the_language(
    client, auth, make_person, unavailable, tmp_path, language, title
):
    if not shutil.which("pdftotext"):
        unavailable("pdftotext missing: apt-get install poppler-utils")
    person = make_person("olena", roles=["partner"])
    person.locale = language
    db.session.commit()
    assert auth.login("olena").status_code == 302
    response = client.get("/reports/quarterly.pdf?year=2025&quarter=4")
    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert title in " ".join(text.split())


def test_a_template_follows_a_language_forced_for_a_moment(app):
    """Templates look the reader's catalogue up once per request (core.i18n); a language
    forced for a while (an email or push in its reader's language) is still spoken while
    forced, and the page's own language after."""
    text = "{{ _('Sign out') }}"
    with app.test_request_context(headers={"Accept-Language": "en-GB"}):
        assert render_template_string(text) == "Sign out"
        with force_locale("pl"):
            assert render_template_string(text) == "Wyloguj się"
        assert render_template_string(text) == "Sign out"
