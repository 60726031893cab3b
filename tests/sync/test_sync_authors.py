"""Author tokens prove who wrote a record only from the outbox, tablet and credentials
they were made for (issue 14, L1).

A token is handed out by /api/session to the outbox that names its device id, and is
kept with each record saved there. Sent from another device, made before its author's
password changed or before they were disabled, or made on a tablet that was revoked or
is not the one sending, it no longer proves anything: that entry is rejected with the
message that sends the person to open, check and save it again.

The safe choice for records saved before a password change on the same device: they are
refused too, even when their author is the one sending. The outbox keeps them under
"Needs attention", where the author, signed in with the new password, saves each again
(which gives it the new token) or discards it.
"""

import secrets
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from accounts import enrolment
from accounts import services as accounts
from accounts.models import Device
from accounts.sessions import token_hash
from core.timeutil import to_london, utcnow
from extensions import db
from havens.models import Visit
from tests.sync.outbox import count, new_id

UNPROVEN = {
    "_record": ["This device could not show who wrote this. Open it, check it and save it again."]
}


@pytest.fixture
def open_outbox(auth):
    """Factory: sign in and ask for the session as the outbox does, naming its device."""

    def open_(client, username: str, device: str) -> dict:
        auth.login(username, client=client)
        answer = client.get("/api/session", query_string={"device": device})
        assert answer.status_code == 200
        return answer.get_json()

    return open_


def signed_out(client, session: dict) -> None:
    client.post("/signout", data={"csrf_token": session["csrf"]})


def visit(token: str, venue, note: str = "") -> dict:
    record_id = new_id()
    arrived = to_london(utcnow() - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    return {
        "op": new_id(),
        "kind": "visit",
        "id": record_id,
        "seq": 1,
        "saved_at": "2026-11-23T22:14:05Z",
        "author": token,
        "data": {
            "id": record_id,
            "venue_id": str(venue.id),
            "arrived_at": arrived,
            "help": ["seat"],
            "note": note,
        },
    }


def send(client, session: dict, device: str, *entries) -> list[dict]:
    body = {"device": device, "records": list(entries)}
    answer = client.post("/api/sync", json=body, headers={"X-CSRFToken": session["csrf"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["results"]


def test_a_token_is_only_for_the_outbox_that_asked_for_it(client, auth, staff, venue):
    assert client.get("/api/session").status_code == 401
    auth.login("sam")
    assert client.get("/api/session").get_json()["author"] is None  # no outbox named
    assert client.get("/api/session?device=not-a-device").get_json()["author"] is None


def test_a_colleague_on_the_same_device_still_sends_the_author_s_records(
    client, open_outbox, staff, colleague, venue
):
    """The shared tablet: Sam saves offline, signs out; Kim's sync sends it in Sam's name."""
    device = new_id()
    sam = open_outbox(client, "sam", device)
    saved = visit(sam["author"], venue)
    signed_out(client, sam)
    kim = open_outbox(client, "kim", device)
    assert [r["status"] for r in send(client, kim, device, saved)] == ["created"]
    assert db.session.get(Visit, saved["id"]).created_by_id == staff.id


def test_another_device_s_token_is_refused(app, client, open_outbox, staff, colleague, venue):
    """Kim, on a browser of her own, holds a copy of Sam's token (from a shared tablet's
    storage, say): sent with her own device id, or with the tablet's, it proves nothing."""
    tablet = new_id()
    sam = open_outbox(client, "sam", tablet)
    elsewhere = app.test_client()
    own = new_id()
    kim = open_outbox(elsewhere, "kim", own)
    stolen = visit(sam["author"], venue)
    mine = visit(kim["author"], venue)
    results = send(elsewhere, kim, own, stolen, mine)
    assert [r["status"] for r in results] == ["rejected", "created"]
    assert results[0]["errors"] == UNPROVEN
    # Claiming the tablet's device id does not help: Kim's own token is then refused.
    results = send(elsewhere, kim, tablet, visit(sam["author"], venue), visit(kim["author"], venue))
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert count(Visit) == 2  # Sam's from the device id it was made for, and Kim's own


@pytest.mark.parametrize("who_sends", ["a colleague", "the author, signed in again"])
def test_a_token_from_before_a_password_change_is_refused_until_saved_again(
    client, auth, open_outbox, staff, colleague, venue, who_sends
):
    device = new_id()
    sam = open_outbox(client, "sam", device)
    saved = visit(sam["author"], venue, note="saved before")
    signed_out(client, sam)
    accounts.set_password(staff, "a-new-lantern-password", actor=staff)
    db.session.commit()
    sender = "kim" if who_sends == "a colleague" else "sam"
    if sender == "sam":
        auth.login("sam", "a-new-lantern-password")
        now = client.get("/api/session", query_string={"device": device}).get_json()
    else:
        now = open_outbox(client, "kim", device)
    [result] = send(client, now, device, saved)
    assert result == {"op": saved["op"], "status": "rejected", "errors": UNPROVEN}
    assert count(Visit) == 0
    if sender == "sam":
        # "Needs attention": Sam opens it and saves it again, which gives it his new token.
        fixed = saved | {"author": now["author"]}
        assert [r["status"] for r in send(client, now, device, fixed)] == ["created"]


def test_a_token_from_before_the_author_was_disabled_stays_refused_after_re_enabling(
    client, open_outbox, staff, colleague, venue
):
    device = new_id()
    sam = open_outbox(client, "sam", device)
    saved = visit(sam["author"], venue)
    signed_out(client, sam)
    accounts.set_active(staff, False)
    db.session.commit()
    kim = open_outbox(client, "kim", device)
    [result] = send(client, kim, device, saved)
    assert result["status"] == "rejected"  # disabled: "can no longer send records"
    accounts.set_active(staff, True)
    db.session.commit()
    [result] = send(client, kim, device, saved)
    assert result["errors"] == UNPROVEN
    assert count(Visit) == 0


def enrolled(client, venue) -> Device:
    """Make this browser a venue's enrolled tablet, as an enrolment code would."""
    token = secrets.token_urlsafe(24)
    device = Device(scheme_id=venue.scheme_id, name="Bar tablet", venue_id=venue.id)
    device.token_hash = token_hash(token)
    db.session.add(device)
    db.session.commit()
    client.set_cookie(enrolment.DEVICE_COOKIE, token)
    return device


def test_a_tablet_s_token_works_only_from_that_tablet_until_it_is_revoked(
    app, client, open_outbox, staff, colleague, venue
):
    tablet = enrolled(client, venue)
    device = new_id()
    sam = open_outbox(client, "sam", device)
    first, second = visit(sam["author"], venue), visit(sam["author"], venue)
    # A copy of the tablet's storage in another browser: same device id, no tablet cookie.
    copy = app.test_client()
    kim = open_outbox(copy, "kim", device)
    [result] = send(copy, kim, device, first)
    assert result["errors"] == UNPROVEN
    # From the tablet itself it is Sam's record.
    assert [r["status"] for r in send(client, sam, device, first)] == ["created"]
    # Revoked, the tablet sends nothing at all, and its tokens prove nothing anywhere.
    tablet.revoked_at = utcnow()
    db.session.commit()
    assert client.post(
        "/api/sync",
        json={"device": device, "records": [second]},
        headers={"X-CSRFToken": sam["csrf"]},
    ).json["revoked"]
    [result] = send(copy, kim, device, second)
    assert result["errors"] == UNPROVEN
    assert count(Visit) == 1


def test_a_token_of_the_earlier_kind_naming_only_the_person_is_refused(
    app, client, open_outbox, staff, venue
):
    device = new_id()
    sam = open_outbox(client, "sam", device)
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="lantern-author")
    [result] = send(client, sam, device, visit(serializer.dumps(staff.id), venue))
    assert result["errors"] == UNPROVEN
