"""Schemathesis against /api/openapi.json: every endpoint, signed in (issue 14).

Cases are generated from the document itself, valid and invalid, and sent to the app
in-process as a signed-in coordinator who is also venue staff and a patrol's leader
(so every endpoint is open to them), with the session's CSRF token. Every answer must
be no server error and must match the document: a status it lists, the content type it
lists, and a body and headers that fit its schema.

It runs once, in the SQLite pass: the database is not what it tests, and a bounded
number of examples per endpoint keeps it to about a minute.
"""

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from extensions import db
from wsgi import create_app

pytestmark = pytest.mark.backend("sqlite", reason="run once, in the SQLite pass")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 100  # per endpoint, method and mode: 1,800 requests, about half a minute here


@pytest.fixture
def fuzz_app(db_url, app_config, make_person, venue, team):
    """The app with no app context left pushed: each generated request gets its own, as
    on a real server. Its people and places come from the usual fixtures."""
    make_person("cora", roles=["coordinator", "venue_staff", "pastor"], venues=[venue])
    db.session.commit()
    app = create_app(app_config(db_url))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def signed_in(fuzz_app, auth) -> dict:
    """The headers a signed-in browser's outbox sends: its session cookie and CSRF token."""
    client = fuzz_app.test_client()
    assert auth.login("cora", client=client).status_code == 302
    device = str(uuid.uuid4())
    session = client.get("/api/session", query_string={"device": device}).get_json()
    return {"cookies": {"session": client.get_cookie("session").value}, "csrf": session["csrf"]}


def run_operation(operation, mode, browser: dict, sent: list) -> None:
    """Send a bounded number of generated cases to one endpoint and check each answer."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case) -> None:
        # Schemathesis asks for gzip and brotli as requests does, but in-process it does not
        # decode them; answers are compressed (tests/test_delivery.py checks that), so ask
        # for them plain here and check what they say.
        headers = {"X-CSRFToken": browser["csrf"], "Accept-Encoding": "identity"}
        response = case.call(headers=headers, cookies=browser["cookies"])
        sent.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    send()


def test_every_endpoint_answers_as_documented(fuzz_app, signed_in):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {o.label for o in operations} >= {"POST /api/sync", "GET /api/session"}
    sent: list[int] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run_operation(operation, mode, signed_in, sent)
    assert 500 not in sent
    print(f"{len(sent)} generated requests, answers {sorted(set(sent))}")
