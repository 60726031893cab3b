"""Web push: what is pushed (and what never is), in the reader's language, to whom; how
each answer of a push service is handled, retried or given up; pushes sent once the
request has answered; and leases, so that a late answer never overwrites a newer one.

Pushes go to the fake push service of tests/alerts/push_service.py, on 127.0.0.1, which
checks the VAPID header and decrypts each payload.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Device, User
from alerts import keys, push, services
from alerts.models import Alert, PushSubscription
from alerts.push import deliver_due
from core.timeutil import utcnow
from extensions import db

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
