"""Who may send through the sync API: the session and its CSRF token, the roles and the
venues and patrols of each; on a shared device, records are each their author's, proved
by an author token that cannot be forged.

Entries are built as the outbox builds them (tests/sync/outbox.py).
"""

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update

from accounts.models import UserSession
from core.timeutil import utcnow
from extensions import db
from havens.models import Visit
from patrols.models import Contact, Patrol, Team
from sync.models import Receipt
from tests.sync.outbox import (
    DEVICE,
    assert_receipt,
    contact_entry,
    count,
    entry,
    local,
    new_id,
    post,
    statuses,
    sync,
    visit_entry,
)

# --- who may send ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "not-the-token", ""])
def test_a_batch_without_the_session_s_csrf_token_is_a_400_json_error(
    client, staff, venue, open_app, header
):
    me = open_app(client, "sam")
    headers = {} if header is None else {"X-CSRFToken": header}
    response = client.post(
        "/api/sync", json={"device": DEVICE, "records": [visit_entry(me, venue)]}, headers=headers
    )
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]
    assert count(Visit) == 0 and count(Receipt) == 0


@pytest.mark.parametrize("how", ["never_signed_in", "idle_timeout", "disabled"])
def test_no_one_signed_in_is_a_401_json_error_and_nothing_is_stored(
    client, auth, staff, colleague, venue, open_app, how
):
    me = open_app(client, "kim")
    records = [visit_entry(me, venue)]
    if how == "never_signed_in":
        client.post("/signout", data={"csrf_token": me["csrf"]})
        token = auth.csrf()
    else:
        token = me["csrf"]
        if how == "idle_timeout":
            db.session.execute(
                update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=16))
            )
        else:
            colleague.active = False
        db.session.commit()
    response = post(client, records, token)
    assert response.status_code == 401
    assert response.get_json() == {"error": "Sign in to send your records.", "signed_in": False}
    assert count(Visit) == 0 and count(Receipt) == 0
    session = client.get("/api/session")
    assert session.status_code == 401 and session.get_json()["signed_in"] is False


def test_a_partner_may_not_send_records(client, make_person, staff, venue, open_app):
    make_person("pia", roles=["partner"])
    sam = api_session_of(open_app, client, "sam")
    me = open_app(client, "pia")
    response = post(client, [visit_entry(sam, venue)], me["csrf"])
    assert response.status_code == 403
    assert response.is_json and response.get_json()["error"]
    assert count(Visit) == 0 and count(Receipt) == 0


def api_session_of(open_app, client, username: str) -> dict:
    """The session answer of someone who then signs out of this device."""
    me = open_app(client, username)
    assert client.post("/signout", data={"csrf_token": me["csrf"]}).status_code == 302
    return me


@pytest.mark.parametrize("where", ["same_scheme", "other_scheme"])
def test_staff_cannot_log_a_visit_for_another_venue(
    client, staff, venue, other_venue, elsewhere, open_app, where
):
    if where == "other_scheme":
        other_venue.scheme_id = elsewhere.id
        db.session.commit()
    me = open_app(client, "sam")
    results = sync(client, me, visit_entry(me, other_venue), visit_entry(me, venue))
    assert statuses(results) == ["rejected", "created"]
    assert list(results[0]["errors"]) == ["venue_id"]
    assert [v.venue_id for v in db.session.scalars(select(Visit))] == [venue.id]


def test_staff_cannot_correct_another_venue_s_visit(
    client, staff, venue, other_venue, make_person, open_app
):
    make_person("bea", roles=["venue_staff"], venues=[other_venue])
    bea = api_session_of(open_app, client, "bea")
    theirs = visit_entry(bea, other_venue)
    me = open_app(client, "sam")
    assert statuses(sync(client, me, theirs)) == ["created"]  # Bea's token, sent by Sam
    correction = entry(
        me,
        "visit_correction",
        theirs["id"],
        theirs["data"] | {"left_how": "police"},
        base_version=1,
    )
    [result] = sync(client, me, correction)
    assert result["status"] == "rejected" and "_record" in result["errors"]
    visit = db.session.get(Visit, theirs["id"])
    assert (visit.version, visit.left_how) == (1, "taxi")


def test_a_pastor_cannot_log_to_or_end_another_scheme_s_patrol(
    client, leader, patrol, elsewhere, make_person, open_app
):
    their_team = Team(scheme_id=elsewhere.id, name="Their team")
    db.session.add(their_team)
    db.session.flush()
    theirs = Patrol(
        id=new_id(), team_id=their_team.id, started_at=utcnow() - timedelta(hours=1), pastors=[]
    )
    db.session.add(theirs)
    db.session.commit()
    me = open_app(client, "lee")
    contact = contact_entry(me, theirs)
    ending = entry(me, "patrol_end", theirs.id, {"ended_at": local(), "note": "", "tally_0": "1"})
    mine = contact_entry(me, patrol)
    results = sync(client, me, contact, ending, mine)
    assert statuses(results) == ["rejected", "rejected", "created"]
    assert "_record" in results[0]["errors"] and "_record" in results[1]["errors"]
    assert [c.patrol_id for c in db.session.scalars(select(Contact))] == [patrol.id]
    db.session.refresh(theirs)
    assert theirs.ended_at is None


# --- shared devices and author tokens --------------------------------------------------------


def test_a_record_sent_by_a_colleague_is_attributed_to_its_author(
    client, staff, colleague, venue, open_app
):
    sam = api_session_of(open_app, client, "sam")  # Sam saved it offline, then signed out
    saved = visit_entry(sam, venue)
    kim = open_app(client, "kim")
    before = utcnow()
    [result] = sync(client, kim, saved)
    assert result["status"] == "created"
    assert db.session.get(Visit, saved["id"]).created_by_id == staff.id
    assert_receipt(result, saved, author=staff, sender=colleague, before=before)


def tampered(token: str) -> str:
    """The token with its signature's first character changed. (Not the last: the last
    base64 character of a 20-byte signature carries 2 unused bits, so some changes to it
    leave the signature as it was, and the test would fail now and then.)"""
    rest, signature = token.rsplit(".", 1)
    first = "A" if signature[0] != "A" else "B"
    return f"{rest}.{first}{signature[1:]}"


def signed_with(secret: str, user_id: int, age: timedelta = timedelta()) -> str:
    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age.total_seconds())

    return URLSafeTimedSerializer(secret, salt="lantern-author", signer=Signer).dumps(user_id)


@pytest.mark.parametrize(
    "forge",
    [
        "not-a-token",
        "",
        "tampered",
        "another_key",
        "another_person_by_hand",
        "expired",
        "another_scheme",
    ],
)
def test_a_forged_or_tampered_author_token_is_rejected(
    app, client, staff, colleague, venue, elsewhere, make_person, open_app, forge
):
    me = open_app(client, "kim")
    secret = app.config["SECRET_KEY"]
    if forge == "tampered":
        token = tampered(me["author"])
    elif forge == "another_key":
        token = signed_with("x" * 64, staff.id)
    elif forge == "another_person_by_hand":
        # The payload of Kim's own token changed to Sam's id, its signature kept.
        payload, *rest = me["author"].split(".")
        token = ".".join([signed_with(secret, staff.id).split(".")[0], *rest])
        assert payload != token.split(".")[0]
    elif forge == "expired":
        days = app.config["AUTHOR_TOKEN_DAYS"] + 1
        token = signed_with(secret, staff.id, age=timedelta(days=days))
    elif forge == "another_scheme":
        stranger = make_person("stranger", roles=["coordinator"], scheme=elsewhere)
        token = signed_with(secret, stranger.id)
    else:
        token = forge
    forged = visit_entry(me, venue) | {"author": token}
    good = visit_entry(me, venue)
    results = sync(client, me, forged, good)
    assert statuses(results) == ["rejected", "created"]
    assert list(results[0]["errors"]) == ["_record"]
    assert [v.created_by_id for v in db.session.scalars(select(Visit))] == [colleague.id]
    assert count(Receipt) == 1


def test_a_disabled_author_s_records_are_rejected(client, staff, colleague, venue, open_app):
    sam = api_session_of(open_app, client, "sam")
    saved = visit_entry(sam, venue)
    staff.active = False
    db.session.commit()
    kim = open_app(client, "kim")
    results = sync(client, kim, saved, visit_entry(kim, venue))
    assert statuses(results) == ["rejected", "created"]
    assert results[0]["errors"] == {
        "_record": ["The person who wrote this can no longer send records. Ask your coordinator."]
    }
    assert db.session.get(Visit, saved["id"]) is None
