"""Enrolment codes, enrolled devices, staff PINs on a venue's tablet, and revocation."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Device, EnrolmentCode, User
from core.models import AuditEvent
from core.timeutil import london_now_minute, utcnow
from extensions import db
from havens.models import Venue, Visit

PIN = "4821"


@pytest.fixture
def coordinator(make_person):
    return make_person("cora", roles=["coordinator"])


@pytest.fixture
def staff(make_person, venue):
    return make_person("sam", roles=["venue_staff"], venues=[venue])


def form_token(client, path: str) -> str:
    """The CSRF token from any form on a page, however the input is written."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def make_code(auth, target: str, name: str = "Bar tablet") -> str:
    """A coordinator makes an enrolment code; returns the token in its link."""
    token = auth.csrf("/devices")
    page = auth.client.post("/devices", data={"csrf_token": token, "name": name, "target": target})
    assert page.status_code == 200
    return re.search(r"/enrol/([A-Za-z0-9_-]+)", page.get_data(as_text=True))[1]


def enrol(client, code: str):
    return client.post(f"/enrol/{code}", data={"csrf_token": form_token(client, f"/enrol/{code}")})


@pytest.fixture
def code(app, client, auth, coordinator, venue) -> str:
    auth.login("cora")
    token = make_code(auth, f"venue:{venue.id}")
    client.post("/signout", data={"csrf_token": form_token(client, "/")})
    return token


@pytest.fixture
def tablet(app, code, staff, auth):
    """A browser enrolled as the venue's tablet, with a staff member who set a PIN."""
    tablet = app.test_client()
    assert enrol(tablet, code).status_code == 302
    auth.login("sam", client=tablet)
    tablet.post(
        "/account/pin",
        data={"csrf_token": form_token(tablet, "/account"), "pin": PIN, "confirm": PIN},
    )
    tablet.post("/signout", data={"csrf_token": form_token(tablet, "/")})
    return tablet


def pin_sign_in(client, user: User, pin: str):
    data = {"csrf_token": form_token(client, "/signin"), "person": str(user.id), "pin": pin}
    return client.post("/signin/pin", data=data)


def test_a_code_enrols_one_device_once(app, code, coordinator, venue):
    browser = app.test_client()
    assert "Bar tablet" in browser.get(f"/enrol/{code}").get_data(as_text=True)
    answer = enrol(browser, code)
    assert answer.status_code == 302
    cookie = answer.headers["Set-Cookie"]
    assert "lantern_device=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    device = db.session.scalar(select(Device))
    assert (device.name, device.venue_id, device.enrolled_by_id) == (
        "Bar tablet",
        venue.id,
        coordinator.id,
    )
    # The same code again, on this browser or another: not valid, and no second device.
    other = app.test_client()
    assert other.get(f"/enrol/{code}").status_code == 404
    assert "not valid" in other.get(f"/enrol/{code}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Device)) == 1
    assert db.session.scalar(select(AuditEvent).filter_by(action="device_enrolled"))


def test_a_code_expires(app, code):
    row = db.session.scalar(select(EnrolmentCode))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert app.test_client().get(f"/enrol/{code}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Device)) == 0


def test_codes_last_24_hours_by_default(code):
    row = db.session.scalar(select(EnrolmentCode))
    assert timedelta(hours=23, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=24)


def test_a_team_phone_can_be_enrolled(app, client, auth, coordinator, team):
    auth.login("cora")
    token = make_code(auth, f"team:{team.id}", name="Friday phone")
    assert enrol(app.test_client(), token).status_code == 302
    assert db.session.scalar(select(Device.team_id)) == team.id


def test_only_coordinators_make_codes(app, client, auth, staff, venue):
    auth.login("sam")
    assert client.get("/devices").status_code == 403
    token = form_token(client, "/account")
    answer = client.post(
        "/devices", data={"csrf_token": token, "name": "X", "target": f"venue:{venue.id}"}
    )
    assert answer.status_code == 403


def test_a_coordinator_cannot_enrol_for_another_schemes_venue(app, client, auth, coordinator):
    from accounts.models import Scheme

    elsewhere = Scheme(name="Elsewhere")
    db.session.add(elsewhere)
    db.session.flush()
    venue = Venue(scheme_id=elsewhere.id, name="Far away", status="active")
    db.session.add(venue)
    db.session.commit()
    auth.login("cora")
    token = form_token(client, "/account")
    answer = client.post(
        "/devices", data={"csrf_token": token, "name": "X", "target": f"venue:{venue.id}"}
    )
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(EnrolmentCode)) == 0


def test_staff_sign_in_with_a_pin_on_their_venues_tablet(tablet, staff):
    page = tablet.get("/signin").get_data(as_text=True)
    assert "Staff PIN" in page and "Sam" in page
    answer = pin_sign_in(tablet, staff, PIN)
    assert answer.status_code == 302 and answer.headers["Location"] == "/visits/new"
    assert tablet.get("/visits/new").status_code == 200


def test_no_pin_sign_in_on_a_browser_that_is_not_enrolled(app, tablet, staff):
    browser = app.test_client()
    assert "Staff PIN" not in browser.get("/signin").get_data(as_text=True)
    token = form_token(browser, "/signin")
    answer = browser.post("/signin/pin", data={"csrf_token": token, "person": staff.id, "pin": PIN})
    assert answer.status_code == 404


def test_coordinators_and_other_venues_staff_are_not_offered(
    tablet, make_person, venue, scheme, staff
):
    boss = make_person("boss", roles=["coordinator", "venue_staff"], venues=[venue])
    other_venue = Venue(scheme_id=scheme.id, name="Other", status="active")
    db.session.add(other_venue)
    db.session.commit()
    elsewhere = make_person("ella", roles=["venue_staff"], venues=[other_venue])
    for person in (boss, elsewhere):
        person.pin_hash = db.session.get(User, staff.id).pin_hash  # the same PIN
    db.session.commit()
    page = tablet.get("/signin").get_data(as_text=True)
    assert "Boss" not in page and "Ella" not in page
    assert "Sam" in page
    assert pin_sign_in(tablet, boss, PIN).headers["Location"] == "/signin"
    assert tablet.get("/visits/new").status_code == 302  # still signed out


def test_a_pin_locks_after_repeated_failures(tablet, staff, auth):
    for _ in range(5):
        assert pin_sign_in(tablet, staff, "0000").headers["Location"] == "/signin"
    db.session.refresh(staff)
    assert staff.pin_locked_at is not None
    # Now even the right PIN is refused, and the page says why.
    answer = pin_sign_in(tablet, staff, PIN)
    assert answer.headers["Location"] == "/signin"
    assert "locked" in tablet.get("/signin").get_data(as_text=True)
    assert tablet.get("/visits/new").status_code == 302
    assert db.session.scalar(select(AuditEvent).filter_by(action="pin_locked"))
    # Signing in with the full password lifts the lock.
    auth.login("sam", client=tablet)
    tablet.post("/signout", data={"csrf_token": form_token(tablet, "/")})
    assert pin_sign_in(tablet, staff, PIN).headers["Location"] == "/visits/new"


def test_a_wrong_pin_count_resets_after_a_right_one(tablet, staff):
    for _ in range(4):
        pin_sign_in(tablet, staff, "0000")
    assert pin_sign_in(tablet, staff, PIN).headers["Location"] == "/visits/new"
    db.session.refresh(staff)
    assert (staff.pin_failures, staff.pin_locked_at) == (0, None)


def visit_entry(session: dict, venue: Venue) -> dict:
    record = str(uuid.uuid4())
    arrived = london_now_minute().strftime("%Y-%m-%dT%H:%M")
    return {
        "op": str(uuid.uuid4()),
        "kind": "visit",
        "id": record,
        "seq": 1,
        "saved_at": datetime.now(UTC).isoformat(),
        "author": session["author"],
        "data": {"id": record, "venue_id": str(venue.id), "arrived_at": arrived, "help": "seat"},
    }


def sync(client, venue):
    device = str(uuid.uuid4())
    session = client.get("/api/session", query_string={"device": device}).get_json()
    body = {"device": device, "records": [visit_entry(session, venue)]}
    return client.post("/api/sync", json=body, headers={"X-CSRFToken": session["csrf"]})


def test_the_device_record_shows_when_it_was_seen_and_synced(tablet, staff, venue):
    pin_sign_in(tablet, staff, PIN)
    assert sync(tablet, venue).get_json()["results"][0]["status"] == "created"
    device = db.session.scalar(select(Device))
    assert device.last_synced_at is not None and device.last_seen_at is not None


def test_a_revoked_device_is_refused_and_says_so(
    app, client, auth, tablet, staff, venue, coordinator
):
    pin_sign_in(tablet, staff, PIN)
    device = db.session.scalar(select(Device))
    auth.login("cora")
    answer = client.post(
        f"/devices/{device.id}/revoke", data={"csrf_token": form_token(client, "/devices")}
    )
    assert answer.status_code == 302
    assert "Revoked" in client.get("/devices").get_data(as_text=True)
    refused = sync(tablet, venue)
    assert refused.status_code == 403 and refused.get_json()["revoked"] is True
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert tablet.get("/api/session").get_json()["device"]["revoked"] is True
    # No PIN sign-in on it any more.
    tablet.post("/signout", data={"csrf_token": form_token(tablet, "/")})
    assert "Staff PIN" not in tablet.get("/signin").get_data(as_text=True)
    assert pin_sign_in(tablet, staff, PIN).status_code == 404


def test_another_schemes_coordinator_cannot_revoke(
    app, client, auth, tablet, elsewhere, make_person
):
    make_person("olive", roles=["coordinator"], scheme=elsewhere)
    device = db.session.scalar(select(Device))
    auth.login("olive")
    token = form_token(client, "/devices")
    assert (
        client.post(f"/devices/{device.id}/revoke", data={"csrf_token": token}).status_code == 404
    )
    assert "Bar tablet" not in client.get("/devices").get_data(as_text=True)
    db.session.refresh(device)
    assert device.revoked_at is None


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_a_pin_is_4_to_8_digits(client, auth, staff, pin):
    auth.login("sam")
    token = form_token(client, "/account")
    client.post("/account/pin", data={"csrf_token": token, "pin": pin, "confirm": pin})
    db.session.refresh(staff)
    assert staff.pin_hash is None


def test_a_shift_of_right_pins_never_uses_up_the_tablets_tries(app, tablet, staff):
    """A busy bar's staff sign in on one tablet all night: only wrong PINs count."""
    app.config["PIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(6):
        assert pin_sign_in(tablet, staff, PIN).headers["Location"] == "/visits/new"
        tablet.post("/signout", data={"csrf_token": form_token(tablet, "/")})


def test_wrong_pins_on_one_tablet_reach_its_limit(app, tablet, staff, make_person, venue):
    app.config["PIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert pin_sign_in(tablet, staff, "0000").status_code == 302
    assert pin_sign_in(tablet, staff, PIN).status_code == 429
