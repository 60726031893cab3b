"""A coordinator decides what happens to a record that arrived in conflict."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.models import AuditEvent
from core.timeutil import london_now_minute
from extensions import db
from havens.models import Visit
from sync.models import SyncConflict

DEVICE = str(uuid.uuid4())


def entry(session: dict, record_id: str, venue_id: int, note: str) -> dict:
    arrived = london_now_minute().strftime("%Y-%m-%dT%H:%M")
    data = {"id": record_id, "venue_id": str(venue_id), "arrived_at": arrived}
    return {
        "op": str(uuid.uuid4()),
        "kind": "visit",
        "id": record_id,
        "seq": 1,
        "saved_at": datetime.now(UTC).isoformat(),
        "author": session["author"],
        "data": data | {"help": ["seat"], "note": note},
    }


def send(client, *entries) -> list[dict]:
    session = client.get("/api/session").get_json()
    body = {"device": DEVICE, "records": list(entries)}
    answer = client.post("/api/sync", json=body, headers={"X-CSRFToken": session["csrf"]})
    assert answer.status_code == 200
    return answer.get_json()["results"]


@pytest.fixture
def conflict(client, auth, staff, venue) -> SyncConflict:
    """A visit stored with one note, then the same id again with another."""
    auth.login("sam")
    session = client.get("/api/session", query_string={"device": DEVICE}).get_json()
    visit_id = str(uuid.uuid4())
    assert send(client, entry(session, visit_id, venue.id, "first"))[0]["status"] == "created"
    assert send(client, entry(session, visit_id, venue.id, "second"))[0]["status"] == "conflict"
    client.post("/signout", data={"csrf_token": session["csrf"]})
    return db.session.scalar(select(SyncConflict))


def test_the_coordinator_sees_both_versions(client, auth, conflict, coordinator):
    auth.login("cora")
    assert "1 sync conflict" in client.get("/").get_data(as_text=True)
    page = client.get(f"/sync/conflicts/{conflict.id}").get_data(as_text=True)
    assert "first" in page and "second" in page
    assert "Sam" in client.get("/sync/conflicts").get_data(as_text=True)


def test_keeping_the_stored_version_changes_nothing(client, auth, conflict, coordinator):
    auth.login("cora")
    token = client.get("/api/session").get_json()["csrf"]
    answer = client.post(
        f"/sync/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "action": "keep"}
    )
    assert answer.status_code == 302
    visit = db.session.get(Visit, conflict.record_id)
    db.session.refresh(conflict)
    assert (visit.note, visit.version, conflict.resolution) == ("first", 1, "keep")
    assert db.session.scalar(select(AuditEvent).filter_by(action="sync_conflict_resolved"))


def test_applying_the_incoming_version_keeps_the_stored_one_in_history(
    client, auth, conflict, coordinator
):
    auth.login("cora")
    token = client.get("/api/session").get_json()["csrf"]
    client.post(
        f"/sync/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "action": "apply"}
    )
    visit = db.session.get(Visit, conflict.record_id)
    db.session.refresh(visit)
    assert (visit.note, visit.version) == ("second", 2)
    assert [r.data["note"] for r in visit.revisions] == ["first", "second"]
    assert visit.revisions[1].changed_by_id == coordinator.id


def test_a_decision_is_made_once(client, auth, conflict, coordinator):
    auth.login("cora")
    token = client.get("/api/session").get_json()["csrf"]
    for action in ("keep", "apply"):
        client.post(
            f"/sync/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "action": action}
        )
    db.session.refresh(conflict)
    assert conflict.resolution == "keep"
    assert db.session.get(Visit, conflict.record_id).version == 1


def test_another_schemes_coordinator_cannot_see_it(
    client, auth, conflict, app, elsewhere, make_person
):
    make_person("olive", roles=["coordinator"], scheme=elsewhere)
    auth.login("olive")
    assert client.get(f"/sync/conflicts/{conflict.id}").status_code == 404
    assert "Sam" not in client.get("/sync/conflicts").get_data(as_text=True)
    count = select(func.count()).select_from(SyncConflict).filter_by(resolution=None)
    assert db.session.scalar(count) == 1
