"""Who sees which patrols: a pastor their own team's, a leader may end only their team's,
a coordinator only their scheme's; venue staff see only hand-overs to their venue, and
partners no patrol or contact at all.

Forms are posted as a browser would post them (tests/patrols/forms.py): the page is read
first, and its form is sent back with only the answers a person would change.
"""

import uuid
from datetime import timedelta

import pytest

from core.timeutil import utcnow
from extensions import db
from havens.handovers import pending_handovers
from patrols.access import patrols_for, teams_for
from patrols.models import Patrol
from tests.patrols.forms import ago, contact_data, count, end, log, started

# --- scoping -----------------------------------------------------------------------------


def test_a_pastor_sees_only_their_own_team_s_patrols(
    app, client, auth, make_person, team, other_team, leader
):
    bea = make_person("bea", roles=["pastor"], leads=[other_team])
    auth.login("lee")
    mine = started(client, team, [leader])
    my_contact = log(client, mine.id)
    theirs_client = app.test_client()
    auth.login("bea", client=theirs_client)
    theirs = started(theirs_client, other_team, [bea])
    their_contact = log(theirs_client, theirs.id, note="Outside the station")
    for path in (
        f"/patrols/{theirs.id}",
        f"/patrols/{theirs.id}/summary",
        f"/patrols/{theirs.id}/contacts/new",
        f"/patrols/{theirs.id}/contacts/{their_contact.id}",
        f"/patrols/{theirs.id}/end",
        f"/patrols/{mine.id}/contacts/{their_contact.id}",  # their contact under my patrol
    ):
        assert client.get(path).status_code == 404, path
    token = auth.csrf(f"/patrols/{mine.id}/contacts/new")
    data = contact_data(client, mine.id)
    assert client.post(f"/patrols/{theirs.id}/contacts/new", data=data).status_code == 404
    assert (
        client.post(
            f"/patrols/{theirs.id}/end", data={"csrf_token": token, "ended_at": ago(minutes=1)}
        ).status_code
        == 404
    )
    db.session.refresh(theirs)
    assert theirs.ended_at is None and len(theirs.contacts) == 1
    listing = client.get("/patrols").get_data(as_text=True)
    assert mine.id in listing and theirs.id not in listing and "Saturday team" not in listing
    assert client.get(f"/patrols/{mine.id}/contacts/{my_contact.id}").status_code == 200


def test_a_pastor_who_does_not_lead_cannot_start_or_end_a_patrol(
    app, client, auth, team, leader, pastors
):
    boss = app.test_client()
    auth.login("lee", client=boss)
    patrol = started(boss, team, [leader, *pastors])
    auth.login("pat")
    page = client.get("/patrols/start").get_data(as_text=True)
    assert "leader starts its patrols." in page
    assert "Start a patrol" not in client.get("/patrols").get_data(as_text=True)
    # They may log contacts on their team's patrol ...
    assert log(client, patrol.id).created_by_id == pastors[0].id
    # ... but neither end it nor start another.
    assert "End the patrol" not in client.get(f"/patrols/{patrol.id}").get_data(as_text=True)
    token = auth.csrf(f"/patrols/{patrol.id}/contacts/new")
    assert client.get(f"/patrols/{patrol.id}/end").status_code == 403
    ended = client.post(
        f"/patrols/{patrol.id}/end", data={"csrf_token": token, "ended_at": ago(minutes=1)}
    )
    assert ended.status_code == 403
    db.session.refresh(patrol)
    assert patrol.ended_at is None
    assert end(boss, patrol.id)[0].status_code == 302  # the leader frees the team
    response = client.post(
        "/patrols/start",
        data={
            "csrf_token": token,
            "id": str(uuid.uuid4()),
            "team_id": str(team.id),
            "pastors": [str(pastors[0].id)],
            "started_at": ago(minutes=1),
        },
    )
    assert response.status_code == 400
    assert "leader starts its patrols." in response.get_data(as_text=True)
    assert count(Patrol) == 1


def test_another_scheme_s_coordinator_sees_nothing_of_this_one(
    client, auth, elsewhere, team, leader, venue, make_patrol, make_contact, make_person
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1))
    contact = make_contact(patrol, leader, given=["handover"], handover_venue_id=venue.id)
    make_person("eve", roles=["coordinator"], scheme=elsewhere)
    db.session.commit()
    auth.login("eve")
    for path in (
        f"/patrols/{patrol.id}",
        f"/patrols/{patrol.id}/summary",
        f"/patrols/{patrol.id}/contacts/{contact.id}",
        f"/patrols/{patrol.id}/end",
    ):
        assert client.get(path).status_code == 404, path
    assert patrol.id not in client.get("/patrols").get_data(as_text=True)
    assert "Friday team" not in client.get("/teams").get_data(as_text=True)
    visits = client.get("/visits").get_data(as_text=True)
    assert contact.id not in visits and "Street Pastors are bringing someone" not in visits


def test_a_leader_of_one_team_cannot_end_another_team_s_patrol_they_are_on(
    app, client, auth, make_person, team, other_team, leader
):
    bea = make_person("bea", roles=["pastor"], leads=[other_team])
    both = make_person("max", roles=["pastor"], leads=[team], teams=[other_team])
    bea_client = app.test_client()
    auth.login("bea", client=bea_client)
    theirs = started(bea_client, other_team, [bea, both])
    auth.login("max")
    assert client.get(f"/patrols/{theirs.id}").status_code == 200
    assert client.get(f"/patrols/{theirs.id}/end").status_code == 403


@pytest.mark.parametrize("role", ["venue_staff", "partner"])
def test_venue_staff_and_partners_may_not_open_patrols(
    app, client, auth, make_person, team, leader, venue, make_patrol, make_contact, role
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1))
    contact = make_contact(patrol, leader)
    make_person("vic", roles=[role], venues=[venue] if role == "venue_staff" else [])
    auth.login("vic")
    for path in (
        "/patrols",
        "/patrols/start",
        f"/patrols/{patrol.id}",
        f"/patrols/{patrol.id}/summary",
        f"/patrols/{patrol.id}/contacts/new",
        f"/patrols/{patrol.id}/contacts/{contact.id}",
        f"/patrols/{patrol.id}/end",
        "/teams",
    ):
        assert client.get(path).status_code == 403, path


def test_venue_staff_see_only_hand_overs_to_their_own_venue(
    app, client, auth, make_person, team, leader, venue, other_venue, make_patrol, make_contact
):
    make_person("sam", roles=["venue_staff"], venues=[venue])
    make_person("yan", roles=["venue_staff"], venues=[other_venue])
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1))
    to_mine = make_contact(patrol, leader, given=["handover"], handover_venue_id=venue.id)
    to_theirs = make_contact(
        patrol, leader, given=["handover"], handover_venue_id=other_venue.id, people=3
    )
    auth.login("sam")
    page = client.get("/visits").get_data(as_text=True)
    assert "Street Pastors are bringing someone" in page
    assert f"/visits/new?contact={to_mine.id}" in page
    assert to_theirs.id not in page and "The Beacon" not in page
    form_page = client.get("/visits/new").get_data(as_text=True)
    assert to_mine.id in form_page and to_theirs.id not in form_page
    # Neither hand-over waits at a venue with none: the banner is not shown at all.
    other = app.test_client()
    make_person("zoe", roles=["venue_staff"], venues=[])
    auth.login("zoe", client=other)
    assert "Street Pastors are bringing someone" not in other.get("/visits").get_data(as_text=True)


def test_a_hand_over_older_than_12_hours_no_longer_waits(
    client, auth, make_person, team, leader, venue, make_patrol, make_contact
):
    make_person("sam", roles=["venue_staff"], venues=[venue])
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=14))
    make_contact(
        patrol,
        leader,
        at=utcnow() - timedelta(hours=13),
        given=["handover"],
        handover_venue_id=venue.id,
    )
    auth.login("sam")
    assert "Street Pastors are bringing someone" not in client.get("/visits").get_data(as_text=True)


def test_a_partner_sees_no_patrol_or_contact_rows_anywhere(
    app, client, auth, make_person, team, leader, venue, make_patrol, make_contact, sample_url
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1), route="Grosvenor Bridge")
    contact = make_contact(
        patrol, leader, note="Lost her friends", given=["handover"], handover_venue_id=venue.id
    )
    partner = make_person("priya", roles=["partner"])
    assert db.session.scalars(patrols_for(partner)).all() == []
    assert db.session.scalars(teams_for(partner)).all() == []
    assert pending_handovers(partner) == []
    auth.login("priya")
    secrets = (patrol.id, contact.id, "Lost her friends", "Grosvenor Bridge", "Friday team")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = sample_url(app, rule, patrol_id=patrol.id, contact_id=contact.id, venue_id=venue.id)
        response = client.get(url)
        # (the quarterly report's PDF is binary; its text is checked in test_reports.py)
        body = response.get_data().decode("utf-8", "replace").replace(url, "")
        for secret in secrets:
            assert secret not in body, (url, secret)
        if rule.endpoint.startswith("patrols."):
            assert response.status_code == 403, url
