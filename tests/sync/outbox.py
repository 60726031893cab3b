"""The browser's outbox, as the sync tests play it: entries built as static/js/outbox.js
builds them, batches sent as it sends them, and the receipt the server keeps for each.

An entry's `data` holds the form's fields as FormData gives them (minus csrf_token): an
unticked box is simply absent. The author and CSRF tokens come from GET /api/session.
"""

import itertools
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.timeutil import to_london, to_utc, utcnow
from extensions import db
from havens.models import Venue
from patrols.models import Patrol
from sync.models import Receipt

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


# --- what the server keeps ------------------------------------------------------------------


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
