"""Every bad answer on the patrol's start, contact and end forms gets a clear error and
keeps the rest; a position is rounded to about 100 metres and must be on the globe.

Forms are posted as a browser would post them (tests/patrols/forms.py): the page is read
first, and its form is sent back with only the answers a person would change.
"""

from datetime import timedelta

import pytest

from core.timeutil import utcnow
from extensions import db
from patrols.models import Contact, Patrol, Team
from tests.patrols.forms import (
    assert_kept,
    contact_data,
    count,
    end,
    error_for,
    future,
    local,
    log,
    start,
    started,
)

# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"pastors": []}, "pastors", "Choose the pastors on duty."),
        ({"pastors": "OUTSIDER"}, "pastors", "Choose only pastors from this team."),
        ({"pastors": "999"}, "pastors", "is not a valid choice"),
        ({"started_at": "FUTURE"}, "started_at", "That time is in the future."),
        ({"started_at": ""}, "started_at", "This field is required."),
        ({"started_at": "tonight"}, "started_at", "This field is required."),
        ({"id": "not-a-uuid"}, "id", "This record has no valid id."),
        ({"route": "x" * 201}, "route", "Field cannot be longer than 200 characters."),
        ({"team_id": "UNLED"}, "team_id", "Not a valid choice."),
        ({"area_id": "999"}, "area_id", "Not a valid choice."),
    ],
)
def test_each_bad_start_answer_gets_a_clear_error_and_keeps_the_rest(
    client, auth, make_person, scheme, team, other_team, leader, pastors, changes, field, message
):
    # Lea leads both teams; Olly is only on the other one; nobody leads the third.
    leader_of_both = make_person("lea", roles=["pastor"], leads=[team, other_team])
    outsider = make_person("olly", roles=["pastor"], teams=[other_team])
    unled = Team(scheme_id=scheme.id, name="Sunday team")
    db.session.add(unled)
    db.session.commit()
    substitutes = {
        "OUTSIDER": str(outsider.id),
        "UNLED": str(unled.id),
        "FUTURE": future(),
    }
    changes = {
        name: substitutes.get(value, value) if isinstance(value, str) else value
        for name, value in changes.items()
    }
    auth.login("lea")
    people = [leader_of_both, *pastors]
    response, data = start(client, team, people, **({"route": "Calverley Road"} | changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_for(page, field)
    assert count(Patrol) == 0
    assert_kept(page, data, changes)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"given": [], "seen": []}, "given", "Choose what was given or done, or what was seen."),
        ({"given": ["juggling"]}, "given", "“juggling” is not on your scheme"),
        ({"people": "7"}, "people", "Not a valid choice."),
        ({"people_more": "3"}, "people_more", "Number must be between 7 and 200."),
        ({"people_more": "201"}, "people_more", "Number must be between 7 and 200."),
        ({"people_more": "lots"}, "people_more", "Not a valid integer value."),
        (
            {"given": ["handover"], "handover_venue_id": "0"},
            "handover_venue_id",
            "Choose the Safe Haven they were handed over to.",
        ),
        ({"handover_venue_id": "999"}, "handover_venue_id", "Not a valid choice."),
        ({"age_band": "ancient"}, "age_band", "Not a valid choice."),
        ({"gender": "x"}, "gender", "Not a valid choice."),
        ({"services": ["999"]}, "services", "is not a valid choice"),
        ({"note": "x" * 501}, "note", "Keep the note to 500 characters or fewer."),
        ({"street": "x" * 121}, "street", "Field cannot be longer than 120 characters."),
        ({"at": "FUTURE"}, "at", "That time is in the future."),
        ({"at": ""}, "at", "This field is required."),
        ({"id": "not-a-uuid"}, "id", "This record has no valid id."),
        ({"id": ""}, "id", "This field is required."),
    ],
)
def test_each_bad_contact_answer_gets_a_clear_error_and_keeps_the_rest(
    client, auth, team, leader, venue, changes, field, message
):
    auth.login("lee")
    patrol = started(client, team, [leader])
    if changes.get("at") == "FUTURE":
        changes = changes | {"at": future()}
    data = contact_data(
        client, patrol.id, people="2", seen=["intoxicated"], street="Mount Pleasant"
    )
    data |= changes
    response = client.post(f"/patrols/{patrol.id}/contacts/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_for(page, field)
    assert count(Contact) == 0
    assert_kept(page, data, changes)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"ended_at": "BEFORE_START"}, "ended_at", "The end time must be after the start time."),
        ({"ended_at": "AT_START"}, "ended_at", "The end time must be after the start time."),
        ({"ended_at": "FUTURE"}, "ended_at", "That time is in the future."),
        ({"ended_at": ""}, "ended_at", "This field is required."),
        ({"tally_0": "-1"}, "tally_0", "Number must be between 0 and 10000."),
        ({"tally_0": "many"}, "tally_0", "Not a valid integer value."),
        ({"note": "x" * 501}, "note", "Keep the note to 500 characters or fewer."),
    ],
)
def test_each_bad_end_answer_gets_a_clear_error_and_keeps_the_rest(
    client, auth, team, leader, changes, field, message
):
    auth.login("lee")
    start_time = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
    patrol = started(client, team, [leader], started_at=local(start_time))
    substitutes = {
        "BEFORE_START": local(start_time - timedelta(minutes=30)),
        "AT_START": local(start_time),
        "FUTURE": future(),
    }
    changes = {name: substitutes.get(value, value) for name, value in changes.items()}
    response, data = end(client, patrol.id, **({"note": "Quiet night", "tally_0": "12"} | changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_for(page, field)
    db.session.refresh(patrol)
    assert patrol.ended_at is None and patrol.tallies == {}
    assert_kept(page, data, changes)


def test_a_location_is_stored_rounded_to_about_100_metres(client, auth, team, leader):
    auth.login("lee")
    patrol = started(client, team, [leader])
    contact = log(client, patrol.id, latitude="51.132456", longitude="0.263789")
    assert contact.latitude == pytest.approx(51.132, abs=1e-9)
    assert contact.longitude == pytest.approx(0.264, abs=1e-9)
    assert contact.revisions[0].data["latitude"] == pytest.approx(51.132, abs=1e-9)
    without = log(client, patrol.id)
    assert without.latitude is None and without.longitude is None


@pytest.mark.parametrize("name, value", [("latitude", "91"), ("longitude", "-181")])
def test_a_position_off_the_globe_is_refused(client, auth, team, leader, name, value):
    auth.login("lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id, **{name: value})
    response = client.post(f"/patrols/{patrol.id}/contacts/new", data=data)
    assert response.status_code == 400
    assert count(Contact) == 0
