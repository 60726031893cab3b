"""A visit's rules are declared once (havens.schema.VISIT) and read by both entry points:
the page's form and the sync API refuse the same answers in the same words, in the
reader's language, and every "is this code allowed" question goes through allowed_codes.

Entries are built as the outbox builds them (tests/sync/outbox.py).
"""

import html
from datetime import timedelta

import pytest

from extensions import db
from havens import schema
from havens.choices import LISTS
from havens.models import Visit
from havens.schema import VISIT, visit_context, visit_values
from tests.sync.outbox import count, local, new_id, sync, visit_data, visit_entry

POLISH = {"Accept-Language": "pl"}


def page_errors(client, me: dict, data: dict, headers: dict) -> str:
    """The visit page's answer to these answers, as text."""
    response = client.post("/visits/new", data=data | {"csrf_token": me["csrf"]}, headers=headers)
    assert response.status_code == 400
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "changes, field",
    [
        # A check across fields, in the app's own words.
        ({"departed_at": local(-timedelta(hours=3))}, "departed_at"),
        # A code from no list, in WTForms' own words.
        ({"age_band": "ancient"}, "age_band"),
        # A time in the future.
        ({"arrived_at": local(timedelta(hours=2))}, "arrived_at"),
        # Help none, services none.
        ({"help": []}, "help"),
    ],
)
def test_the_page_and_the_api_refuse_alike_in_polish(
    client, staff, venue, open_app, changes, field
):
    me = open_app(client, "sam")
    entry = visit_entry(me, venue, **changes)
    [result] = sync(client, me, entry, headers=POLISH)
    assert result["status"] == "rejected"
    assert list(result["errors"]) == [field]
    [message] = result["errors"][field]
    assert message in page_errors(client, me, visit_data(new_id(), venue, **changes), POLISH)
    english = sync(client, me, visit_entry(me, venue, **changes))[0]["errors"][field]
    assert english != [message], "the message was not put into Polish"
    assert count(Visit) == 0


def test_a_valid_visit_is_stored_alike_from_the_page_and_the_api(client, staff, venue, open_app):
    me = open_app(client, "sam")
    by_api = visit_entry(me, venue, help=["water"], services=[])
    assert sync(client, me, by_api)[0]["status"] == "created"
    on_page = visit_data(new_id(), venue, help=["water"]) | {"csrf_token": me["csrf"]}
    assert client.post("/visits/new", data=on_page).status_code == 302
    one, other = (db.session.get(Visit, i) for i in (by_api["id"], on_page["id"]))
    fields = ("venue_id", "help", "age_band", "gender", "company", "left_how", "note")
    assert [getattr(one, f) for f in fields] == [getattr(other, f) for f in fields]


def test_the_schema_alone_reads_answers_as_the_model_stores_them(app, staff, venue):
    record = new_id()
    answers = {k: v if isinstance(v, list) else [v] for k, v in visit_data(record, venue).items()}
    answers["services"] = []
    with app.test_request_context():
        data, errors = VISIT.validate(answers, visit_context(staff))
        assert errors == {}
        values = visit_values(data, staff.scheme_id)
    assert values["venue_id"] == venue.id and values["help"] == ["seat", "called_taxi"]
    assert values["departed_at"] is None and values["contact_id"] is None


def test_which_codes_are_allowed_is_asked_of_allowed_codes(
    client, staff, venue, open_app, monkeypatch
):
    """A scheme whose list of help leaves out "seat" (issue 19 will let coordinators do
    so): both entry points refuse it, with no other change."""
    me = open_app(client, "sam")
    monkeypatch.setattr(
        schema,
        "allowed_codes",
        lambda name, scheme_id: ("water",) if name == "help" else tuple(LISTS[name]),
    )
    [result] = sync(client, me, visit_entry(me, venue, help=["seat"]))
    assert result["errors"] == {"help": ["“seat” is not on your scheme's list."]}
    page = page_errors(client, me, visit_data(new_id(), venue, help=["seat"]), {})
    assert "“seat” is not on your scheme" in page
    assert count(Visit) == 0
