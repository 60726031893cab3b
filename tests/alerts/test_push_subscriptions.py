"""A person's browsers and alerts: the subscription API (who may subscribe, how many, how
often), the in-app alerts list, a disabled person's subscriptions, and signing out,
which turns alerts off on that browser only.

Pushes go to the fake push service of tests/alerts/push_service.py, on 127.0.0.1, which
checks the VAPID header and decrypts each payload.
"""

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts import services as accounts_services
from accounts.models import Device, User
from accounts.sessions import token_hash
from alerts import keys, services
from alerts.models import AlertRecipient, PushSubscription
from alerts.push import deliver_due
from core.models import AuditEvent
from extensions import db

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------- subscriptions API


def api_token(client) -> str:
    return client.get("/api/session").get_json()["csrf"]


def post_subscription(client, sub, token, device_id=None, label="Chrome on Android"):
    body = dict(sub, device_id=device_id or str(uuid.uuid4()), label=label)
    return client.post(
        "/api/push/subscriptions",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token} if token else {},
    )


def test_subscribing_needs_a_session_and_the_csrf_header(app, client, auth, push_service, pastor):
    sub = push_service.subscribe("ann")
    assert post_subscription(client, sub, auth.csrf()).status_code == 401
    auth.login("zebedee")
    assert post_subscription(client, sub, None).status_code == 400
    device = str(uuid.uuid4())
    response = post_subscription(client, sub, api_token(client), device_id=device)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    row = db.session.scalar(select(PushSubscription))
    assert (row.user_id, row.device_id, row.label, row.endpoint) == (
        pastor.id,
        device,
        "Chrome on Android",
        sub["endpoint"],
    )
    assert db.session.scalar(select(AuditEvent).filter_by(action="push_subscribed"))


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "http://push.example.org/x"},
        {"endpoint": "https://127.0.0.1:8443/x"},
        {"endpoint": "https://[::1]/x"},
        {"endpoint": "https://localhost/x"},
        {"endpoint": "https://intranet/x"},
        {"endpoint": "javascript:alert(1)"},
        # Address literals that are no dotted quad, and a name that is not a public one:
        {"endpoint": "https://127.1/x"},
        {"endpoint": "https://0x7f.1/x"},
        {"endpoint": "https://10.1/x"},
        {"endpoint": "https://localhost./x"},
        # A public host, but no push service in PUSH_SERVICES:
        {"endpoint": "https://push.example.org/x"},
        {"endpoint": "https://evil.example/?https://fcm.googleapis.com/"},
        {"keys": {"p256dh": "", "auth": "x"}},
        {"keys": "nope"},
        {"device_id": "not-a-uuid"},
    ],
)
def test_a_bad_subscription_is_refused(app, client, auth, push_service, pastor, change):
    auth.login("zebedee")
    body = push_service.subscribe("ann") | {"device_id": str(uuid.uuid4())} | change
    response = client.post(
        "/api/push/subscriptions",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": api_token(client)},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_the_last_person_to_subscribe_a_browser_owns_it(
    app, client, auth, push_service, pastor, make_person
):
    make_person("sue", roles=["venue_staff"])
    sub = push_service.subscribe("tablet")
    auth.login("zebedee")
    assert post_subscription(client, sub, api_token(client)).status_code == 201
    tablet = app.test_client()  # the same browser, the next person signed in
    auth.login("sue", client=tablet)
    assert post_subscription(tablet, sub, api_token(tablet)).status_code == 201
    rows = db.session.scalars(select(PushSubscription)).all()
    assert [r.user.username for r in rows] == ["sue"]


def test_nobody_removes_another_persons_subscription(
    app, client, auth, pastor, make_person, subscribe
):
    row = subscribe(pastor, "ann")
    row_id, endpoint = row.id, row.endpoint
    make_person("sue", roles=["pastor"])
    auth.login("sue")
    token = api_token(client)
    body = json.dumps({"endpoint": endpoint})
    response = client.delete(
        "/api/push/subscriptions",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 404
    client.post(f"/account/alerts/{row_id}/remove", data={"csrf_token": token})
    assert db.session.get(PushSubscription, row_id) is not None


def test_one_removes_their_own_subscription(app, client, auth, pastor, subscribe):
    row_id = subscribe(pastor, "ann", label="Work phone").id
    auth.login("zebedee")
    page = client.get("/account/alerts").get_data(as_text=True)
    assert "Work phone" in page and "Turn on alerts" in page
    assert keys.public_key() in page
    assert client.post(f"/account/alerts/{row_id}/remove").status_code == 400  # no CSRF token
    token = auth.csrf("/account/alerts")
    response = client.post(f"/account/alerts/{row_id}/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(PushSubscription, row_id) is None
    other = subscribe(pastor, "bob")
    other_id, endpoint = other.id, other.endpoint
    response = client.delete(
        "/api/push/subscriptions",
        data=json.dumps({"endpoint": endpoint}),
        content_type="application/json",
        headers={"X-CSRFToken": api_token(client)},
    )
    assert response.status_code == 200
    assert db.session.get(PushSubscription, other_id) is None


def test_a_signed_out_device_reports_its_outbox_by_endpoint_and_secret(
    app, client, pastor, subscribe
):
    row = subscribe(pastor, "ann")
    body = {
        "endpoint": row.endpoint,
        "auth": row.auth,
        "waiting": 3,
        "oldest_saved_at": "2026-11-22T21:30:00.000Z",
    }
    response = client.post("/api/push/outbox", json=body)  # no session, no CSRF token
    assert response.status_code == 200
    db.session.refresh(row)
    assert (row.outbox_waiting, row.outbox_oldest_at.isoformat()) == (3, "2026-11-22T21:30:00")
    assert (
        client.post("/api/push/outbox", json=body | {"endpoint": "https://x/y"}).status_code == 404
    )
    assert client.post("/api/push/outbox", json=body | {"waiting": "3"}).status_code == 400
    assert client.post("/api/push/outbox", json=body | {"oldest_saved_at": None}).status_code == 400
    client.post("/api/push/outbox", json={"endpoint": row.endpoint, "auth": row.auth, "waiting": 0})
    db.session.refresh(row)
    assert (row.outbox_waiting, row.outbox_oldest_at) == (0, None)


def test_the_endpoint_alone_does_not_report_an_outbox(app, client, pastor, subscribe):
    """The push service knows the endpoint too; only the browser and the server know the
    subscription's auth secret."""
    row = subscribe(pastor, "ann")
    body = {"endpoint": row.endpoint, "waiting": 5, "oldest_saved_at": "2026-11-22T21:30:00Z"}
    assert client.post("/api/push/outbox", json=body).status_code == 400
    assert client.post("/api/push/outbox", json=body | {"auth": "d3Jvbmc"}).status_code == 404
    assert client.post("/api/push/outbox", json=body | {"auth": ""}).status_code == 404
    db.session.refresh(row)
    assert (row.outbox_waiting, row.outbox_oldest_at) == (0, None)


def test_tests_get_no_push_service_for_free(app, client, auth, pastor, another_push_service):
    """No app.testing bypass: a fake push service on 127.0.0.1 not in PUSH_SERVICES is
    refused like any other address."""
    assert app.testing
    with another_push_service(listed=False) as unlisted:
        auth.login("zebedee")
        response = post_subscription(client, unlisted.subscribe("ann"), api_token(client))
        assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_a_person_has_at_most_ten_subscriptions(app, pastor, make_person, subscribe):
    other = make_person("other", roles=["pastor"])
    theirs = subscribe(other, "theirs")
    rows = [subscribe(pastor, f"b{n}") for n in range(11)]
    kept = db.session.scalars(select(PushSubscription.id).filter_by(user_id=pastor.id)).all()
    assert app.config["PUSH_SUBSCRIPTIONS_PER_PERSON"] == 10
    assert sorted(kept) == sorted(r.id for r in rows[1:])  # the oldest was replaced
    assert db.session.get(PushSubscription, theirs.id) is not None


def test_subscribing_is_rate_limited(app, client, auth, push_service, pastor):
    app.config["PUSH_SUBSCRIBE_RATE_LIMIT"] = "2 per minute"
    auth.login("zebedee")
    token = api_token(client)
    statuses = [
        post_subscription(client, push_service.subscribe(f"b{n}"), token).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


# ------------------------------------------------------------------------------ alerts list


def test_the_alerts_list_and_unread_count(app, client, auth, pastor, venue, tell):
    tell([pastor], venue=venue, reason="walk_to_taxi", url="/help/abc")
    auth.login("zebedee")
    home = client.get("/").get_data(as_text=True)
    assert "Alerts (1)" in home
    assert client.get("/api/session").get_json()["alerts"] == {"unread": 1}  # each sync
    answer = client.get("/api/alerts")
    assert answer.headers["Cache-Control"] == "no-store"
    data = answer.get_json()
    assert data["unread"] == 1
    [item] = data["alerts"]
    assert (item["title"], item["body"], item["url"], item["read"]) == (
        "Help asked: The Lamp",
        "Someone needs walking to a taxi",
        "/help/abc",
        False,
    )
    page = client.get("/alerts").get_data(as_text=True)
    assert "Help asked: The Lamp" in page and 'href="/help/abc"' in page
    assert client.get("/api/alerts").get_json()["unread"] == 0
    assert db.session.scalar(select(AlertRecipient.read_at)) is not None
    assert "Alerts (1)" not in client.get("/").get_data(as_text=True)


def test_each_person_sees_only_their_own_alerts(app, client, auth, pastor, make_person, tell):
    make_person("sue", roles=["venue_staff"])
    tell([pastor], kind="notice")
    auth.login("sue")
    assert client.get("/api/alerts").get_json() == {"unread": 0, "alerts": []}
    assert "Notice from your coordinator" not in client.get("/alerts").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/alerts", "/api/alerts", "/account/alerts", "/api/push/key"])
def test_signed_in_only(app, client, path):
    response = client.get(path)
    assert response.status_code in (302, 401)


# ------------------------------------------------------------------- disabled people


def test_a_disabled_person_is_told_nothing(
    app, push_service, pastor, make_person, venue, subscribe, tell, deliveries
):
    staff = make_person("sue", roles=["venue_staff"], venues=[venue])
    kept = make_person("kim", roles=["venue_staff"], venues=[venue])
    theirs = subscribe(staff, "sue")
    mine = subscribe(kept, "kim")
    staff.active = False  # as if disabled by other means than set_active
    db.session.commit()
    assert [s.id for s in services.venue_subscriptions(venue)] == [mine.id]
    alert = tell([staff, kept, pastor], kind="handover", venue=venue, subscriptions=[theirs])
    assert {r.user_id for r in alert.recipients} == {kept.id, pastor.id}
    assert [d.subscription_id for d in deliveries()] == [mine.id]
    assert deliver_due() == {"sent": 1}
    assert push_service.received_by("sue") == []


def test_disabling_a_person_removes_their_subscriptions(app, pastor, make_person, subscribe):
    other = make_person("other", roles=["pastor"])
    subscribe(pastor, "ann")
    subscribe(pastor, "ann-tablet")
    theirs = subscribe(other, "bob")
    accounts_services.set_active(pastor, False)
    db.session.commit()
    rows = db.session.scalars(select(PushSubscription)).all()
    assert [r.id for r in rows] == [theirs.id]


# -------------------------------------------------------------------------- signing out


def sign_out(auth, endpoint=None):
    token = auth.csrf("/account")
    data = {"csrf_token": token} | ({"push_endpoint": endpoint} if endpoint else {})
    return auth.client.post("/signout", data=data)


def test_signing_out_turns_alerts_off_on_this_browser(app, client, auth, pastor, subscribe):
    here = subscribe(pastor, "ann")
    elsewhere = subscribe(pastor, "ann-laptop")
    here_id, elsewhere_id = here.id, elsewhere.id
    auth.login("zebedee")
    assert sign_out(auth, here.endpoint).status_code == 302
    assert db.session.get(PushSubscription, here_id) is None
    assert db.session.get(PushSubscription, elsewhere_id) is not None  # another browser's


def test_signing_out_never_removes_another_persons_alerts(
    app, client, auth, pastor, make_person, subscribe
):
    make_person("sue", roles=["pastor"])
    theirs = subscribe(pastor, "ann")
    theirs_id, endpoint = theirs.id, theirs.endpoint
    auth.login("sue")
    assert sign_out(auth, endpoint).status_code == 302
    assert db.session.get(PushSubscription, theirs_id) is not None


def test_a_venue_tablet_keeps_its_alerts_when_staff_sign_out(
    app, client, auth, make_person, venue, subscribe
):
    make_person("sue", roles=["venue_staff"], venues=[venue])
    staff = db.session.scalar(select(User).filter_by(username="sue"))
    token = "tablet-token"
    tablet = Device(
        scheme_id=venue.scheme_id, name="Bar", venue_id=venue.id, token_hash=token_hash(token)
    )
    db.session.add(tablet)
    db.session.commit()
    row = subscribe(staff, "bar", device=tablet)
    row_id, endpoint = row.id, row.endpoint
    client.set_cookie("lantern_device", token)
    auth.login("sue")
    assert sign_out(auth, endpoint).status_code == 302
    assert db.session.get(PushSubscription, row_id) is not None
    page = client.get("/signin").get_data(as_text=True)
    assert "You have signed out." in page


def test_the_devices_page_says_what_signing_out_does(app, client, auth, pastor):
    auth.login("zebedee")
    page = client.get("/account/alerts").get_data(as_text=True)
    assert "Signing out turns alerts off on this device" in page
    assert "tablet enrolled for a venue" in page


def test_the_alerts_script_puts_the_endpoint_in_the_sign_out_form():
    script = (ROOT / "static" / "js" / "alerts.js").read_text()
    assert 'querySelectorAll("form.signout")' in script
    assert 'name: "push_endpoint"' in script
