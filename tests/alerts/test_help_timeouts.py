"""A call for help nobody accepts in time: timed out once, however it is first looked at,
and the venue told to phone a team's duty phone instead; the offline page's duty phones,
and the coordinator who sets them.

`night` (tests/alerts/conftest.py) is the venue, its staff, two pastors on patrol and a
coordinator; `ask` and `accept` go through the pages, and `expire` makes a call overdue.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alerts.models import Alert, AlertRecipient, HelpRequest
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db
from patrols.models import Patrol, Team

# A request looked at after its time is timed out, once, and its venue told to phone.


@pytest.mark.parametrize("path", ["/help/{}", "/api/help/{}"])
def test_a_get_that_times_out_a_request_survives_another_write(
    app, night, client_of, ask, expire, a_write_lands_before, path
):
    venue_client = client_of("sam")
    help_id = ask(venue_client)
    expire(help_id)
    with a_write_lands_before("help_request") as landed:
        response = venue_client.get(path.format(help_id))
    assert landed, "the request was not timed out by an UPDATE"
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(HelpRequest, help_id).outcome == "timed_out"


def timed_out_alerts() -> list[Alert]:
    db.session.expire_all()
    return db.session.scalars(select(Alert).filter_by(kind="help_timed_out")).all()


@pytest.mark.parametrize("first", ["page", "api", "cli"])
def test_a_timeout_tells_the_venue_once(
    app, runner, night, push_service, client_of, ask, expire, subscribe, first
):
    subscribe(night["staff"], "bar-tablet")
    subscribe(night["lee"], "lee-phone")
    venue_client = client_of("sam")
    help_id = ask(venue_client)
    expire(help_id)

    def cli():
        db.session.commit()  # the command works in the test's session
        result = runner.invoke(args=["push", "send"])
        assert result.exit_code == 0, result.output
        return result.output

    paths = {
        "page": lambda: venue_client.get(f"/help/{help_id}").status_code,
        "api": lambda: venue_client.get(f"/api/help/{help_id}").status_code,
        "cli": cli,
    }
    said = paths.pop(first)()
    assert "calls for help timed out: 1" in said if first == "cli" else said == 200
    [alert] = timed_out_alerts()
    for later, again in paths.items():  # the others come later: nothing more
        said = again()
        assert "timed out" not in said if later == "cli" else said == 200
    assert timed_out_alerts() == [alert]

    assert (alert.subject_id, alert.url, alert.urgency) == (help_id, f"/help/{help_id}", "high")
    assert alert.expires_at - alert.created_at <= timedelta(minutes=30)
    recipients = db.session.scalars(select(AlertRecipient.user_id).filter_by(alert_id=alert.id))
    assert list(recipients) == [night["staff"].id]
    [push] = [
        p for p in push_service.received_by("bar-tablet") if p.payload["kind"] != "help_request"
    ]
    assert push.payload["kind"] == "help_timed_out" and push.urgency == "high"
    assert push.payload["title"] == "Nobody could come to The Lamp"
    assert push.payload["body"] == "Phone the Street Pastors' duty phone instead."
    assert push.payload["url"] == f"/help/{help_id}" and 0 < push.ttl <= 30 * 60
    assert "Sam" not in push.raw.decode() and "Lamp Lane" not in push.raw.decode()
    assert [p.payload["kind"] for p in push_service.received_by("lee-phone")] == ["help_request"]
    events = select(func.count()).where(
        AuditEvent.target_id == help_id, AuditEvent.action == "help_timed_out"
    )
    assert db.session.scalar(events) == 1


def test_two_sweeps_with_stale_copies_time_out_once(app, night, client_of, ask, expire):
    """Each sweep read the request as open and past its time: the UPDATE picks one."""
    from alerts import help_requests

    help_id = ask(client_of("sam"))
    expire(help_id)
    assert help_requests.time_out(help_id) is True
    assert help_requests.time_out(help_id) is False
    db.session.commit()
    assert len(timed_out_alerts()) == 1


def test_timeout_tells_the_venue_to_phone(app, night, push_service, client_of, ask, accept):
    venue_client = client_of("sam")
    help_id = ask(venue_client)
    req = db.session.get(HelpRequest, help_id)
    req.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    state = venue_client.get(f"/api/help/{help_id}").json
    assert state["outcome"] == "timed_out" and state["closed"] is True
    assert state["phones"] == ["01892 000111"]
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert "Nobody could accept in time." in page
    assert 'href="tel:01892000111"' in page and "In an emergency call 999." in page
    # Too late to accept.
    accept(client_of("lee"), help_id)
    assert db.session.get(HelpRequest, help_id).outcome == "timed_out"
    events = select(func.count()).where(
        AuditEvent.target_id == help_id, AuditEvent.action == "help_timed_out"
    )
    assert db.session.scalar(events) == 1  # read twice, timed out once


def test_timeout_falls_back_to_every_teams_duty_phone(
    app, night, team, scheme, client_of, ask, make_patrol
):
    db.session.execute(Patrol.__table__.update().values(ended_at=utcnow()))
    team.duty_phone = ""
    db.session.add(Team(scheme_id=scheme.id, name="Saturday team", duty_phone="07700 900123"))
    db.session.commit()
    make_patrol(team, [night["lee"]])  # on patrol, but their team has no number
    venue_client = client_of("sam")
    help_id = ask(venue_client)
    db.session.get(HelpRequest, help_id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert venue_client.get(f"/api/help/{help_id}").json["phones"] == ["07700 900123"]


def test_the_offline_page_gives_a_venue_every_teams_duty_phone(app, night, scheme, client_of):
    """A venue's tablet keeps its offline page: with no connection it cannot ask, so the
    page offers every team's phone (none is known to be on patrol), and 999."""
    db.session.add(Team(scheme_id=scheme.id, name="Saturday team", duty_phone="07700 900123"))
    db.session.add(Team(scheme_id=scheme.id, name="Sunday team"))  # no phone: not listed
    db.session.commit()
    page = client_of("sam").get("/offline").get_data(as_text=True)
    assert "Need the Street Pastors?" in page
    assert re.findall(r'href="tel:([0-9]+)"', page) == ["01892000111", "07700900123", "999"]
    assert "Sunday team" not in page
    # A pastor, or someone signed out, has no venue to ask for.
    assert "Need the Street Pastors?" not in client_of("lee").get("/offline").get_data(as_text=True)
    assert "tel:" not in app.test_client().get("/offline").get_data(as_text=True)


def test_the_offline_page_without_duty_phones_says_whom_to_ask(app, night, team, client_of):
    team.duty_phone = ""
    db.session.commit()
    page = client_of("sam").get("/offline").get_data(as_text=True)
    assert "There is no Street Pastors' duty phone number to call." in page
    assert re.findall(r'href="tel:([0-9]+)"', page) == ["999"]


@pytest.mark.parametrize(
    ("phone", "status", "stored"),
    [("01892 000 222", 302, "01892 000 222"), ("", 302, ""), ("call Lee", 400, "01892 000111")],
)
def test_a_coordinator_sets_a_teams_duty_phone(
    app, night, team, auth, client_of, phone, status, stored
):
    cora = client_of("cora")
    token = auth.csrf("/teams", client=cora)
    prefix = f"team-{team.id}-"
    data = {f"{prefix}csrf_token": token, f"{prefix}duty_phone": phone}
    response = cora.post(f"/teams/{team.id}/phone", data=data)
    assert response.status_code == status
    if status == 400:
        assert "Use only digits, spaces, brackets, dashes and +." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Team, team.id).duty_phone == stored
    page = cora.get("/teams").get_data(as_text=True)
    assert f'<label for="{prefix}duty_phone">Duty phone</label>' in page


def test_only_a_coordinator_of_the_scheme_sets_a_duty_phone(app, night, team, auth, client_of):
    lee = client_of("lee")
    token = auth.csrf("/account", client=lee)
    data = {f"team-{team.id}-csrf_token": token, f"team-{team.id}-duty_phone": "999"}
    assert lee.post(f"/teams/{team.id}/phone", data=data).status_code == 403
    assert db.session.get(Team, team.id).duty_phone == "01892 000111"
