"""Coordinators' notices: who each audience is, the record of who got one, and that the
words stay in the app."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from alerts.models import AlertRecipient, Notice, PushDelivery
from alerts.notices import ttl_until_morning
from core.timeutil import to_utc
from extensions import db

TEXT = "Patrol cancelled tonight: the Friday team is not out."


@pytest.fixture
def people(app, make_person, make_team, make_patrol, venue, team):
    saturday = make_team("Saturday team")
    found = {
        "cora": make_person("cora", roles=["coordinator"]),
        "sam": make_person("sam", roles=["venue_staff"], venues=[venue]),
        "lee": make_person("lee", roles=["pastor"], teams=[team]),
        "max": make_person("max", roles=["pastor"], teams=[saturday]),
        "pat": make_person("pat", roles=["partner"]),
    }
    make_patrol(saturday, [found["max"]])
    return found


@pytest.fixture
def send(auth):
    """Factory: a notice sent through the coordinator's form."""

    def send_(client, **data):
        token = auth.csrf("/notices", client=client)
        return client.post("/notices", data={"csrf_token": token, "text": TEXT} | data)

    return send_


def recipients(notice: Notice) -> set[str]:
    stmt = select(AlertRecipient).filter_by(alert_id=notice.alert_id)
    return {row.user.username for row in db.session.scalars(stmt)}


@pytest.mark.parametrize(
    ("audience", "expected"),
    [("team", {"lee"}), ("venues", {"sam"}), ("on_duty", {"max"})],
)
def test_audiences_reach_the_right_people(app, people, team, client_of, send, audience, expected):
    cora = client_of("cora")
    data = {"audience": audience, "team_id": team.id if audience == "team" else 0}
    response = send(cora, **data)
    assert response.status_code == 302, response.get_data(as_text=True)
    notice = db.session.scalar(select(Notice))
    assert (notice.audience, notice.text) == (audience, TEXT)
    assert recipients(notice) == expected
    assert notice.alert.kind == "notice" and notice.alert.url == f"/notices/{notice.id}"


def test_the_push_holds_no_text_and_the_record_shows_who_got_it(
    app, people, push_service, client_of, send, subscribe
):
    subscribe(people["max"], "max-phone")
    cora = client_of("cora")
    assert send(cora, audience="on_duty", team_id=0).status_code == 302
    [push] = push_service.received_by("max-phone")
    assert push.payload["kind"] == "notice"
    assert "cancelled" not in push.raw.decode() and "Friday" not in push.raw.decode()
    assert push.urgency == "normal" and 3600 <= push.ttl <= 24 * 3600
    notice = db.session.scalar(select(Notice))

    page = cora.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "Max" in page and "pushed" in page and "Not yet" in page

    # Max reads it in the app; the record says so.
    max_client = client_of("max")
    assert TEXT in max_client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert db.session.scalar(select(AlertRecipient.read_at)) is not None
    page = cora.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "Not yet" not in page


def test_the_record_names_people_without_push_and_gone_devices(
    app, people, team, push_service, client_of, send, subscribe
):
    # Sam's tablet has unsubscribed (410); Lee never turned alerts on.
    subscribe(people["sam"], "bar-tablet")
    push_service.script("bar-tablet", 410)
    cora = client_of("cora")
    assert send(cora, audience="venues", team_id=0).status_code == 302
    notice = db.session.scalar(select(Notice))
    statuses = db.session.scalars(select(PushDelivery.status)).all()
    assert statuses == ["gone"]
    page = cora.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "gone (device unsubscribed)" in page
    assert send(cora, audience="team", team_id=team.id).status_code == 302
    second = db.session.scalars(select(Notice).order_by(Notice.id.desc())).first()
    assert "not subscribed" in cora.get(f"/notices/{second.id}").get_data(as_text=True)


def test_only_coordinators_send_and_only_recipients_read(app, people, team, auth, client_of, send):
    cora = client_of("cora")
    assert send(cora, audience="team", team_id=team.id).status_code == 302
    notice = db.session.scalar(select(Notice))
    for username in ("pat", "lee", "sam"):
        client = client_of(username)
        assert client.get("/notices").status_code == 403
        token = auth.csrf("/account", client=client)
        data = {"csrf_token": token, "audience": "venues", "text": "x", "team_id": 0}
        assert client.post("/notices", data=data).status_code == 403
    assert client_of("lee").get(f"/notices/{notice.id}").status_code == 200
    assert client_of("sam").get(f"/notices/{notice.id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"audience": "team", "team_id": 0}, "Choose the team."),
        ({"audience": "venues", "team_id": 0, "text": "x" * 201}, "200 characters or fewer"),
        ({"audience": "venues", "team_id": 0, "text": ""}, "Write the notice."),
        ({"team_id": 0}, "Choose who gets the notice."),
    ],
)
def test_a_notice_is_checked(app, people, client_of, send, data, error):
    cora = client_of("cora")
    response = send(cora, **data)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_the_form_asks_for_no_names_and_csrf_is_needed(app, people, client_of):
    cora = client_of("cora")
    page = cora.get("/notices").get_data(as_text=True)
    assert "Do not include names: keep personal details out." in page
    assert "<legend>Send to</legend>" in page
    response = cora.post("/notices", data={"audience": "venues", "text": TEXT, "team_id": 0})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


@pytest.mark.parametrize(
    ("london", "hours"),
    [
        (datetime(2026, 11, 20, 22, 0), 8),  # Friday 22:00 to Saturday 06:00
        (datetime(2026, 11, 21, 2, 0), 4),  # 02:00 to 06:00 the same morning
        (datetime(2026, 11, 21, 5, 30), 1),  # half an hour left: at least an hour
        (datetime(2026, 3, 28, 22, 0), 7),  # the clocks go forward in the night
    ],
)
def test_a_notice_lasts_until_six_in_the_morning(london, hours):
    assert ttl_until_morning(to_utc(london)) == hours * 3600


def test_reading_a_notice_survives_another_write(
    app, people, client_of, send, a_write_lands_before
):
    """Opening a notice marks it read: a write on a GET, after another write landed."""
    assert send(client_of("cora"), audience="on_duty", team_id=0).status_code == 302
    notice_id = db.session.scalar(select(Notice.id))
    max_client = client_of("max")
    with a_write_lands_before("alert_recipient") as landed:
        response = max_client.get(f"/notices/{notice_id}")
    assert landed, "the notice was not marked read by an UPDATE"
    assert response.status_code == 200 and TEXT in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(AlertRecipient.read_at)) is not None
