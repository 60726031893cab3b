"""`flask --app wsgi push remind`: outbox reminders once a day, training-lapse notices
to coordinators once per venue and date, and calls for help timed out."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alerts.models import Alert, AlertRecipient, HelpRequest
from core.timeutil import london_today, utcnow
from extensions import db
from havens.models import Training


def remind(runner) -> str:
    db.session.commit()  # the command works in its own session
    result = runner.invoke(args=["push", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def alerts_of(kind: str) -> list[Alert]:
    db.session.expire_all()
    return db.session.scalars(select(Alert).filter_by(kind=kind)).all()


@pytest.fixture
def pastor(make_person, team):
    return make_person("lee", roles=["pastor"], teams=[team])


@pytest.mark.parametrize(("hours", "reminded"), [(23, False), (25, True)])
def test_an_outbox_is_reminded_after_a_day(
    runner, pastor, push_service, subscribe, hours, reminded
):
    sub = subscribe(pastor, "lee-phone")
    sub.outbox_waiting, sub.outbox_oldest_at = 3, utcnow() - timedelta(hours=hours)
    output = remind(runner)
    assert f"outbox reminders: {int(reminded)}" in output
    pushes = push_service.received_by("lee-phone")
    assert len(pushes) == int(reminded)
    if reminded:
        assert pushes[0].payload["kind"] == "outbox_reminder"
        assert pushes[0].payload["url"] == "/outbox"


def test_an_outbox_is_reminded_once_a_day(runner, pastor, push_service, subscribe):
    sub = subscribe(pastor, "lee-phone")
    subscribe(pastor, "lee-tablet")  # the same person's other device
    sub.outbox_waiting, sub.outbox_oldest_at = 1, utcnow() - timedelta(hours=30)
    remind(runner)
    assert "outbox reminders: 0" in remind(runner)  # fifteen minutes later
    [alert] = alerts_of("outbox_reminder")
    assert alert.dedupe_key == f"outbox-{sub.id}-{london_today().isoformat()}"
    assert len(push_service.received_by("lee-phone")) == 1
    db.session.refresh(sub)
    assert sub.reminded_at is not None
    # A day on, still waiting: reminded again.
    sub.reminded_at = utcnow() - timedelta(hours=25)
    alert.dedupe_key = "outbox-earlier-day"
    assert "outbox reminders: 1" in remind(runner)
    assert len(push_service.received_by("lee-phone")) == 2
    assert push_service.received_by("lee-tablet") == []  # its outbox is empty


def test_an_empty_outbox_is_not_reminded(runner, pastor, subscribe):
    sub = subscribe(pastor, "lee-phone")
    sub.outbox_waiting, sub.outbox_oldest_at = 0, utcnow() - timedelta(hours=48)
    assert "outbox reminders: 0" in remind(runner)


def test_a_lapse_is_told_to_coordinators_once(runner, make_person, venue):
    cora = make_person("cora", roles=["coordinator"])
    staff = make_person("sam", roles=["venue_staff"], venues=[venue])
    make_person("pat", roles=["partner"])
    until = london_today() + timedelta(days=10)
    db.session.add(
        Training(
            user_id=staff.id, trained_on=until - timedelta(days=365), trainer="T", expires_on=until
        )
    )
    assert "training lapse notices: 1" in remind(runner)
    assert "training lapse notices: 0" in remind(runner)
    [alert] = alerts_of("training_lapse")
    assert alert.venue_id == venue.id and alert.url == f"/venues/{venue.id}"
    assert alert.dedupe_key == f"lapse-{venue.id}-{until.isoformat()}"
    people = db.session.scalars(select(AlertRecipient.user_id).filter_by(alert_id=alert.id))
    assert list(people) == [cora.id]


def test_training_in_date_for_long_is_not_told(runner, make_person, venue):
    make_person("cora", roles=["coordinator"])
    staff = make_person("sam", roles=["venue_staff"], venues=[venue])
    until = london_today() + timedelta(days=200)
    db.session.add(
        Training(user_id=staff.id, trained_on=london_today(), trainer="T", expires_on=until)
    )
    assert "training lapse notices: 0" in remind(runner)


def test_expired_calls_for_help_are_timed_out(runner, make_person, venue, call_for_help):
    staff = make_person("sam", roles=["venue_staff"], venues=[venue])
    asked = utcnow() - timedelta(minutes=11)
    for minutes_left in (-1, 5):
        expires = utcnow() + timedelta(minutes=minutes_left)
        call_for_help(venue, staff, asked, expires, reason="unwell", asked_pastors=1)
    assert "calls for help timed out: 1" in remind(runner)
    assert "calls for help timed out: 0" in remind(runner)
    db.session.expire_all()
    outcomes = db.session.execute(
        select(HelpRequest.outcome, func.count()).group_by(HelpRequest.outcome)
    ).all()
    assert dict(outcomes) == {"open": 1, "timed_out": 1}


def test_push_send_times_out_calls_for_help_every_minute(runner, make_person, venue, call_for_help):
    """`push send` runs every minute: the venue hears "phone instead" within a minute of
    the request's time, not at the next `push remind`."""
    staff = make_person("sam", roles=["venue_staff"], venues=[venue])
    asked = utcnow() - timedelta(minutes=11)
    expires = utcnow() - timedelta(seconds=1)
    call_for_help(venue, staff, asked, expires, reason="unwell", asked_pastors=1)
    db.session.commit()
    first = runner.invoke(args=["push", "send"])
    assert first.exit_code == 0, first.output
    assert "calls for help timed out: 1" in first.output
    assert "timed out" not in runner.invoke(args=["push", "send"]).output
    assert "calls for help timed out: 0" in remind(runner)
    [alert] = alerts_of("help_timed_out")
    people = db.session.scalars(select(AlertRecipient.user_id).filter_by(alert_id=alert.id))
    assert list(people) == [staff.id]
