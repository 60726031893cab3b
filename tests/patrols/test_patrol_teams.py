"""The coordinator's pages for Street Pastors: teams, patrol areas and the tallies each
patrol counts.

Forms are posted as a browser would post them (tests/patrols/forms.py): the page is read
first, and its form is sent back with only the answers a person would change.
"""

from sqlalchemy import select

from extensions import db
from patrols.models import PatrolArea, Team
from tests.patrols.forms import ago, count, end, log, read_form, started

# --- the coordinator's pages ---------------------------------------------------------------


def test_coordinator_adds_a_team(client, auth, coordinator, scheme):
    auth.login("cora")
    token = auth.csrf("/teams")
    response = client.post("/teams/new", data={"csrf_token": token, "team-name": " Saturday "})
    assert response.status_code == 302
    team = db.session.scalar(select(Team))
    assert (team.name, team.scheme_id) == ("Saturday", scheme.id)
    assert "Saturday" in client.get("/teams").get_data(as_text=True)
    again = client.post("/teams/new", data={"csrf_token": token, "team-name": "Saturday"})
    assert again.status_code == 400
    assert "A team with this name exists already." in again.get_data(as_text=True)
    assert count(Team) == 1


def test_coordinator_adds_and_removes_a_patrol_area(client, auth, coordinator, team, leader):
    auth.login("cora")
    token = auth.csrf("/teams")
    response = client.post("/areas/new", data={"csrf_token": token, "area-name": "The Pantiles"})
    assert response.status_code == 302
    area = db.session.scalar(select(PatrolArea))
    assert area.name == "The Pantiles"
    assert "The Pantiles" in client.get("/teams").get_data(as_text=True)
    duplicate = client.post("/areas/new", data={"csrf_token": token, "area-name": "The Pantiles"})
    assert duplicate.status_code == 400
    assert "An area with this name exists already." in duplicate.get_data(as_text=True)
    # The area is offered to a leader, and a patrol and a contact can use it.
    lee = client.application.test_client()
    auth.login("lee", client=lee)
    assert "The Pantiles" in lee.get("/patrols/start").get_data(as_text=True)
    patrol = started(lee, team, [leader], area_id=str(area.id))
    contact = log(lee, patrol.id, area_id=str(area.id))
    assert patrol.area_id == area.id and contact.area_id == area.id
    # Removing it leaves the records, without the area.
    response = client.post(f"/areas/{area.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert count(PatrolArea) == 0
    assert "Area The Pantiles removed." in client.get("/teams").get_data(as_text=True)
    assert "The Pantiles" not in client.get("/teams").get_data(as_text=True)
    db.session.expire_all()
    assert patrol.area_id is None and contact.area_id is None
    assert lee.get(f"/patrols/{patrol.id}").status_code == 200


def test_coordinator_sets_the_tallies_patrols_count(app, client, auth, coordinator, team, leader):
    auth.login("cora")
    token = auth.csrf("/teams")
    response = client.post(
        "/tallies",
        data={
            "csrf_token": token,
            "tallies": "Bottles and glass picked up\r\nFlip-flops given out\r\n\r\n",
        },
    )
    assert response.status_code == 302
    db.session.refresh(coordinator.scheme)
    assert coordinator.scheme.tallies == ["Bottles and glass picked up", "Flip-flops given out"]
    lee = app.test_client()
    auth.login("lee", client=lee)
    patrol = started(lee, team, [leader], started_at=ago(hours=3))
    page = lee.get(f"/patrols/{patrol.id}/end").get_data(as_text=True)
    assert "Bottles and glass picked up" in page and "Flip-flops given out" in page
    defaults = read_form(page)
    assert defaults["tally_0"] == ["0"] and defaults["tally_1"] == ["0"]
    response, _data = end(lee, patrol.id, tally_0="14", tally_1="3", note="Busy at the station")
    assert response.status_code == 302
    db.session.refresh(patrol)
    assert patrol.tallies == {"Bottles and glass picked up": 14, "Flip-flops given out": 3}
    summary = lee.get(f"/patrols/{patrol.id}/summary").get_data(as_text=True)
    assert '<th scope="row">Bottles and glass picked up</th><td>14</td>' in summary
    assert '<th scope="row">Flip-flops given out</th><td>3</td>' in summary
    assert "Busy at the station" in summary


def test_a_coordinator_cannot_remove_another_scheme_s_area(client, auth, elsewhere, coordinator):
    theirs = PatrolArea(scheme_id=elsewhere.id, name="Their high street")
    db.session.add(theirs)
    db.session.commit()
    auth.login("cora")
    assert "Their high street" not in client.get("/teams").get_data(as_text=True)
    token = auth.csrf("/teams")
    response = client.post(f"/areas/{theirs.id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert db.session.get(PatrolArea, theirs.id) is not None


def test_no_tallies_at_all_is_allowed(app, client, auth, coordinator, team, leader):
    auth.login("cora")
    token = auth.csrf("/teams")
    assert client.post("/tallies", data={"csrf_token": token, "tallies": ""}).status_code == 302
    lee = app.test_client()
    auth.login("lee", client=lee)
    patrol = started(lee, team, [leader], started_at=ago(hours=3))
    assert "tally_0" not in lee.get(f"/patrols/{patrol.id}/end").get_data(as_text=True)
    assert end(lee, patrol.id)[0].status_code == 302
    db.session.refresh(patrol)
    assert patrol.tallies == {}
