"""The public sign page in Romanian and Ukrainian, read as a phone's browser shows it, and
the scripts' counts in each language's plural forms.

The fixtures come from tests/browser/conftest.py: a live server with the demo scheme, one
Chromium per module, and `browsing`, whose pages fail the test on any console error.
Screenshots land in tests/artifacts/screenshots/; docs/public-page-ro.png and
docs/public-page-uk.png are copies of them.
"""

import re

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.i18n import LANGUAGES
from extensions import db
from havens.models import SupportService, Venue
from tests.browser.pages import SCREENSHOTS, SIZES

pytestmark = pytest.mark.browser

VENUE = "The Pantiles Tap"  # in the demo: active, trained staff, open in the evening
# Names, not words: they read the same in every language.
# The language menu names each language in itself.
NAMES = ["Safe Haven", "Ask for Angela", "Lantern", "Street Pastors", *LANGUAGES.values()]
# Words Romanian shares with English.
SHARED = {"ro": {"taxi"}, "uk": set()}
# What holds the page's words, each of which must keep its text inside its box.
BOXES = "main a, main button, main h1, main h2, main p, main li, main th, main td"
WORD = re.compile(r"[^\W\d_]+")  # a run of letters, in any script


def browser_locale(language: str) -> dict:
    """A phone whose browser speaks the language, as in Romania or Ukraine."""
    region = {"en": "en-GB", "ro": "ro-RO", "uk": "uk-UA"}[language]
    return {"viewport": SIZES["phone"], "has_touch": True, "is_mobile": True, "locale": region}


def data_names(app) -> tuple[str, list[str]]:
    """The venue's code, and every name the page shows from data: venues and their
    addresses, the scheme, the support services and their websites.

    A service's purpose and hours are blanked: they are data a coordinator writes in the
    scheme's language, which a version per language will translate (issue 17, part 2),
    not the interface this test is about.
    """
    with app.app_context():
        code = db.session.scalar(select(Venue.public_code).filter_by(name=VENUE))
        venues = db.session.scalars(select(Venue)).all()
        services = db.session.scalars(select(SupportService)).all()
        for service in services:
            service.purpose, service.hours = "", ""
        names = [v.name for v in venues] + [v.address for v in venues]
        names += [v.scheme.name for v in venues[:1]]
        names += [s.name for s in services]
        names += [(s.website or "").removeprefix("https://") for s in services]
        db.session.commit()
        db.session.remove()
    return code, names


def visible_words(page: Page, names: list[str]) -> set[str]:
    """The words a person sees on the page, less the names in it."""
    text = page.locator("body").inner_text()
    for name in sorted(names, key=len, reverse=True):
        if name:
            text = text.replace(name, " ")
    return set(WORD.findall(text))


@pytest.mark.parametrize("language", ["ro", "uk"])
def test_the_public_page_shows_no_english_but_names(browsing, live_app, language):
    code, names = data_names(live_app)
    names += NAMES

    english = browsing.page(**browser_locale("en"))
    english.goto(f"/v/{code}")
    expect(english.locator("html")).to_have_attribute("lang", "en-GB")
    english_words = {w.lower() for w in visible_words(english, names)}

    page = browsing.page(**browser_locale(language))
    assert page.goto(f"/v/{code}").status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    words = visible_words(page, names)
    left = sorted(w for w in words if w.lower() in english_words - SHARED[language])
    assert left == [], f"English on the {language} page: {left}"
    if language == "uk":  # Ukrainian is written in Cyrillic: any Latin word is English
        latin = sorted(w for w in words if re.fullmatch("[A-Za-z]+", w))
        assert latin == [], f"Latin words on the uk page: {latin}"

    # Longer words still fit a phone: nothing scrolls sideways, nothing spills out of its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    spilled = page.evaluate(
        """() => [...document.querySelectorAll(BOXES)]
            .filter(el => el.offsetParent && el.scrollWidth > el.clientWidth + 1)
            .map(el => el.textContent.trim().slice(0, 60))""".replace("BOXES", repr(BOXES))
    )
    assert spilled == []
    # A phone number is never split over two lines, where it would be misread.
    split = page.evaluate(
        """() => [...document.querySelectorAll('a[href^="tel:"]')].filter(a => {
            const text = a.firstChild, range = document.createRange();
            range.setStart(text, text.textContent.search(/[0-9+(]/));
            range.setEnd(text, text.textContent.length);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
        }).map(a => a.textContent.trim())"""
    )
    assert split == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"public-page-{language}.png", full_page=True)
    browsing.assert_no_errors()


@pytest.mark.parametrize("language", ["ro", "uk"])
def test_the_scripts_count_in_each_plural_form(browsing, live_app, language):
    """text.js picks a count's text with Intl.PluralRules from the forms the server sent."""
    page = browsing.page(**browser_locale(language))
    page.goto("/signin")
    numbers = [0, 1, 2, 4, 5, 11, 12, 19, 20, 21, 22, 25, 101, 111, 112, 120]
    counted = page.evaluate(
        """async (numbers) => {
            const text = await import("/static/js/text.js");
            return numbers.map(n => text.counted("waiting", n));
        }""",
        numbers,
    )
    with live_app.test_request_context(), force_locale(language):
        wanted = [ngettext("%(num)d record waiting", "%(num)d records waiting", n) for n in numbers]
    assert counted == wanted
    # Every category the browser's CLDR gives a whole number has a text.
    categories = page.evaluate(
        """() => {
            const texts = JSON.parse(document.getElementById("lantern-text").textContent);
            const rules = new Intl.PluralRules(document.documentElement.lang);
            const used = new Set([...Array(1000).keys()].map(n => rules.select(n)));
            return [[...used].sort(), Object.keys(texts.waiting).sort()];
        }"""
    )
    assert categories[0] == categories[1]
    browsing.assert_no_errors()
