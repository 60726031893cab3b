"""The public's report of an unsafe place: stored once, nothing about the sender, every
bad answer a field error that keeps the rest, the honeypot, CSRF and the rate limit."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.models import AuditEvent
from core.timeutil import london_today
from extensions import db
from places.models import UnsafePlaceContact, UnsafePlaceReport, UnsafePlaceStep


def reports() -> list[UnsafePlaceReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(UnsafePlaceReport)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- stored once, and nothing about who sent it -------------------------------------------


def test_a_report_is_stored_and_thanked(post_report, report_data, scheme):
    data = report_data()
    response = post_report(data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/unsafe-places/report/{scheme.id}/thanks"
    [report] = reports()
    assert report.id == data["id"] and report.scheme_id == scheme.id and report.number == 1
    assert report.status == "new" and report.categories == ["lighting", "visibility"]
    assert report.place == "The alley beside the station"
    assert report.description == "Very dark, with a blind corner."
    assert report.time_of_day == "night" and report.rough_time == "earlier"
    assert report.happened_on == london_today() - timedelta(days=3)


def test_the_thanks_page_says_what_happens_next_and_who_to_call(client, scheme):
    page = client.get(f"/unsafe-places/report/{scheme.id}/thanks").get_data(as_text=True)
    assert "What happens next" in page
    assert 'href="tel:999"' in page and 'href="tel:101"' in page
    assert f"/safe-havens/{scheme.id}" in page  # somewhere to go now


def test_a_pin_is_kept_to_about_ten_metres(post_report, report_data):
    post_report(report_data(latitude="51.1284567", longitude="0.2613219"))
    [report] = reports()
    assert (report.latitude, report.longitude) == (51.1285, 0.2613)


def test_nothing_about_the_sender_is_stored(post_report, report_data, make_person, auth):
    """No address, no browser, and no signed-in person: not on the report, nor in the log."""
    make_person("cora", roles=["coordinator"])
    auth.login("cora")  # even a coordinator trying the form is not recorded as its sender
    post_report(report_data(), environ={"REMOTE_ADDR": "203.0.113.9"}, **{"User-Agent": "Secret/1"})
    [report] = reports()
    stored = " ".join(str(getattr(report, c.key)) for c in UnsafePlaceReport.__table__.columns)
    assert "203.0.113" not in stored and "Secret" not in stored
    columns = {c.key for c in UnsafePlaceReport.__table__.columns}
    assert not columns & {"ip", "address", "user_agent", "remote_addr", "created_by_id"}
    event = db.session.scalar(select(AuditEvent).filter_by(action="unsafe_place_reported"))
    assert event.actor_id is None and event.detail == {}


def test_the_same_report_sent_again_is_stored_once(post_report, report_data):
    data = report_data()
    first = post_report(data, json=True)
    again = post_report(data, json=True)
    assert (first.status_code, first.json["status"]) == (201, "stored")
    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert first.json["thanks"] == again.json["thanks"]
    assert len(reports()) == 1
    # Without JavaScript too: the form sent twice (Back, then Send) is one report.
    assert post_report(data).status_code == 303
    assert len(reports()) == 1


def test_a_report_sent_again_with_other_answers_stays_as_first_sent(post_report, report_data):
    data = report_data()
    post_report(data)
    post_report(data | {"place": "Somewhere else"})
    [report] = reports()
    assert report.place == "The alley beside the station"


def test_reports_are_numbered_in_each_scheme(post_report, report_data, elsewhere):
    post_report(report_data())
    post_report(report_data())
    post_report(report_data(), scheme_id=elsewhere.id)
    numbers = sorted((r.scheme_id, r.number) for r in reports())
    assert [n for _s, n in numbers] == [1, 2, 1]


def test_now_and_earlier_today_are_today_whatever_the_day_says(post_report, report_data):
    post_report(report_data(rough_time="now", happened_on="2020-01-01"))
    post_report(report_data(rough_time="earlier_today", happened_on="not a date"))
    assert [r.happened_on for r in reports()] == [london_today()] * 2


def test_a_pin_falls_in_its_patrol_area(post_report, report_data, make_area):
    far = make_area("Camden Road", centre=(51.138, 0.267), radius_m=300)
    near = make_area("The Pantiles", radius_m=250)
    make_area("Not on the map", centre=None)
    post_report(report_data())
    post_report(report_data(latitude=None, longitude=None))  # a place typed: no area by itself
    post_report(report_data(latitude="51.1381", longitude="0.2671"))
    assert [r.area_id for r in sorted(reports(), key=lambda r: r.number)] == [
        near.id,
        None,
        far.id,
    ]


# --- the contact email: only on request, kept apart, gone with the report -----------------


def test_an_email_is_kept_apart_only_for_someone_who_asks(post_report, report_data):
    post_report(report_data(contact_me="y", email="me@example.org"))
    post_report(report_data(email="not-asked@example.org"))  # typed, but not ticked
    asked, not_asked = sorted(reports(), key=lambda r: r.number)
    assert asked.contact.email == "me@example.org"
    assert not_asked.contact is None
    columns = " ".join(str(getattr(asked, c.key)) for c in UnsafePlaceReport.__table__.columns)
    assert "example.org" not in columns
    assert count(UnsafePlaceContact) == 1


def test_the_email_goes_with_the_report(app, post_report, report_data, coordinator):
    from places import services

    post_report(report_data(contact_me="y", email="me@example.org"))
    [report] = reports()
    services.change_status(report, "reviewed", "Read", coordinator)
    services.delete_report(report, coordinator)
    db.session.commit()
    assert count(UnsafePlaceReport) == count(UnsafePlaceContact) == count(UnsafePlaceStep) == 0


# --- validation: every bad answer a field error, the rest kept ------------------------------

TOO_OLD = (london_today() - timedelta(days=400)).isoformat()
TOMORROW_BUT_ONE = (london_today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"latitude": None, "longitude": None, "place": ""},
            "place",
            "Put a pin on the map, or type a street or landmark.",
        ),
        ({"longitude": None}, "longitude", "Give both the latitude and the longitude, or neither."),
        ({"latitude": "95"}, "latitude", "A latitude is a number from -90 to 90"),
        ({"longitude": "east"}, "longitude", "Not a valid float value."),
        ({"place": "x" * 201}, "place", "Field cannot be longer than 200 characters."),
        ({"rough_time": None}, "rough_time", "Choose when it was."),
        ({"rough_time": "yesterday"}, "rough_time", "Not a valid choice."),
        ({"happened_on": ""}, "happened_on", "Choose the day, or the nearest you remember."),
        ({"happened_on": "31/02/2026"}, "happened_on", "Not a valid date value."),
        ({"happened_on": TOMORROW_BUT_ONE}, "happened_on", "That day is in the future."),
        ({"happened_on": TOO_OLD}, "happened_on", "Tell us about places from the last 12 months."),
        ({"time_of_day": "dawn"}, "time_of_day", "Not a valid choice."),
        ({"categories": None}, "categories", "Choose at least one thing that made it feel unsafe."),
        ({"categories": ["lighting", "ghosts"]}, "categories", "not a valid choice"),
        ({"description": "x" * 501}, "description", "Keep the note to 500 characters or fewer."),
        (
            {"contact_me": "y", "email": ""},
            "email",
            "Give an email address, or untick being contacted.",
        ),
        ({"contact_me": "y", "email": "me-at-example"}, "email", "Enter an email address such"),
        ({"id": "not-a-uuid"}, "id", "This record has no valid id."),
    ],
)
def test_a_bad_answer_is_a_field_error_and_the_rest_is_kept(
    post_report, report_data, changes, field, message
):
    data = report_data(**changes)
    response = post_report(data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert reports() == []
    if field not in ("id", "latitude", "longitude"):  # hidden fields' errors sit in "where"
        assert f'id="{field}-error"' in page or "has-error" in page
    # What was valid is still there: the categories ticked, the words typed.
    for kept in ("lighting", "visibility"):
        if "categories" not in changes:
            assert re.search(f'<input checked[^>]*value="{kept}"', page)
    if "description" not in changes:
        assert "Very dark, with a blind corner." in page
    if "place" not in changes:
        assert 'value="The alley beside the station"' in page

    # The outbox gets the same error, by its field, as JSON.
    answer = post_report(data, json=True)
    assert answer.status_code == 400 and answer.json["status"] == "invalid"
    assert message in " ".join(answer.json["errors"][field])


def test_errors_come_in_the_readers_language(post_report, report_data):
    answer = post_report(report_data(categories=None), json=True, **{"Accept-Language": "pl"})
    assert answer.json["errors"]["categories"] != [
        "Choose at least one thing that made it feel unsafe."
    ]
    page = post_report(report_data(categories=None), **{"Accept-Language": "pl"})
    assert '<html lang="pl"' in page.get_data(as_text=True)


# --- abuse: the honeypot, CSRF and the rate limit -------------------------------------------


def test_a_filled_honeypot_is_thanked_and_nothing_is_kept(post_report, report_data):
    assert post_report(report_data(website="http://spam.example")).status_code == 303
    answer = post_report(report_data(website="http://spam.example"), json=True)
    assert answer.status_code == 200 and answer.json["status"] == "duplicate"
    assert reports() == []


def test_a_report_without_the_forms_token_is_refused(client, report_data, scheme):
    response = client.post(f"/unsafe-places/report/{scheme.id}", data=report_data())
    assert response.status_code == 400
    assert reports() == []


def test_reports_from_one_address_are_limited(app, client, auth, report_data, scheme):
    app.config["UNSAFE_PLACE_RATE_LIMIT"] = "2 per hour"
    url = f"/unsafe-places/report/{scheme.id}"
    token = auth.csrf(url)
    codes = [
        client.post(url, data={"csrf_token": token, **report_data()}).status_code for _ in range(3)
    ]
    assert codes == [303, 303, 429]
    assert len(reports()) == 2
    assert client.get(url).status_code == 200  # reading the form is never limited


# --- where it is linked from ----------------------------------------------------------------


def test_the_form_is_at_a_printable_address(client, scheme):
    page = client.get("/unsafe-places/report").get_data(as_text=True)
    assert f'action="/unsafe-places/report/{scheme.id}"' in page
    assert 'name="csrf_token"' in page and 'name="website"' in page
    assert re.search(r'name="id" type="hidden" value="[0-9a-f-]{36}"', page)


def test_several_schemes_are_chosen_from(client, scheme, elsewhere):
    page = client.get("/unsafe-places/report").get_data(as_text=True)
    assert f"/unsafe-places/report/{scheme.id}" in page
    assert f"/unsafe-places/report/{elsewhere.id}" in page


def test_an_unknown_scheme_is_not_found(client, scheme):
    assert client.get("/unsafe-places/report/999").status_code == 404


def test_every_public_page_links_to_the_report(client, venue, staff, train, scheme):
    train(staff)
    for path in ("/signin", f"/v/{venue.public_code}", f"/join/{scheme.id}", "/safe-havens"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/unsafe-places/report' in page, path
    sign = client.get(f"/v/{venue.public_code}").get_data(as_text=True)
    assert f'href="/unsafe-places/report/{scheme.id}"' in sign  # the sign's own scheme
