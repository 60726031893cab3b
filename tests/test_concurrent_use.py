"""Counts and one-time tokens under concurrent requests (LANTERN_TEST_DB=postgres is the
run that matters: SQLite's BEGIN IMMEDIATE makes its writers take turns anyway).

Each request runs in a thread of its own with its own test client, app context, database
session and connection, as on a server with several workers.
"""

import re

import pytest
from sqlalchemy import func, select

from accounts import enrolment, services
from accounts.models import User
from core.models import AuditEvent
from extensions import db
from tests import concurrency

CLIENTS = 8
PIN = "4821"


def form_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def all_at_once(calls) -> list:
    """The calls in threads released together, after the test's own transaction ends (it
    would hold SQLite's write lock)."""
    db.session.commit()
    return concurrency.all_at_once(calls)


def events(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


@pytest.fixture
def tablet_cookie(app, scheme, venue, make_person) -> tuple[str, User]:
    """An enrolled venue tablet's cookie, and a staff member with a PIN on it."""
    coordinator = make_person("cora", roles=["coordinator"])
    staff = make_person("sam", roles=["venue_staff"], venues=[venue])
    token = enrolment.make_code(scheme.id, "Bar tablet", coordinator, venue_id=venue.id)
    _device, cookie = enrolment.enrol(enrolment.valid_code(token))
    enrolment.set_pin(staff, PIN)
    db.session.commit()
    return cookie, staff


def test_eight_wrong_pins_at_once_count_five_and_lock(app, tablet_cookie):
    cookie, staff = tablet_cookie
    clients = []
    for _ in range(CLIENTS):
        client = app.test_client()
        client.set_cookie(enrolment.DEVICE_COOKIE, cookie)
        data = {"csrf_token": form_token(client, "/signin"), "person": staff.id, "pin": "0000"}
        clients.append((client, data))

    answers = all_at_once([lambda c=c, d=d: c.post("/signin/pin", data=d) for c, d in clients])

    assert [a.status_code for a in answers] == [302] * CLIENTS
    db.session.expire_all()
    person = db.session.get(User, staff.id)
    assert person.pin_failures == 5  # PIN_MAX_FAILURES: not one count lost, none beyond
    assert person.pin_locked_at is not None
    assert events("pin_locked") == 1
    told = [client.get("/signin").get_data(as_text=True) for client, _data in clients]
    # The first four wrong tries are told so; the fifth locks, and the rest find it locked.
    assert sum("That PIN is not right" in page for page in told) == 4
    assert sum("PIN sign-in is locked" in page for page in told) == 4


def test_a_reset_link_used_eight_times_at_once_works_once(app, make_person):
    person = make_person("nia", roles=["venue_staff"])
    token = services.issue_reset(person, None)
    db.session.commit()
    tries = []
    for n in range(CLIENTS):
        # Each from its own address: the reset form's rate limit is per address.
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.7.0.{n}"
        password = f"lantern-night-walk-{n}"
        data = {
            "csrf_token": form_token(client, f"/reset/{token}"),
            "new_password": password,
            "confirm": password,
        }
        tries.append((client, data, password))

    answers = all_at_once([lambda c=c, d=d: c.post(f"/reset/{token}", data=d) for c, d, _ in tries])

    codes = sorted(a.status_code for a in answers)
    assert codes == [302] + [404] * (CLIENTS - 1)
    assert events("password_changed") == 1
    winner = next(p for (_c, _d, p), a in zip(tries, answers, strict=True) if a.status_code == 302)
    working = [p for _c, _d, p in tries if services.authenticate("nia", p)]
    assert working == [winner]
