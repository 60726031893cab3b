"""A venue's call for help, end to end with the fake push service: asked, pushed to the
pastors on patrol, accepted by one, seen taken by the other; timed out, cancelled, and
nobody on patrol. And the hand-over alert, from the page and from sync."""

import re
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlalchemy import func, select

from accounts.models import Scheme, User
from alerts.models import Alert, AlertRecipient, HelpRequest, PushSubscription
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db
from havens.models import Venue
from patrols.models import Patrol, Team
from tests import test_browser
from tests.conftest import csrf_token, sign_in
from tests.push_service import push_service, subscriber  # noqa: F401  (a fixture)


def subscribe(push_service, user, name: str) -> PushSubscription:  # noqa: F811
    """One browser of this person's, subscribed at the fake push service."""
    sub = subscriber(push_service, name)
    row = PushSubscription(
        scheme_id=user.scheme_id,
        user_id=user.id,
        endpoint=sub["endpoint"],
        p256dh=sub["keys"]["p256dh"],
        auth=sub["keys"]["auth"],
        device_id=str(uuid.uuid4()),
    )
    db.session.add(row)
    db.session.commit()
    return row


def on_patrol(team, *pastors) -> Patrol:
    patrol = Patrol(
        id=str(uuid.uuid4()),
        team_id=team.id,
        started_at=utcnow() - timedelta(hours=1),
        pastors=list(pastors),
    )
    db.session.add(patrol)
    db.session.commit()
    return patrol


def client_of(app, username: str):
    """A signed-in browser of this person's, on an address of its own (sign-in is limited
    per address)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.{len(username)}.{sum(map(ord, username)) % 250}"
    assert sign_in(client, username).status_code == 302
    return client


@pytest.fixture
def night(app, make_person, venue, team):
    """A venue with its staff, two pastors of the Friday team on patrol, a coordinator."""
    team.duty_phone = "01892 000111"
    venue.address = "1 Lamp Lane"
    db.session.commit()
    people = {
        "staff": make_person("sam", roles=["venue_staff"], venues=[venue]),
        "lee": make_person("lee", roles=["pastor"], teams=[team]),
        "max": make_person("max", roles=["pastor"], teams=[team]),
        "cora": make_person("cora", roles=["coordinator"]),
    }
    on_patrol(team, people["lee"], people["max"])
    return people


def ask(client, reason: str = "alone_distressed") -> str:
    """Ask through the form; the id of the request, from where the venue lands."""
    token = csrf_token(client, "/help/new")
    page = client.get("/help/new").get_data(as_text=True)
    venue_id = re.search(r'name="venue_id" value="(\d+)"', page).group(1)
    data = {"csrf_token": token, "reason": reason, "venue_id": venue_id}
    response = client.post("/help/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.fullmatch(r"/help/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def accept(client, help_id: str, eta: int = 5):
    token = csrf_token(client, "/account")  # the page has no form once it is taken
    return client.post(f"/help/{help_id}/accept", data={"csrf_token": token, "eta": eta})


def test_the_full_flow(app, night, push_service, venue):  # noqa: F811
    subscribe(push_service, night["lee"], "lee-phone")
    subscribe(push_service, night["max"], "max-phone")
    subscribe(push_service, night["staff"], "bar-tablet")
    venue_client = client_of(app, "sam")

    help_id = ask(venue_client)

    # Both pastors are pushed: the venue and the reason, nothing about anyone.
    topic = push_service.received_by("lee-phone")[0].topic
    assert topic.startswith("help-")
    minutes = app.config["HELP_REQUEST_MINUTES"]
    for name in ("lee-phone", "max-phone"):
        [push] = push_service.received_by(name)
        assert push.payload["kind"] == "help_request"
        assert push.payload["url"] == f"/help/{help_id}"
        assert "The Lamp" in push.payload["title"]
        assert push.payload["body"] == "Someone alone and distressed"
        assert "Sam" not in push.raw.decode() and "Lamp Lane" not in push.raw.decode()
        assert push.urgency == "high"
        assert 0 < push.ttl <= minutes * 60
        assert push.topic == topic and len(topic) <= 32  # Web Push's limit
    assert push_service.received_by("bar-tablet") == []

    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert "Asked 2 Street Pastors, waiting for an answer." in page
    state = venue_client.get(f"/api/help/{help_id}")
    assert state.headers["Cache-Control"] == "no-store"
    assert state.json["outcome"] == "open" and state.json["closed"] is False

    # A pastor sees where and why, and accepts.
    lee, other = client_of(app, "lee"), client_of(app, "max")
    page = lee.get(f"/help/{help_id}").get_data(as_text=True)
    assert "1 Lamp Lane" in page and "Accept: on our way" in page
    assert accept(lee, help_id, eta=5).status_code == 302

    # The venue sees who is coming and when, on the page and from the API.
    text = "Lee (Friday team) is on the way, about 5 minutes."
    assert text in venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    state = venue_client.get(f"/api/help/{help_id}").json
    assert state["outcome"] == "accepted" and state["closed"] is True
    assert state["eta_minutes"] == 5 and state["accepted_by"] == "Lee"
    assert text in state["html"]
    [told] = push_service.received_by("bar-tablet")
    assert told.payload["kind"] == "help_accepted" and told.urgency == "high"

    # The other pastor sees it taken, and their alert is replaced (same topic).
    page = other.get(f"/help/{help_id}").get_data(as_text=True)
    assert "Already taken by Lee (Friday team)." in page
    assert "Accept: on our way" not in page
    taken = push_service.received_by("max-phone")[-1]
    assert taken.payload["kind"] == "help_taken" and taken.topic == topic
    assert len(push_service.received_by("lee-phone")) == 1  # the winner is not told again

    # A second accept loses.
    assert accept(other, help_id, eta=10).status_code == 302
    req = db.session.get(HelpRequest, help_id)
    assert (req.outcome, req.accepted_by_id, req.eta_minutes) == ("accepted", night["lee"].id, 5)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == help_id)
    ).all()
    assert sorted(actions) == ["help_accepted", "help_requested"]


def test_two_accepts_at_once_one_wins(app, night, push_service):  # noqa: F811
    """Two pastors, each in a session of their own, both load the request while it is
    open and then accept at the same moment: each holds a copy that still reads "open",
    so only the conditional UPDATE can decide (a check-then-set lets both win)."""
    from alerts import help_requests

    help_id = ask(client_of(app, "sam"))
    pastors = {"lee": (night["lee"].id, 5), "max": (night["max"].id, 10)}
    loaded, go = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30)
    won, failed = {}, []
    db.session.commit()  # on SQLite the test's own open transaction would hold the lock

    def pastor(name: str) -> None:
        user_id, eta = pastors[name]
        try:
            with app.app_context():  # a session of its own
                session = db.session()
                session.expire_on_commit = False  # keep the copy as it was read
                req, user = session.get(HelpRequest, help_id), session.get(User, user_id)
                assert req.outcome == "open"
                session.commit()  # read, and let go of SQLite's lock
                loaded.wait()  # both copies read "open" before either accepts
                go.wait()
                assert req.outcome == "open"  # still, in this stale copy
                won[name] = help_requests.accept(req, user, eta)
                session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported in the test's thread)
            failed.append(error)
            loaded.abort()
            go.abort()

    threads = [threading.Thread(target=pastor, args=(name,)) for name in pastors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failed, failed
    assert sorted(won.values()) == [False, True]
    winner = next(name for name, won_it in won.items() if won_it)
    db.session.expire_all()
    req = db.session.get(HelpRequest, help_id)
    assert (req.outcome, req.accepted_by_id, req.eta_minutes) == ("accepted", *pastors[winner])
    told = select(func.count()).select_from(Alert).filter_by(kind="help_accepted")
    assert db.session.scalar(told) == 1  # the venue is told once, of the winner


# A request looked at after its time is timed out, once, and its venue told to phone.


def expire(help_id: str) -> None:
    db.session.get(HelpRequest, help_id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


@contextmanager
def a_write_lands_before(db_url: str, table: str):
    """Just before this app's first UPDATE of `table`, another connection writes and
    commits. On SQLite a transaction that has read and then writes fails at once with
    "database is locked" when that happens; one that starts with the write waits its turn."""
    other = sa.create_engine(db_url)
    landed = []

    def before(_conn, _cursor, statement, *_args) -> None:
        if not landed and statement.lstrip().upper().startswith(f"UPDATE {table.upper()} "):
            with other.begin() as conn:
                values = {"name": f"Meanwhile {uuid.uuid4().hex[:8]}", "at": utcnow()}
                conn.execute(
                    sa.text("INSERT INTO scheme (name, created_at) VALUES (:name, :at)"), values
                )
            landed.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield landed
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
        other.dispose()


@pytest.mark.parametrize("path", ["/help/{}", "/api/help/{}"])
def test_a_get_that_times_out_a_request_survives_another_write(app, night, db_url, path):
    venue_client = client_of(app, "sam")
    help_id = ask(venue_client)
    expire(help_id)
    with a_write_lands_before(db_url, "help_request") as landed:
        response = venue_client.get(path.format(help_id))
    assert landed, "the request was not timed out by an UPDATE"
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(HelpRequest, help_id).outcome == "timed_out"


def timed_out_alerts() -> list[Alert]:
    db.session.expire_all()
    return db.session.scalars(select(Alert).filter_by(kind="help_timed_out")).all()


@pytest.mark.parametrize("first", ["page", "api", "cli"])
def test_a_timeout_tells_the_venue_once(app, runner, night, push_service, first):  # noqa: F811
    subscribe(push_service, night["staff"], "bar-tablet")
    subscribe(push_service, night["lee"], "lee-phone")
    venue_client = client_of(app, "sam")
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


def test_two_sweeps_with_stale_copies_time_out_once(app, night):
    """Each sweep read the request as open and past its time: the UPDATE picks one."""
    from alerts import help_requests

    help_id = ask(client_of(app, "sam"))
    expire(help_id)
    assert help_requests.time_out(help_id) is True
    assert help_requests.time_out(help_id) is False
    db.session.commit()
    assert len(timed_out_alerts()) == 1


def test_a_second_send_shows_the_request_on_its_way(app, night, push_service):  # noqa: F811
    subscribe(push_service, night["lee"], "lee-phone")
    venue_client = client_of(app, "sam")
    help_id = ask(venue_client)
    assert ask(venue_client, "unwell") == help_id  # a double tap: the same request
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert "Your call for help is already on its way." in page
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 1
    assert len(push_service.received_by("lee-phone")) == 1
    # Once it is answered, or past its time, the venue may ask again.
    expire(help_id)
    again = ask(venue_client)
    assert again != help_id
    token = csrf_token(venue_client, "/account")
    venue_client.post(f"/help/{again}/cancel", data={"csrf_token": token})
    assert ask(venue_client) not in (help_id, again)


def test_another_venue_may_ask_while_one_waits(app, night, make_person, scheme):
    other = Venue(scheme_id=scheme.id, name="The Other", status="active")
    db.session.add(other)
    db.session.commit()
    make_person("otto", roles=["venue_staff"], venues=[other])
    first = ask(client_of(app, "sam"))
    assert ask(client_of(app, "otto")) != first


def test_timeout_tells_the_venue_to_phone(app, night, push_service):  # noqa: F811
    venue_client = client_of(app, "sam")
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
    accept(client_of(app, "lee"), help_id)
    assert db.session.get(HelpRequest, help_id).outcome == "timed_out"
    events = select(func.count()).where(
        AuditEvent.target_id == help_id, AuditEvent.action == "help_timed_out"
    )
    assert db.session.scalar(events) == 1  # read twice, timed out once


def test_timeout_falls_back_to_every_teams_duty_phone(app, night, team, scheme):
    db.session.execute(Patrol.__table__.update().values(ended_at=utcnow()))
    team.duty_phone = ""
    db.session.add(Team(scheme_id=scheme.id, name="Saturday team", duty_phone="07700 900123"))
    db.session.commit()
    on_patrol(team, night["lee"])  # on patrol, but their team has no number
    venue_client = client_of(app, "sam")
    help_id = ask(venue_client)
    db.session.get(HelpRequest, help_id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert venue_client.get(f"/api/help/{help_id}").json["phones"] == ["07700 900123"]


def test_the_offline_page_gives_a_venue_every_teams_duty_phone(app, night, scheme):
    """A venue's tablet keeps its offline page: with no connection it cannot ask, so the
    page offers every team's phone (none is known to be on patrol), and 999."""
    db.session.add(Team(scheme_id=scheme.id, name="Saturday team", duty_phone="07700 900123"))
    db.session.add(Team(scheme_id=scheme.id, name="Sunday team"))  # no phone: not listed
    db.session.commit()
    page = client_of(app, "sam").get("/offline").get_data(as_text=True)
    assert "Need the Street Pastors?" in page
    assert re.findall(r'href="tel:([0-9]+)"', page) == ["01892000111", "07700900123", "999"]
    assert "Sunday team" not in page
    # A pastor, or someone signed out, has no venue to ask for.
    assert "Need the Street Pastors?" not in client_of(app, "lee").get("/offline").get_data(
        as_text=True
    )
    assert "tel:" not in app.test_client().get("/offline").get_data(as_text=True)


def test_the_offline_page_without_duty_phones_says_whom_to_ask(app, night, team):
    team.duty_phone = ""
    db.session.commit()
    page = client_of(app, "sam").get("/offline").get_data(as_text=True)
    assert "There is no Street Pastors' duty phone number to call." in page
    assert re.findall(r'href="tel:([0-9]+)"', page) == ["999"]


def test_nobody_on_patrol_is_told_at_once(app, night, push_service):  # noqa: F811
    subscribe(push_service, night["lee"], "lee-phone")
    db.session.execute(Patrol.__table__.update().values(ended_at=utcnow()))
    db.session.commit()
    venue_client = client_of(app, "sam")
    help_id = ask(venue_client, "unwell")
    req = db.session.get(HelpRequest, help_id)
    assert (req.outcome, req.asked_pastors) == ("no_patrol", 0)
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert "No Street Pastors are on patrol now." in page and "01892 000111" in page
    assert push_service.received == []


def test_cancel_tells_the_pastors(app, night, push_service):  # noqa: F811
    subscribe(push_service, night["lee"], "lee-phone")
    venue_client = client_of(app, "sam")
    help_id = ask(venue_client)
    token = csrf_token(venue_client, "/account")
    assert (
        venue_client.post(f"/help/{help_id}/cancel", data={"csrf_token": token}).status_code == 302
    )
    assert db.session.get(HelpRequest, help_id).outcome == "cancelled"
    pushes = push_service.received_by("lee-phone")
    assert [p.payload["kind"] for p in pushes] == ["help_request", "help_cancelled"]
    assert pushes[1].topic == pushes[0].topic
    assert "Cancelled: no longer needed." in venue_client.get(f"/help/{help_id}").get_data(
        as_text=True
    )


def test_who_may_see_a_request(app, night, make_person, venue, scheme):
    help_id = ask(client_of(app, "sam"))
    other_venue = Venue(scheme_id=scheme.id, name="The Other", status="active")
    elsewhere = Scheme(name="Elsewhere")
    db.session.add_all([other_venue, elsewhere])
    db.session.commit()
    make_person("otto", roles=["venue_staff"], venues=[other_venue])
    make_person("pat", roles=["partner"])
    make_person("idle", roles=["pastor"])  # of the scheme, but not on patrol nor asked
    from accounts import services

    services.create_person(elsewhere, "Far", "far", "correct-horse-lantern", roles={"pastor"})
    db.session.commit()
    expected = {"otto": 404, "pat": 403, "idle": 404, "far": 404, "cora": 200, "max": 200}
    for username, status in expected.items():
        client = client_of(app, username)
        assert client.get(f"/help/{help_id}").status_code == status, username
        assert client.get(f"/api/help/{help_id}").status_code == status, username
    otto = client_of(app, "otto")
    token = csrf_token(otto, "/account")
    assert otto.post(f"/help/{help_id}/cancel", data={"csrf_token": token}).status_code == 404
    # A pastor cannot cancel, nor venue staff accept.
    lee = client_of(app, "lee")
    assert lee.post(f"/help/{help_id}/cancel", data={"csrf_token": token}).status_code in (
        400,
        403,
    )
    assert db.session.get(HelpRequest, help_id).outcome == "open"


def test_every_post_needs_its_csrf_token(app, night):
    venue_client = client_of(app, "sam")
    assert venue_client.post("/help/new", data={"reason": "unwell"}).status_code == 400
    help_id = ask(venue_client)
    lee = client_of(app, "lee")
    assert lee.post(f"/help/{help_id}/accept", data={"eta": 5}).status_code == 400
    assert venue_client.post(f"/help/{help_id}/cancel").status_code == 400
    assert db.session.get(HelpRequest, help_id).outcome == "open"


def test_reason_comes_from_the_list(app, night):
    venue_client = client_of(app, "sam")
    token = csrf_token(venue_client, "/help/new")
    response = venue_client.post("/help/new", data={"csrf_token": token, "reason": "a name"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 0


def test_the_page_has_a_live_region_and_works_without_script(app, night):
    venue_client = client_of(app, "sam")
    page = venue_client.get("/help/new").get_data(as_text=True)
    assert "<fieldset" in page and "<legend>What do you need help with?</legend>" in page
    help_id = ask(venue_client)
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert 'role="status" aria-live="polite"' in page
    assert f'href="/help/{help_id}" id="help-refresh"' in page
    assert "js/help.js" in page
    page = venue_client.get("/help/new").get_data(as_text=True)
    assert "Recent requests" in page and f'href="/help/{help_id}"' in page and "Waiting" in page


def test_the_live_region_changes_only_with_the_outcome(app, night):
    """A screen reader reads the live region again whenever it changes: the minutes since
    asking, which change each minute, are beside it, not in it."""
    venue_client = client_of(app, "sam")
    help_id = ask(venue_client)
    db.session.get(HelpRequest, help_id).asked_at = utcnow() - timedelta(minutes=3)
    db.session.commit()
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    region = re.search(r'<div id="help-status".*?</div>', page, re.S).group(0)
    assert "Asked 2 Street Pastors, waiting for an answer." in region
    assert "ago" not in region and 'tabindex="-1"' in region
    assert '<p class="help-age" id="help-age">Asked 3 minutes ago.</p>' in page
    state = venue_client.get(f"/api/help/{help_id}").json
    assert "ago" not in state["html"] and state["age"] == "Asked 3 minutes ago."
    accept(client_of(app, "lee"), help_id)
    state = venue_client.get(f"/api/help/{help_id}").json
    assert state["age"] is None
    assert "help-age" not in venue_client.get(f"/help/{help_id}").get_data(as_text=True)


# Hand-overs.


def contact_data(venue, **more) -> dict:
    from core.timeutil import to_london

    at = to_london(utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    return {
        "id": str(uuid.uuid4()),
        "at": at,
        "people": "1",
        "given": ["handover"],
        "handover_venue_id": str(venue.id),
    } | more


def handover_alerts() -> list[Alert]:
    return db.session.scalars(select(Alert).filter_by(kind="handover")).all()


def test_a_handover_from_the_form_alerts_the_venue_once(app, night, venue, push_service):  # noqa: F811
    subscribe(push_service, night["staff"], "bar-tablet")
    patrol = db.session.scalar(select(Patrol))
    lee = client_of(app, "lee")
    url = f"/patrols/{patrol.id}/contacts/new"
    data = contact_data(venue) | {"csrf_token": csrf_token(lee, url)}
    assert lee.post(url, data=data).status_code == 302
    assert lee.post(url, data=data).status_code == 302  # sent twice: stored once
    [alert] = handover_alerts()
    assert alert.urgency == "high" and alert.url == "/visits#handovers"
    recipients = db.session.scalars(select(AlertRecipient.user_id).filter_by(alert_id=alert.id))
    assert list(recipients) == [night["staff"].id]
    [push] = push_service.received_by("bar-tablet")
    assert push.payload["kind"] == "handover" and push.ttl <= 3600
    assert push.payload["title"] == "Street Pastors are bringing someone to you"


def test_a_handover_saved_twice_alerts_the_venue_once(app, night, venue, push_service, monkeypatch):  # noqa: F811
    """Two saves of one contact that both get past records.create's own check (two
    devices syncing it at once, say) both reach handover_alert: the alert's dedupe_key
    is what keeps the venue from being told twice."""
    from core import records

    subscribe(push_service, night["staff"], "bar-tablet")
    patrol = db.session.scalar(select(Patrol))
    lee = client_of(app, "lee")
    url = f"/patrols/{patrol.id}/contacts/new"
    data = contact_data(venue) | {"csrf_token": csrf_token(lee, url)}
    assert lee.post(url, data=data).status_code == 302
    real = records.create

    def raced(model, revision, record_id, *args, **kwargs):
        found = db.session.get(model, record_id)
        if found is None:
            return real(model, revision, record_id, *args, **kwargs)
        return found, True  # as if this save had not seen the other's yet

    monkeypatch.setattr(records, "create", raced)
    assert lee.post(url, data=data).status_code == 302
    [alert] = handover_alerts()
    assert alert.dedupe_key == f"handover-{data['id']}"
    assert [p.payload["kind"] for p in push_service.received_by("bar-tablet")] == ["handover"]


def test_a_contact_without_handover_alerts_nobody(app, night, venue):
    patrol = db.session.scalar(select(Patrol))
    lee = client_of(app, "lee")
    url = f"/patrols/{patrol.id}/contacts/new"
    data = contact_data(venue, given=["water"], handover_venue_id="0")
    assert lee.post(url, data=data | {"csrf_token": csrf_token(lee, url)}).status_code == 302
    assert handover_alerts() == []


# The outbox that the synced entries below come from: their author tokens are made for it.
DEVICE = str(uuid.uuid4())


def sync_entry(app, author, patrol, data: dict) -> dict:
    from sync.authors import author_token

    with app.test_request_context():
        token = author_token(author, DEVICE)
    return {
        "op": str(uuid.uuid4()),
        "kind": "contact",
        "id": data["id"],
        "patrol": patrol.id,
        "seq": 1,
        "saved_at": "2026-01-01T00:00:00Z",
        "author": token,
        "data": data,
    }


def test_a_handover_by_sync_alerts_the_venue_once(app, night, venue):
    patrol = db.session.scalar(select(Patrol))
    lee = client_of(app, "lee")
    handed = sync_entry(app, night["lee"], patrol, contact_data(venue))
    plain = sync_entry(app, night["lee"], patrol, contact_data(venue, given=["water"]) | {})
    plain["data"].pop("handover_venue_id")
    body = {"device": DEVICE, "records": [plain, handed]}
    headers = {"X-CSRFToken": lee.get("/api/session").json["csrf"]}
    first = lee.post("/api/sync", json=body, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert [r["status"] for r in first.json["results"]] == ["created", "created"]
    resend = dict(handed, op=str(uuid.uuid4()))  # the same contact under a new entry id
    body = {"device": body["device"], "records": [handed, resend]}
    again = lee.post("/api/sync", json=body, headers=headers)
    assert [r["status"] for r in again.json["results"]] == ["duplicate", "duplicate"]
    [alert] = handover_alerts()
    assert alert.subject_id == handed["id"]


# Reports.


def call_for_help(venue, staff, asked_at, expires_at, reason="other", **fields) -> HelpRequest:
    """A call for help from this venue's staff, added to the session as it is stored."""
    req = HelpRequest(
        id=str(uuid.uuid4()),
        scheme_id=venue.scheme_id,
        venue_id=venue.id,
        reason=reason,
        asked_by_id=staff.id,
        asked_at=asked_at,
        expires_at=expires_at,
        **fields,
    )
    db.session.add(req)
    return req


def calls_for_help(venue, staff, *outcomes) -> None:
    """Calls asked five minutes ago; ("accepted", minutes) is accepted after so long."""
    asked = utcnow() - timedelta(minutes=5)
    expires = asked + timedelta(minutes=10)
    for outcome in outcomes:
        kind, wait = outcome if isinstance(outcome, tuple) else (outcome, None)
        accepted = asked + timedelta(minutes=wait) if wait else None
        call_for_help(venue, staff, asked, expires, outcome=kind, accepted_at=accepted)
    db.session.commit()


def test_the_dashboard_counts_calls_for_help(app, night, venue):
    outcomes = [("accepted", 2), ("accepted", 4), ("accepted", 9)]
    calls_for_help(venue, night["staff"], *outcomes, "timed_out", "cancelled", "no_patrol")
    page = client_of(app, "cora").get("/reports?period=week").get_data(as_text=True)
    rows = {
        "Calls for help from Safe Havens": "6",
        "Calls for help accepted by a Street Pastor": "3",
        "Calls for help nobody accepted in time": "1",
        "Calls for help cancelled by the venue": "1",
        "Calls for help with no patrol on duty": "1",
        "Median minutes to accept a call for help": "4.0",
    }
    for label, value in rows.items():
        assert f'<th scope="row">{label}</th>' + f"<td>{value}</td>" * 3 in page, label
    assert 'id="help-requests"' in page  # the table behind the chart
    assert "Calls for help from Safe Havens to Street Pastors, by venue" in page


def test_the_dashboard_shows_no_median_without_an_acceptance(app, night):
    page = client_of(app, "cora").get("/reports").get_data(as_text=True)
    assert '<th scope="row">Median minutes to accept a call for help</th><td>–</td>' in page


def test_the_quarterly_report_counts_calls_for_help_and_hides_small_ones(app, night, venue):
    from reports import quarterly
    from reports.periods import quarter_of, tonight

    many = [("accepted", 3)] * 8
    calls_for_help(venue, night["staff"], *many, "timed_out", "timed_out", "no_patrol", "open")
    period = quarter_of(tonight())
    with app.test_request_context():
        data = quarterly.gather(venue.scheme_id, period)
        everyone = quarterly.build(data, "Testbridge", period, partner_view=False, small_max=5)
        partners = quarterly.build(data, "Testbridge", period, partner_view=True, small_max=5)

    def figures(report):
        found = next(t for t in report.tables() if t.id == "help-requests")
        return {row.label: row.cells[0].text for row in found.rows}

    assert figures(everyone) == {
        "Accepted by a Street Pastor": "8",
        "Nobody accepted in time": "2",
        "Cancelled by the venue": "0",
        "No patrol on duty": "1",
        "Still waiting for an answer": "1",
        "All calls for help": "12",
    }
    shown = figures(partners)
    assert shown["Accepted by a Street Pastor"] == "8" and shown["All calls for help"] == "12"
    assert shown["Nobody accepted in time"] in ("1-5", "[c]")
    assert shown["No patrol on duty"] in ("1-5", "[c]")
    assert "2" not in shown.values() and "1" not in shown.values()


@pytest.mark.parametrize(
    ("phone", "status", "stored"),
    [("01892 000 222", 302, "01892 000 222"), ("", 302, ""), ("call Lee", 400, "01892 000111")],
)
def test_a_coordinator_sets_a_teams_duty_phone(app, night, team, phone, status, stored):
    cora = client_of(app, "cora")
    token = csrf_token(cora, "/teams")
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


def test_only_a_coordinator_of_the_scheme_sets_a_duty_phone(app, night, team):
    lee = client_of(app, "lee")
    token = csrf_token(lee, "/account")
    data = {f"team-{team.id}-csrf_token": token, f"team-{team.id}-duty_phone": "999"}
    assert lee.post(f"/teams/{team.id}/phone", data=data).status_code == 403
    assert db.session.get(Team, team.id).duty_phone == "01892 000111"


def test_a_handover_synced_long_after_alerts_nobody(app, night, venue):
    from core.timeutil import to_london

    patrol = db.session.scalar(select(Patrol))
    lee = client_of(app, "lee")
    late = to_london(utcnow() - timedelta(minutes=61)).strftime("%Y-%m-%dT%H:%M")
    entry = sync_entry(app, night["lee"], patrol, contact_data(venue, at=late))
    headers = {"X-CSRFToken": lee.get("/api/session").json["csrf"]}
    body = {"device": DEVICE, "records": [entry]}
    response = lee.post("/api/sync", json=body, headers=headers)
    assert [r["status"] for r in response.json["results"]] == ["created"]
    assert handover_alerts() == []


# In Chromium: the venue's page follows the request by itself (static/js/help.js).

live_app = test_browser.live_app
live_server = test_browser.live_server
browser = test_browser.browser
browsing = test_browser.browsing


@pytest.mark.browser
def test_the_venues_page_follows_the_request(live_app, browsing):
    from alerts import help_requests

    with live_app.app_context():
        pastor = db.session.scalar(select(User).filter_by(username="pastor"))
        team = db.session.scalar(select(Team).filter_by(name="Friday team"))
        on_patrol(team, pastor)
        team_name, pastor_id = team.name, pastor.id
        db.session.remove()
    page = browsing.page()
    test_browser.sign_in(page, "staff")
    page.get_by_role("link", name="Ask Street Pastors for help").first.click()
    reasons = page.get_by_role("group", name="What do you need help with?")
    reasons.locator("label.chip").filter(has_text="Someone unwell").click()
    page.get_by_role("button", name="Send", exact=True).click()
    status = page.get_by_role("status").filter(has_text="Asked")
    expect(status).to_contain_text("Asked 1 Street Pastor, waiting for an answer.")
    help_id = page.url.rsplit("/", 1)[1]
    # The minutes since asking are beside the live region, not in it.
    expect(page.locator("#help-age")).to_contain_text("ago.")
    expect(page.locator("#help-status")).not_to_contain_text("ago")
    page.evaluate(
        """() => {
          window.regionChanges = 0;
          new MutationObserver((records) => { window.regionChanges += records.length; })
            .observe(document.getElementById("help-status"),
                     { childList: true, subtree: true, characterData: true });
        }"""
    )
    # The server fails twice (a 503, then no answer at all): the page keeps asking.
    failures = ["503", "abort"]

    def flaky(route):
        if not failures:
            route.continue_()
        elif failures.pop(0) == "abort":
            route.abort()
        else:
            route.fulfill(status=503, body="Service Unavailable")

    page.route("**/api/help/*", flaky)
    with live_app.app_context():
        req = db.session.get(HelpRequest, help_id)
        assert help_requests.accept(req, db.session.get(User, pastor_id), 10)
        db.session.commit()
        db.session.remove()
    # Within one 5-second poll of the server answering again, without a reload, the live
    # region says who is coming; the forms go, and focus moves to the status.
    expect(page.locator("#help-status")).to_contain_text(
        f"Pat ({team_name}) is on the way, about 10 minutes.", timeout=25_000
    )
    assert failures == []
    expect(page.locator("#help-cancel")).to_have_count(0)
    expect(page.locator("#help-age")).to_have_count(0)
    expect(page.locator("#help-status")).to_be_focused()
    page.wait_for_timeout(6_000)  # one more poll would find it closed: it has stopped
    assert page.evaluate("window.regionChanges") == 1  # replaced once, when it changed
    errors = browsing.errors[browsing.accepted :]
    assert all("Failed to load resource" in error for error in errors), errors
    browsing.accepted = len(browsing.errors)
    browsing.assert_no_errors()
