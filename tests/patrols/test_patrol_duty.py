"""Street Pastors on duty: hours on duty across midnight and the clock changes, one open
patrol per team, and the common case in three taps.

Forms are posted as a browser would post them (tests/patrols/forms.py): the page is read
first, and its form is sent back with only the answers a person would change.
"""

import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from core.timeutil import to_utc, utcnow
from extensions import db
from havens.access import directory_for
from havens.seed import seed_directory
from patrols import services
from patrols.models import Contact, Patrol
from tests.patrols.forms import (
    LOCAL,
    ago,
    count,
    end,
    form_of,
    local,
    log,
    read_form,
    shown,
    start,
    started,
)

# --- hours on duty ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "started_at, ended_at, pastors, hours",
    [
        # A simple evening.
        (datetime(2026, 11, 20, 19, 0), datetime(2026, 11, 20, 22, 0), 2, 6.0),
        # Across midnight: 22:00 to 03:30 is 5.5 hours.
        (datetime(2026, 11, 20, 22, 0), datetime(2026, 11, 21, 3, 30), 3, 16.5),
        # Across the October change: 22:00 BST is 21:00 UTC, 04:00 GMT is 04:00 UTC.
        (datetime(2026, 10, 24, 21, 0), datetime(2026, 10, 25, 4, 0), 3, 21.0),
        # Across the March change: 22:00 GMT is 22:00 UTC, 04:00 BST is 03:00 UTC.
        (datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 3, 0), 4, 20.0),
    ],
)
def test_hours_on_duty_from_utc_times(
    app, team, make_person, make_patrol, started_at, ended_at, pastors, hours
):
    people = [make_person(f"p{i}", roles=["pastor"], teams=[team]) for i in range(pastors)]
    patrol = make_patrol(team, people, started_at, ended_at)
    assert services.hours_on_duty(patrol) == hours
    assert services.summary(patrol)["hours_on_duty"] == hours
    assert services.summary(patrol)["pastors"] == pastors


def test_an_open_patrol_has_no_hours_yet(app, team, leader, make_patrol):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=2))
    assert services.hours_on_duty(patrol) == 0.0


def test_london_wall_clock_times_become_utc_across_the_changes():
    assert to_utc(datetime(2026, 10, 24, 22, 0)) == datetime(2026, 10, 24, 21, 0)
    assert to_utc(datetime(2026, 10, 25, 4, 0)) == datetime(2026, 10, 25, 4, 0)
    assert to_utc(datetime(2026, 3, 28, 22, 0)) == datetime(2026, 3, 28, 22, 0)
    assert to_utc(datetime(2026, 3, 29, 4, 0)) == datetime(2026, 3, 29, 3, 0)


@pytest.mark.parametrize(
    "started_at, ended_at, length",
    [
        ("2026-10-24T22:00", "2026-10-25T04:00", 7),  # the clocks go back: 7 real hours
        ("2026-03-28T22:00", "2026-03-29T04:00", 5),  # the clocks go forward: 5 real hours
        ("2026-11-20T22:00", "2026-11-21T03:30", 5.5),  # across midnight
    ],
)
def test_hours_on_duty_through_the_pages(
    client, auth, scheme, team, leader, pastors, started_at, ended_at, length
):
    scheme.created_at = datetime(2026, 1, 1)  # records are dated from the scheme's start on
    db.session.commit()
    auth.login("lee")
    patrol = started(client, team, [leader, *pastors], started_at=started_at)
    response, _data = end(client, patrol.id, ended_at=ended_at)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/patrols/{patrol.id}/summary"
    db.session.refresh(patrol)
    assert patrol.ended_at - patrol.started_at == timedelta(hours=length)
    page = client.get(f"/patrols/{patrol.id}/summary").get_data(as_text=True)
    assert shown(page, "Pastors on duty") == "3"
    assert float(shown(page, "Hours on duty")) == length * 3
    listing = client.get(f"/patrols?month={started_at[:7]}").get_data(as_text=True)
    listed = re.search(r"Ended · Hours on duty: ([\d.]+)", listing)
    assert listed and float(listed.group(1)) == length * 3


def test_the_summary_counts_people_actions_and_handovers(
    client, auth, team, leader, pastors, venue
):
    auth.login("lee")
    now = utcnow().replace(second=0, microsecond=0)
    patrol = started(client, team, [leader, pastors[0]], started_at=local(now - timedelta(hours=3)))
    during = local(now - timedelta(hours=2))
    log(client, patrol.id, at=during, people="2")
    log(client, patrol.id, at=during, given=["first_aid", "stayed", "water"], people_more="9")
    log(client, patrol.id, at=during, given=["handover"], handover_venue_id=str(venue.id))
    log(client, patrol.id, at=during, given=[], seen=["rough_sleeping"])
    response, _data = end(client, patrol.id, ended_at=local(now - timedelta(hours=1)))
    assert response.status_code == 302
    db.session.refresh(patrol)
    summary = services.summary(patrol)
    assert summary["people"] == 2 + 9 + 1 + 1
    assert summary["contacts"] == 4
    assert dict(summary["given"]) == {"water": 2, "first_aid": 1, "stayed": 1, "handover": 1}
    assert summary["risk_reducing_total"] == 3 and summary["handovers"] == 1
    assert summary["hours_on_duty"] == 4.0
    page = client.get(f"/patrols/{patrol.id}/summary").get_data(as_text=True)
    assert shown(page, "People engaged") == "13"
    assert shown(page, "Contacts") == "4"
    assert shown(page, "Hand-overs to Safe Havens") == "1"
    assert shown(page, "Actions to reduce risk") == "3"
    assert re.search(r"<td>Water</td><td>2</td>", page)


# --- one open patrol per team ------------------------------------------------------------


def test_a_second_open_patrol_for_a_team_is_refused_on_the_page(
    client, auth, team, leader, pastors
):
    auth.login("lee")
    first = started(client, team, [leader])
    response, data = start(client, team, pastors)
    assert response.status_code == 400
    assert "This team has a patrol open already. End it first." in response.get_data(as_text=True)
    assert count(Patrol) == 1 and db.session.get(Patrol, data["id"][0]) is None
    # Once the first has ended, the team may go out again.
    assert end(client, first.id)[0].status_code == 302
    second = started(client, team, pastors, started_at=ago(minutes=2))
    assert count(Patrol) == 2 and second.ended_at is None


def test_the_database_refuses_a_second_open_patrol_for_a_team(
    app, team, other_team, leader, make_patrol
):
    make_patrol(team, [leader], utcnow() - timedelta(hours=2))
    db.session.add(Patrol(id=str(uuid.uuid4()), team_id=team.id, started_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Ended patrols, and another team's open one, are no conflict.
    make_patrol(team, [leader], utcnow() - timedelta(days=8), utcnow() - timedelta(days=7))
    make_patrol(team, [leader], utcnow() - timedelta(days=2), utcnow() - timedelta(days=1))
    make_patrol(other_team, [], utcnow() - timedelta(hours=1))
    assert count(Patrol) == 4


def test_the_same_start_form_sent_twice_starts_one_patrol(client, auth, team, leader):
    auth.login("lee")
    response, data = start(client, team, [leader])
    assert response.status_code == 302
    again = client.post("/patrols/start", data=data)
    assert again.status_code == 302 and again.headers["Location"] == f"/patrols/{data['id'][0]}"
    assert count(Patrol) == 1
    # The same id with other details is refused, not taken for the first.
    data |= {"started_at": ago(hours=3), "csrf_token": auth.csrf("/patrols/start")}
    other = client.post("/patrols/start", data=data)
    assert other.status_code == 400
    assert "This patrol was saved already with other details." in other.get_data(as_text=True)
    db.session.expire_all()
    assert count(Patrol) == 1
    assert local(db.session.get(Patrol, data["id"][0]).started_at) != data["started_at"]


# --- three taps --------------------------------------------------------------------------


def test_water_for_two_people_is_three_taps(client, auth, team, leader):
    auth.login("lee")
    patrol = started(client, team, [leader])
    path = f"/patrols/{patrol.id}/contacts/new"
    page = client.get(path).get_data(as_text=True)
    defaults = read_form(page)
    # Nothing is chosen for the pastor; one person is, and the time is now.
    assert "given" not in defaults and "seen" not in defaults
    assert defaults["people"] == ["1"]
    assert abs(to_utc(datetime.strptime(defaults["at"][0], LOCAL)) - utcnow()) < timedelta(
        minutes=2
    )
    # "Water" and "2" are on the screen, not folded away in a "More" section.
    first_fold = page.index('<details class="more"')
    assert page.index('value="water"') < first_fold
    assert re.search(r'name="people" type="radio" value="2"', page[:first_fold])
    # Tap "Water", tap "2", tap "Save contact".
    response = client.post(path, data=defaults | {"given": "water", "people": "2"})
    assert response.status_code == 302 and response.headers["Location"] == f"/patrols/{patrol.id}"
    contact = db.session.get(Contact, defaults["id"][0])
    assert (contact.people, contact.given, contact.seen) == (2, ["water"], [])
    assert contact.handover_venue_id is None and contact.patrol_id == patrol.id
    assert contact.created_by_id == leader.id and contact.version == 1


def test_water_for_two_people_needs_nothing_but_the_taps_and_the_form_s_own_fields(
    client, auth, team, leader
):
    auth.login("lee")
    patrol = started(client, team, [leader])
    path = f"/patrols/{patrol.id}/contacts/new"
    defaults = form_of(client, path)
    minimal = {name: defaults[name] for name in ("csrf_token", "id", "at")}
    response = client.post(path, data=minimal | {"given": "water", "people": "2"})
    assert response.status_code == 302
    contact = db.session.get(Contact, defaults["id"][0])
    assert (contact.people, contact.given) == (2, ["water"])
    # And without even the "2": one person.
    defaults = form_of(client, path)
    minimal = {name: defaults[name] for name in ("csrf_token", "id", "at")}
    assert client.post(path, data=minimal | {"given": "water"}).status_code == 302
    assert db.session.get(Contact, defaults["id"][0]).people == 1


def test_signposting_to_a_service_counts_as_signposted(client, auth, scheme, team, leader):
    seed_directory(scheme.id)
    db.session.commit()
    refuge = next(s for s in directory_for(scheme.id) if s.name.startswith("Refuge"))
    auth.login("lee")
    patrol = started(client, team, [leader])
    contact = log(client, patrol.id, given=["conversation"], services=[str(refuge.id)])
    assert contact.services == [refuge.id]
    assert contact.given == ["conversation", "signposted"]
