"""The hand-over from a Street Pastors' contact to a Safe Haven visit: the venue's visit is
linked to the contact, another venue cannot take it up, and a correction keeps the link.

Forms are posted as a browser would post them (tests/patrols/forms.py): the page is read
first, and its form is sent back with only the answers a person would change.
"""

import uuid

import pytest

from extensions import db
from havens.models import Visit
from patrols.models import Contact
from tests.patrols.forms import count, form_of, log, read_form, started

# --- the hand-over link ------------------------------------------------------------------


@pytest.fixture
def handover(client, auth, app, make_person, team, leader, venue, other_venue) -> Contact:
    """A contact the Friday team handed over to The Lamp, logged through the page."""
    make_person("sam", roles=["venue_staff"], venues=[venue])
    make_person("yan", roles=["venue_staff"], venues=[other_venue])
    pastor_client = app.test_client()
    auth.login("lee", client=pastor_client)
    patrol = started(pastor_client, team, [leader])
    contact = log(
        pastor_client,
        patrol.id,
        given=["stayed"],
        handover_venue_id=str(venue.id),
        people="1",
    )
    assert contact.handover_venue_id == venue.id
    assert contact.given == ["stayed", "handover"]
    return contact


def visit_from(client, path: str, **changes) -> tuple[dict, object]:
    """Fill in the visit form found at `path` and post it there."""
    data = form_of(client, path) | {"help": ["seat"]} | changes
    return data, client.post(path, data=data)


def test_a_hand_over_is_linked_to_the_venue_s_visit(client, auth, handover):
    auth.login("sam")
    visits = client.get("/visits").get_data(as_text=True)
    assert "Street Pastors are bringing someone" in visits
    path = f"/visits/new?contact={handover.id}"
    page = client.get(path).get_data(as_text=True)
    assert "This visit continues a Street Pastors" in page
    data, response = visit_from(client, path)
    assert data["contact_id"] == [handover.id]
    assert response.status_code == 302
    visit = db.session.get(Visit, data["id"][0])
    assert visit.contact_id == handover.id and visit.venue_id == handover.handover_venue_id
    assert "Street Pastors are bringing someone" not in client.get("/visits").get_data(as_text=True)
    # The same form sent again is the same visit, not a refused hand-over.
    again = client.post(path, data=data, follow_redirects=True)
    assert "This visit was saved already." in again.get_data(as_text=True)
    # A second, different visit cannot take up the same hand-over.
    data, response = visit_from(client, "/visits/new", contact_id=handover.id)
    assert response.status_code == 400
    assert "This hand-over is not waiting at this venue." in response.get_data(as_text=True)
    assert count(Visit) == 1


def test_another_venue_cannot_take_up_a_hand_over(
    app, client, auth, make_person, handover, other_venue
):
    auth.login("yan")
    assert "Street Pastors are bringing someone" not in client.get("/visits").get_data(as_text=True)
    path = f"/visits/new?contact={handover.id}"
    page = client.get(path).get_data(as_text=True)
    assert "continues a Street Pastors" not in page
    assert read_form(page)["contact_id"] == [""]
    data, response = visit_from(client, path, contact_id=handover.id)
    assert data["venue_id"] == [str(other_venue.id)]
    assert response.status_code == 400
    assert "This hand-over is not waiting at this venue." in response.get_data(as_text=True)
    assert count(Visit) == 0
    # Nor may a coordinator log it for a venue it was not handed over to.
    make_person("cora", roles=["coordinator"])
    boss = app.test_client()
    auth.login("cora", client=boss)
    data, response = visit_from(boss, path, venue_id=str(other_venue.id), contact_id=handover.id)
    assert response.status_code == 400
    assert "This hand-over is not waiting at this venue." in response.get_data(as_text=True)
    assert count(Visit) == 0
    # The venue it was handed over to still sees it waiting.
    sam = app.test_client()
    auth.login("sam", client=sam)
    assert f"/visits/new?contact={handover.id}" in sam.get("/visits").get_data(as_text=True)


def test_correcting_a_linked_visit_keeps_the_link(client, auth, handover):
    auth.login("sam")
    data, response = visit_from(client, f"/visits/new?contact={handover.id}")
    assert response.status_code == 302
    visit = db.session.get(Visit, data["id"][0])
    path = f"/visits/{visit.id}"
    correction = form_of(client, path) | {"note": "Her friend came"}
    assert client.post(path, data=correction).status_code == 302
    # Even a correction sent without the link, or with another one, keeps it.
    correction = form_of(client, path) | {"note": "Her friend came at 1", "contact_id": ""}
    assert client.post(path, data=correction).status_code == 302
    correction = form_of(client, path) | {"note": "Her friend came at 2"}
    correction["contact_id"] = str(uuid.uuid4())
    client.post(path, data=correction)
    db.session.refresh(visit)
    assert visit.contact_id == handover.id
    assert visit.version >= 3 and visit.note.startswith("Her friend came at")
    assert all(r.data["contact_id"] == handover.id for r in visit.revisions)
