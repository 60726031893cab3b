"""A sticker in English and each other language Lantern speaks: the words fit, print in
the DejaVu font (Polish, Romanian ș ț, Cyrillic), and the QR code still scans; the page
it leads to opens in the reader's browser language.

The fixtures and helpers come from tests/test_stickers.py: pdftoppm, pdftotext and
zbarimg, or a skip (a failure under CI).
"""

import subprocess

import pytest
from flask_babel import force_locale
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from havens.stickers import art, services
from tests import test_stickers
from tests.test_stickers import decode, pages_of, print_sticker, url_of

# The fixtures of tests/test_stickers.py: pytest finds fixtures among a module's globals.
tools = test_stickers.tools
coordinator = test_stickers.coordinator

SECOND = sorted(services.other_languages())
# The sticker's footer in each language, as pdftotext reads it.
FOOTER = {"pl": "Naklejka nr 1", "ro": "Autocolantul nr. 1", "uk": "Наліпка № 1"}


def test_every_catalogue_language_is_offered():
    assert SECOND == ["pl", "ro", "uk"]


def instruction(language: str) -> str:
    with force_locale(language):
        return str(services.INSTRUCTION)


@pytest.mark.parametrize("language", SECOND)
def test_a_bilingual_sticker_scans_and_says_it_in_both(
    client, auth, coordinator, venue, language, tmp_path
):
    page = client.get(f"/venues/{venue.id}/sticker").get_data(as_text=True)
    assert f'<option value="{language}">' in page  # offered on the print form

    response = print_sticker(auth, venue, language=language, size="a6")
    assert response.status_code == 200
    [png] = pages_of(response.data, tmp_path)
    assert decode(png) == [url_of(venue)]

    source = tmp_path / "sticker.pdf"
    source.write_bytes(response.data)
    pdf_text = subprocess.run(
        ["pdftotext", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout
    said = " ".join(pdf_text.split())
    assert "Safe Haven" in said  # the headline, the scheme's name in every language
    assert "Scan to check this is a Safe Haven and find help" in said
    assert instruction(language) != instruction("en_GB")
    assert instruction(language) in said
    assert FOOTER[language] in said


@pytest.mark.parametrize("size", ["a6", "a5"])
@pytest.mark.parametrize("language", SECOND)
def test_the_words_fit_at_full_size(app, venue, language, size):
    """The longer words of a second language keep their size, and the QR its 4 cm."""
    sticker = services.current_sticker(venue, None)
    drawn = art.layout(services.content(venue, sticker, language), size)
    s = drawn.width / art.PAGES["a6"][0]
    [code] = [item for item in drawn.items if isinstance(item, art.Code)]
    assert code.module * (len(code.matrix) - 8) / art.MM >= art.MIN_QR_MM
    texts = [item for item in drawn.items if isinstance(item, art.Text)]
    second = [t for t in texts if t.font == art.REGULAR and t.size > 8 * s]
    assert len(second) == 2  # the instruction, on two lines
    assert all(t.size == pytest.approx(10.5 * s) for t in second)  # not shrunk
    margin = 6 * art.MM * s
    for text in texts:
        half = stringWidth(text.text, text.font, text.size) / 2
        assert margin < text.x - half and text.x + half < drawn.width - margin, text.text


def test_a_sign_makers_file_registers_the_font_itself(auth, coordinator, venue, monkeypatch):
    """A fresh server whose first sticker is an SVG or PNG has no font registered yet."""
    fresh = {k: v for k, v in pdfmetrics._fonts.items() if not k.startswith("LanternSans")}
    monkeypatch.setattr(pdfmetrics, "_fonts", fresh)
    response = print_sticker(auth, venue, file_type="png", size="a6", language="uk")
    assert response.status_code == 200
    assert response.mimetype == "image/png"


@pytest.mark.parametrize(
    ("accept", "lang", "title"),
    [
        ("ro-RO,ro;q=0.9", "ro", "Acesta este un local Safe Haven"),
        ("uk-UA,uk;q=0.9,en;q=0.5", "uk", "Це заклад Safe Haven"),
    ],
)
def test_the_qr_page_opens_in_the_readers_language(
    client, staff, train, venue, accept, lang, title
):
    train(staff)  # in-date training: a valid Safe Haven
    response = client.get(f"/v/{venue.public_code}", headers={"Accept-Language": accept})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}"' in html and f"<h1>{title}</h1>" in html
