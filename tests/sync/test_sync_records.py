"""The sync API the offline outbox sends through (issue 5, /api/...), for each kind of
record: created once with a receipt that keeps the device's time, the server's time, the
author and the sender; a resend is a duplicate; other content under a known id is a
conflict kept for a coordinator.

Entries are built as the outbox builds them (tests/sync/outbox.py); `scene` is in
tests/sync/conftest.py.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.timeutil import utcnow
from extensions import db
from havens.models import Visit
from patrols.models import Contact
from sync.models import Receipt, SyncConflict
from tests.sync.outbox import (
    KINDS,
    SEQUENCE,
    assert_receipt,
    contact_entry,
    count,
    from_local,
    local,
    new_id,
    statuses,
    sync,
    visit_entry,
)

# --- created: each kind, with its rows and its receipt ---------------------------------------


def test_a_visit_is_created_with_its_receipt(client, staff, venue, open_app):
    me = open_app(client, "sam")
    sent = visit_entry(me, venue, note="Calmer after water", departed_at=local())
    before = utcnow()
    [result] = sync(client, me, sent)
    assert result["status"] == "created" and "errors" not in result
    visit = db.session.get(Visit, sent["id"])
    assert (visit.venue_id, visit.help, visit.left_how, visit.note) == (
        venue.id,
        ["seat", "called_taxi"],
        "taxi",
        "Calmer after water",
    )
    assert visit.arrived_at == from_local(sent["data"]["arrived_at"])
    assert visit.departed_at == from_local(sent["data"]["departed_at"])
    assert visit.created_by_id == staff.id
    assert [(r.version, r.changed_by_id) for r in visit.revisions] == [(1, staff.id)]
    assert_receipt(result, sent, staff, staff, before)


def test_a_visit_correction_is_created_as_a_new_version(scene):
    sent = scene.entry("visit_correction", note="Calmer after tea")
    before = utcnow()
    [result] = scene.send(sent)
    assert result["status"] == "created"
    visit = scene.stored("visit", sent["id"])
    assert (visit.version, visit.left_how, visit.note) == (2, "friend_family", "Calmer after tea")
    versions = [(r.version, r.data["left_how"], r.changed_by_id) for r in visit.revisions]
    assert versions == [(1, "taxi", scene.staff.id), (2, "friend_family", scene.staff.id)]
    assert_receipt(result, sent, scene.staff, scene.staff, before)


def test_a_contact_is_created_on_its_patrol(client, leader, patrol, open_app):
    me = open_app(client, "lee")
    sent = contact_entry(me, patrol, given=["water", "foil_blanket"], seen=["intoxicated"])
    before = utcnow()
    [result] = sync(client, me, sent)
    assert result["status"] == "created"
    contact = db.session.get(Contact, sent["id"])
    assert (contact.patrol_id, contact.people, contact.street) == (patrol.id, 2, "Mount Pleasant")
    assert (contact.given, contact.seen) == (["water", "foil_blanket"], ["intoxicated"])
    assert contact.at == from_local(sent["data"]["at"])
    assert contact.created_by_id == leader.id and contact.version == 1
    assert_receipt(result, sent, leader, leader, before)


def test_a_contact_correction_is_created_as_a_new_version(scene):
    sent = scene.entry("contact_correction")
    before = utcnow()
    [result] = scene.send(sent)
    assert result["status"] == "created"
    contact = scene.stored("contact", sent["id"])
    assert (contact.version, contact.people) == (2, 3)
    assert [(r.version, r.data["people"]) for r in contact.revisions] == [(1, 2), (2, 3)]
    assert contact.revisions[1].changed_by_id == scene.leader.id
    assert_receipt(result, sent, scene.leader, scene.leader, before)


def test_a_patrol_start_is_created(scene):
    sent = scene.entry("patrol_start")
    before = utcnow()
    [result] = scene.send(sent)
    assert result["status"] == "created"
    patrol = scene.stored("patrol", sent["id"])
    assert (patrol.team_id, patrol.route, patrol.ended_at) == (
        scene.saturday.id,
        "Calverley Road",
        None,
    )
    assert patrol.started_at == from_local(sent["data"]["started_at"])
    assert patrol.started_by_id == scene.leader.id
    assert [p.id for p in patrol.pastors] == [scene.leader.id]
    assert_receipt(result, sent, scene.leader, scene.leader, before)


def test_a_patrol_end_is_created(scene):
    sent = scene.entry("patrol_end")
    before = utcnow()
    [result] = scene.send(sent)
    assert result["status"] == "created"
    patrol = scene.stored("patrol", sent["id"])
    assert patrol.ended_at == from_local(sent["data"]["ended_at"])
    assert (patrol.tallies, patrol.note) == ({"Bottles and glass picked up": 5}, "Quiet")
    assert_receipt(result, sent, scene.leader, scene.leader, before)


# --- duplicates ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_entry_again_is_a_duplicate_with_its_first_receipt(scene, kind):
    sent = scene.entry(kind)
    [first] = scene.send(sent)
    assert first["status"] == "created"
    rows, after_first = scene.rows(kind), scene.state(kind, sent["id"])
    [again] = scene.send(sent)
    assert again["status"] == "duplicate"
    assert again["receipt"] == first["receipt"]
    assert scene.rows(kind) == rows
    assert scene.state(kind, sent["id"]) == after_first
    assert count(Receipt) == 1 and count(SyncConflict) == 0


def test_a_resend_in_the_same_batch_is_stored_once(scene):
    sent = scene.entry("visit")
    assert statuses(scene.send(sent, sent)) == ["created", "duplicate"]
    assert scene.rows("visit") == 2  # the scene's own visit and this one
    assert count(Receipt) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_record_under_a_new_op_with_the_same_content_is_a_duplicate(scene, kind):
    """A form sent twice (a double tap, a re-save) makes two outbox entries of one record."""
    sent = scene.entry(kind)
    assert statuses(scene.send(sent)) == ["created"]
    rows, after_first = scene.rows(kind), scene.state(kind, sent["id"])
    again = sent | {"op": new_id(), "seq": next(SEQUENCE)}
    [result] = scene.send(again)
    assert result["status"] == "duplicate", result
    assert scene.rows(kind) == rows
    assert scene.state(kind, sent["id"]) == after_first
    assert count(SyncConflict) == 0


def test_a_duplicate_under_a_new_op_is_answered_with_the_first_receipt(scene):
    """The contract: for a duplicate, "the receipt is the first one when there was one"."""
    sent = scene.entry("visit")
    [first] = scene.send(sent)
    [again] = scene.send(sent | {"op": new_id(), "seq": next(SEQUENCE)})
    assert again["status"] == "duplicate"
    assert again["receipt"]["number"] == first["receipt"]["number"]


def test_a_visit_saved_by_the_page_then_synced_is_a_duplicate(client, auth, staff, venue, open_app):
    me = open_app(client, "sam")
    sent = visit_entry(me, venue)
    page = sent["data"] | {"csrf_token": auth.csrf("/visits/new")}
    assert client.post("/visits/new", data=page).status_code == 302
    [result] = sync(client, me, sent)
    assert result["status"] == "duplicate"
    assert count(Visit) == 1 and count(SyncConflict) == 0
    assert db.session.get(Visit, sent["id"]).created_by_id == staff.id


def test_a_resend_is_a_duplicate_even_after_its_author_was_disabled(
    client, staff, colleague, venue, open_app
):
    """The answer to the first send was lost; meanwhile the author left the scheme."""
    me = open_app(client, "sam")
    sent = visit_entry(me, venue)
    assert statuses(sync(client, me, sent)) == ["created"]
    staff.active = False
    db.session.commit()
    other = open_app(client, "kim")
    [result] = sync(client, other, sent)
    assert result["status"] == "duplicate", result
    assert count(Visit) == 1


# --- conflicts -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["visit", "contact", "patrol_start", "patrol_end"])
def test_the_same_id_with_other_content_is_kept_as_a_conflict(scene, kind):
    sent = scene.entry(kind)
    assert statuses(scene.send(sent)) == ["created"]
    stored = scene.state(kind, sent["id"])
    other = sent | {
        "op": new_id(),
        "seq": next(SEQUENCE),
        "data": sent["data"] | scene.other_content(kind),
    }
    before = utcnow()
    [result] = scene.send(other)
    assert result["status"] == "conflict"
    assert scene.state(kind, sent["id"]) == stored  # never overwritten
    conflict = db.session.scalar(select(SyncConflict))
    assert (conflict.kind, conflict.record_id, conflict.resolution) == (kind, sent["id"], None)
    assert conflict.payload["data"] == other["data"]
    assert conflict.author_id == scene.author_of(kind).id
    author = scene.author_of(kind)
    receipt = assert_receipt(result, other, author, author, before, outcome="conflict")
    assert receipt.conflict_id == conflict.id


@pytest.mark.parametrize("kind", ["visit_correction", "contact_correction"])
def test_a_correction_from_a_stale_version_is_a_conflict_and_overwrites_nothing(scene, kind):
    first = scene.entry(kind)
    assert statuses(scene.send(first)) == ["created"]
    corrected = scene.state(kind, first["id"])
    assert corrected["version"] == 2
    stale = scene.entry(kind, **scene.other_content(kind)) | {"base_version": 1}
    [result] = scene.send(stale)
    assert result["status"] == "conflict"
    assert scene.state(kind, first["id"]) == corrected
    conflict = db.session.scalar(select(SyncConflict))
    assert (conflict.kind, conflict.record_id) == (kind, first["id"])
    assert conflict.payload["base_version"] == 1
    assert conflict.payload["data"] == stale["data"]


def test_the_same_op_with_other_content_is_a_conflict_not_an_overwrite(scene):
    sent = scene.entry("visit")
    assert statuses(scene.send(sent)) == ["created"]
    changed = sent | {"data": sent["data"] | {"left_how": "walked_on"}}
    [result] = scene.send(changed)
    assert result["status"] == "conflict"
    assert scene.stored("visit", sent["id"]).left_how == "taxi"
    assert db.session.scalar(select(SyncConflict)).payload["data"]["left_how"] == "walked_on"
    # The contract gives every answer but "rejected" a receipt, to show in the sent list.
    assert "receipt" in result, result


def test_a_late_replay_of_a_rejected_entry_s_first_version_makes_no_conflict(
    client, staff, venue, open_app
):
    """The first version was rejected, then fixed and stored under the same op; the first
    request then arrives again (a network or proxy retry). It was never valid: there is
    nothing for a coordinator to resolve."""
    me = open_app(client, "sam")
    first = visit_entry(me, venue, arrived_at=local(timedelta(hours=2)))
    assert statuses(sync(client, me, first)) == ["rejected"]
    fixed = first | {"data": first["data"] | {"arrived_at": local(-timedelta(minutes=30))}}
    assert statuses(sync(client, me, fixed)) == ["created"]
    [replayed] = sync(client, me, first)
    assert replayed["status"] in ("rejected", "duplicate"), replayed
    assert count(SyncConflict) == 0 and count(Visit) == 1
    visit = db.session.get(Visit, first["id"])
    assert visit.arrived_at == from_local(fixed["data"]["arrived_at"])
