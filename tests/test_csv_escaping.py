"""CSV injection: no cell of any CSV Lantern writes starts like a spreadsheet formula
(OWASP's rule: =, +, -, @, tab, carriage return), whoever typed the text in it."""

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from core.csvfile import FORMULA_STARTS, cell
from core.timeutil import to_utc
from extensions import db
from havens.models import SupportService, Venue
from patrols.models import PatrolArea, Team
from reports import exports, writers

ROOT = Path(__file__).parent.parent
# One payload for each character a formula can start with.
PAYLOADS = ['=HYPERLINK("x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def unsafe_cells(text: str) -> list[str]:
    """The cells of a CSV that a spreadsheet would read as a formula."""
    starts = ("=", "+", "-", "@", "\t", "\r")
    return [
        value for row in csv.reader(io.StringIO(text)) for value in row if value.startswith(starts)
    ]


def zip_csvs(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_starts_like_a_formula_is_kept_as_text(payload):
    assert cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["The Lamp", "'quoted", "a=b", "", "2025-10-25T01:00+01:00"])
def test_other_text_is_left_alone(value):
    assert cell(value) == value


@pytest.mark.parametrize("value", [-3, -1.5, 0, 12])
def test_numbers_stay_numbers(value):
    assert cell(value) == value  # a number Lantern computed cannot carry a formula


def test_a_lazily_translated_label_is_text_like_any_other():
    from flask_babel import lazy_gettext

    assert cell(lazy_gettext("-not a formula")) == "'-not a formula"


def formula_export() -> exports.Export:
    """Every table of the export with a formula in every column that is not a number,
    and in every cell of the dictionary and the about table."""
    numbers = {"integer": 7, "number": 1.5}
    tables, columns, n = {}, {}, 0
    for table in exports.TABLES:
        row = {}
        for column in table.columns:
            payload = PAYLOADS[n % len(PAYLOADS)]
            n += 1
            if column.kind == "list":
                row[column.name] = [payload, "seat"]
            elif column.kind == "object":
                row[column.name] = {payload: 1}
            else:
                row[column.name] = numbers.get(column.kind, payload)
        tables[table.name] = [row]
        columns[table.name] = [column.name for column in table.columns]
    text_row = dict.fromkeys(("table", "column", "type", "description"), PAYLOADS[0])
    about = [{"key": PAYLOADS[3], "value": PAYLOADS[1]}]
    return exports.Export(tables, columns, [text_row], about)


def test_every_csv_of_the_export_escapes_every_text_column():
    export = formula_export()
    files = zip_csvs(writers.write(export, "csv"))
    assert set(files) == {f"{name}.csv" for name in export.tables} | {
        "dictionary.csv",
        "about.csv",
    }
    for name, text in files.items():
        assert unsafe_cells(text) == [], name
    # The text is all there, behind one apostrophe.
    venues = list(csv.DictReader(io.StringIO(files["venues.csv"])))
    name = export.tables["venues"][0]["name"]
    assert venues[0]["name"] == "'" + name


@pytest.fixture
def formula_names(scheme, make_person, make_visit):
    """What anyone can type that reaches an export: a business's name, registered at
    /join/<scheme>, and the names coordinators give schemes, teams, areas and services."""
    scheme.name = PAYLOADS[0]
    venue = Venue(scheme_id=scheme.id, name=PAYLOADS[1], status="active")
    db.session.add_all(
        [
            venue,
            Team(scheme_id=scheme.id, name=PAYLOADS[2]),
            PatrolArea(scheme_id=scheme.id, name=PAYLOADS[3]),
            SupportService(scheme_id=scheme.id, name="+44 1892 000000"),
        ]
    )
    db.session.commit()
    cora = make_person("cora", roles=["coordinator"])
    make_visit(venue, cora, to_utc(datetime(2025, 10, 10, 22, 0)))
    return venue


def test_the_downloaded_export_escapes_names_typed_in(client, auth, formula_names):
    auth.login("cora")
    page = client.get("/reports/exports").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post("/reports/exports", data={"csrf_token": token, "format": "csv"})
    assert response.status_code == 200
    files = zip_csvs(response.data)
    for name, text in files.items():
        assert unsafe_cells(text) == [], name
    assert "'+cmd|' /C calc'!A0" in files["venues.csv"]
    # A phone number starting with + is escaped too: the rule cannot tell it from a formula.
    assert "'+44 1892 000000" in files["support_services.csv"]


def test_the_quarterly_report_csv_escapes_names_typed_in(client, auth, formula_names):
    auth.login("cora")
    response = client.get("/reports/quarterly.csv?year=2025&quarter=4")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    assert unsafe_cells(text) == []
    rows = list(csv.reader(io.StringIO(text)))
    assert all(row[0] == "'" + PAYLOADS[0] for row in rows[1:])  # the scheme's name
    assert any(row[4] == "'" + PAYLOADS[1] for row in rows)  # the venue's name


def test_every_csv_is_written_by_the_one_writer():
    """A CSV written another way would miss the escaping."""
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", "instance"} & set(path.relative_to(ROOT).parts)
    ]
    writing = [
        str(path.relative_to(ROOT))
        for path in sources
        if re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert writing == ["core/csvfile.py"]
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
