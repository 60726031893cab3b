"""A record's times lie between a day before its scheme began and now (issue 14, L6).

A visit dated year 0001 was accepted. Every time a person gives (a visit's arrival and
departure, a contact's time, a patrol's start and end) is checked by the shared form kit
(core.forms), so the page and the sync API refuse the same times in the same words, in
the reader's language: more than a day before the scheme existed, or further ahead than
the allowed clock skew.
"""

import uuid
from datetime import datetime, timedelta

import pytest

from core.forms import CLOCK_SKEW
from core.timeutil import to_london, utcnow
from extensions import db
from patrols.models import Patrol

LOCAL = "%Y-%m-%dT%H:%M"
TOO_EARLY = "That time is before your scheme started using Lantern. Check the date."
TOO_EARLY_PL = "Ta godzina jest wcześniejsza niż początek programu w Lanternie. Sprawdź datę."
FUTURE = {
    "arrived_at": "The arrival time is in the future.",
    "departed_at": "The departure time is in the future.",
    "at": "That time is in the future.",
    "started_at": "That time is in the future.",
    "ended_at": "That time is in the future.",
}


def new_id() -> str:
    return str(uuid.uuid4())


def local(moment: datetime) -> str:
    return to_london(moment).strftime(LOCAL)


@pytest.fixture
def people(make_person, make_team, staff, team):
    """Sam at the venue; Lee leading the team and a second one with no patrol open."""
    spare = make_team("Saturday team")
    return {"lee": make_person("lee", roles=["pastor"], leads=[team, spare]), "spare": spare}


@pytest.fixture
def patrol(make_patrol, people, team) -> Patrol:
    """An open patrol that started before the scheme existed (as an import might leave
    one), so that only the rule under test can refuse an end time."""
    return make_patrol(team, [people["lee"]], started_at=datetime(2000, 1, 1))


def entry(kind: str, record_id: str, data: dict, session: dict, **extra) -> dict:
    return {
        "op": new_id(),
        "kind": kind,
        "id": record_id,
        "seq": 1,
        "saved_at": "2026-11-23T22:14:05Z",
        "author": session["author"],
        "data": data,
    } | extra


def answers(field: str, value: str, venue, team, patrol, people) -> tuple[str, str, dict]:
    """(username, kind, data) of a valid record whose `field` holds `value`."""
    record_id = new_id()
    an_hour_ago = local(utcnow() - timedelta(hours=1))
    if field in ("arrived_at", "departed_at"):
        data = {"id": record_id, "venue_id": str(venue.id), "arrived_at": an_hour_ago}
        if field == "departed_at":  # a visit lasts under a day: arrival follows departure
            moment = datetime.strptime(value, LOCAL)
            arrived = moment - timedelta(minutes=30) if moment.year > 1 else moment
            data["arrived_at"] = arrived.strftime(LOCAL)
        return "sam", "visit", data | {"help": "seat", field: value}
    if field == "at":
        data = {"id": record_id, "given": "water", "people": "2", "at": value}
        return "lee", "contact", data | {"handover_venue_id": "0", "area_id": "0"}
    if field == "started_at":
        data = {"id": record_id, "team_id": str(people["spare"].id), "area_id": "0"}
        return "lee", "patrol_start", data | {"pastors": str(people["lee"].id), field: value}
    return "lee", "patrol_end", {"ended_at": value, "note": "", "tally_0": "0"}


@pytest.fixture
def send(client, auth):
    """Factory: sign in as this person and send one record through /api/sync; its result."""

    def send_(username, kind, data, patrol, headers=None) -> dict:
        auth.login(username)
        device = new_id()
        session = client.get("/api/session", query_string={"device": device}).get_json()
        record_id = patrol.id if kind == "patrol_end" else data["id"]
        extra = {"patrol": patrol.id} if kind == "contact" else {}
        body = {"device": device, "records": [entry(kind, record_id, data, session, **extra)]}
        headers = {"X-CSRFToken": session["csrf"]} | (headers or {})
        answer = client.post("/api/sync", json=body, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        [result] = answer.get_json()["results"]
        return result

    return send_


FIELDS = ["arrived_at", "departed_at", "at", "started_at", "ended_at"]


def too_early(scheme) -> str:
    return local(scheme.created_at - timedelta(days=1, minutes=5))


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    "when",
    ["year 0001", "two days before the scheme", "just past the clock skew", "year 9999"],
)
def test_a_time_out_of_range_is_the_field_s_error_in_sync(
    send, scheme, venue, team, patrol, people, field, when
):
    value = {
        "year 0001": "0001-01-01T00:00",
        "two days before the scheme": local(scheme.created_at - timedelta(days=2)),
        "just past the clock skew": local(utcnow() + CLOCK_SKEW + timedelta(minutes=3)),
        "year 9999": "9999-12-31T23:59",
    }[when]
    username, kind, data = answers(field, value, venue, team, patrol, people)
    result = send(username, kind, data, patrol)
    assert result["status"] == "rejected"
    expected = FUTURE[field] if when in ("just past the clock skew", "year 9999") else TOO_EARLY
    assert result["errors"][field] == [expected]


@pytest.mark.parametrize("field", FIELDS)
def test_a_time_within_a_day_before_the_scheme_began_is_accepted(
    send, scheme, venue, team, patrol, people, field
):
    """Records kept on paper the night before the scheme went live can be entered."""
    scheme.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    value = local(scheme.created_at - timedelta(hours=23))
    username, kind, data = answers(field, value, venue, team, patrol, people)
    assert send(username, kind, data, patrol)["status"] == "created"


def test_the_error_is_in_the_reader_s_language(send, scheme, venue, team, patrol, people):
    username, kind, data = answers("arrived_at", too_early(scheme), venue, team, patrol, people)
    result = send(username, kind, data, patrol, headers={"Accept-Language": "pl"})
    assert result["errors"]["arrived_at"] == [TOO_EARLY_PL]


@pytest.mark.parametrize(
    "path, username, field",
    [
        ("/visits/new", "sam", "arrived_at"),
        ("/visits/new", "sam", "departed_at"),
        ("/patrols/start", "lee", "started_at"),
        ("/patrols/{patrol}/contacts/new", "lee", "at"),
        ("/patrols/{patrol}/end", "lee", "ended_at"),
    ],
)
def test_the_pages_refuse_the_same_times_in_the_same_words(
    client, auth, scheme, venue, team, patrol, people, path, username, field
):
    _user, _kind, data = answers(field, "0001-01-01T00:00", venue, team, patrol, people)
    auth.login(username)
    path = path.format(patrol=patrol.id)
    token = client.get("/api/session").get_json()["csrf"]
    answer = client.post(path, data=data | {"csrf_token": token})
    assert answer.status_code == 400
    assert TOO_EARLY in answer.get_data(as_text=True)
