"""The dashboard and the quarterly partnership report: counts against a hand-computed
set of records (two weeks, midnights, the October 2025 clock change, quarter edges),
small numbers as partners see them suppressed (the pure rule is in
tests/test_report_suppression.py), and what partners never see.

The records of `book` (all times London, Q4 2025; a night runs 06:00 to 06:00):

patrols  P1 Friday team, Fri 24 Oct 22:00 BST to 03:00 BST, 3 pastors: 5 h x 3 = 15 h
         P2 Saturday team, Sat 25 Oct 22:00 BST to Sun 26 Oct 04:00 GMT (the clocks go
            back at 02:00 BST): 7 real hours x 2 pastors = 14 h
         P3 Friday team, Fri 31 Oct 22:00 to Sat 1 Nov 03:00, 2 pastors: 10 h, in October
         P4 Friday team, Fri 7 Nov 22:00, never ended: a patrol, no hours
contacts C1 P1 Sat 25 Oct 01:30 BST, 2 people, water + stayed, service A
         C2 P1 Fri 24 Oct 23:00 BST, 1, first aid + hand-over to The Lamp
         C3 P2 Sun 26 Oct 01:30 GMT (the second 01:30), 3, conversation, services A and B
         C4 P2 Sun 26 Oct 01:30 BST (the first 01:30), 1, taxi + hand-over to The Lantern
         C5 P3 Sat 1 Nov 00:15 GMT, 4, water: Friday 31 October's night
         C6 P4 Fri 7 Nov 23:00, 1, hand-over to The Lamp (no visit came of it)
visits   V1 Lamp Fri 24 Oct 23:10 (continues C2), seat
         V2 Lantern Sun 26 Oct 01:40 BST (continues C4), seat + taxi: Saturday's night
         V3 Lamp Sat 1 Nov 01:00: Friday 31 October's night, phone charged, service B
         V4 Lamp Thu 1 Jan 2026 01:00: New Year's Eve's night, in Q4, called a friend
         V5 Lamp Wed 1 Oct 05:59: 30 September's night, Q3, not counted
         V6 Lantern Wed 1 Oct 06:00: the quarter's first night, seat
         V7 Lantern Thu 1 Jan 2026 06:00: Q1 2026, not counted
         V8 Lamp Sat 13 Dec 19:30, seat + signposted to service A
         V9 Lantern Sat 8 Nov 21:15, seat
"""

import csv
import io
import re
import shutil
import subprocess
import uuid
from datetime import date, datetime

import pytest

from core.timeutil import to_utc
from extensions import db
from havens.models import SupportService, Venue, Visit
from patrols.models import Contact, Patrol, Team
from reports import measures, periods, quarterly
from tests.suppression_oracle import exposed_exactly

Q4 = periods.quarter(2025, 4)


def london(text: str) -> datetime:
    """A London wall-clock time, as stored (naive UTC)."""
    return to_utc(datetime.fromisoformat(text))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the hand-computed records ------------------------------------------------------------


@pytest.fixture
def book(app, scheme, venue, team, make_person):
    """The records in the module's docstring; returns the things tests refer to by name."""
    lantern = Venue(scheme_id=scheme.id, name="The Lantern", status="active")
    closed = Venue(scheme_id=scheme.id, name="Closed Cafe", status="left")
    saturday = Team(scheme_id=scheme.id, name="Saturday team")
    a = SupportService(scheme_id=scheme.id, name="Service A", position=1)
    b = SupportService(scheme_id=scheme.id, name="Service B", position=2)
    db.session.add_all([lantern, closed, saturday, a, b])
    db.session.flush()
    pastors = [make_person(f"pastor{n}", roles=["pastor"]) for n in range(3)]

    def patrol(team_id, start, end, crew):
        p = Patrol(id=str(uuid.uuid4()), team_id=team_id, started_at=start, ended_at=end)
        p.pastors = crew
        db.session.add(p)
        return p

    p1 = patrol(team.id, london("2025-10-24 22:00"), london("2025-10-25 03:00"), pastors)
    p2 = patrol(saturday.id, utc("2025-10-25 21:00"), utc("2025-10-26 04:00"), pastors[:2])
    p3 = patrol(team.id, london("2025-10-31 22:00"), london("2025-11-01 03:00"), pastors[:2])
    p4 = patrol(team.id, london("2025-11-07 22:00"), None, pastors[:1])
    db.session.flush()
    contacts = {}
    for name, p, at, people, given_, services, handover in [
        ("C1", p1, utc("2025-10-25 00:30"), 2, ["water", "stayed"], [a.id], None),
        ("C2", p1, london("2025-10-24 23:00"), 1, ["first_aid", "handover"], [], venue.id),
        ("C3", p2, utc("2025-10-26 01:30"), 3, ["conversation"], [a.id, b.id], None),
        ("C4", p2, utc("2025-10-26 00:30"), 1, ["helped_taxi", "handover"], [], lantern.id),
        ("C5", p3, london("2025-11-01 00:15"), 4, ["water"], [], None),
        ("C6", p4, london("2025-11-07 23:00"), 1, ["handover"], [], venue.id),
    ]:
        contacts[name] = Contact(
            id=str(uuid.uuid4()),
            patrol_id=p.id,
            at=at,
            people=people,
            given=given_,
            services=services,
            handover_venue_id=handover,
            street="Secret Street",
            note=f"NOTE-SECRET-{name}",
        )
    db.session.add_all(contacts.values())
    db.session.flush()
    for name, where, at, help_, services, contact in [
        ("V1", venue, london("2025-10-24 23:10"), ["seat"], [], "C2"),
        ("V2", lantern, utc("2025-10-26 00:40"), ["seat", "called_taxi"], [], "C4"),
        ("V3", venue, london("2025-11-01 01:00"), ["phone_charged"], [b.id], None),
        ("V4", venue, london("2026-01-01 01:00"), ["called_friend"], [], None),
        ("V5", venue, london("2025-10-01 05:59"), ["seat"], [], None),
        ("V6", lantern, london("2025-10-01 06:00"), ["seat"], [], None),
        ("V7", lantern, london("2026-01-01 06:00"), ["seat"], [], None),
        ("V8", venue, london("2025-12-13 19:30"), ["seat", "signposted"], [a.id], None),
        ("V9", lantern, london("2025-11-08 21:15"), ["seat"], [], None),
    ]:
        db.session.add(
            Visit(
                id=str(uuid.uuid4()),
                venue_id=where.id,
                arrived_at=at,
                help=help_,
                services=services,
                note=f"NOTE-SECRET-{name}",
                contact_id=contacts[contact].id if contact else None,
            )
        )
    p1.note = "NOTE-SECRET-patrol"
    db.session.commit()
    return {
        "scheme": scheme,
        "lamp": venue,
        "lantern": lantern,
        "friday": team,
        "saturday": saturday,
        "a": a,
        "b": b,
        "pastors": pastors,
    }


def scope(book, period=Q4) -> measures.Scope:
    return measures.Scope(book["scheme"].id, period)


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "night"),
    [
        (london("2025-10-25 01:30"), date(2025, 10, 24)),  # after midnight: Friday's night
        (london("2025-10-25 05:59"), date(2025, 10, 24)),
        (london("2025-10-25 06:00"), date(2025, 10, 25)),
        (utc("2025-10-26 01:30"), date(2025, 10, 25)),  # the repeated hour, second time
        (london("2026-01-01 01:00"), date(2025, 12, 31)),
    ],
)
def test_a_night_runs_from_six_to_six_london_time(stored, night):
    assert periods.night_of(stored) == night


def test_periods_are_whole_nights_in_utc():
    week = periods.week_of(date(2025, 10, 24))
    assert (week.first, week.end) == (date(2025, 10, 20), date(2025, 10, 27))
    assert week.start_utc == utc("2025-10-20 05:00")  # 06:00 BST
    assert week.end_utc == utc("2025-10-27 06:00")  # 06:00 GMT, after the change
    assert Q4.months() == [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]
    assert periods.last_ended_quarter(london("2026-01-01 05:00")) == periods.quarter(2025, 3)
    assert periods.last_ended_quarter(london("2026-01-01 06:00")) == Q4


# --- counts against the hand-computed records --------------------------------------------


def test_quarter_counts(book):
    s = scope(book)
    lamp, lantern = book["lamp"].id, book["lantern"].id
    assert measures.visits(s) == {(): 7}
    assert measures.visits(s, "venue", "month") == {
        (lamp, 0): 2,
        (lamp, 2): 2,
        (lantern, 0): 2,
        (lantern, 1): 1,
    }
    assert measures.visits(s, "month") == {(0,): 4, (1,): 1, (2,): 2}
    assert measures.contacts(s) == {(): (6, 12)}
    assert measures.contacts(s, "month") == {(0,): (5, 11), (1,): (1, 1)}
    assert measures.patrols(s) == {(): (4, 39.0)}
    assert measures.patrols(s, "month") == {(0,): (3, 39.0), (1,): (1, 0.0)}
    assert measures.handovers(s, "venue") == {(lamp,): (2, 1), (lantern,): (1, 1)}


def test_hours_on_duty_count_the_clock_change_in_real_time(book):
    s = scope(book)
    friday, saturday = book["friday"].id, book["saturday"].id
    # P2 ran 22:00 BST to 04:00 GMT: seven real hours, two pastors.
    assert measures.patrols(s, "team") == {(friday,): (3, 25.0), (saturday,): (1, 14.0)}


def test_kinds_of_help_services_and_given(book):
    s = scope(book)
    assert measures.visit_items(s, "help") == {
        "seat": 5,
        "called_taxi": 1,
        "phone_charged": 1,
        "called_friend": 1,
        "signposted": 1,
    }
    assert measures.visit_items(s, "services") == {book["a"].id: 1, book["b"].id: 1}
    assert measures.contact_items(s, "services") == {book["a"].id: 2, book["b"].id: 1}
    assert measures.contact_items(s, "given") == {
        "water": 2,
        "stayed": 1,
        "first_aid": 1,
        "handover": 3,
        "conversation": 1,
        "helped_taxi": 1,
    }


def test_nights_of_the_week_and_hour_bands(book):
    s = scope(book)
    friday, saturday, wednesday = 4, 5, 2
    assert measures.visits(s, "weekday") == {(friday,): 2, (saturday,): 3, (wednesday,): 2}
    assert measures.contacts(s, "weekday") == {(friday,): (4, 8), (saturday,): (2, 4)}
    day, evening, late, small_hours = 0, 1, 2, 3  # reports.sql.BANDS
    assert measures.visits(s, "band") == {(late,): 2, (small_hours,): 3, (day,): 1, (evening,): 1}
    assert measures.contacts(s, "band") == {(late,): (2, 2), (small_hours,): (4, 10)}


def test_two_weeks_either_side_of_the_clock_change(book):
    first = scope(book, periods.week_of(date(2025, 10, 24)))
    second = scope(book, periods.week_of(date(2025, 10, 31)))
    assert measures.visits(first) == {(): 2}
    assert measures.contacts(first) == {(): (4, 7)}
    assert measures.patrols(first) == {(): (2, 29.0)}
    assert measures.visits(second) == {(): 1}
    assert measures.contacts(second) == {(): (1, 4)}
    assert measures.patrols(second) == {(): (1, 10.0)}
    october = scope(book, periods.month_of(date(2025, 10, 1)))
    assert measures.visits(october, "venue") == {(book["lamp"].id,): 2, (book["lantern"].id,): 2}


def test_another_schemes_records_are_not_counted(book, app):
    from accounts.models import Scheme

    other = Scheme(name="Elsewhere")
    db.session.add(other)
    db.session.flush()
    venue = Venue(scheme_id=other.id, name="Far Away", status="active")
    db.session.add(venue)
    db.session.flush()
    db.session.add(
        Visit(id=str(uuid.uuid4()), venue_id=venue.id, arrived_at=london("2025-11-01 23:00"))
    )
    db.session.commit()
    assert measures.visits(scope(book)) == {(): 7}
    assert measures.visits(measures.Scope(other.id, Q4)) == {(): 1}


def test_the_coordinators_report_shows_every_number(book, app):
    with app.test_request_context():
        data = quarterly.gather(book["scheme"].id, Q4)
        report = quarterly.build(data, "Testbridge", Q4, partner_view=False, small_max=5)
    headline = {label: cell.text for label, cell in report.headline}
    assert headline == {
        "People engaged by Street Pastors": "12",
        "Hours on duty": "39.0",
        "Patrols": "4",
        "Actions to assess or reduce risk": "6",
        "Safe Haven visits": "7",
        "Hand-overs from Street Pastors to Safe Havens": "3",
        # Priority 5 (tests/places/test_priority5.py): nobody recorded alone, no spiking.
        "Alone and showing signs of vulnerability": "0",
        "Suspected spiking at Safe Havens": "0",
        "Unsafe-place reports received": "0",
    }
    visits = table(report, "visits")
    assert visits["The Lamp"] == ["2", "0", "2", "4"]
    assert visits["The Lantern"] == ["2", "1", "0", "3"]
    assert visits["All venues"] == ["4", "1", "2", "7"]
    assert "Closed Cafe" not in visits  # left the scheme, no visits this quarter
    assert table(report, "duty")["October 2025"] == ["3", "39.0"]
    assert table(report, "engaged")["Quarter"] == ["6", "12"]
    given_ = table(report, "given")
    assert given_["Handed over to a Safe Haven"] == ["3"]
    assert given_["Actions to assess or reduce risk, in all"] == ["6"]
    assert table(report, "signposting") == {
        "Service A": ["1", "2", "3"],
        "Service B": ["1", "1", "2"],
    }
    assert table(report, "handovers") == {
        "The Lamp": ["2", "1"],
        "The Lantern": ["1", "1"],
        "All venues": ["3", "2"],
    }


def table(report, table_id: str) -> dict[str, list[str]]:
    found = next(t for t in report.tables() if t.id == table_id)
    return {row.label: [cell.text for cell in row.cells] for row in found.rows}


# --- what partners see ----------------------------------------------------------------------


@pytest.fixture
def busy_quarter(book):
    """More visits in Q4 2025, so the report has counts above 5 and secondary suppression:
    The Lamp: October 2 + 8, December 2; The Lantern: October 2 + 9, November 1 + 7."""
    for where, at, n in [
        (book["lamp"], "2025-10-10 22:00", 8),
        (book["lantern"], "2025-10-11 22:00", 9),
        (book["lantern"], "2025-11-14 23:00", 7),
    ]:
        db.session.add_all(
            Visit(id=str(uuid.uuid4()), venue_id=where.id, arrived_at=london(at), help=["seat"])
            for _ in range(n)
        )
    db.session.commit()
    return book


@pytest.fixture
def partner_report(client, auth, make_person):
    """Factory: the quarterly report, as Priya (a partner, signed in here) gets it."""

    def get(query="?year=2025&quarter=4"):
        make_person("priya", roles=["partner"])
        auth.login("priya")
        return client.get("/reports/quarterly" + query)

    return get


def cells_of(html: str, table_id: str) -> dict[str, list[str]]:
    """A table of the page, by row label."""
    body = html.split(f'id="table-{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">(.*?)</th>(.*?)</tr>", body, re.S)
    return {label: re.findall(r"<td>(.*?)</td>", cells) for label, cells in rows}


def test_a_partner_sees_small_counts_as_one_to_five(busy_quarter, client, partner_report):
    html = partner_report().get_data(as_text=True)
    visits = cells_of(html, "visits")
    # True figures: Lamp 10, 0, 2 | 12; Lantern 11, 8, 0 | 19; months 21, 8, 2 | 31.
    assert visits["The Lamp"][2] == "1-5"
    assert visits["All venues"][2] == "1-5"  # December's total is 2
    assert "[c]" in str(visits)  # a second count hides each small one
    assert no_row_or_column_gives_one_away(visits)
    assert "Small numbers are hidden, as partners see them" in html
    assert "Coordinators only" not in html
    assert "How the figures are counted" in html


def no_row_or_column_gives_one_away(cells: dict[str, list[str]]) -> bool:
    """No row or column of a table with totals has exactly one hidden cell."""
    grid_ = list(cells.values())
    lines = grid_ + [list(column) for column in zip(*grid_, strict=True)]
    return all(sum(not n.replace(",", "").isdigit() for n in line) != 1 for line in lines)


def test_the_partners_visits_table_cannot_be_worked_back(busy_quarter, app):
    with app.test_request_context():
        data = quarterly.gather(busy_quarter["scheme"].id, Q4)
        report = quarterly.build(data, "Testbridge", Q4, partner_view=True, small_max=5)
    rows = [r for r in next(t for t in report.tables() if t.id == "visits").rows if not r.total]
    values = [[int(c.value) for c in r.cells[:-1]] for r in rows]
    marks = {}
    for r, row in enumerate(next(t for t in report.tables() if t.id == "visits").rows):
        for c, cell in enumerate(row.cells):
            key = ("all" if row.total else r, "all" if c == len(row.cells) - 1 else c)
            marks[key] = cell.mark
    assert exposed_exactly(values, marks) == []


def test_a_coordinator_can_see_the_report_as_partners_do(busy_quarter, client, auth, make_person):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    every = client.get("/reports/quarterly?year=2025&quarter=4").get_data(as_text=True)
    assert cells_of(every, "visits")["The Lamp"] == ["10", "0", "2", "12"]
    assert "Coordinators only" in every
    as_partner = client.get("/reports/quarterly?year=2025&quarter=4&view=partner")
    assert cells_of(as_partner.get_data(as_text=True), "visits")["The Lamp"][2] == "1-5"
    # The downloads follow the choice, and say whose version they are.
    csv_all = client.get("/reports/quarterly.csv?year=2025&quarter=4")
    assert "coordinators-only" in csv_all.headers["Content-Disposition"]
    csv_partner = client.get("/reports/quarterly.csv?year=2025&quarter=4&view=partner")
    assert "coordinators-only" not in csv_partner.headers["Content-Disposition"]


def test_the_csv_holds_the_report_as_partners_see_it(busy_quarter, client, partner_report):
    partner_report()
    response = client.get("/reports/quarterly.csv?year=2025&quarter=4")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Scheme", "Quarter", "Section", "Table", "Row", "Column", "Value"]
    found = {(r[3], r[4], r[5]): r[6] for r in rows[1:]}
    table_ = "Safe Haven visits by venue and month"
    assert found[(table_, "The Lamp", "December 2025")] == "1-5"
    assert found[(table_, "The Lantern", "October 2025")] == "11"
    assert found[("Patrols and hours on duty", "Quarter", "Hours on duty")] == "39.0"
    assert found[("Summary", "People engaged by Street Pastors", "")] == "12"
    assert all(r[1] == "2025-Q4" and r[0] == "Testbridge" for r in rows[1:])
    assert not any("NOTE-SECRET" in value for row in rows for value in row)


@pytest.fixture
def pdf_text(tmp_path, unavailable):
    """Factory: the text of a PDF, read by pdftotext."""

    def read(body: bytes) -> str:
        if not shutil.which("pdftotext"):
            unavailable("pdftotext missing: apt-get install poppler-utils")
        path = tmp_path / "report.pdf"
        path.write_bytes(body)
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
        )
        return done.stdout.decode()

    return read


def test_the_pdf_holds_the_report_as_partners_see_it(
    busy_quarter, client, partner_report, pdf_text
):
    partner_report()
    response = client.get("/reports/quarterly.pdf?year=2025&quarter=4")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Partnership report: Street Pastors and Safe Havens" in text
    assert "Testbridge · 2025, quarter 4" in text
    # The Lamp's 10, 0, 2 | 12: the 2 is small, and October is hidden so it cannot be 12 - 10.
    assert re.search(r"The Lamp\s+\[c\]\s+0\s+1-5\s+12\n", text)
    assert re.search(r"The Lantern\s+11\s+8\s+0\s+19\n", text)
    assert re.search(r"Hours on duty\s+Patrols", text) and "39.0" in text
    assert "Small numbers are hidden, as partners see them: 1-5 for a count" in text
    assert "Coordinators only" not in text
    assert "How the figures are counted" in text
    assert "NOTE-SECRET" not in text


def test_the_coordinators_pdf_says_not_to_share_it(
    busy_quarter, client, auth, make_person, pdf_text
):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    text = pdf_text(client.get("/reports/quarterly.pdf?year=2025&quarter=4").data)
    assert "Coordinators only" in text
    assert re.search(r"The Lamp\s+10\s+0\s+2\s+12", text)


def test_partners_see_a_quarter_only_once_it_has_ended(book, client, partner_report):
    this_quarter = periods.quarter_of(periods.tonight())
    query = f"?year={this_quarter.first.year}&quarter={periods.quarter_number(this_quarter)}"
    response = partner_report(query)
    assert response.status_code == 200
    assert "has not ended yet" in response.get_data(as_text=True)
    assert client.get("/reports/quarterly.csv" + query).status_code == 404
    assert client.get("/reports/quarterly.pdf" + query).status_code == 404
    # With no quarter chosen, a partner gets the last one that has ended.
    default = client.get("/reports/quarterly").get_data(as_text=True)
    assert "has not ended yet" not in default


def test_a_bad_quarter_is_refused(book, client, partner_report):
    assert partner_report("?year=2025&quarter=7").status_code == 400
    assert client.get("/reports/quarterly.csv?year=abc&quarter=1").status_code == 404


def test_downloads_are_audited(busy_quarter, client, partner_report):
    from core.models import AuditEvent

    partner_report()
    client.get("/reports/quarterly.csv?year=2025&quarter=4")
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="exported")).one()
    assert event.detail == {
        "report": "quarterly",
        "format": "csv",
        "period": "lantern-2025-q4",
        "suppressed": True,
    }


# --- partners never see row-level data --------------------------------------------------------

SECRETS = ["NOTE-SECRET", "Secret Street", "Pastor0", "Pastor1", "Staffname", "Vera Contact"]


def test_a_partner_never_sees_a_record_a_note_or_a_name(
    book, app, client, make_person, partner_report, sample_url
):
    book["lamp"].contact_name = "Vera Contact"
    make_person("staffname", roles=["venue_staff"], venues=[book["lamp"]])
    db.session.commit()
    partner_report()
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        response = client.get(sample_url(app, rule))
        if response.status_code == 200:
            pages.append((rule.rule, response.get_data()))
    for query in ("?year=2025&quarter=4", "?year=2025&quarter=3"):
        for path in ("/reports/quarterly", "/reports/quarterly.csv"):
            pages.append((path + query, client.get(path + query).get_data()))
    reached = {path.split("?")[0] for path, _body in pages}
    assert {"/reports/quarterly", "/reports/quarterly.csv", "/"} <= reached
    for path, body in pages:
        text = body.decode("utf-8", "replace")
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} on {path}"
        assert not re.search(r"\b23:10\b|\b01:40\b", text), f"a record's time on {path}"
    # Nothing that lists records opens to a partner.
    for path in ("/reports", "/visits", "/patrols", "/venues", "/people", "/reports/exports"):
        assert client.get(path).status_code == 403, path


def test_a_partner_has_a_link_to_the_report_at_home(book, client, auth, make_person):
    make_person("priya", roles=["partner"])
    auth.login("priya")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/reports/quarterly"' in home


# --- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_draws_charts_with_their_tables(app, client, auth, make_person, venue):
    from core.timeutil import utcnow

    db.session.add(
        Visit(id=str(uuid.uuid4()), venue_id=venue.id, arrived_at=utcnow(), help=["seat"])
    )
    db.session.commit()
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    response = client.get("/reports?period=week")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and "style=" not in html.split("<main", 1)[1]
    assert "<script" not in html.split("<main", 1)[1]
    # Each chart names the table behind it, which has a caption.
    for chart_id in re.findall(r'<svg class="chart"[^>]*aria-describedby="([^"]+)"', html):
        assert f'<table class="table figures" id="{chart_id}">' in html
    by_venue = html.split('id="by-venue"', 1)[1].split("</table>", 1)[0]
    assert "<caption" in by_venue and "The Lamp" in by_venue
    assert re.search(r"Safe Haven visits</th><td>1</td><td>1</td><td>1</td>", html)
    assert client.get("/reports?period=quarter").status_code == 200


def test_the_settings_name_the_small_count_threshold(app):
    assert app.config["SMALL_COUNT_MAX"] == 5
