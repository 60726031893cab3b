"""The sync API's session: errors in the person's language, the idle timeout that only
their own actions extend, the session answer and its offline pages, the OpenAPI document,
and answers that are never cached.

Entries are built as the outbox builds them (tests/sync/outbox.py).
"""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from accounts.models import UserSession
from core.timeutil import utcnow
from extensions import db
from havens.models import Visit
from tests.sync.outbox import DEVICE, KINDS, STATUSES, count, local, post, sync, visit_entry

# --- the person's language -------------------------------------------------------------------


def choose_polish(client, me: dict, how: str) -> dict:
    """Headers for a Polish request: the browser's language, or the person's own choice."""
    if how == "browser":
        return {"Accept-Language": "pl"}
    data = {"csrf_token": me["csrf"], "language": "pl", "next": "/"}
    assert client.post("/language", data=data).status_code == 302
    return {"Accept-Language": "en-GB"}


@pytest.mark.parametrize("how", ["browser", "choice"])
def test_form_errors_are_in_polish_for_a_polish_speaker(client, staff, venue, open_app, how):
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
    client, staff, venue, open_app, case, english
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
    client, staff, venue, open_app, request_, extends
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


def test_background_syncs_do_not_keep_a_shared_tablet_signed_in(client, staff, venue, open_app):
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


def test_the_session_answer_names_the_person_and_their_offline_pages(client, staff, open_app):
    me = open_app(client, "sam")
    assert me["user"] == {"id": staff.id, "name": "Sam", "roles": ["venue_staff"]}
    assert me["author"] and me["csrf"] and me["idle_minutes"] == 15
    assert set(me["sync"]) == {"max_records", "max_bytes", "timeout_ms"}
    urls = {page["url"] for page in me["pages"]}
    assert {"/outbox", "/offline", "/visits/new?shell=1"} <= urls


def test_the_offline_pages_answer_the_addresses_they_stand_for(client, make_person, team, open_app):
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


def test_the_openapi_document_describes_the_api(client, auth, staff):
    auth.login("sam")
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


def test_every_api_answer_is_never_cached(app, client, staff, venue, make_person, open_app):
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
