"""/api/openapi.json describes every /api/ endpoint, as a client would need it (issue 14, L5).

The routes are walked from the app's URL map, so a new endpoint without a description
fails here. A client that builds entries from the document alone must put the record's
id both at the top level and inside `data`, or its first sync is rejected.
"""

import re
import uuid
from datetime import timedelta

import jsonschema_rs
import pytest

from core.timeutil import to_london, utcnow

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def document(client) -> dict:
    answer = client.get("/api/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def openapi_path(rule: str) -> str:
    """/api/help/<help_id> as OpenAPI writes it: /api/help/{help_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_and_method_is_described(app, document):
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - SKIPPED_METHODS
    }
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes, "no /api/ routes found"
    assert routes - described == set()
    assert described - routes == set()  # nor any that does not exist


def test_every_described_answer_says_what_it_holds(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], (path, method)
            for code, answer in operation["responses"].items():
                assert answer["content"]["application/json"]["schema"], (path, method, code)


def entry(kind: str, **data) -> dict:
    record_id = str(uuid.uuid4())
    return {
        "op": str(uuid.uuid4()),
        "kind": kind,
        "id": record_id,
        "seq": 1,
        "saved_at": "2026-11-23T22:14:05Z",
        "author": "token",
        "data": {key: (record_id if value is None else value) for key, value in data.items()},
    }


def test_the_document_says_an_entry_s_id_is_repeated_inside_its_data(document):
    sync = document["paths"]["/api/sync"]["post"]
    schema = sync["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for(schema)
    batch = {"device": str(uuid.uuid4())}
    with_id = entry("visit", id=None, venue_id="1")
    without = entry("visit", venue_id="1")
    assert validator.is_valid(batch | {"records": [with_id]})
    assert not validator.is_valid(batch | {"records": [without]})
    end = entry("patrol_end", ended_at="2026-11-23T23:00")
    assert validator.is_valid(batch | {"records": [end]})
    assert not validator.is_valid(batch | {"records": [end | {"data": {"id": end["id"]}}]})


def test_an_entry_built_from_the_document_is_created(client, auth, staff, venue, document):
    """What the document says is what the server takes: its required fields, and the id
    in both places, make a visit the server stores."""
    auth.login("sam")
    device = str(uuid.uuid4())
    session = client.get("/api/session", query_string={"device": device}).get_json()
    sent = entry("visit", id=None, venue_id=str(venue.id), help="seat")
    sent["author"] = session["author"]
    arrived = to_london(utcnow() - timedelta(minutes=20))
    sent["data"]["arrived_at"] = arrived.strftime("%Y-%m-%dT%H:%M")
    schema = document["paths"]["/api/sync"]["post"]["requestBody"]["content"]
    body = {"device": device, "records": [sent]}
    assert jsonschema_rs.validator_for(schema["application/json"]["schema"]).is_valid(body)
    answer = client.post("/api/sync", json=body, headers={"X-CSRFToken": session["csrf"]})
    assert [r["status"] for r in answer.get_json()["results"]] == ["created"]
