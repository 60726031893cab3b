"""Web push: what is pushed (and what never is), to whom, how failures are handled, the
VAPID key, the subscription API and the in-app alerts list. Pushes go to a fake push
service on 127.0.0.1 that checks the VAPID header and decrypts each payload."""

import json
import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts import services as accounts_services
from accounts.models import Device, User
from accounts.sessions import token_hash
from alerts import keys, push, services
from alerts.models import Alert, AlertRecipient, PushSubscription
from alerts.push import allowed_endpoint, deliver_due
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db
from wsgi import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD_KEYS = {"alert", "kind", "title", "body", "url", "tag"}


# ------------------------------------------------------------------------- what is pushed


def test_a_help_request_push_says_venue_and_reason_only(
    app, push_service, pastor, venue, subscribe, tell
):
    subscribe(pastor, "ann")
    alert = tell([pastor], venue=venue, reason="alone_distressed", urgency="high", topic="help-1")
    assert deliver_due() == {"sent": 1}
    [message] = push_service.received_by("ann")
    assert message.payload == {
        "alert": alert.id,
        "kind": "help_request",
        "title": "Help asked: The Lamp",
        "body": "Someone alone and distressed",
        "url": "/alerts",
        "tag": "help-1",
    }
    assert message.vapid_key == keys.public_key()


def test_no_personal_data_and_no_notice_text_in_any_payload(
    app, push_service, pastor, venue, subscribe, tell
):
    subscribe(pastor, "ann")
    for kind in ("help_request", "help_taken", "help_accepted", "help_cancelled", "handover",
                 "notice", "outbox_reminder", "training_lapse"):  # fmt: skip
        tell([pastor], kind=kind, venue=venue, reason="unwell", subject_id="n-1")
    from alerts.models import Notice

    db.session.add(Notice(scheme_id=pastor.scheme_id, audience="on_duty", text="Spiking near X"))
    db.session.commit()
    assert deliver_due() == {"sent": 8}
    received = push_service.received_by("ann")
    assert {m.payload["kind"] for m in received} == {
        "help_request", "help_taken", "help_accepted", "help_cancelled", "handover",
        "notice", "outbox_reminder", "training_lapse",
    }  # fmt: skip
    for message in received:
        assert set(message.payload) == PAYLOAD_KEYS
        raw = message.raw.decode()
        for secret in ("Zebedee", "zebedee", "Spiking", "Testbridge"):
            assert secret not in raw
        assert message.payload["tag"] == f"alert-{message.payload['alert']}"
    notice = next(m.payload for m in received if m.payload["kind"] == "notice")
    assert (notice["title"], notice["body"]) == (
        "Notice from your coordinator",
        "Open Lantern to read it.",
    )


def test_ttl_urgency_and_topic_headers(app, push_service, pastor, venue, subscribe, tell):
    subscribe(pastor, "ann")
    tell([pastor], venue=venue, reason="unwell", ttl_seconds=900, urgency="high", topic="t-7")
    tell([pastor], kind="outbox_reminder", ttl_seconds=3600)
    deliver_due()
    first, second = push_service.received_by("ann")
    assert 890 <= first.ttl <= 900
    assert (first.urgency, first.topic) == ("high", "t-7")
    assert 3590 <= second.ttl <= 3600
    assert (second.urgency, second.topic) == ("normal", None)


def test_fresh_vapid_claims_for_each_push_service(
    app, push_service, pastor, make_person, subscribe, tell, another_push_service
):
    """webpush() writes aud into the claims it gets: a reused dict would carry the first
    service's origin to the second, which must refuse it."""
    other = make_person("other", roles=["pastor"])
    subscribe(pastor, "ann")
    with another_push_service() as second:
        subscribe(other, second.subscribe("bob"))
        tell([pastor, other], kind="notice")
        assert deliver_due() == {"sent": 2}
        [at_second] = second.received_by("bob")
        assert not second.errors
    [at_first] = push_service.received_by("ann")
    assert at_first.claims["aud"] == push_service.origin
    assert at_second.claims["aud"] == second.origin


def test_the_contact_is_a_setting(app, push_service, pastor, subscribe, tell):
    app.config["PUSH_CONTACT"] = push_service.contact = "mailto:safety@example.org"
    subscribe(pastor, "ann")
    tell([pastor], kind="notice")
    assert deliver_due() == {"sent": 1}
    assert push_service.received_by("ann")[0].claims["sub"] == "mailto:safety@example.org"


# --------------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_removed(
    app, push_service, pastor, subscribe, tell, deliveries, status
):
    row_id = subscribe(pastor, "ann").id
    push_service.script("ann", status)
    tell([pastor], kind="notice")
    assert deliver_due() == {"gone": 1}
    assert db.session.get(PushSubscription, row_id) is None
    [delivery] = deliveries()
    assert (delivery.status, delivery.last_status, delivery.subscription_id) == (
        "gone",
        status,
        None,
    )
    # The alert is still in the person's own list.
    assert services.unread_count(pastor) == 1


@pytest.mark.parametrize("status", [400, 413])
def test_a_refused_push_fails_without_retry(
    app, push_service, pastor, subscribe, tell, status, caplog
):
    row = subscribe(pastor, "ann")
    push_service.script("ann", status)
    tell([pastor], kind="notice")
    assert deliver_due() == {"failed": 1}
    assert db.session.get(PushSubscription, row.id) is not None
    assert "/push/ann" not in caplog.text  # endpoints are capabilities: host only


def test_a_subscription_with_unusable_keys_fails_alone(
    app, push_service, pastor, make_person, subscribe, tell
):
    other = make_person("other", roles=["pastor"])
    broken = push_service.subscribe("ann")
    broken["keys"]["p256dh"] = "BStubStubStub"
    subscribe(pastor, broken)
    subscribe(other, "bob")
    tell([pastor, other], kind="notice")
    assert deliver_due() == {"failed": 1, "sent": 1}
    assert push_service.received_by("ann") == []


@pytest.mark.parametrize("failure", [500, 503, 429, "drop"])
def test_a_failed_push_is_retried_with_backoff(
    app, push_service, pastor, subscribe, tell, deliveries, failure, caplog
):
    subscribe(pastor, "ann")
    push_service.script("ann", failure)
    tell([pastor], kind="notice")
    now = utcnow()
    assert deliver_due(now=now) == {"pending": 1}
    [delivery] = deliveries()
    assert delivery.attempts == 1
    # 30 s doubled once, with jitter between half and all of it.
    assert now + timedelta(seconds=30) <= delivery.next_try_at <= now + timedelta(seconds=60)
    assert deliver_due(now=now + timedelta(seconds=20)) == {}  # not yet
    assert deliver_due(now=now + timedelta(seconds=61)) == {"sent": 1}
    assert [m.status for m in push_service.received_by("ann")] == [failure, 201]
    assert "/push/ann" not in caplog.text


def test_a_push_is_given_up_after_the_most_attempts(
    app, push_service, pastor, subscribe, tell, deliveries
):
    subscribe(pastor, "ann")
    push_service.script("ann", *[500] * 10)
    tell([pastor], kind="notice", ttl_seconds=6 * 3600)
    now = utcnow()
    outcomes = []
    for _ in range(6):
        outcomes.append(deliver_due(now=now))
        now += timedelta(minutes=11)  # past the longest backoff
    assert outcomes == [{"pending": 1}] * 4 + [{"failed": 1}, {}]
    assert len(push_service.received_by("ann")) == app.config["PUSH_MAX_ATTEMPTS"] == 5
    assert deliveries()[0].status == "failed"


def test_an_expired_alert_is_not_pushed(app, push_service, pastor, subscribe, tell):
    subscribe(pastor, "ann")
    tell([pastor], kind="notice", ttl_seconds=60)
    assert deliver_due(now=utcnow() + timedelta(seconds=61)) == {"expired": 1}
    assert push_service.received_by("ann") == []


def test_a_dedupe_key_makes_an_alert_once(app, pastor, subscribe, tell, deliveries):
    subscribe(pastor, "ann")
    assert tell([pastor], kind="outbox_reminder", dedupe_key="remind:1:2026-11-23") is not None
    assert tell([pastor], kind="outbox_reminder", dedupe_key="remind:1:2026-11-23") is None
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 1
    assert len(deliveries()) == 1


def test_one_recipient_and_one_delivery_each(
    app, pastor, make_person, venue, subscribe, tell, deliveries
):
    staff = make_person("sue", roles=["venue_staff"], venues=[venue])
    mine = subscribe(pastor, "ann")
    tablet = Device(
        scheme_id=venue.scheme_id, name="Bar tablet", venue_id=venue.id, token_hash="x" * 64
    )
    db.session.add(tablet)
    db.session.commit()
    theirs = subscribe(staff, "sue")
    on_tablet = subscribe(pastor, "tablet", device=tablet)
    assert {s.id for s in services.venue_subscriptions(venue)} == {theirs.id, on_tablet.id}
    alert = tell([pastor, pastor, staff], kind="handover", venue=venue,
                 subscriptions=[theirs, mine, *services.venue_subscriptions(venue)])  # fmt: skip
    assert {r.user_id for r in alert.recipients} == {pastor.id, staff.id}
    assert sorted(d.subscription_id for d in deliveries()) == sorted(
        [mine.id, theirs.id, on_tablet.id]
    )


# ------------------------------------------------------------------ sending after a request


@pytest.fixture
def notify_route(app, pastor):
    """A route that tells the pastor something, as part B's views do."""
    scheme_id, pastor_id = pastor.scheme_id, pastor.id

    def view():
        from accounts.models import User

        person = db.session.get(User, pastor_id)
        services.notify(scheme_id, "notice", [person], url="/alerts", ttl_seconds=600)
        db.session.commit()
        return "done"

    view.access = frozenset({"public"})
    app.add_url_rule("/test/notify", "test_notify", view, methods=["POST"])
    from extensions import csrf

    csrf.exempt(view)
    return "/test/notify"


def test_pushes_go_once_the_request_has_answered(
    app, client, push_service, pastor, notify_route, subscribe, deliveries
):
    subscribe(pastor, "ann")
    assert client.post(notify_route).status_code == 200
    [message] = push_service.received_by("ann")
    assert message.payload["kind"] == "notice"
    assert deliveries()[0].status == "sent"


def test_a_broken_push_service_never_breaks_the_answer(
    app, client, push_service, pastor, notify_route, subscribe, deliveries
):
    subscribe(pastor, "ann")
    push_service.script("ann", "drop")
    response = client.post(notify_route)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "done")
    assert deliveries()[0].status == "pending"  # for `push send` to retry


def test_background_sending_runs_in_a_thread_after_the_answer(
    app, client, push_service, pastor, notify_route, subscribe
):
    app.config["PUSH_BACKGROUND"] = True
    subscribe(pastor, "ann")
    with client.post(notify_route) as response:  # closing the response starts the thread
        assert response.status_code == 200
    for _ in range(100):
        if push_service.received_by("ann"):
            break
        import time

        time.sleep(0.05)
    assert push_service.received_by("ann")


# --------------------------------------------------------------------------------- the key


def test_push_keys_prints_the_public_key_and_makes_the_file_private(app, runner, tmp_path):
    first = runner.invoke(args=["push", "keys"])
    assert first.exit_code == 0, first.output
    key_file = Path(app.config["VAPID_KEY_FILE"])
    assert key_file.parent == tmp_path
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.output.strip() == keys.public_key()
    assert runner.invoke(args=["push", "keys"]).output == first.output
    assert len(first.output.strip()) == 87  # 65 bytes, unpadded URL-safe base64


def test_rotating_the_key_removes_subscriptions_and_is_audited(app, runner, pastor, subscribe):
    old = keys.public_key()
    subscribe(pastor, "ann")
    result = runner.invoke(args=["push", "keys", "--rotate"])
    assert result.exit_code == 0, result.output
    assert "subscribe" in result.output
    new = result.output.strip().splitlines()[-1]
    assert new == keys.public_key() != old
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    event = db.session.scalar(select(AuditEvent).filter_by(action="push_keys_rotated"))
    assert event.detail == {"removed_subscriptions": 1}


def test_the_key_is_never_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert not [name for name in tracked.splitlines() if name.endswith((".pem", ".key"))]
    ignored = subprocess.run(["git", "check-ignore", "-q", "instance/vapid_private.pem"], cwd=ROOT)
    assert ignored.returncode == 0, "instance/ must be ignored by git"
    for path in (ROOT / "alerts").glob("*.py"):
        assert "BEGIN PRIVATE KEY" not in path.read_text()


def test_push_send_delivers_what_is_due(app, runner, pastor, subscribe, tell):
    subscribe(pastor, "ann")
    tell([pastor], kind="notice")
    result = runner.invoke(args=["push", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 1"
    assert runner.invoke(args=["push", "send"]).output.strip() == "nothing due"


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


def test_words_follow_the_readers_language(app, push_service, pastor, subscribe, tell):
    pastor.locale = "pl"
    subscribe(pastor, "ann")
    tell([pastor], kind="notice")
    deliver_due()
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with app.test_request_context(), force_locale("pl"):
        expected = _("Notice from your coordinator")
    assert push_service.received_by("ann")[0].payload["title"] == expected


def test_key_file_setting_defaults_to_the_instance_folder(app):
    app.config["VAPID_KEY_FILE"] = None
    assert keys.key_path() == Path(app.instance_path) / "vapid_private.pem"
    assert not os.path.exists(ROOT / "alerts" / "vapid_private.pem")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "gossip"},
        {"urgency": "urgent"},
        {"topic": "help request 1"},  # spaces
        {"topic": "h" * 33},  # too long for RFC 8030
    ],
)
def test_notify_refuses_what_a_push_service_would(app, pastor, fields):
    with pytest.raises(ValueError):
        services.notify(pastor.scheme_id, fields.pop("kind", "notice"), [pastor], url="/alerts",
                        ttl_seconds=60, **fields)  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 0


# ---------------------------------------------------------- only ever to a push service


def test_the_default_push_services_are_those_the_browsers_use(app):
    app.config["PUSH_SERVICES"] = DEFAULTS["PUSH_SERVICES"]
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",  # Chrome, Edge on Android...
        "https://fcm.googleapis.com/wp/dGVzdA",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl",  # Firefox
        "https://web.push.apple.com/QGVzdA",  # Safari on macOS and iOS
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA%2b",  # Edge on Windows
    ):
        assert allowed_endpoint(endpoint), endpoint
    for endpoint in (
        "http://fcm.googleapis.com/fcm/send/x",  # not HTTPS
        "https://fcm.googleapis.com:8443/fcm/send/x",  # another port
        "https://fcm.googleapis.com./fcm/send/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://fcm.googleapis.com@evil.example/x",
        "https://evil.example\\@fcm.googleapis.com/x",
        "https://evil.example/fcm.googleapis.com",
        "https://push.apple.com/x",  # "*." is a name under it, not the name itself
        "https://push.apple.com.evil.example/x",
        "https://evilnotify.windows.com/x",
        "https://web.push.apple.com /x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
    ):
        assert not allowed_endpoint(endpoint), endpoint


def test_push_services_may_be_one_string_from_the_environment(app):
    app.config["PUSH_SERVICES"] = "https://fcm.googleapis.com, https://*.push.apple.com"
    assert allowed_endpoint("https://web.push.apple.com/x")
    assert allowed_endpoint("https://fcm.googleapis.com/x")
    assert not allowed_endpoint("https://updates.push.services.mozilla.com/x")


def test_tests_get_no_push_service_for_free(app, client, auth, pastor, another_push_service):
    """No app.testing bypass: a fake push service on 127.0.0.1 not in PUSH_SERVICES is
    refused like any other address."""
    assert app.testing
    with another_push_service(listed=False) as unlisted:
        auth.login("zebedee")
        response = post_subscription(client, unlisted.subscribe("ann"), api_token(client))
        assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_a_push_service_no_longer_listed_is_not_sent_to(
    app, push_service, pastor, caplog, subscribe, tell, deliveries
):
    subscribe(pastor, "ann")
    app.config["PUSH_SERVICES"] = ["https://fcm.googleapis.com"]  # the list changed since
    tell([pastor], kind="notice")
    assert deliver_due() == {"failed": 1}
    assert push_service.received_by("ann") == []
    assert deliveries()[0].last_status is None
    assert "/push/ann" not in caplog.text


@pytest.mark.parametrize("redirect", [301, 302, 307, 308])
def test_a_redirect_is_never_followed_nor_retried(
    app, push_service, pastor, subscribe, tell, deliveries, another_push_service, redirect
):
    subscribe(pastor, "ann")
    with another_push_service() as elsewhere:  # listed too: only the redirect leads there
        elsewhere.subscribe("bob")
        push_service.script("ann", (redirect, {"Location": elsewhere.endpoint("bob")}))
        tell([pastor], kind="notice")
        now = utcnow()
        assert deliver_due(now=now) == {"failed": 1}
        assert elsewhere.received == []
    assert [m.status for m in push_service.received_by("ann")] == [redirect]
    assert deliveries()[0].last_status == redirect
    assert deliver_due(now=now + timedelta(hours=1)) == {}


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


# -------------------------------------------------------------- leases and late answers


def test_the_lease_covers_the_whole_batch(app, pastor, make_person, subscribe, tell, deliveries):
    people = [pastor, *(make_person(f"p{n}", roles=["pastor"]) for n in range(2))]
    for n, person in enumerate(people):
        subscribe(person, f"s{n}")
    tell(people, kind="notice")
    now = utcnow()
    jobs, closed = push.claim(now, 200)
    assert (len(jobs), closed) == (3, {})
    timeout = app.config["PUSH_TIMEOUT_SECONDS"]
    until = now + push.LEASE + timedelta(seconds=3 * timeout)
    assert {d.next_try_at for d in deliveries()} == {until}
    assert deliver_due(now=until - timedelta(seconds=1)) == {}  # still leased


@pytest.mark.parametrize("late", [500, 410, 201])
def test_a_late_outcome_never_overwrites_a_newer_one(
    app, push_service, pastor, subscribe, tell, deliveries, late
):
    row = subscribe(pastor, "ann")
    tell([pastor], kind="notice", ttl_seconds=3600)
    now = utcnow()
    [slow], _closed = push.claim(now, 200)  # a sender that stalls past its lease
    later = now + push.LEASE + timedelta(minutes=10)
    push_service.script("ann", 500)
    assert deliver_due(now=later) == {"pending": 1}  # another sender took it over
    [delivery] = deliveries()
    newer = (delivery.status, delivery.attempts, delivery.next_try_at, delivery.last_status)
    assert push.record(slow, late, now=later + timedelta(seconds=1)) == "stale"
    db.session.expire_all()
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.next_try_at, delivery.last_status) == newer
    assert delivery.sent_at is None
    assert db.session.get(PushSubscription, row.id) is not None


def test_an_outcome_is_recorded_at_the_time_it_came(
    app, push_service, pastor, subscribe, tell, deliveries
):
    subscribe(pastor, "ann")
    tell([pastor], kind="notice")
    push_service.delay = 0.5
    before = utcnow()
    assert deliver_due() == {"sent": 1}
    [delivery] = deliveries()
    assert delivery.sent_at >= before + timedelta(seconds=0.5)
    assert delivery.subscription.last_sent_at == delivery.sent_at


def test_too_many_requests_waits_as_long_as_asked(
    app, push_service, pastor, subscribe, tell, deliveries
):
    subscribe(pastor, "ann")
    push_service.script("ann", (429, {"Retry-After": "300"}))
    tell([pastor], kind="notice", ttl_seconds=3600)
    now = utcnow()
    assert deliver_due(now=now) == {"pending": 1}
    [delivery] = deliveries()
    assert delivery.next_try_at == now + timedelta(seconds=300)
    assert deliver_due(now=now + timedelta(seconds=299)) == {}
    assert deliver_due(now=now + timedelta(seconds=300)) == {"sent": 1}


def test_a_retry_after_date_falls_back_to_the_backoff(
    app, push_service, pastor, subscribe, tell, deliveries
):
    subscribe(pastor, "ann")
    push_service.script("ann", (429, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}))
    tell([pastor], kind="notice")
    now = utcnow()
    assert deliver_due(now=now) == {"pending": 1}
    [delivery] = deliveries()
    assert now + timedelta(seconds=30) <= delivery.next_try_at <= now + timedelta(seconds=60)
