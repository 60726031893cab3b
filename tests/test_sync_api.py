"""The sync API the offline outbox sends through (issue 5, /api/...).

Each kind of record is created once with a receipt that keeps the device's time, the
server's time, the author and the sender; a resend is a duplicate, other content under a
known id is a conflict kept for a coordinator, and a bad entry is rejected with the form's
own messages without blocking the others. Then the batch's limits and shape, who may send,
shared devices and author tokens, the language of errors, the idle timeout, the OpenAPI
document and caching.

Entries are built as the outbox builds them: `data` holds the form's fields as FormData
gives them (minus csrf_token), and the author and CSRF tokens come from GET /api/session.
"""

import itertools
import json
import re
import time
import uuid
from datetime import datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from accounts import services as accounts
from accounts.models import Scheme, TeamMember, UserSession
from core.timeutil import to_london, to_utc, utcnow
from extensions import db
from havens import services as havens
from havens.models import Venue, Visit
from patrols import services as patrols
from patrols.models import Contact, Patrol, Team
from sync.models import Receipt, SyncConflict
from tests.conftest import PASSWORD, csrf_token, sign_in

LOCAL = "%Y-%m-%dT%H:%M"
DEVICE = str(uuid.uuid4())
SEQUENCE = itertools.count(1)
# The device's clock when the person saved: kept beside the server's own receipt time.
SAVED_AT = "2026-11-23T22:14:05.123Z"
SAVED_AT_UTC = datetime(2026, 11, 23, 22, 14, 5, 123000)
KINDS = ["visit", "visit_correction", "contact", "contact_correction", "patrol_start", "patrol_end"]
STATUSES = ["created", "duplicate", "conflict", "rejected"]


# --- building entries as the outbox does -----------------------------------------------------


def new_id() -> str:
    return str(uuid.uuid4())


def local(delta: timedelta = timedelta()) -> str:
    """Now plus delta, as the London wall-clock value a datetime-local field holds."""
    return to_london(utcnow() + delta).strftime(LOCAL)


def from_local(value: str) -> datetime:
    """A datetime-local value as the naive UTC time the database keeps."""
    return to_utc(datetime.strptime(value, LOCAL))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def open_app(client, username: str) -> dict:
    """Sign in, then read /api/session as the app does: it holds the author and CSRF tokens."""
    sign_in(client, username)
    return api_session(client)


def api_session(client) -> dict:
    response = client.get("/api/session", query_string={"device": DEVICE})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def post(client, records, csrf: str | None, device: str = DEVICE, headers=None, **kwargs):
    """POST a batch as the outbox does, with the CSRF token in its header."""
    headers = ({"X-CSRFToken": csrf} if csrf else {}) | (headers or {})
    body = {"device": device, "records": records}
    return client.post("/api/sync", json=body, headers=headers, **kwargs)


def sync(client, me: dict, *entries, headers=None) -> list[dict]:
    """Send entries in one batch; the answer has one result per entry, in order."""
    response = post(client, list(entries), me["csrf"], headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert [result["op"] for result in results] == [entry["op"] for entry in entries]
    return results


def statuses(results) -> list[str]:
    return [result["status"] for result in results]


def entry(me: dict, kind: str, record_id: str, data: dict, **extra) -> dict:
    return {
        "op": new_id(),
        "kind": kind,
        "id": record_id,
        "seq": next(SEQUENCE),
        "saved_at": SAVED_AT,
        "author": me["author"],
        "data": data,
    } | extra


def visit_data(record_id: str, venue: Venue, **changes) -> dict:
    """The visit form's fields as FormData gives them: unticked boxes are simply absent."""
    data = {
        "id": record_id,
        "venue_id": str(venue.id),
        "contact_id": "",
        "arrived_at": local(-timedelta(minutes=20)),
        "help": ["seat", "called_taxi"],
        "age_band": "18_24",
        "gender": "not_said",
        "company": "alone",
        "left_how": "taxi",
        "departed_at": "",
        "note": "",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def visit_entry(me: dict, venue: Venue, **changes) -> dict:
    record_id = new_id()
    return entry(me, "visit", record_id, visit_data(record_id, venue, **changes))


def contact_data(record_id: str, **changes) -> dict:
    data = {
        "id": record_id,
        "given": ["water"],
        "people": "2",
        "people_more": "",
        "handover_venue_id": "0",
        "area_id": "0",
        "street": "Mount Pleasant",
        "latitude": "",
        "longitude": "",
        "at": local(-timedelta(minutes=10)),
        "note": "",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def contact_entry(me: dict, patrol: Patrol, **changes) -> dict:
    record_id = new_id()
    return entry(me, "contact", record_id, contact_data(record_id, **changes), patrol=patrol.id)


# --- people, places and patrols --------------------------------------------------------------


@pytest.fixture
def staff(make_person, venue):
    return make_person("sam", roles=["venue_staff"], venues=[venue])


@pytest.fixture
def colleague(make_person, venue):
    """Another member of staff at the same venue, sharing its tablet."""
    return make_person("kim", roles=["venue_staff"], venues=[venue])


@pytest.fixture
def leader(make_person, team):
    return make_person("lee", roles=["pastor"], leads=[team])


@pytest.fixture
def patrol(team, leader) -> Patrol:
    """The team's open patrol, started two hours ago."""
    patrol = Patrol(
        id=new_id(), team_id=team.id, started_at=utcnow() - timedelta(hours=2), pastors=[leader]
    )
    db.session.add(patrol)
    db.session.commit()
    return patrol


@pytest.fixture
def other_venue(scheme) -> Venue:
    venue = Venue(scheme_id=scheme.id, name="The Beacon", status="active")
    db.session.add(venue)
    db.session.commit()
    return venue


@pytest.fixture
def elsewhere(app) -> Scheme:
    scheme = Scheme(name="Elsewhere")
    db.session.add(scheme)
    db.session.commit()
    return scheme


class Scene:
    """Sam (venue staff) and Lee (the team's leader), each signed in on a device of their
    own, with what every kind of record needs: a venue, an open patrol, a visit and a
    contact to correct, and a second team Lee leads with no patrol open."""

    def __init__(self, app, staff, leader, venue, team, patrol):
        self.staff, self.leader, self.venue, self.patrol = staff, leader, venue, patrol
        self.saturday = Team(scheme_id=team.scheme_id, name="Saturday team")
        db.session.add(self.saturday)
        db.session.flush()
        db.session.add(TeamMember(user_id=leader.id, team_id=self.saturday.id, is_leader=True))
        visit_id = new_id()
        self.visit, _ = havens.save_visit(visit_id, self.visit_values(), staff)
        self.contact, _ = patrols.save_contact(new_id(), patrol, self.contact_values(), leader)
        db.session.commit()
        self.devices = {}
        for person in (staff, leader):
            client = app.test_client()
            self.devices[person.id] = (client, open_app(client, person.username))

    def visit_values(self) -> dict:
        form_values = visit_data("", self.venue)
        return {
            "venue_id": self.venue.id,
            "arrived_at": from_local(form_values["arrived_at"]),
            "departed_at": None,
            "help": ["seat", "called_taxi"],
            "services": [],
            "age_band": "18_24",
            "gender": "not_said",
            "company": "alone",
            "left_how": "taxi",
            "note": "",
            "contact_id": None,
        }

    def contact_values(self) -> dict:
        return {
            "at": from_local(contact_data("")["at"]),
            "people": 2,
            "age_band": None,
            "gender": None,
            "seen": [],
            "given": ["water"],
            "services": [],
            "area_id": None,
            "street": "Mount Pleasant",
            "latitude": None,
            "longitude": None,
            "handover_venue_id": None,
            "note": "",
        }

    def author_of(self, kind: str):
        return self.staff if kind.startswith("visit") else self.leader

    def me(self, kind: str) -> dict:
        return self.devices[self.author_of(kind).id][1]

    def entry(self, kind: str, **changes) -> dict:
        """A valid entry of this kind; a new record, or a change to the scene's own."""
        me = self.me(kind)
        if kind == "visit":
            return visit_entry(me, self.venue, **changes)
        if kind == "visit_correction":
            visit = self.visit
            data = visit_data(visit.id, self.venue, left_how="friend_family") | changes
            return entry(me, kind, visit.id, data, base_version=visit.version)
        if kind == "contact":
            return contact_entry(me, self.patrol, **changes)
        if kind == "contact_correction":
            contact = self.contact
            data = contact_data(contact.id, at=local(-timedelta(minutes=10)), people="3")
            extra = {"patrol": self.patrol.id, "base_version": contact.version}
            return entry(me, kind, contact.id, data | changes, **extra)
        if kind == "patrol_start":
            record_id = new_id()
            data = {
                "id": record_id,
                "team_id": str(self.saturday.id),
                "area_id": "0",
                "route": "Calverley Road",
                "pastors": [str(self.leader.id)],
                "started_at": local(-timedelta(hours=1)),
            }
            return entry(me, kind, record_id, data | changes)
        if kind == "patrol_end":
            data = {"ended_at": local(-timedelta(minutes=5)), "note": "Quiet", "tally_0": "5"}
            return entry(me, kind, self.patrol.id, data | changes)
        raise AssertionError(kind)

    def other_content(self, kind: str) -> dict:
        """Answers that differ from entry(kind)'s, for the same record."""
        return {
            "visit": {"left_how": "walked_on"},
            "visit_correction": {"left_how": "police"},
            "contact": {"people": "4"},
            "contact_correction": {"people": "5"},
            "patrol_start": {"route": "The Pantiles"},
            "patrol_end": {"tally_0": "9"},
        }[kind]

    def send(self, *entries, headers=None) -> list[dict]:
        client, me = self.devices[self.author_of(entries[0]["kind"]).id]
        return sync(client, me, *entries, headers=headers)

    def stored(self, kind: str, record_id: str):
        model = {"visit": Visit, "contact": Contact, "patrol": Patrol}[kind.split("_")[0]]
        row = db.session.get(model, record_id)
        if row is not None:
            db.session.refresh(row)
        return row

    def rows(self, kind: str) -> int:
        return count({"visit": Visit, "contact": Contact, "patrol": Patrol}[kind.split("_")[0]])

    def state(self, kind: str, record_id: str) -> dict:
        """What a stored record holds, to show it was left alone."""
        row = self.stored(kind, record_id)
        if row is None:
            return {}
        fields = {
            "visit": ("version", "left_how", "note", "help"),
            "contact": ("version", "people", "given", "street"),
            "patrol": ("route", "started_at", "ended_at", "tallies", "note"),
        }[kind.split("_")[0]]
        return {name: getattr(row, name) for name in fields}


@pytest.fixture
def scene(app, staff, leader, venue, team, patrol) -> Scene:
    return Scene(app, staff, leader, venue, team, patrol)


def assert_receipt(result, sent, author, sender, before, outcome="created") -> Receipt:
    """The receipt keeps the device's time and the server's, the author and the sender."""
    receipt = db.session.scalar(select(Receipt).filter_by(op_id=sent["op"]))
    assert receipt is not None
    assert result["receipt"]["number"] == receipt.id
    assert (receipt.kind, receipt.record_id, receipt.outcome) == (sent["kind"], sent["id"], outcome)
    assert (receipt.device_id, receipt.device_seq) == (DEVICE, sent["seq"])
    assert receipt.client_saved_at == SAVED_AT_UTC
    assert before <= receipt.received_at <= utcnow()
    stamp = receipt.received_at.isoformat(timespec="seconds") + "Z"
    assert result["receipt"]["received_at"] == stamp
    assert (receipt.author_id, receipt.sender_id) == (author.id, sender.id)
    return receipt


# --- created: each kind, with its rows and its receipt ---------------------------------------


def test_a_visit_is_created_with_its_receipt(client, staff, venue):
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


def test_a_contact_is_created_on_its_patrol(client, leader, patrol):
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


def test_a_visit_saved_by_the_page_then_synced_is_a_duplicate(client, staff, venue):
    me = open_app(client, "sam")
    sent = visit_entry(me, venue)
    page = sent["data"] | {"csrf_token": csrf_token(client, "/visits/new")}
    assert client.post("/visits/new", data=page).status_code == 302
    [result] = sync(client, me, sent)
    assert result["status"] == "duplicate"
    assert count(Visit) == 1 and count(SyncConflict) == 0
    assert db.session.get(Visit, sent["id"]).created_by_id == staff.id


def test_a_resend_is_a_duplicate_even_after_its_author_was_disabled(
    client, staff, colleague, venue
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


def test_a_late_replay_of_a_rejected_entry_s_first_version_makes_no_conflict(client, staff, venue):
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
    client, staff, venue, changes, field, message
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
    client, leader, patrol, changes, field, message
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


def test_a_rejected_entry_fixed_and_resent_with_the_same_op_is_created(client, staff, venue):
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
def test_an_oversized_batch_is_refused_with_a_clear_json_error(app, client, staff, venue, size):
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


def test_a_batch_at_the_caps_is_taken(app, client, staff, venue):
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
def test_a_body_the_server_cannot_read_is_a_400_json_error(client, staff, body):
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
    client, staff, venue, changes, field
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
    client, staff, venue, seq
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
    client, staff, venue, item
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
def test_unknown_keys_and_unknown_form_fields_are_rejected(client, staff, venue, where, name):
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


# --- who may send ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "not-the-token", ""])
def test_a_batch_without_the_session_s_csrf_token_is_a_400_json_error(client, staff, venue, header):
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
    client, staff, colleague, venue, how
):
    me = open_app(client, "kim")
    records = [visit_entry(me, venue)]
    if how == "never_signed_in":
        client.post("/signout", data={"csrf_token": me["csrf"]})
        token = csrf_token(client)
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


def test_a_partner_may_not_send_records(client, make_person, staff, venue):
    make_person("pia", roles=["partner"])
    sam = api_session_of(client, "sam")
    me = open_app(client, "pia")
    response = post(client, [visit_entry(sam, venue)], me["csrf"])
    assert response.status_code == 403
    assert response.is_json and response.get_json()["error"]
    assert count(Visit) == 0 and count(Receipt) == 0


def api_session_of(client, username: str) -> dict:
    """The session answer of someone who then signs out of this device."""
    me = open_app(client, username)
    assert client.post("/signout", data={"csrf_token": me["csrf"]}).status_code == 302
    return me


@pytest.mark.parametrize("where", ["same_scheme", "other_scheme"])
def test_staff_cannot_log_a_visit_for_another_venue(
    client, staff, venue, other_venue, elsewhere, where
):
    if where == "other_scheme":
        other_venue.scheme_id = elsewhere.id
        db.session.commit()
    me = open_app(client, "sam")
    results = sync(client, me, visit_entry(me, other_venue), visit_entry(me, venue))
    assert statuses(results) == ["rejected", "created"]
    assert list(results[0]["errors"]) == ["venue_id"]
    assert [v.venue_id for v in db.session.scalars(select(Visit))] == [venue.id]


def test_staff_cannot_correct_another_venue_s_visit(client, staff, venue, other_venue, make_person):
    make_person("bea", roles=["venue_staff"], venues=[other_venue])
    bea = api_session_of(client, "bea")
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
    client, leader, patrol, elsewhere, make_person
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


def test_a_record_sent_by_a_colleague_is_attributed_to_its_author(client, staff, colleague, venue):
    sam = api_session_of(client, "sam")  # Sam saved it offline, then signed out
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
    app, client, staff, colleague, venue, elsewhere, forge
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
        stranger = accounts.create_person(
            elsewhere, "Stranger", "stranger", PASSWORD, roles={"coordinator"}
        )
        db.session.commit()
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


def test_a_disabled_author_s_records_are_rejected(client, staff, colleague, venue):
    sam = api_session_of(client, "sam")
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


# --- the person's language -------------------------------------------------------------------


def choose_polish(client, me: dict, how: str) -> dict:
    """Headers for a Polish request: the browser's language, or the person's own choice."""
    if how == "browser":
        return {"Accept-Language": "pl"}
    data = {"csrf_token": me["csrf"], "language": "pl", "next": "/"}
    assert client.post("/language", data=data).status_code == 302
    return {"Accept-Language": "en-GB"}


@pytest.mark.parametrize("how", ["browser", "choice"])
def test_form_errors_are_in_polish_for_a_polish_speaker(client, staff, venue, how):
    me = open_app(client, "sam")
    headers = choose_polish(client, me, how)
    future = visit_entry(me, venue, arrived_at=local(timedelta(hours=2)))
    no_help = visit_entry(me, venue, help=None)
    results = sync(client, me, future, no_help, headers=headers)
    assert results[0]["errors"] == {"arrived_at": ["Godzina przyjścia jest w przyszłości."]}
    assert results[1]["errors"] == {"help": ["Wybierz co najmniej jeden rodzaj pomocy."]}


@pytest.mark.parametrize(
    "case, english",
    [
        (
            "forged_author",
            "This device could not show who wrote this. Open it, check it and save it again.",
        ),
        ("unknown_field", "Unknown fields: name."),
        ("bad_seq", "The device's sequence number is missing."),
        ("malformed", "The server could not read what was sent."),
        ("oversized", "Send at most {max_records} records at a time."),
        ("signed_out", "Sign in to send your records."),
    ],
)
def test_the_api_s_own_messages_are_in_polish_for_a_polish_speaker(
    client, staff, venue, case, english
):
    me = open_app(client, "sam")
    headers = {"X-CSRFToken": me["csrf"], "Accept-Language": "pl"}
    records = [visit_entry(me, venue)]
    if case == "forged_author":
        records[0]["author"] = "forged"
    elif case == "unknown_field":
        records[0]["data"]["name"] = "Jo"
    elif case == "bad_seq":
        records[0]["seq"] = "1"
    elif case == "oversized":
        records *= me["sync"]["max_records"] + 1
        english = english.format(**me["sync"])
    elif case == "signed_out":
        db.session.execute(
            update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()
    body = {"device": DEVICE, "records": records}
    data = b"{not json" if case == "malformed" else json.dumps(body)
    response = client.post("/api/sync", data=data, content_type="application/json", headers=headers)
    answer = response.get_json()
    message = answer["error"] if "error" in answer else answer["results"][0]["errors"]
    message = message if isinstance(message, str) else next(iter(message.values()))[0]
    assert message and message != english, f"{case}: {message!r} is not in Polish"


# --- the idle timeout ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_, extends",
    [
        ("GET /api/session", False),
        ("GET /api/handovers", False),
        ("POST /api/sync", False),
        ("POST /api/sync activity", True),
        ("GET /", True),
    ],
)
def test_only_a_person_s_own_actions_extend_the_idle_timeout(
    client, staff, venue, request_, extends
):
    me = open_app(client, "sam")
    earlier = (utcnow() - timedelta(minutes=5)).replace(microsecond=0)
    db.session.execute(update(UserSession).values(last_seen_at=earlier))
    db.session.commit()
    method, path, *activity = request_.split()
    if method == "GET":
        response = client.get(path)
    else:
        headers = {"X-Lantern-Activity": "1"} if activity else {}
        response = post(client, [visit_entry(me, venue)], me["csrf"], headers=headers)
    assert response.status_code == 200
    db.session.expire_all()
    last_seen = db.session.scalar(select(UserSession.last_seen_at))
    assert (last_seen > earlier) == extends, (request_, last_seen, earlier)


def later(minutes: int) -> None:
    """Let time pass for the signed-in session: its last use moves that far into the past."""
    db.session.expire_all()
    row = db.session.scalar(select(UserSession))
    row.last_seen_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_background_syncs_do_not_keep_a_shared_tablet_signed_in(client, staff, venue):
    """The outbox asks on a timer, on coming online and on showing the page: none of that
    keeps the tablet signed in for the next person to find."""
    me = open_app(client, "sam")
    later(minutes=14)
    assert client.get("/api/session").status_code == 200
    assert post(client, [], me["csrf"]).status_code == 200
    later(minutes=2)  # 16 minutes since Sam last did anything
    assert post(client, [visit_entry(me, venue)], me["csrf"]).status_code == 401
    assert client.get("/api/session").status_code == 401
    assert count(Visit) == 0


# --- the session answer, the OpenAPI document and caching ------------------------------------


def test_the_session_answer_names_the_person_and_their_offline_pages(client, staff):
    me = open_app(client, "sam")
    assert me["user"] == {"id": staff.id, "name": "Sam", "roles": ["venue_staff"]}
    assert me["author"] and me["csrf"] and me["idle_minutes"] == 15
    assert set(me["sync"]) == {"max_records", "max_bytes", "timeout_ms"}
    urls = {page["url"] for page in me["pages"]}
    assert {"/outbox", "/offline", "/visits/new?shell=1"} <= urls


def test_the_offline_pages_answer_the_addresses_they_stand_for(client, make_person, team):
    make_person("cora", roles=("coordinator",))
    me = open_app(client, "cora")
    patrol = "0b0c7a52-3f41-4a53-9d37-2bd0cbbd0f11"

    def kept_for(path: str) -> set[str]:
        return {page["url"] for page in me["pages"] if re.search(page["pattern"], path)}

    assert kept_for("/visits/new") == {"/visits/new?shell=1"}
    assert kept_for(f"/patrols/{patrol}/contacts/new") == {"/patrols/shell/contact"}
    assert kept_for(f"/patrols/{patrol}/end") == {"/patrols/shell/end"}
    assert kept_for("/patrols/start") == {"/patrols/start"}
    assert kept_for("/directory") == {"/directory"}
    assert kept_for("/patrols/not-a-patrol/end") == set()
    assert kept_for("/visits/new/extra") == set()


def test_the_openapi_document_describes_the_api(client, staff):
    sign_in(client, "sam")
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.1")
    assert {"/api/sync", "/api/session"} <= set(document["paths"])
    sync_post = document["paths"]["/api/sync"]["post"]
    answer = sync_post["responses"]["200"]["content"]["application/json"]["schema"]
    result = answer["properties"]["results"]["items"]
    assert result["properties"]["status"]["enum"] == STATUSES
    batch = sync_post["requestBody"]["content"]["application/json"]["schema"]
    entry_schema = batch["properties"]["records"]["items"]
    assert entry_schema["properties"]["kind"]["enum"] == KINDS
    assert {"400", "401", "403", "413"} <= set(sync_post["responses"])
    assert "get" in document["paths"]["/api/session"]


def test_every_api_answer_is_never_cached(app, client, staff, venue, make_person):
    anonymous = app.test_client()
    make_person("pia", roles=["partner"])
    partner = app.test_client()
    pia = open_app(partner, "pia")
    me = open_app(client, "sam")
    cap = me["sync"]["max_records"]
    answers = {
        "session": client.get("/api/session"),
        "session, signed out": anonymous.get("/api/session"),
        "handovers": client.get("/api/handovers"),
        "openapi": client.get("/api/openapi.json"),
        "sync": post(client, [visit_entry(me, venue)], me["csrf"]),
        "sync, no csrf": post(client, [], None),
        "sync, malformed": client.post(
            "/api/sync",
            data="{",
            content_type="application/json",
            headers={"X-CSRFToken": me["csrf"]},
        ),
        "sync, too many": post(client, [visit_entry(me, venue)] * (cap + 1), me["csrf"]),
        "sync, partner": post(partner, [], pia["csrf"]),
        "no such route": client.get("/api/nothing-here"),
    }
    codes = {name: answer.status_code for name, answer in answers.items()}
    assert codes == {
        "session": 200,
        "session, signed out": 401,
        "handovers": 200,
        "openapi": 200,
        "sync": 200,
        "sync, no csrf": 400,
        "sync, malformed": 400,
        "sync, too many": 413,
        "sync, partner": 403,
        "no such route": 404,
    }
    for name, answer in answers.items():
        assert answer.headers.get("Cache-Control") == "no-store", name
        assert answer.is_json, name
