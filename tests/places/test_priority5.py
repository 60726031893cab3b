"""The action plan's priority 5 in the reports: 5.1's breakdowns and "alone and showing
signs of vulnerability, by gender", suspected spiking, unsafe places by category and month,
EVAs and their actions, Ask for Angela; every count about people suppressed for partners
as every other count is, and the dashboard's charts with their tables."""

import re
import uuid
from datetime import date, datetime, timedelta

import pytest

from core.timeutil import london_today, to_utc
from extensions import db
from havens.models import Visit
from patrols.models import Contact, Patrol
from places import services as places
from places.models import EvaAction
from reports import measures, periods, priority5, quarterly, suppression
from reports.tables import Layout

Q4 = periods.quarter(2025, 4)


def london(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


@pytest.fixture
def quarter(scheme, venue, team, make_person, make_report, make_eva, coordinator):
    """Q4 2025. Visits at The Lamp:
         V1 Oct, woman, alone, 18-24, spiking     V4 Nov, man, alone, 25-34
         V2 Oct, woman, alone, 18-24              V5 Dec, not said, with others
         V3 Oct, woman, with others, spiking      V6 Sep 30: Q3, not counted
    Contacts: C1 Oct, 1 woman alone and vulnerable + spiking; C2 Nov, 3 (mixed group),
    intoxicated; C3 Dec, 1 man alone and vulnerable.
    Reports: R1 Oct lighting + no CCTV; R2 Oct lighting; R3 Nov followed; R4 a duplicate of
    R1 (not counted); R5 in January 2026 (not counted). An EVA done in November answering
    R1 with an action done in December and one still open; another planned."""
    night = [
        ("2025-10-03 22:00", "woman", "alone", "18_24", ["seat", "suspected_spiking"]),
        ("2025-10-04 22:00", "woman", "alone", "18_24", ["seat"]),
        ("2025-10-10 23:00", "woman", "with_others", "25_34", ["suspected_spiking"]),
        ("2025-11-07 23:00", "man", "alone", "25_34", ["called_taxi"]),
        ("2025-12-05 21:00", "not_said", "with_others", None, ["water"]),
        ("2025-09-30 21:00", "woman", "alone", "18_24", ["suspected_spiking"]),
    ]
    for at, gender, company, age, help_given in night:
        db.session.add(
            Visit(
                id=str(uuid.uuid4()),
                venue_id=venue.id,
                arrived_at=london(at),
                gender=gender,
                company=company,
                age_band=age,
                help=help_given,
            )
        )
    patrol = Patrol(id=str(uuid.uuid4()), team_id=team.id, started_at=london("2025-10-03 21:00"))
    db.session.add(patrol)
    for at, people, gender, seen in [
        ("2025-10-03 23:30", 1, "woman", ["vulnerable", "spiking"]),
        ("2025-11-08 00:30", 3, "mixed", ["intoxicated"]),
        ("2025-12-06 01:00", 1, "man", ["vulnerable"]),
    ]:
        db.session.add(
            Contact(
                id=str(uuid.uuid4()),
                patrol_id=patrol.id,
                at=london(at),
                people=people,
                gender=gender,
                seen=seen,
                given=["water"],
            )
        )
    db.session.commit()
    r1 = make_report(categories=["lighting", "no_cctv"], received_at=london("2025-10-12 12:00"))
    make_report(categories=["lighting"], received_at=london("2025-10-20 12:00"))
    make_report(categories=["followed"], received_at=london("2025-11-02 12:00"))
    r4 = make_report(categories=["lighting"], received_at=london("2025-10-13 12:00"))
    make_report(categories=["isolated"], received_at=london("2026-01-02 12:00"))
    places.merge(r4, r1, coordinator)
    eva = make_eva(coordinator, reports=[r1], status="done", walked_at=london("2025-11-14 21:00"))
    make_eva(coordinator, walked_at=london("2025-12-01 21:00"))
    db.session.add_all(
        [
            EvaAction(
                eva_id=eva.id,
                what="Lights",
                owner="TWBC",
                due_on=date(2025, 12, 1),
                status="done",
                done_on=date(2025, 12, 3),
                created_at=london("2025-11-15 10:00"),
            ),
            EvaAction(
                eva_id=eva.id,
                what="Camera",
                owner="Kent Police",
                due_on=date(2026, 2, 1),
                created_at=london("2025-11-15 10:00"),
            ),
        ]
    )
    venue.ask_for_angela = True
    db.session.commit()
    return {"eva": eva}


def data(scheme) -> priority5.Data:
    return priority5.gather(measures.Scope(scheme.id, Q4))


def test_alone_and_showing_signs_of_vulnerability_by_gender(quarter, scheme):
    found = data(scheme)
    assert priority5.by_gender(found.visits_alone_gender) == {"woman": 2, "man": 1}
    assert priority5.by_gender(found.vulnerable_gender) == {"woman": 1, "man": 1}


def test_people_helped_by_gender_age_and_company(quarter, scheme):
    found = data(scheme)
    assert priority5.by_gender(found.visits_gender) == {"woman": 3, "man": 1, None: 1}
    assert priority5.by_gender(found.people_gender) == {"woman": 1, "mixed": 3, "man": 1}
    assert found.visits_age == {("18_24",): 2, ("25_34",): 2, (None,): 1}
    assert found.visits_company == {("alone",): 3, ("with_others",): 2}
    assert found.people_company == {("alone",): 2, ("with_others",): 3}
    assert found.seen == {"vulnerable": 2, "spiking": 1, "intoxicated": 1}


def test_suspected_spiking_is_counted_by_month(quarter, scheme):
    found = data(scheme)
    assert found.spiking_visits == {(0,): 2}  # October; September's is in Q3
    assert found.spiking_contacts == {(0,): 1}


def test_unsafe_places_evas_and_actions(quarter, scheme):
    found = data(scheme)
    assert found.received == {0: 2, 1: 1}  # the duplicate and January's left out
    assert found.categories == {("lighting", 0): 2, ("no_cctv", 0): 1, ("followed", 1): 1}
    assert found.evas_done == 1  # the planned one is not done
    assert found.actions == (1, 1)
    assert found.angela_venues == 1


def report(scheme, partner_view: bool) -> quarterly.Report:
    return quarterly.build(quarterly.gather(scheme.id, Q4), "Testbridge", Q4, partner_view, 5)


def table(built: quarterly.Report, table_id: str) -> dict[str, list[str]]:
    [found] = [t for t in built.tables() if t.id == table_id]
    return {row.label: [cell.text for cell in row.cells] for row in found.rows}


def test_coordinators_see_every_number(app, quarter, scheme):
    built = report(scheme, partner_view=False)
    assert table(built, "alone-vulnerable")["Women"] == ["2", "1"]
    assert table(built, "alone-vulnerable")["Everyone"] == ["3", "2"]
    assert table(built, "by-gender")["Everyone"] == ["5", "5"]
    assert table(built, "spiking")["Quarter"] == ["2", "1"]
    assert table(built, "unsafe-places")["Reports received"] == ["2", "1", "0", "3"]
    assert table(built, "unsafe-places")["Poor or no street lighting"] == ["2", "0", "0", "2"]
    assert table(built, "evas")["EVAs done"] == ["1"]
    assert table(built, "evas")["EVA actions still open at the end of the quarter"] == ["1"]
    assert table(built, "evas")["Venues taking part in Ask for Angela now"] == ["1"]
    headline = dict((label, cell.text) for label, cell in built.headline)
    assert headline["Alone and showing signs of vulnerability"] == "5"
    assert headline["Unsafe-place reports received"] == "3"


def test_partners_see_every_new_count_about_people_suppressed(app, quarter, scheme):
    built = report(scheme, partner_view=True)
    people = ("alone-vulnerable", "by-gender", "by-age", "by-company", "seen", "spiking")
    for table_id in (*people, "unsafe-places"):
        for label, cells in table(built, table_id).items():
            for text in cells:
                assert text in ("0", "1-5", "[c]", "[x]"), (table_id, label, text)
    assert table(built, "alone-vulnerable")["Women"][0] == "1-5"
    # Figures about places and partners' work are shown as they are.
    assert table(built, "evas")["EVAs done"] == ["1"]
    headline = dict((label, cell.text) for label, cell in built.headline)
    assert headline["Suspected spiking at Safe Havens"] == "1-5"
    assert headline["Unsafe-place reports received"] == "1-5"


def test_no_hidden_count_can_be_worked_back_across_the_whole_report(app, quarter, scheme):
    """Every sum the tables hold, the figures shown twice included: none gives one away."""
    raw = quarterly.gather(scheme.id, Q4)
    layout = Layout(raw, Q4)
    for make in (
        quarterly.duty_table,
        quarterly.engaged_table,
        quarterly.given_table,
        quarterly.visits_table,
        quarterly.help_table,
        quarterly.signposting_table,
        quarterly.handovers_table,
        quarterly.help_requests_table,
    ):
        make(layout)
    priority5.tables(layout)
    marks = suppression.suppress(layout.counts, layout.sums, 5)
    assert suppression.recoverable(layout.counts, layout.sums, marks, 5) == []
    # The figures shown in two places are one key: all visits, spiking, visits of someone alone.
    keys = {key for _total, parts in layout.sums for key in parts}
    assert ("visits", "all", "all") in {t for t, _p in layout.sums}
    assert ("help", "suspected_spiking") in {t for t, _p in layout.sums}
    assert ("company", "alone", "visits") in keys


def test_a_partner_reads_the_section_on_the_page_and_in_the_csv(quarter, client, auth, make_person):
    make_person("priya", roles=["partner"])
    auth.login("priya")
    page = client.get("/reports/quarterly?year=2025&quarter=4").get_data(as_text=True)
    assert "Alone and showing signs of vulnerability, by gender (action plan 5.1)" in page
    assert "Suspected spiking (drink or needle)" in page
    assert 'id="table-unsafe-places"' in page
    csv = client.get("/reports/quarterly.csv?year=2025&quarter=4").get_data(as_text=True)
    assert "Unsafe-place reports from the public" in csv and "1-5" in csv


def test_the_dashboard_charts_priority_5_with_tables(
    app, client, auth, coordinator, venue, staff, make_visit, make_report, train
):
    train(staff)
    make_visit(venue, staff, help=["suspected_spiking"], company="alone", gender="woman")
    make_report(categories=["lighting"])
    auth.login("cora")
    html = client.get("/reports?period=week").get_data(as_text=True)
    for chart in ("alone-vulnerable", "by-gender", "by-age", "by-company", "unsafe-places"):
        assert f'<table class="table figures" id="{chart}">' in html, chart
        assert f'aria-describedby="{chart}"' in html, chart
    assert re.search(r"Suspected spiking at Safe Havens</th><td>1</td>", html)
    assert re.search(r"Unsafe-place reports received</th><td>1</td>", html)
    women = html.split('id="alone-vulnerable"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"Women</th><td>1</td><td>0</td>", women)


# --- Ask for Angela on the Venues page -------------------------------------------------------


def test_venues_whose_angela_briefing_is_older_than_the_training_period(
    client, auth, coordinator, make_venue
):
    make_venue("Briefed Lately", ask_for_angela=True, angela_briefed_on=london_today())
    make_venue(
        "Briefed Long Ago",
        ask_for_angela=True,
        angela_briefed_on=london_today() - timedelta(days=400),
    )
    make_venue("Never Briefed", ask_for_angela=True)
    make_venue("Not Taking Part", angela_briefed_on=london_today() - timedelta(days=900))
    auth.login("cora")
    page = client.get("/venues").get_data(as_text=True)
    due = page.split('id="angela"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'#angela-details">([^<]+)</a>', due) == ["Never Briefed", "Briefed Long Ago"]
    assert "never briefed" in due and "last briefed" in due
