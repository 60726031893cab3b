"""The hand-over alert: a venue is told, once, that Street Pastors are bringing someone,
whether the contact is saved from the page or by sync, and not when it is synced too late
to matter.

`night` (tests/alerts/conftest.py) is the venue, its staff, two pastors on patrol and a
coordinator.
"""

import uuid
from datetime import timedelta

from sqlalchemy import select

from alerts.models import Alert, AlertRecipient
from core.timeutil import utcnow
from extensions import db
from patrols.models import Patrol


def contact_data(venue, **more) -> dict:
    from core.timeutil import to_london

    at = to_london(utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    return {
        "id": str(uuid.uuid4()),
        "at": at,
        "people": "1",
        "given": ["handover"],
        "handover_venue_id": str(venue.id),
    } | more


def handover_alerts() -> list[Alert]:
    return db.session.scalars(select(Alert).filter_by(kind="handover")).all()


def test_a_handover_from_the_form_alerts_the_venue_once(
    app, night, venue, push_service, auth, client_of, subscribe
):
    subscribe(night["staff"], "bar-tablet")
    patrol = db.session.scalar(select(Patrol))
    lee = client_of("lee")
    url = f"/patrols/{patrol.id}/contacts/new"
    data = contact_data(venue) | {"csrf_token": auth.csrf(url, client=lee)}
    assert lee.post(url, data=data).status_code == 302
    assert lee.post(url, data=data).status_code == 302  # sent twice: stored once
    [alert] = handover_alerts()
    assert alert.urgency == "high" and alert.url == "/visits#handovers"
    recipients = db.session.scalars(select(AlertRecipient.user_id).filter_by(alert_id=alert.id))
    assert list(recipients) == [night["staff"].id]
    [push] = push_service.received_by("bar-tablet")
    assert push.payload["kind"] == "handover" and push.ttl <= 3600
    assert push.payload["title"] == "Street Pastors are bringing someone to you"


def test_a_handover_saved_twice_alerts_the_venue_once(
    app, night, venue, push_service, monkeypatch, auth, client_of, subscribe
):
    """Two saves of one contact that both get past records.create's own check (two
    devices syncing it at once, say) both reach handover_alert: the alert's dedupe_key
    is what keeps the venue from being told twice."""
    from core import records

    subscribe(night["staff"], "bar-tablet")
    patrol = db.session.scalar(select(Patrol))
    lee = client_of("lee")
    url = f"/patrols/{patrol.id}/contacts/new"
    data = contact_data(venue) | {"csrf_token": auth.csrf(url, client=lee)}
    assert lee.post(url, data=data).status_code == 302
    real = records.create

    def raced(model, revision, record_id, *args, **kwargs):
        found = db.session.get(model, record_id)
        if found is None:
            return real(model, revision, record_id, *args, **kwargs)
        return found, True  # as if this save had not seen the other's yet

    monkeypatch.setattr(records, "create", raced)
    assert lee.post(url, data=data).status_code == 302
    [alert] = handover_alerts()
    assert alert.dedupe_key == f"handover-{data['id']}"
    assert [p.payload["kind"] for p in push_service.received_by("bar-tablet")] == ["handover"]


def test_a_contact_without_handover_alerts_nobody(app, night, venue, auth, client_of):
    patrol = db.session.scalar(select(Patrol))
    lee = client_of("lee")
    url = f"/patrols/{patrol.id}/contacts/new"
    data = contact_data(venue, given=["water"], handover_venue_id="0")
    assert lee.post(url, data=data | {"csrf_token": auth.csrf(url, client=lee)}).status_code == 302
    assert handover_alerts() == []


# The outbox that the synced entries below come from: their author tokens are made for it.
DEVICE = str(uuid.uuid4())


def sync_entry(app, author, patrol, data: dict) -> dict:
    from sync.authors import author_token

    with app.test_request_context():
        token = author_token(author, DEVICE)
    return {
        "op": str(uuid.uuid4()),
        "kind": "contact",
        "id": data["id"],
        "patrol": patrol.id,
        "seq": 1,
        "saved_at": "2026-01-01T00:00:00Z",
        "author": token,
        "data": data,
    }


def test_a_handover_by_sync_alerts_the_venue_once(app, night, venue, client_of):
    patrol = db.session.scalar(select(Patrol))
    lee = client_of("lee")
    handed = sync_entry(app, night["lee"], patrol, contact_data(venue))
    plain = sync_entry(app, night["lee"], patrol, contact_data(venue, given=["water"]) | {})
    plain["data"].pop("handover_venue_id")
    body = {"device": DEVICE, "records": [plain, handed]}
    headers = {"X-CSRFToken": lee.get("/api/session").json["csrf"]}
    first = lee.post("/api/sync", json=body, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert [r["status"] for r in first.json["results"]] == ["created", "created"]
    resend = dict(handed, op=str(uuid.uuid4()))  # the same contact under a new entry id
    body = {"device": body["device"], "records": [handed, resend]}
    again = lee.post("/api/sync", json=body, headers=headers)
    assert [r["status"] for r in again.json["results"]] == ["duplicate", "duplicate"]
    [alert] = handover_alerts()
    assert alert.subject_id == handed["id"]


def test_a_handover_synced_long_after_alerts_nobody(app, night, venue, client_of):
    from core.timeutil import to_london

    patrol = db.session.scalar(select(Patrol))
    lee = client_of("lee")
    late = to_london(utcnow() - timedelta(minutes=61)).strftime("%Y-%m-%dT%H:%M")
    entry = sync_entry(app, night["lee"], patrol, contact_data(venue, at=late))
    headers = {"X-CSRFToken": lee.get("/api/session").json["csrf"]}
    body = {"device": DEVICE, "records": [entry]}
    response = lee.post("/api/sync", json=body, headers=headers)
    assert [r["status"] for r in response.json["results"]] == ["created"]
    assert handover_alerts() == []
