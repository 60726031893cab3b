"""Fixtures of the alerts tests: the fake push service and browsers subscribed to it,
alerts and their deliveries, and a night with a venue's call for help to answer.

The fake push service itself is tests/alerts/push_service.py.
"""

import re
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from alerts import services
from alerts.models import HelpRequest, PushDelivery, PushSubscription
from core.timeutil import utcnow
from extensions import db
from tests.alerts.push_service import serve

# ------------------------------------------------------------------------ the push service


@pytest.fixture
def push_service(app):
    """A fake push service listening on 127.0.0.1 at a free port, for one test, listed in
    the app's PUSH_SERVICES."""
    with serve(app) as service:
        yield service


@pytest.fixture
def another_push_service(app):
    """Factory: a context manager running one more fake push service, at an origin of its
    own; listed in the app's PUSH_SERVICES unless `listed=False`."""

    def start(listed: bool = True):
        return serve(app if listed else None)

    return start


@pytest.fixture
def subscribe(push_service):
    """Factory: a browser of this person's subscribed at the fake push service, saved as
    the subscription API saves it. Give a subscriber's name (made here, with keys of its
    own), or the subscription JSON of one made already."""

    def save(user, subscriber, label: str = "Phone", device=None) -> PushSubscription:
        sub = push_service.subscribe(subscriber) if isinstance(subscriber, str) else subscriber
        keys = sub["keys"]
        row = services.subscribe(
            user, sub["endpoint"], keys["p256dh"], keys["auth"], str(uuid.uuid4()), label, device
        )
        db.session.commit()
        return row

    return save


# --------------------------------------------------------------------- alerts and pushes


@pytest.fixture
def pastor(make_person):
    return make_person("zebedee", roles=["pastor"])  # named "Zebedee"


@pytest.fixture
def tell(app):
    """Factory: notify() with the usual arguments, committed; the alert."""

    def notify(users, kind="help_request", **fields):
        scheme_id = next(iter(users)).scheme_id if users else fields.pop("scheme_id")
        fields.setdefault("url", "/alerts")
        fields.setdefault("ttl_seconds", 600)
        alert = services.notify(scheme_id, kind, users, **fields)
        db.session.commit()
        return alert

    return notify


@pytest.fixture
def deliveries(app):
    """Callable: every push delivery, oldest first."""
    return lambda: db.session.scalars(select(PushDelivery).order_by(PushDelivery.id)).all()


# ------------------------------------------------------------------------ calls for help


@pytest.fixture
def night(app, make_person, make_patrol, venue, team):
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
    make_patrol(team, [people["lee"], people["max"]])
    return people


@pytest.fixture
def ask(auth):
    """Factory: a call for help asked through the form; the id of the request, from where
    the venue lands."""

    def ask_(client, reason: str = "alone_distressed") -> str:
        token = auth.csrf("/help/new", client=client)
        page = client.get("/help/new").get_data(as_text=True)
        venue_id = re.search(r'name="venue_id" value="(\d+)"', page).group(1)
        data = {"csrf_token": token, "reason": reason, "venue_id": venue_id}
        response = client.post("/help/new", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return re.fullmatch(r"/help/([0-9a-f-]{36})", response.headers["Location"]).group(1)

    return ask_


@pytest.fixture
def accept(auth):
    """Factory: a pastor's acceptance of a call for help, through the page."""

    def accept_(client, help_id: str, eta: int = 5):
        token = auth.csrf("/account", client=client)  # the page has no form once it is taken
        return client.post(f"/help/{help_id}/accept", data={"csrf_token": token, "eta": eta})

    return accept_


@pytest.fixture
def expire(app):
    """Callable: a call for help made past its time."""

    def expire_(help_id: str) -> None:
        db.session.get(HelpRequest, help_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    return expire_


@pytest.fixture
def a_write_lands_before(db_url):
    """Factory: a block in which, just before this app's first UPDATE of `table`, another
    connection writes and commits. On SQLite a transaction that has read and then writes
    fails at once with "database is locked" when that happens; one that starts with the
    write waits its turn. The block gets the list of statements that were so preceded."""

    @contextmanager
    def landing(table: str):
        other = sa.create_engine(db_url)
        landed = []

        def before(_conn, _cursor, statement, *_args) -> None:
            if not landed and statement.lstrip().upper().startswith(f"UPDATE {table.upper()} "):
                with other.begin() as conn:
                    values = {"name": f"Meanwhile {uuid.uuid4().hex[:8]}", "at": utcnow()}
                    conn.execute(
                        sa.text("INSERT INTO scheme (name, created_at) VALUES (:name, :at)"),
                        values,
                    )
                landed.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield landed
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
            other.dispose()

    return landing
