"""What Python's json lets through, answered at the edge of /api/sync (issue 14, L2).

JSON nested very deep raises RecursionError, a number of 5,001 digits raises ValueError
(the int-to-string limit), and a lone surrogate passes json.loads only to fail when it
is encoded for the database or a signature. Each gets a clear 400, or `rejected` for its
entry alone, and never a 500.
"""

import json
import uuid
from datetime import timedelta

import pytest

from core.timeutil import to_london, utcnow
from havens.models import Visit
from tests.sync.outbox import count

UNREADABLE = "The server could not read what was sent."


@pytest.fixture
def sam(client, auth, staff) -> dict:
    """Sam, venue staff, signed in; the outbox's session answer, with its device id."""
    auth.login("sam")
    device = str(uuid.uuid4())
    session = client.get("/api/session", query_string={"device": device}).get_json()
    return session | {"device": device}


def visit(sam: dict, venue, **changes) -> dict:
    record_id = str(uuid.uuid4())
    arrived = to_london(utcnow() - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    data = {"id": record_id, "venue_id": str(venue.id), "arrived_at": arrived, "help": ["seat"]}
    entry = {
        "op": str(uuid.uuid4()),
        "kind": "visit",
        "id": record_id,
        "seq": 1,
        "saved_at": "2026-11-23T22:14:05Z",
        "author": sam["author"],
        "data": data,
    }
    return entry | changes


def post_raw(client, sam: dict, body: str):
    """Post the text as it is: these bodies are what a JSON encoder would never write."""
    headers = {"X-CSRFToken": sam["csrf"]}
    return client.post("/api/sync", data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_json_nested_too_deep_is_a_400(client, sam, depth):
    nested = "[" * depth + "]" * depth
    body = f'{{"device": "{sam["device"]}", "records": {nested}}}'
    answer = post_raw(client, sam, body)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == UNREADABLE


@pytest.mark.parametrize("where", ["seq", "base_version", "in a list", "device"])
def test_a_number_of_5001_digits_is_a_400(client, sam, venue, where):
    huge = "9" * 5001
    entry = json.dumps(visit(sam, venue))
    if where == "seq":
        entry = entry.replace('"seq": 1', f'"seq": {huge}')
    elif where == "base_version":
        entry = entry[:-1] + f', "base_version": {huge}}}'
    elif where == "in a list":
        entry = entry.replace('"help": ["seat"]', f'"help": ["seat", {huge}]')
    device = huge if where == "device" else f'"{sam["device"]}"'
    body = f'{{"device": {device}, "records": [{entry}]}}'
    answer = post_raw(client, sam, body)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == UNREADABLE
    assert count(Visit) == 0


LONE = "\ud800"


@pytest.mark.parametrize(
    "where",
    ["note", "a list's item", "a field's name", "author", "op", "saved_at", "an unknown key"],
)
def test_a_lone_surrogate_rejects_its_entry_and_the_rest_are_created(client, sam, venue, where):
    bad = visit(sam, venue)
    if where == "note":
        bad["data"]["note"] = f"Calmer {LONE} now"
    elif where == "a list's item":
        bad["data"]["help"] = ["seat", LONE]
    elif where == "a field's name":
        bad["data"][f"note{LONE}"] = "x"
    elif where == "an unknown key":
        bad[f"extra{LONE}"] = "x"
    else:
        bad[where] = f"{bad[where]}{LONE}"
    good = visit(sam, venue)
    # json.dumps writes a lone surrogate as the escape \ud800, as browsers' JSON.stringify does.
    body = json.dumps({"device": sam["device"], "records": [bad, good]})
    assert "\\ud800" in body
    answer = post_raw(client, sam, body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    results = answer.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "created"]
    assert results[0]["errors"]
    assert count(Visit) == 1


def test_a_lone_surrogate_in_a_note_is_named_beside_the_note(client, sam, venue):
    """The person can find and fix it: the error is the note's own."""
    bad = visit(sam, venue)
    bad["data"]["note"] = f"Calmer {LONE} now"
    answer = post_raw(client, sam, json.dumps({"device": sam["device"], "records": [bad]}))
    [result] = answer.get_json()["results"]
    assert list(result["errors"]) == ["note"]
