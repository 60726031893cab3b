"""Analysts' exports: no free text and no names in any format, times rounded down to the
London hour, a data dictionary for every column, the period and scheme chosen, audited."""

import csv
import io
import json
import re
import sqlite3
import zipfile
from datetime import datetime

import pytest
import sqlite_utils
from sqlalchemy import select

from accounts.models import Scheme
from core.models import AuditEvent
from core.timeutil import to_utc
from extensions import db
from havens.models import SupportService, Venue
from patrols.models import PatrolArea, Team
from patrols.services import hours_on_duty
from reports import export_rows, exports
from tests.planted import CONTACT_NAME, NOTE, PATROL_NOTE, ROUTE, STREET

FORMATS = ["csv", "json", "sqlite"]
PERSON = "quillfeather"  # a person's username; their name is "Quillfeather"
PLANTED = [NOTE, STREET, ROUTE, PATROL_NOTE, CONTACT_NAME, "Quillfeather", "Plantedold"]
HOUR = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:00[+-]\d\d:00$")


def london(*args) -> datetime:
    """A London wall-clock time as the naive UTC the database stores."""
    return to_utc(datetime(*args))


@pytest.fixture
def planted(
    scheme,
    venue,
    team,
    make_person,
    coordinator,
    make_visit,
    correct_visit,
    make_patrol,
    make_contact,
    correct_contact,
):
    """A scheme's records with free text and names in every field that can hold them."""
    venue.contact_name, venue.address = CONTACT_NAME, STREET
    area = PatrolArea(scheme_id=scheme.id, name="Town centre")
    db.session.add(area)
    db.session.commit()
    pastor = make_person(PERSON, roles=["pastor"], teams=[team])
    service = SupportService(scheme_id=scheme.id, name="Victim Support")
    db.session.add(service)
    db.session.commit()
    visit = make_visit(
        venue,
        coordinator,
        london(2025, 7, 10, 22, 47, 31),  # BST
        departed_at=london(2025, 7, 10, 23, 12),
        note="Plantedold first version of the note",
        help=["seat", "signposted"],
        services=[service.id],
    )
    correct_visit(visit, coordinator, note=NOTE)
    patrol = make_patrol(
        team,
        [pastor, coordinator],
        london(2025, 1, 10, 21, 58),  # GMT
        london(2025, 1, 11, 3, 29),
        route=ROUTE,
        note=PATROL_NOTE,
        area_id=area.id,
        tallies={"Bottles and glass picked up": 7},
    )
    contact = make_contact(
        patrol,
        pastor,
        london(2025, 1, 10, 23, 59),
        people=2,
        street=STREET,
        note="Plantedold contact note",
        latitude=51.132,
        longitude=0.263,
        handover_venue_id=venue.id,
        area_id=area.id,
    )
    correct_contact(contact, pastor, note=NOTE)
    return {"visit": visit.id, "patrol": patrol.id, "contact": contact.id, "service": service.id}


def run_export(runner, tmp_path, fmt: str, *args: str) -> bytes:
    out = tmp_path / f"export.{fmt}"
    result = runner.invoke(args=["export", "--format", fmt, "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    assert "London" in result.output
    return out.read_bytes()


def read_tables(fmt: str, body: bytes, tmp_path) -> dict[str, list[dict]]:
    """Every table of an export, dictionary and about included, as lists of dicts."""
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return {
                name.removesuffix(".csv"): list(
                    csv.DictReader(io.StringIO(archive.read(name).decode()))
                )
                for name in archive.namelist()
            }
    if fmt == "json":
        document = json.loads(body)
        about = [{"key": k, "value": v} for k, v in document["about"].items()]
        return document["tables"] | {"dictionary": document["dictionary"], "about": about}
    path = tmp_path / "read.sqlite"
    path.write_bytes(body)
    database = sqlite_utils.Database(path)
    return {name: list(database[name].rows) for name in database.table_names()}


def all_text(fmt: str, body: bytes) -> str:
    """Everything an export holds, as text, whatever its format."""
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_free_text_and_no_names_in_any_format(runner, planted, tmp_path, fmt):
    body = run_export(runner, tmp_path, fmt)
    text = all_text(fmt, body).lower()
    for planted_text in PLANTED:
        assert planted_text.lower() not in text
    assert PERSON not in text
    # The records are there, without the text.
    tables = read_tables(fmt, body, tmp_path)
    assert [row["visit_id"] for row in tables["visits"]] == [planted["visit"]]
    assert [row["contact_id"] for row in tables["contacts"]] == [planted["contact"]]
    assert [row["patrol_id"] for row in tables["patrols"]] == [planted["patrol"]]
    forbidden = {"note", "street", "route", "latitude", "longitude", "created_by_id", "address"}
    for name, rows in tables.items():
        for row in rows:
            assert not forbidden & set(row), name


def download(client, **fields):
    """Ask for an export as the page's form does: a POST with its CSRF token."""
    page = client.get("/reports/exports").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"csrf_token": token[1] if token else ""} | fields
    return client.post("/reports/exports", data=data)


def test_a_download_needs_the_pages_csrf_token(client, auth, planted):
    """An export writes an audit event: another site must not make one in your name."""
    auth.login("cora")
    assert client.post("/reports/exports", data={"format": "csv"}).status_code == 400
    assert client.get("/reports/exports?format=csv").headers["Content-Type"].startswith("text/html")
    assert not db.session.scalar(select(AuditEvent).filter_by(action="exported"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_downloaded_exports_hold_no_free_text_either(client, auth, planted, tmp_path, fmt):
    auth.login("cora")
    response = download(client, format=fmt)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = all_text(fmt, response.data).lower()
    assert not [p for p in PLANTED if p.lower() in text]
    assert planted["visit"] in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_times_are_rounded_down_to_the_london_hour(runner, planted, tmp_path, fmt):
    tables = read_tables(fmt, run_export(runner, tmp_path, fmt), tmp_path)
    (visit,) = tables["visits"]
    assert visit["arrived_hour"] == "2025-07-10T22:00+01:00"  # 22:47:31 BST
    assert visit["departed_hour"] == "2025-07-10T23:00+01:00"
    (patrol,) = tables["patrols"]
    assert (patrol["started_hour"], patrol["ended_hour"]) == (
        "2025-01-10T21:00+00:00",
        "2025-01-11T03:00+00:00",
    )
    assert tables["contacts"][0]["at_hour"] == "2025-01-10T23:00+00:00"
    hour_columns = [
        (row["table"], row["column"])
        for row in tables["dictionary"]
        if row["type"] == str(exports.KINDS["hour"])
    ]
    assert len(hour_columns) == 5
    for table, column in hour_columns:
        for row in tables[table]:
            assert row[column] in ("", None) or HOUR.match(row[column]), row[column]
    about = {row["key"]: row["value"] for row in tables["about"]}
    assert "London" in about["times"] and "hour" in about["times"]
    assert HOUR.match(about["made_at"])


def test_the_hour_that_happens_twice_stays_two_hours():
    # 25 October 2026: 01:00 to 02:00 happens in BST and again in GMT.
    assert export_rows.london_hour(datetime(2026, 10, 25, 0, 30)) == "2026-10-25T01:00+01:00"
    assert export_rows.london_hour(datetime(2026, 10, 25, 1, 30)) == "2026-10-25T01:00+00:00"
    assert export_rows.london_hour(datetime(2026, 3, 29, 1, 0)) == "2026-03-29T02:00+01:00"
    assert export_rows.london_hour(None) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_dictionary_describes_every_column_and_no_other(runner, planted, tmp_path, fmt):
    tables = read_tables(fmt, run_export(runner, tmp_path, fmt), tmp_path)
    described = {(row["table"], row["column"]) for row in tables["dictionary"]}
    assert all(row["description"] and row["type"] for row in tables["dictionary"])
    present = set()
    for name, rows in tables.items():
        if name == "about":
            continue
        columns = rows[0].keys() if rows else [c.name for c in table_spec(name).columns]
        present |= {(name, column) for column in columns}
    assert described - {("about", "key"), ("about", "value")} == present


def table_spec(name: str) -> exports.Table:
    return next(t for t in exports.TABLES if t.name == name)


def test_the_sqlite_file_keeps_column_types_and_lists_as_json(runner, planted, tmp_path):
    path = tmp_path / "out.sqlite"
    run_export(runner, tmp_path, "sqlite")  # written to export.sqlite
    path.write_bytes((tmp_path / "export.sqlite").read_bytes())
    database = sqlite_utils.Database(path)
    assert database["visits"].columns_dict["help"] is str
    assert database["contacts"].columns_dict["people"] is int
    assert database["patrols"].columns_dict["hours_on_duty"] is float
    (visit,) = database["visits"].rows
    assert json.loads(visit["help"]) == ["seat", "signposted"]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_hours_on_duty_are_counted_as_the_patrol_summary_counts_them(app, planted):
    from patrols.models import Patrol

    patrol = db.session.get(Patrol, planted["patrol"])
    exported = next(export_rows.patrols([patrol.team.scheme_id], export_rows.Period()))
    assert exported["hours_on_duty"] == hours_on_duty(patrol) == 11.03
    assert exported["pastors"] == 2
    assert exported["tallies"] == {"Bottles and glass picked up": 7}


def test_a_period_and_a_scheme_choose_what_is_exported(
    runner, planted, tmp_path, venue, team, make_visit
):
    other = Scheme(name="Elsewhere")
    db.session.add(other)
    db.session.flush()
    far_venue = Venue(scheme_id=other.id, name="Far Away Inn", status="active")
    db.session.add(far_venue)
    db.session.commit()
    from accounts import services as accounts

    stranger = accounts.create_person(other, "Stranger", "stranger", None, roles={"coordinator"})
    db.session.commit()
    make_visit(far_venue, stranger, london(2025, 7, 11, 20, 0))
    everything = read_tables("json", run_export(runner, tmp_path, "json"), tmp_path)
    assert len(everything["visits"]) == 2
    assert len(everything["schemes"]) == 2
    mine = read_tables(
        "json", run_export(runner, tmp_path, "json", "--scheme", "Testbridge"), tmp_path
    )
    assert [row["visit_id"] for row in mine["visits"]] == [planted["visit"]]
    assert {row["scheme_id"] for row in mine["venues"]} == {venue.scheme_id}
    summer = read_tables(
        "json",
        run_export(runner, tmp_path, "json", "--from", "2025-07-10", "--to", "2025-07-10"),
        tmp_path,
    )
    assert [row["visit_id"] for row in summer["visits"]] == [planted["visit"]]
    assert summer["contacts"] == [] and summer["patrols"] == []
    winter = read_tables(
        "json", run_export(runner, tmp_path, "json", "--to", "2025-01-10"), tmp_path
    )
    assert len(winter["patrols"]) == 1 and len(winter["contacts"]) == 1 and winter["visits"] == []


def test_the_command_refuses_unknown_schemes_and_backwards_periods(runner, planted, tmp_path):
    out = str(tmp_path / "x.json")
    unknown = runner.invoke(
        args=["export", "--format", "json", "--out", out, "--scheme", "Nowhere"]
    )
    assert unknown.exit_code != 0 and "No scheme" in unknown.output
    backwards = runner.invoke(
        args=[
            "export",
            "--format",
            "json",
            "--out",
            out,
            "--from",
            "2025-02-01",
            "--to",
            "2025-01-01",
        ]
    )
    assert backwards.exit_code != 0 and "before" in backwards.output
    bad = runner.invoke(args=["export", "--format", "xlsx", "--out", out])
    assert bad.exit_code != 0
    nowhere = str(tmp_path / "no" / "such" / "x.json")
    unwritable = runner.invoke(args=["export", "--format", "json", "--out", nowhere])
    assert unwritable.exit_code != 0 and "Could not write" in unwritable.output


def test_every_export_is_audited_with_who_what_period_and_format(
    runner, client, auth, planted, tmp_path, scheme, coordinator
):
    run_export(runner, tmp_path, "sqlite", "--from", "2025-01-01", "--to", "2025-12-31")
    auth.login("cora")
    assert download(client, format="csv", date_from="2025-07-01").status_code == 200
    events = db.session.scalars(
        select(AuditEvent).filter_by(action="exported").order_by(AuditEvent.id)
    ).all()
    assert [(e.scheme_id, e.actor_id) for e in events] == [
        (scheme.id, None),
        (scheme.id, coordinator.id),
    ]
    cli, web = (e.detail for e in events)
    assert cli["format"] == "sqlite" and cli["via"] == "cli"
    assert (cli["date_from"], cli["date_to"]) == ("2025-01-01", "2025-12-31")
    assert cli["rows"]["visits"] == 1 and cli["rows"]["contacts"] == 1
    assert web == web | {"format": "csv", "via": "web", "date_from": "2025-07-01", "date_to": None}


def test_the_download_page_shows_the_choices_and_refuses_bad_ones(client, auth, planted):
    auth.login("cora")
    page = client.get("/reports/exports").get_data(as_text=True)
    assert "rounded down to the hour" in page and 'name="format"' in page
    assert re.search(r'<input checked[^>]*value="csv"', page)  # CSV is chosen to start with
    assert download(client, format="xlsx").status_code == 400
    backwards = download(client, format="json", date_from="2025-02-01", date_to="2025-01-01")
    assert backwards.status_code == 400
    assert "must not be before" in backwards.get_data(as_text=True)
    assert not db.session.scalar(select(AuditEvent).filter_by(action="exported"))


@pytest.mark.parametrize("role", ["venue_staff", "pastor", "partner"])
def test_only_coordinators_download_exports(client, auth, make_person, planted, role):
    make_person("someone", roles=[role])
    auth.login("someone")
    token = auth.csrf("/account")
    answer = client.post("/reports/exports", data={"csrf_token": token, "format": "json"})
    assert answer.status_code == 403


def test_a_coordinator_exports_only_their_own_scheme(client, auth, planted, make_person, elsewhere):
    make_person("olga", roles=["coordinator"], scheme=elsewhere)
    auth.login("olga")
    document = json.loads(download(client, format="json").data)
    assert document["tables"]["visits"] == [] and document["tables"]["venues"] == []
    assert [row["name"] for row in document["tables"]["schemes"]] == ["Elsewhere"]
    teams = db.session.scalars(select(Team)).all()
    assert teams  # the other scheme has one; this one sees none of it
    assert document["tables"]["teams"] == []
