"""What the sync API refuses: a bad entry is rejected with the form's own messages without
blocking the others, and a batch of the wrong size, shape or types is refused whole with
a clear JSON error.

Entries are built as the outbox builds them (tests/sync/outbox.py).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from havens.models import Visit
from patrols.models import Contact, Patrol
from sync.models import Receipt, SyncConflict
from tests.sync.outbox import (
    DEVICE,
    contact_entry,
    count,
    from_local,
    local,
    new_id,
    post,
    statuses,
    sync,
    visit_entry,
)

# --- rejected: the form's own messages, without blocking the others --------------------------


def remove(name: str) -> dict:
    """A change that leaves a field out, as FormData does with no box ticked."""
    return {name: None}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"arrived_at": "FUTURE"}, "arrived_at", "The arrival time is in the future."),
        (remove("help"), "help", "Choose at least one kind of help."),
        ({"arrived_at": ""}, "arrived_at", "Enter the time they arrived."),
        ({"arrived_at": "yesterday"}, "arrived_at", "Enter the time they arrived."),
        ({"departed_at": "PAST"}, "departed_at", "They cannot have left before they arrived."),
        ({"note": "x" * 501}, "note", "Keep the note to 500 characters or fewer."),
        ({"age_band": "ancient"}, "age_band", "Not a valid choice."),
        ({"id": "WRONG"}, "id", "This record has no valid id."),
    ],
)
def test_a_bad_visit_is_rejected_with_the_form_s_message_and_the_rest_are_created(
    client, staff, venue, open_app, changes, field, message
):
    me = open_app(client, "sam")
    times = {"FUTURE": local(timedelta(hours=2)), "PAST": local(-timedelta(hours=3))}
    changes = {name: times.get(value, value) for name, value in changes.items()}
    bad = visit_entry(me, venue, **changes)
    if changes.get("id") == "WRONG":
        bad["data"]["id"] = new_id()
    good = [visit_entry(me, venue), visit_entry(me, venue)]
    results = sync(client, me, good[0], bad, good[1])
    assert statuses(results) == ["created", "rejected", "created"]
    assert results[1]["errors"] == {field: [message]}
    assert "receipt" not in results[1]
    assert {v.id for v in db.session.scalars(select(Visit))} == {g["id"] for g in good}
    assert db.session.scalar(select(Receipt).filter_by(op_id=bad["op"])) is None


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"at": "FUTURE"}, "at", "That time is in the future."),
        (remove("given"), "given", "Choose what was given or done, or what was seen."),
        (
            {"given": ["handover"]},
            "handover_venue_id",
            "Choose the Safe Haven they were handed over to.",
        ),
        ({"people_more": "3"}, "people_more", "Number must be between 7 and 200."),
    ],
)
def test_a_bad_contact_is_rejected_with_the_form_s_message_and_the_rest_are_created(
    client, leader, patrol, open_app, changes, field, message
):
    me = open_app(client, "lee")
    if changes.get("at") == "FUTURE":
        changes = {"at": local(timedelta(hours=2))}
    bad = contact_entry(me, patrol, **changes)
    good = contact_entry(me, patrol)
    results = sync(client, me, bad, good)
    assert statuses(results) == ["rejected", "created"]
    assert results[0]["errors"] == {field: [message]}
    assert [c.id for c in db.session.scalars(select(Contact))] == [good["id"]]


def test_a_patrol_start_with_a_pastor_from_another_team_is_rejected_as_on_the_page(
    scene, make_person, team
):
    """The start form holds the rule (the page's test: tests/patrols/test_patrol_validation.py):
    Olly is on the Friday team, which Lee also leads, but not on the Saturday team."""
    olly = make_person("olly", roles=["pastor"], teams=[team])
    db.session.commit()
    sent = scene.entry("patrol_start")
    sent["data"]["pastors"] = [str(scene.leader.id), str(olly.id)]
    [result] = scene.send(sent)
    assert result["status"] == "rejected"
    assert result["errors"] == {"pastors": ["Choose only pastors from this team."]}
    assert db.session.get(Patrol, sent["id"]) is None


def test_a_rejected_entry_fixed_and_resent_with_the_same_op_is_created(
    client, staff, venue, open_app
):
    me = open_app(client, "sam")
    sent = visit_entry(me, venue, arrived_at=local(timedelta(hours=2)))
    assert statuses(sync(client, me, sent)) == ["rejected"]
    fixed = sent | {"data": sent["data"] | {"arrived_at": local(-timedelta(minutes=30))}}
    [result] = sync(client, me, fixed)
    assert result["status"] == "created"
    visit = db.session.get(Visit, sent["id"])
    assert visit.arrived_at == from_local(fixed["data"]["arrived_at"])
    assert db.session.scalar(select(Receipt.op_id)) == sent["op"]
    assert count(Visit) == 1 and count(SyncConflict) == 0


# --- the batch: its size, its shape and its types --------------------------------------------


@pytest.mark.parametrize("size", ["records", "bytes", "far_too_many_bytes"])
def test_an_oversized_batch_is_refused_with_a_clear_json_error(
    app, client, staff, venue, open_app, size
):
    me = open_app(client, "sam")
    limits = me["sync"]
    assert (limits["max_records"], limits["max_bytes"]) == (
        app.config["SYNC_MAX_RECORDS"],
        app.config["SYNC_MAX_BYTES"],
    )
    if size == "records":
        records = [visit_entry(me, venue) for _ in range(limits["max_records"] + 1)]
    else:
        # Far too many: past the server's cap for any request, which a proxy might also set.
        length = limits["max_bytes"] if size == "bytes" else 4 * app.config["MAX_CONTENT_LENGTH"]
        records = [visit_entry(me, venue, note="x" * length)]
    response = post(client, records, me["csrf"])
    assert response.status_code == 413
    body = response.get_json()
    assert body["max_records"] == limits["max_records"]
    assert body["max_bytes"] == limits["max_bytes"]
    if size == "records":
        assert body["error"] == f"Send at most {limits['max_records']} records at a time."
    else:
        assert body["error"]
    assert count(Visit) == 0 and count(Receipt) == 0


def test_a_batch_at_the_caps_is_taken(app, client, staff, venue, open_app):
    app.config["SYNC_MAX_RECORDS"] = 3
    me = open_app(client, "sam")
    records = [visit_entry(me, venue) for _ in range(3)]
    assert statuses(sync(client, me, *records)) == ["created"] * 3
    assert post(client, [visit_entry(me, venue) for _ in range(4)], me["csrf"]).status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00\x01",
        b"",
        b"[]",
        b"null",
        b'"records"',
        b'{"records": []}',
        b'{"device": "tablet", "records": []}',
        b'{"device": 7, "records": []}',
        b'{"device": "DEVICE"}',
        b'{"device": "DEVICE", "records": {}}',
        b'{"device": "DEVICE", "records": "visit"}',
        b'{"device": "DEVICE", "records": null}',
    ],
)
def test_a_body_the_server_cannot_read_is_a_400_json_error(client, staff, open_app, body):
    me = open_app(client, "sam")
    body = body.replace(b"DEVICE", DEVICE.encode())
    response = client.post(
        "/api/sync",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": me["csrf"]},
    )
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]
    assert count(Receipt) == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"seq": "17"}, "seq"),
        ({"seq": True}, "seq"),
        ({"seq": 1.5}, "seq"),
        ({"seq": -1}, "seq"),
        ({"seq": None}, "seq"),
        ({"op": 5}, "op"),
        ({"op": "not-a-uuid"}, "op"),
        ({"id": 5}, "id"),
        ({"id": "../../etc"}, "id"),
        ({"kind": "visit_delete"}, "kind"),
        ({"kind": ["visit"]}, "kind"),
        ({"saved_at": 1763936045}, "saved_at"),
        ({"saved_at": "yesterday"}, "saved_at"),
        ({"saved_at": "2026-11-23T22:14:05"}, "saved_at"),
        ({"saved_at": "0001-01-01T00:00:00+01:00"}, "saved_at"),
        ({"saved_at": "9999-12-31T23:59:59-14:00"}, "saved_at"),
        ({"author": 7}, "author"),
        ({"data": "left_how=taxi"}, "data"),
        ({"data": ["taxi"]}, "data"),
        ({"data": None}, "data"),
        ({"data": {"note": 5}}, "data"),
        ({"data": {"help": ["seat", 3]}}, "data"),
        ({"data": {"venue_id": 1}}, "data"),
        ({"data": {"note": {"text": "hi"}}}, "data"),
        ({"data": {"note": "Calm\x00er"}}, None),  # the pages refuse NUL too
    ],
)
def test_an_entry_of_wrong_types_is_rejected_and_the_rest_are_created(
    client, staff, venue, open_app, changes, field
):
    me = open_app(client, "sam")
    bad = visit_entry(me, venue)
    for name, value in changes.items():
        bad[name] = bad[name] | value if name == "data" and isinstance(value, dict) else value
    good = visit_entry(me, venue)
    results = sync_raw(client, me, [bad, good])
    assert statuses(results) == ["rejected", "created"]
    assert results[0]["errors"] and (field is None or field in results[0]["errors"]), results[0]
    assert [v.id for v in db.session.scalars(select(Visit))] == [good["id"]]
    assert count(Receipt) == 1


def sync_raw(client, me, records) -> list[dict]:
    """Send entries that may not be entries at all; one result per item, in order."""
    response = post(client, records, me["csrf"])
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert len(results) == len(records)
    return results


@pytest.mark.parametrize("seq", [2**31, 2**53, 2**63, 2**64])
def test_a_sequence_number_too_big_for_the_database_does_not_fail_the_batch(
    client, staff, venue, open_app, seq
):
    """JSON has no limit on integers; the database has. Either answer is fine, not a 500."""
    me = open_app(client, "sam")
    big = visit_entry(me, venue) | {"seq": seq}
    good = visit_entry(me, venue)
    results = sync_raw(client, me, [big, good])
    assert statuses(results)[1] == "created"
    if results[0]["status"] == "rejected":
        assert "seq" in results[0]["errors"]
        assert db.session.get(Visit, big["id"]) is None
    else:
        assert results[0]["status"] == "created"
        receipt = db.session.scalar(select(Receipt).filter_by(op_id=big["op"]))
        assert receipt.device_seq == seq


@pytest.mark.parametrize("item", ["visit", 17, None, ["op"], {}])
def test_an_item_that_is_not_an_entry_is_rejected_and_the_rest_are_created(
    client, staff, venue, open_app, item
):
    me = open_app(client, "sam")
    good = visit_entry(me, venue)
    results = sync_raw(client, me, [item, good])
    assert statuses(results) == ["rejected", "created"]
    assert results[0]["errors"]
    assert results[1]["op"] == good["op"]


@pytest.mark.parametrize("base_version", ["1", None, 1.0, True])
def test_a_correction_without_a_whole_base_version_is_rejected(scene, base_version):
    sent = scene.entry("visit_correction") | {"base_version": base_version}
    [result] = scene.send(sent)
    assert result["status"] == "rejected"
    assert "base_version" in result["errors"]
    assert scene.stored("visit", sent["id"]).version == 1


@pytest.mark.parametrize(
    "where, name",
    [
        ("entry", "priority"),
        ("entry", "author_id"),
        ("data", "name"),
        ("data", "csrf_token"),
        ("data", "created_by_id"),
    ],
)
def test_unknown_keys_and_unknown_form_fields_are_rejected(
    client, staff, venue, open_app, where, name
):
    me = open_app(client, "sam")
    bad = visit_entry(me, venue)
    if where == "entry":
        bad[name] = 1
    else:
        bad["data"][name] = "Jo" if name == "name" else "1"
    good = visit_entry(me, venue)
    results = sync(client, me, bad, good)
    assert statuses(results) == ["rejected", "created"]
    assert results[0]["errors"] == {"_record": [f"Unknown fields: {name}."]}
    assert count(Visit) == 1
    assert db.session.get(Visit, good["id"]).created_by_id == staff.id
