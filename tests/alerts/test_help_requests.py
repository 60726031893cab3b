"""A venue's call for help, end to end with the fake push service: asked, pushed to the
pastors on patrol, accepted by one, seen taken by the other; asked twice, cancelled, and
nobody on patrol; who may see it, and its page, which works without script.

`night` (tests/alerts/conftest.py) is the venue, its staff, two pastors on patrol and a
coordinator; `ask` and `accept` go through the pages.
"""

import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from accounts.models import User
from alerts.models import Alert, HelpRequest
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db
from havens.models import Venue
from patrols.models import Patrol


def test_the_full_flow(app, night, push_service, venue, client_of, ask, accept, subscribe):
    subscribe(night["lee"], "lee-phone")
    subscribe(night["max"], "max-phone")
    subscribe(night["staff"], "bar-tablet")
    venue_client = client_of("sam")

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
    lee, other = client_of("lee"), client_of("max")
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


def test_two_accepts_at_once_one_wins(app, night, push_service, client_of, ask):
    """Two pastors, each in a session of their own, both load the request while it is
    open and then accept at the same moment: each holds a copy that still reads "open",
    so only the conditional UPDATE can decide (a check-then-set lets both win)."""
    from alerts import help_requests

    help_id = ask(client_of("sam"))
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


def test_a_second_send_shows_the_request_on_its_way(
    app, night, push_service, auth, client_of, ask, expire, subscribe
):
    subscribe(night["lee"], "lee-phone")
    venue_client = client_of("sam")
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
    token = auth.csrf("/account", client=venue_client)
    venue_client.post(f"/help/{again}/cancel", data={"csrf_token": token})
    assert ask(venue_client) not in (help_id, again)


def test_another_venue_may_ask_while_one_waits(app, night, make_person, scheme, client_of, ask):
    other = Venue(scheme_id=scheme.id, name="The Other", status="active")
    db.session.add(other)
    db.session.commit()
    make_person("otto", roles=["venue_staff"], venues=[other])
    first = ask(client_of("sam"))
    assert ask(client_of("otto")) != first


def test_nobody_on_patrol_is_told_at_once(app, night, push_service, client_of, ask, subscribe):
    subscribe(night["lee"], "lee-phone")
    db.session.execute(Patrol.__table__.update().values(ended_at=utcnow()))
    db.session.commit()
    venue_client = client_of("sam")
    help_id = ask(venue_client, "unwell")
    req = db.session.get(HelpRequest, help_id)
    assert (req.outcome, req.asked_pastors) == ("no_patrol", 0)
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert "No Street Pastors are on patrol now." in page and "01892 000111" in page
    assert push_service.received == []


def test_cancel_tells_the_pastors(app, night, push_service, auth, client_of, ask, subscribe):
    subscribe(night["lee"], "lee-phone")
    venue_client = client_of("sam")
    help_id = ask(venue_client)
    token = auth.csrf("/account", client=venue_client)
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


def test_who_may_see_a_request(
    app, night, make_person, make_venue, make_scheme, venue, auth, client_of, ask
):
    help_id = ask(client_of("sam"))
    other_venue = make_venue("The Other")
    elsewhere = make_scheme("Elsewhere")
    make_person("otto", roles=["venue_staff"], venues=[other_venue])
    make_person("pat", roles=["partner"])
    make_person("idle", roles=["pastor"])  # of the scheme, but not on patrol nor asked
    make_person("far", roles=["pastor"], scheme=elsewhere)
    expected = {"otto": 404, "pat": 403, "idle": 404, "far": 404, "cora": 200, "max": 200}
    for username, status in expected.items():
        client = client_of(username)
        assert client.get(f"/help/{help_id}").status_code == status, username
        assert client.get(f"/api/help/{help_id}").status_code == status, username
    otto = client_of("otto")
    token = auth.csrf("/account", client=otto)
    assert otto.post(f"/help/{help_id}/cancel", data={"csrf_token": token}).status_code == 404
    # A pastor cannot cancel, nor venue staff accept.
    lee = client_of("lee")
    assert lee.post(f"/help/{help_id}/cancel", data={"csrf_token": token}).status_code in (
        400,
        403,
    )
    assert db.session.get(HelpRequest, help_id).outcome == "open"


def test_every_post_needs_its_csrf_token(app, night, client_of, ask):
    venue_client = client_of("sam")
    assert venue_client.post("/help/new", data={"reason": "unwell"}).status_code == 400
    help_id = ask(venue_client)
    lee = client_of("lee")
    assert lee.post(f"/help/{help_id}/accept", data={"eta": 5}).status_code == 400
    assert venue_client.post(f"/help/{help_id}/cancel").status_code == 400
    assert db.session.get(HelpRequest, help_id).outcome == "open"


def test_reason_comes_from_the_list(app, night, auth, client_of):
    venue_client = client_of("sam")
    token = auth.csrf("/help/new", client=venue_client)
    response = venue_client.post("/help/new", data={"csrf_token": token, "reason": "a name"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 0


def test_the_page_has_a_live_region_and_works_without_script(app, night, client_of, ask):
    venue_client = client_of("sam")
    page = venue_client.get("/help/new").get_data(as_text=True)
    assert "<fieldset" in page and "<legend>What do you need help with?</legend>" in page
    help_id = ask(venue_client)
    page = venue_client.get(f"/help/{help_id}").get_data(as_text=True)
    assert 'role="status" aria-live="polite"' in page
    assert f'href="/help/{help_id}" id="help-refresh"' in page
    assert "js/help.js" in page
    page = venue_client.get("/help/new").get_data(as_text=True)
    assert "Recent requests" in page and f'href="/help/{help_id}"' in page and "Waiting" in page


def test_the_live_region_changes_only_with_the_outcome(app, night, client_of, ask, accept):
    """A screen reader reads the live region again whenever it changes: the minutes since
    asking, which change each minute, are beside it, not in it."""
    venue_client = client_of("sam")
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
    accept(client_of("lee"), help_id)
    state = venue_client.get(f"/api/help/{help_id}").json
    assert state["age"] is None
    assert "help-age" not in venue_client.get(f"/help/{help_id}").get_data(as_text=True)
