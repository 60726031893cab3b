"""Signing in and out, rate limits, passwords, revocable sessions and reset links."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import User, UserSession
from accounts.passwords import password_problem
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db

FAILED = "That username and password do not match"


def attempt(auth, username, password="wrong-password-x", address="10.0.0.1", client=None):
    return auth.login(username, password, client=client, environ_base={"REMOTE_ADDR": address})


def test_wrong_password_and_unknown_account_look_the_same(client, auth, make_person):
    make_person("cora")
    wrong = attempt(auth, "cora")
    unknown = attempt(auth, "nobody")
    assert wrong.status_code == unknown.status_code == 200
    assert FAILED in wrong.get_data(as_text=True)
    assert FAILED in unknown.get_data(as_text=True)


def test_signs_in_by_email_ignoring_case(client, auth, make_person):
    make_person("cora", email="Cora@Example.org")
    assert auth.login("CORA@example.org").status_code == 302


def test_rate_limit_per_account_across_addresses(client, auth, make_person, password):
    make_person("cora")
    for n in range(5):
        assert attempt(auth, "cora", address=f"10.0.0.{n}").status_code == 200
    blocked = attempt(auth, "cora", address="10.0.0.99")
    assert blocked.status_code == 429
    assert "Wait a minute" in blocked.get_data(as_text=True)
    # Even the right password waits: failures fill the count, and a full count refuses any try.
    assert attempt(auth, "cora", password, address="10.0.0.98").status_code == 429


def test_rate_limit_gives_no_hint_whether_the_account_exists(client, auth, make_person):
    make_person("cora")
    for n in range(5):
        attempt(auth, "cora", address=f"10.1.0.{n}")
        attempt(auth, "ghost", address=f"10.2.0.{n}")
    real = attempt(auth, "cora", address="10.1.1.1")
    ghost = attempt(auth, "ghost", address="10.2.1.1")
    assert real.status_code == ghost.status_code == 429
    assert real.get_data(as_text=True) == ghost.get_data(as_text=True)


def test_new_session_id_at_every_sign_in(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    first = client.get_cookie("session").value
    auth.logout()
    auth.login("cora")
    second = client.get_cookie("session").value
    assert first != second
    tokens = db.session.scalars(select(UserSession.token_hash)).all()
    assert len(set(tokens)) == 2


def test_replayed_cookie_is_refused_after_sign_out(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    stolen = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    client.set_cookie("session", stolen)
    assert client.get("/").headers["Location"].startswith("/signin")


def test_session_ids_are_stored_only_as_hashes(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    row = db.session.scalar(select(UserSession))
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_idle_sessions_end(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert client.get("/").headers["Location"].startswith("/signin")
    db.session.refresh(row)
    assert row.end_reason == "idle"


def test_idle_timeout_is_a_setting(app, client, auth, make_person):
    app.config["IDLE_TIMEOUT_MINUTES"] = 30
    make_person("cora")
    auth.login("cora")
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert client.get("/").status_code == 200


def test_sessions_end_after_one_shift_however_active(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    row = db.session.scalar(select(UserSession))
    row.created_at = utcnow() - timedelta(hours=12, minutes=1)
    row.last_seen_at = utcnow()
    db.session.commit()
    assert client.get("/").headers["Location"].startswith("/signin")


def test_password_change_ends_sessions_on_other_devices(app, make_person, auth, password):
    make_person("cora")
    tablet, phone = app.test_client(), app.test_client()
    auth.login("cora", client=tablet)
    auth.login("cora", client=phone)
    new = "a-brand-new-lantern"
    data = {"csrf_token": auth.csrf(client=tablet), "current_password": password}
    response = tablet.post("/account/password", data=data | {"new_password": new, "confirm": new})
    assert response.status_code == 302
    assert tablet.get("/").status_code == 200  # the device that changed it carries on
    assert phone.get("/").headers["Location"].startswith("/signin")
    assert auth.login("cora", new, client=phone).status_code == 302


def test_password_change_needs_the_current_password(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    data = {"csrf_token": auth.csrf(), "current_password": "not-it-at-all"}
    data |= {"new_password": "a-brand-new-lantern", "confirm": "a-brand-new-lantern"}
    response = client.post("/account/password", data=data)
    assert response.status_code == 400
    assert "That is not your current password" in response.get_data(as_text=True)


def test_disabling_a_person_ends_their_sessions(app, make_person, auth, password):
    make_person("cora", roles=["coordinator"])
    sam = make_person("sam", roles=["venue_staff"])
    coordinator, tablet = app.test_client(), app.test_client()
    auth.login("cora", client=coordinator)
    auth.login("sam", client=tablet)
    assert tablet.get("/").status_code == 200
    data = {"csrf_token": auth.csrf(client=coordinator), "name": "Sam", "username": "sam"}
    data |= {"roles": ["venue_staff"]}  # "active" left unticked
    response = coordinator.post(f"/people/{sam.id}", data=data)
    assert response.status_code == 302
    assert tablet.get("/").headers["Location"].startswith("/signin")
    assert attempt(auth, "sam", password, client=tablet).status_code == 200  # refused, same message


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short", "at least 8 characters"),
        ("password1", "too common"),
        ("Qwerty123", "too common"),
        ("x" * 129, "at most 128"),
        ("lantern night shift", None),
    ],
)
def test_password_rules(app, password, problem):
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in found)


def test_passwords_are_hashed_with_argon2id_at_owasp_minimum(make_person):
    user = make_person("cora")
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_reset_link_sets_a_password_once(app, client, auth, make_person):
    cora = make_person("cora", roles=["coordinator"])
    sam = make_person("sam", roles=["venue_staff"])
    auth.login("cora")
    page = client.post(f"/people/{sam.id}/reset-link", data={"csrf_token": auth.csrf()})
    link = page.get_data(as_text=True).split('value="http://localhost')[1].split('"')[0]
    assert link.startswith("/reset/") and "<svg" in page.get_data(as_text=True)

    visitor = app.test_client()
    assert "Set your password" in visitor.get(link).get_data(as_text=True)
    new = "sam-keeps-the-lamp-lit"
    data = {"csrf_token": auth.csrf(link, client=visitor), "new_password": new, "confirm": new}
    assert visitor.post(link, data=data).status_code == 302
    assert auth.login("sam", new, client=visitor).status_code == 302
    assert visitor.get(link).status_code == 404  # used up
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "reset_link_issued" in actions and "password_changed" in actions
    assert cora.id in db.session.scalars(select(AuditEvent.actor_id)).all()


def test_reset_link_expires_and_a_newer_one_replaces_it(app, make_person):
    from accounts.models import PasswordReset
    from accounts.services import issue_reset, valid_reset

    sam = make_person("sam", roles=["venue_staff"])
    first = issue_reset(sam, None)
    second = issue_reset(sam, None)
    db.session.commit()
    assert valid_reset(first) is None and valid_reset(second) is not None
    db.session.scalar(select(PasswordReset).filter_by(used_at=None)).expires_at = utcnow()
    db.session.commit()
    assert valid_reset(second) is None


def test_reset_link_refuses_a_weak_password(app, client, auth, make_person):
    from accounts.services import issue_reset

    sam = make_person("sam", roles=["venue_staff"])
    token = issue_reset(sam, None)
    db.session.commit()
    link = f"/reset/{token}"
    data = {
        "csrf_token": auth.csrf(link),
        "new_password": "password",
        "confirm": "password",
    }
    response = client.post(link, data=data)
    assert response.status_code == 200
    assert "at least 8" in response.get_data(as_text=True) or "too common" in response.get_data(
        as_text=True
    )


def test_coordinator_adds_a_person_with_roles_and_venues(client, auth, make_person, venue, team):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    data = {"csrf_token": auth.csrf("/people/new"), "name": "Nia New", "username": "nia"}
    data |= {"roles": ["venue_staff", "pastor"], "venues": [venue.id], "teams": [team.id]}
    data |= {"leads": [team.id], "active": "y"}
    response = client.post("/people/new", data=data)
    assert response.status_code == 200 and "/reset/" in response.get_data(as_text=True)
    nia = db.session.scalar(select(User).filter_by(username="nia"))
    assert nia.roles == {"venue_staff", "pastor"}
    assert [v.name for v in nia.venues] == ["The Lamp"]
    assert [(r.team.name, r.is_leader) for r in nia.team_rows] == [("Friday team", True)]
    assert auth.login("nia", "").status_code == 200  # no password until the link is used


def test_duplicate_username_is_a_clear_error(client, auth, make_person):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    data = {"csrf_token": auth.csrf("/people/new"), "name": "Other", "username": "cora"}
    response = client.post("/people/new", data=data)
    assert "Someone already has this" in response.get_data(as_text=True)


def test_coordinator_cannot_disable_themselves(client, auth, make_person):
    cora = make_person("cora", roles=["coordinator"])
    auth.login("cora")
    data = {"csrf_token": auth.csrf(), "name": "Cora", "username": "cora"}
    client.post(f"/people/{cora.id}", data=data | {"roles": ["coordinator"]})
    db.session.refresh(cora)
    assert cora.active


def test_idle_sign_out_says_why(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(minutes=20)
    db.session.commit()
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "signed out after 15 minutes without use" in page


@pytest.mark.parametrize(
    "utc, language, shown",
    [
        ((2026, 7, 10, 11, 30), "en-GB", "12:30"),  # British Summer Time
        ((2026, 1, 10, 11, 30), "en-GB", "11:30"),  # Greenwich Mean Time
        ((2026, 10, 25, 0, 30), "en-GB", "01:30"),  # before the clocks go back at 01:00 UTC
        ((2026, 10, 25, 1, 30), "en-GB", "01:30"),  # after: the same wall-clock time again
        ((2026, 7, 10, 11, 30), "pl", "10.07.2026, 12:30"),
    ],
)
def test_times_are_shown_in_london_time_in_the_users_locale(app, utc, language, shown):
    from datetime import datetime

    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": language}):
        text = render_template_string("{{ t|datetimeformat('short') }}", t=datetime(*utc))
    assert shown in text


def test_account_page_shows_when_the_session_ends(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    page = client.get("/account").get_data(as_text=True)
    assert "Signed in at" in page and "Signed out at the latest" in page
