"""A contact's corrections and their history, kept for 12 hours after the patrol for its
leader; and a contact sent again, stored once and never overwritten.

Forms are posted as a browser would post them (tests/patrols/forms.py): the page is read
first, and its form is sent back with only the answers a person would change.
"""

from datetime import timedelta

from core.timeutil import utcnow
from extensions import db
from patrols.models import Contact
from tests.patrols.forms import ago, contact_data, count, end, form_of, log, started

# --- corrections and their history ---------------------------------------------------------


def test_the_leader_corrects_a_contact_and_every_version_is_kept(client, auth, team, leader):
    auth.login("lee")
    patrol = started(client, team, [leader])
    contact = log(client, patrol.id, people="2")
    path = f"/patrols/{patrol.id}/contacts/{contact.id}"
    correction = form_of(client, path)
    assert correction["id"] == [contact.id] and correction["people"] == ["2"]
    assert correction["given"] == ["water"]
    correction |= {"people": "3", "given": ["water", "foil_blanket"], "note": "Cold night"}
    response = client.post(path, data=correction)
    assert response.status_code == 302
    db.session.refresh(contact)
    assert contact.version == 2 and contact.people == 3
    assert contact.given == ["water", "foil_blanket"]
    versions = [
        (r.version, r.data["people"], r.data["given"], r.data["note"]) for r in contact.revisions
    ]
    assert versions == [
        (1, 2, ["water"], ""),
        (2, 3, ["water", "foil_blanket"], "Cold night"),
    ]
    assert contact.revisions[1].changed_by_id == leader.id
    page = client.get(path).get_data(as_text=True)
    assert "History" in page and "Version 1" in page and "Version 2" in page
    # Sending the same correction again changes nothing.
    client.post(path, data=correction | {"csrf_token": auth.csrf(path)})
    db.session.refresh(contact)
    assert contact.version == 2 and len(contact.revisions) == 2


def test_the_leader_may_correct_for_12_hours_after_the_end_and_no_longer(
    client, auth, team, leader
):
    auth.login("lee")
    patrol = started(client, team, [leader], started_at=ago(hours=2))
    contact = log(client, patrol.id, at=ago(hours=1))
    path = f"/patrols/{patrol.id}/contacts/{contact.id}"
    stale = form_of(client, path) | {"people": "4"}
    patrol.started_at = utcnow() - timedelta(hours=20)
    patrol.ended_at = utcnow() - timedelta(hours=11, minutes=50)
    db.session.commit()
    still = form_of(client, path) | {"people": "3"}
    assert client.post(path, data=still).status_code == 302
    db.session.refresh(contact)
    assert (contact.version, contact.people) == (2, 3)
    patrol.ended_at = utcnow() - timedelta(hours=12, minutes=10)
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Save correction" not in page and 'name="people"' not in page
    client.post(path, data=stale)
    db.session.refresh(contact)
    assert (contact.version, contact.people, len(contact.revisions)) == (2, 3, 2)


def test_a_pastor_who_does_not_lead_cannot_correct(app, client, auth, team, leader, pastors):
    boss = app.test_client()
    auth.login("lee", client=boss)
    patrol = started(boss, team, [leader, *pastors])
    auth.login("pat")
    contact = log(client, patrol.id, people="2")
    path = f"/patrols/{patrol.id}/contacts/{contact.id}"
    page = client.get(path)
    assert page.status_code == 200 and "Save correction" not in page.get_data(as_text=True)
    data = form_of(boss, path) | {"people": "5"}
    data["csrf_token"] = auth.csrf(f"/patrols/{patrol.id}/contacts/new")
    client.post(path, data=data)
    db.session.refresh(contact)
    assert (contact.version, contact.people, len(contact.revisions)) == (1, 2, 1)


# --- sending again -------------------------------------------------------------------------


def test_a_contact_sent_twice_is_stored_once(client, auth, team, leader):
    auth.login("lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id, people="2", street="Monson Road", latitude="51.1324")
    path = f"/patrols/{patrol.id}/contacts/new"
    assert client.post(path, data=data).status_code == 302
    again = client.post(path, data=data, follow_redirects=True)
    assert "This contact was saved already." in again.get_data(as_text=True)
    assert count(Contact) == 1
    contact = db.session.get(Contact, data["id"][0])
    assert contact.version == 1 and len(contact.revisions) == 1


def test_the_same_contact_id_with_other_content_does_not_overwrite(client, auth, team, leader):
    auth.login("lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id, people="2")
    path = f"/patrols/{patrol.id}/contacts/new"
    assert client.post(path, data=data).status_code == 302
    changed = client.post(path, data=data | {"people": "3", "note": "Other"}, follow_redirects=True)
    assert "This contact was saved already with other details." in changed.get_data(as_text=True)
    contact = db.session.get(Contact, data["id"][0])
    assert (contact.people, contact.note, contact.version) == (2, "", 1)
    assert count(Contact) == 1


def test_a_contact_id_cannot_be_reused_on_another_patrol(
    app, client, auth, make_person, team, other_team, leader
):
    bea = make_person("bea", roles=["pastor"], leads=[other_team])
    auth.login("lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id)
    assert client.post(f"/patrols/{patrol.id}/contacts/new", data=data).status_code == 302
    bea_client = app.test_client()
    auth.login("bea", client=bea_client)
    theirs = started(bea_client, other_team, [bea])
    stolen = contact_data(bea_client, theirs.id) | {
        name: data[name] for name in data if name != "csrf_token"
    }
    bea_client.post(f"/patrols/{theirs.id}/contacts/new", data=stolen)
    assert db.session.get(Contact, data["id"][0]).patrol_id == patrol.id
    assert count(Contact) == 1


def test_no_contacts_on_an_ended_patrol(client, auth, team, leader):
    auth.login("lee")
    patrol = started(client, team, [leader], started_at=ago(hours=3))
    data = contact_data(client, patrol.id)
    assert end(client, patrol.id)[0].status_code == 302
    response = client.post(f"/patrols/{patrol.id}/contacts/new", data=data)
    assert response.status_code == 302
    assert count(Contact) == 0
