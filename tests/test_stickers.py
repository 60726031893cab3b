"""Window stickers: every file scans to the venue's public page; reissue, register, batch.

The PDFs are rasterised with pdftoppm at 150 dpi and every QR code is read with zbarimg,
a real decoder (Debian's poppler-utils and zbar-tools; `python3 dev.py test` installs
them). Without them, or without the DejaVu font, these tests skip, and fail under CI.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from core.models import AuditEvent, Counter
from core.services import next_number
from extensions import db
from havens.models import Venue
from havens.stickers import art, services
from havens.stickers.models import Sticker
from wsgi import create_app

PUBLIC = "https://lantern.example.org"
A = {"a5": (148, 210), "a6": (105, 148), "a4-4up": (210, 297)}  # page sizes, mm


@pytest.fixture(autouse=True)
def tools(app, unavailable):
    """The decoder, the rasteriser and the font, or a clear skip (a failure under CI)."""
    missing = [tool for tool in ("pdftoppm", "zbarimg", "pdftotext") if not shutil.which(tool)]
    if missing:
        unavailable(f"{', '.join(missing)} missing: apt-get install poppler-utils zbar-tools")
    try:
        art.font_paths(app.config["STICKER_FONT_DIR"])
    except art.FontMissing as error:
        unavailable(str(error))
    app.config["PUBLIC_URL"] = PUBLIC


@pytest.fixture
def coordinator(client, auth, make_person):
    person = make_person("cora", roles=["coordinator"])
    assert auth.login("cora").status_code == 302
    return person


def url_of(venue: Venue) -> str:
    db.session.refresh(venue)
    return f"{PUBLIC}/v/{venue.public_code}"


def decode(path: Path) -> list[str]:
    """Every QR code zbarimg finds in an image file, as text."""
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode in (0, 4), result.stderr  # 4: nothing found
    return result.stdout.splitlines()


def pages_of(pdf: bytes, tmp_path: Path) -> list[Path]:
    """The PDF's pages as PNGs at 150 dpi."""
    source = tmp_path / "stickers.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "page")], check=True
    )
    return sorted(tmp_path.glob("page*.png"))


def size_mm(png: Path) -> tuple[float, float]:
    """A page's size in millimetres, from its 150 dpi raster."""
    from PIL import Image

    with Image.open(png) as image:
        return tuple(round(side / 150 * 25.4) for side in image.size)


def print_sticker(auth, venue: Venue, **fields):
    token = auth.csrf(f"/venues/{venue.id}/sticker")
    data = {"csrf_token": token, "size": "a5", "language": "", "file_type": "pdf"} | fields
    return auth.client.post(f"/venues/{venue.id}/sticker/print", data=data)


def more_venues(scheme, count: int) -> list[Venue]:
    venues = [Venue(scheme_id=scheme.id, name=f"Venue {n}", status="active") for n in range(count)]
    db.session.add_all(venues)
    db.session.commit()
    return venues


# --- every file scans to exactly the venue's public page --------------------------------


@pytest.mark.parametrize("size", ["a5", "a6"])
def test_a_pdf_sticker_scans_to_the_public_page(client, coordinator, venue, auth, size, tmp_path):
    response = print_sticker(auth, venue, size=size)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    [page] = pages_of(response.data, tmp_path)
    assert size_mm(page) == A[size]
    assert decode(page) == [url_of(venue)]


def test_a_four_up_sheet_has_four_codes(client, auth, coordinator, venue, scheme, tmp_path):
    others = more_venues(scheme, 3)
    token = auth.csrf("/venues")
    ids = [venue.id] + [v.id for v in others]
    response = client.post(
        "/venues/stickers/print",
        data={"csrf_token": token, "size": "a4-4up", "language": "", "venue": ids},
    )
    assert response.status_code == 200
    [page] = pages_of(response.data, tmp_path)
    assert size_mm(page) == A["a4-4up"]
    assert sorted(decode(page)) == sorted(url_of(v) for v in [venue, *others])


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_sign_maker_files_scan_to_the_public_page(client, coordinator, venue, auth, kind, tmp_path):
    response = print_sticker(auth, venue, file_type=kind, size="a6")
    assert response.status_code == 200
    assert response.mimetype == {"svg": "image/svg+xml", "png": "image/png"}[kind]
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / f"sticker.{kind}"
    path.write_bytes(response.data)
    assert decode(path) == [url_of(venue)]
    if kind == "svg":
        assert b'width="105mm" height="148mm"' in response.data
        assert b"<text" not in response.data  # text as outlines: no font needed to open it


def test_the_pdf_draws_the_qr_code_as_vectors_and_embeds_a_polish_font(
    client, coordinator, venue, tmp_path, auth
):
    venue.name = "Zażółć Gęślą Jaźń"
    db.session.commit()
    response = print_sticker(auth, venue, language="pl")
    source = tmp_path / "s.pdf"
    source.write_bytes(response.data)
    images = subprocess.run(["pdfimages", "-list", str(source)], capture_output=True, text=True)
    assert len(images.stdout.strip().splitlines()) == 2  # the header only: no raster images
    fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True).stdout
    assert "DejaVuSans-Bold" in fonts and "emb" in fonts and " yes " in fonts
    text = subprocess.run(
        ["pdftotext", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Safe Haven" in text and "Testbridge" in text and "Zażółć Gęślą Jaźń" in text
    assert "Scan to check this is a Safe Haven and find help" in " ".join(text.split())
    assert "Zeskanuj" in text  # the Polish words, beside the English
    assert "Sticker no. 1" in text


@pytest.mark.parametrize("size", ["a5", "a6"])
@pytest.mark.parametrize("languages", [1, 2])
@pytest.mark.parametrize("name", ["Bar", "The Long Name " * 8])
def test_the_qr_symbol_is_at_least_4_cm_wide(app, size, languages, name):
    from datetime import date

    words = art.Words(
        "Safe Haven", "Scan to check this is a Safe Haven and find help " * 2, "No. 1"
    )
    url = f"{PUBLIC}/v/" + "x" * 16  # the longest code a venue can have
    content = art.Content(
        url, "Royal Tunbridge Wells and District", name, 1, date.today(), (words,) * languages
    )
    drawn = art.layout(content, size)
    [code] = [item for item in drawn.items if isinstance(item, art.Code)]
    symbol_mm = code.module * (len(code.matrix) - 8) / art.MM
    assert symbol_mm >= 40
    texts = [item for item in drawn.items if isinstance(item, art.Text)]
    margin = 6 * art.MM  # the card's edge
    for text in texts:  # nothing runs off the card
        from reportlab.pdfbase.pdfmetrics import stringWidth

        half = stringWidth(text.text, text.font, text.size) / 2
        assert margin < text.x - half and text.x + half < drawn.width - margin
        assert margin < text.y < drawn.height - margin


# --- numbers, reissue and the register ---------------------------------------------------


def test_a_sticker_gets_its_number_when_first_printed_and_keeps_it(
    client, coordinator, venue, auth
):
    assert db.session.scalar(select(Sticker).filter_by(venue_id=venue.id)) is None
    print_sticker(auth, venue)
    print_sticker(auth, venue, size="a6")
    [sticker] = db.session.scalars(select(Sticker).filter_by(venue_id=venue.id)).all()
    assert (sticker.number, sticker.code, sticker.issued_by_id) == (
        1,
        venue.public_code,
        coordinator.id,
    )


def test_after_a_reissue_the_old_sign_says_not_valid_and_the_new_one_valid(
    client, auth, coordinator, venue, make_person, tmp_path, train
):
    train(make_person("sam", roles=["venue_staff"], venues=[venue]))
    print_sticker(auth, venue)
    old_code = venue.public_code
    assert "This is a Safe Haven" in client.get(f"/v/{old_code}").get_data(as_text=True)

    token = auth.csrf(f"/venues/{venue.id}/sticker")
    response = client.post(
        f"/venues/{venue.id}/sticker/reissue",
        data={"csrf_token": token, "reason": "sticker stolen"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Sticker no. 2 issued under a new code" in response.get_data(as_text=True)
    new_code = url_of(venue).rsplit("/", 1)[1]
    assert new_code != old_code

    old = client.get(f"/v/{old_code}")
    assert old.status_code == 410
    assert "This sign was replaced or withdrawn" in old.get_data(as_text=True)
    assert venue.name not in old.get_data(as_text=True)
    new = client.get(f"/v/{new_code}")
    assert new.status_code == 200
    assert "This is a Safe Haven" in new.get_data(as_text=True)

    [page] = pages_of(print_sticker(auth, venue).data, tmp_path)
    assert decode(page) == [f"{PUBLIC}/v/{new_code}"]

    register = client.get("/venues/stickers").get_data(as_text=True)
    for number, code in [(1, old_code), (2, new_code)]:
        assert f"<td>{number}</td>" in register and code in register
    assert "sticker stolen" in register and "Cora" in register and venue.name in register
    event = db.session.scalar(select(AuditEvent).filter_by(action="sticker_reissued"))
    assert event.detail["withdrawn"] == 1 and event.detail["number"] == 2


def test_a_reissue_needs_a_reason_and_a_post(client, auth, coordinator, venue):
    code = venue.public_code
    token = auth.csrf(f"/venues/{venue.id}/sticker")
    response = client.post(f"/venues/{venue.id}/sticker/reissue", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Say why the sticker is reissued." in response.get_data(as_text=True)
    assert client.get(f"/venues/{venue.id}/sticker/reissue").status_code == 405
    no_token = client.post(f"/venues/{venue.id}/sticker/reissue", data={"reason": "x"})
    assert no_token.status_code == 400
    db.session.refresh(venue)
    assert venue.public_code == code


def test_numbers_run_on_per_scheme(client, coordinator, venue, scheme, auth):
    others = more_venues(scheme, 2)
    for v in [venue, *others]:
        print_sticker(auth, v)
    numbers = db.session.scalars(select(Sticker.number).order_by(Sticker.number)).all()
    assert numbers == [1, 2, 3]
    counter = db.session.get(Counter, (scheme.id, "sticker"))
    assert counter.value == 3


# --- batches: the coordinator's page and the command line -------------------------------


def test_a_batch_of_all_active_venues_from_the_venues_page(
    client, auth, coordinator, venue, scheme, tmp_path
):
    others = more_venues(scheme, 2)
    db.session.add(Venue(scheme_id=scheme.id, name="Paused", status="paused"))
    db.session.commit()
    page = client.get("/venues").get_data(as_text=True)
    assert 'form="stickers"' in page and "Print stickers" in page
    token = auth.csrf("/venues")
    response = client.post(
        "/venues/stickers/print", data={"csrf_token": token, "size": "a6", "language": ""}
    )
    assert response.status_code == 200
    pages = pages_of(response.data, tmp_path)
    assert [decode(p) for p in pages] == [[url_of(v)] for v in [venue, *others]]


def test_the_cli_writes_a_batch(app, runner, venue, scheme, tmp_path):
    others = more_venues(scheme, 2)
    out = tmp_path / "batch.pdf"
    result = runner.invoke(args=["stickers", "--out", str(out), "--size", "a6"])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 sticker(s)" in result.output
    decoded = [decode(p) for p in pages_of(out.read_bytes(), tmp_path)]
    assert sorted(decoded) == sorted([url_of(v)] for v in [venue, *others])

    chosen = tmp_path / "chosen" / "two.pdf"
    chosen.parent.mkdir()
    codes = [others[1].public_code, venue.public_code]
    args = ["stickers", "--out", str(chosen), "--size", "a4-4up", "--bilingual", "pl"]
    result = runner.invoke(args=[*args, "--venue", codes[0], "--venue", codes[1]])
    assert result.exit_code == 0, result.output
    [sheet] = pages_of(chosen.read_bytes(), chosen.parent)
    assert sorted(decode(sheet)) == sorted(f"{PUBLIC}/v/{code}" for code in codes)


def test_the_cli_fails_clearly(app, runner, venue, tmp_path):
    out = str(tmp_path / "x.pdf")
    unknown = runner.invoke(args=["stickers", "--out", out, "--venue", "nope"])
    assert unknown.exit_code != 0 and "No venue has the code nope" in unknown.output
    app.config["PUBLIC_URL"] = None
    no_url = runner.invoke(args=["stickers", "--out", out])
    assert no_url.exit_code != 0 and "LANTERN_PUBLIC_URL" in no_url.output
    app.config["PUBLIC_URL"] = "lantern.example.org"  # not absolute
    assert runner.invoke(args=["stickers", "--out", out]).exit_code != 0
    app.config.update(PUBLIC_URL=PUBLIC, STICKER_FONT_DIR=str(tmp_path))
    no_font = runner.invoke(args=["stickers", "--out", out])
    assert no_font.exit_code != 0 and "fonts-dejavu-core" in no_font.output
    assert not Path(out).exists()
    assert db.session.scalar(select(Sticker)) is None  # nothing issued by a failed run


# --- who may print ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["venue_staff", "pastor", "partner"])
def test_only_coordinators_get_stickers(client, auth, make_person, venue, role):
    make_person("someone", roles=[role], venues=[venue])
    auth.login("someone")
    token = auth.csrf("/account")
    assert client.get(f"/venues/{venue.id}/sticker").status_code == 403
    data = {"csrf_token": token, "size": "a5", "file_type": "pdf"}
    assert client.post(f"/venues/{venue.id}/sticker/print", data=data).status_code == 403
    assert client.post("/venues/stickers/print", data=data).status_code == 403
    assert client.get("/venues/stickers").status_code == 403


def test_another_schemes_venue_is_not_found(client, auth, coordinator, venue):
    from accounts.models import Scheme

    other = Scheme(name="Elsewhere")
    db.session.add(other)
    db.session.flush()
    theirs = Venue(scheme_id=other.id, name="Their Bar", status="active")
    db.session.add(theirs)
    db.session.commit()
    token = auth.csrf("/venues")
    data = {"csrf_token": token, "size": "a5", "language": "", "file_type": "pdf"}
    assert client.get(f"/venues/{theirs.id}/sticker").status_code == 404
    assert client.post(f"/venues/{theirs.id}/sticker/print", data=data).status_code == 404
    reissue = {"csrf_token": token, "reason": "x"}
    assert client.post(f"/venues/{theirs.id}/sticker/reissue", data=reissue).status_code == 404
    batch = data | {"venue": [venue.id, theirs.id]}
    assert client.post("/venues/stickers/print", data=batch).status_code == 404
    assert db.session.scalar(select(Sticker)) is None
    # Their stickers are not in our register either.
    services.current_sticker(theirs, None)
    db.session.commit()
    assert "Their Bar" not in client.get("/venues/stickers").get_data(as_text=True)


# --- the migration ------------------------------------------------------------------------


def test_the_migration_registers_the_signs_already_in_windows(tmp_path, app_config):
    """Venues that existed before the register get a sticker for their current code."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path}/old.db"
    app = create_app(app_config(url))
    with app.app_context():
        upgrade(revision="0da33b546143")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO scheme (id, name, tallies, created_at) "
                "VALUES (1, 'A', '[]', '2026-01-01'), (2, 'B', '[]', '2026-01-01')"
            )
            for vid, scheme, code in [(1, 1, "one"), (2, 2, "two"), (3, 1, "three")]:
                conn.execute(
                    sa.text(
                        "INSERT INTO venue (id, scheme_id, name, address, postcode, kind, "
                        "opening_hours, contact_name, contact_phone, contact_email, status, "
                        "public_code, created_at) VALUES (:id, :s, :n, '', '', 'pub', '', '', "
                        "'', '', 'active', :c, :t)"
                    ),
                    {"id": vid, "s": scheme, "n": f"V{vid}", "c": code, "t": f"2026-0{vid}-01"},
                )
        upgrade()
        rows = db.session.execute(
            select(Sticker.scheme_id, Sticker.number, Sticker.code).order_by(Sticker.id)
        ).all()
        assert rows == [(1, 1, "one"), (1, 2, "three"), (2, 1, "two")]
        assert db.session.get(Counter, (1, "sticker")).value == 2
        assert next_number(1, "sticker") == 3  # new stickers carry on after the old signs
        db.session.remove()
        db.engine.dispose()
