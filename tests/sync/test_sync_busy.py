"""A busy SQLite database: retried briefly, then 503 with Retry-After (issue 14, L4).

Another connection holds the write lock, as a long batch from another server process
would, while the app waits only a short busy timeout. The outbox keeps its entries on
any 5xx and tries again; the log says what kind of error it was, never its parameters.
"""

import logging
import sqlite3
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import exc as sa_exc

from core.timeutil import to_london, utcnow
from extensions import db
from havens.models import Visit
from tests.sync.outbox import count
from wsgi import redacted

pytestmark = pytest.mark.backend("sqlite", reason="SQLite's write lock")

NOTE = "Calmer after water"


@pytest.fixture
def app(make_app, db_url):
    """The usual app, with a busy timeout short enough for a test to wait through (it is
    read when the engine is made, so it is set from the start)."""
    app = make_app(db_url, SQLITE_BUSY_TIMEOUT_MS=100)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sam(client, auth, staff) -> dict:
    auth.login("sam")
    device = str(uuid.uuid4())
    session = client.get("/api/session", query_string={"device": device}).get_json()
    return session | {"device": device}


def batch(sam: dict, venue) -> dict:
    record_id = str(uuid.uuid4())
    arrived = to_london(utcnow() - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "id": record_id,
        "venue_id": str(venue.id),
        "arrived_at": arrived,
        "help": ["seat"],
        "note": NOTE,
    }
    entry = {
        "op": str(uuid.uuid4()),
        "kind": "visit",
        "id": record_id,
        "seq": 1,
        "saved_at": "2026-11-23T22:14:05Z",
        "author": sam["author"],
        "data": data,
    }
    return {"device": sam["device"], "records": [entry]}


def send(client, sam: dict, body: dict):
    return client.post("/api/sync", json=body, headers={"X-CSRFToken": sam["csrf"]})


class WriteLock:
    """Another connection holding SQLite's write lock until released."""

    def __init__(self, db_url: str):
        db.session.commit()  # the test's own reads end first: they would hold the lock
        path = db_url.removeprefix("sqlite:///")
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_a_database_that_stays_busy_is_a_503_with_retry_after(client, sam, venue, db_url, caplog):
    body = batch(sam, venue)
    lock = WriteLock(db_url)
    try:
        with caplog.at_level(logging.WARNING):
            answer = send(client, sam, body)
    finally:
        lock.release()
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.get_json()["error"]
    assert answer.headers["Cache-Control"] == "no-store"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "SQLITE_BUSY" in logged  # the kind of error is kept ...
    assert NOTE not in logged and sam["author"] not in logged  # ... never what was sent

    # The outbox sends the same batch again later: it is stored once.
    again = send(client, sam, body)
    assert again.status_code == 200
    assert [r["status"] for r in again.get_json()["results"]] == ["created"]
    assert count(Visit) == 1


def test_a_lock_released_while_the_request_waits_is_retried(client, sam, venue, db_url):
    """Busy for longer than one busy timeout, but briefly: retried, not refused."""
    lock = WriteLock(db_url)
    threading.Timer(0.15, lock.release).start()
    answer = send(client, sam, batch(sam, venue))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert count(Visit) == 1


def test_a_busy_page_is_a_503_page_too(client, sam, db_url):
    lock = WriteLock(db_url)
    try:
        answer = client.post("/language", data={"csrf_token": sam["csrf"], "language": "pl"})
    finally:
        lock.release()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert "<html" in answer.get_data(as_text=True)


def test_any_other_database_error_s_log_names_its_kind_and_withholds_its_values():
    """A 500's log line: SQLite's error name (as PostgreSQL's SQLSTATE), none of the values."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE person (name TEXT UNIQUE)")
    conn.execute("INSERT INTO person VALUES ('Jane Doe')")
    with pytest.raises(sqlite3.IntegrityError) as caught:
        conn.execute("INSERT INTO person VALUES ('Jane Doe')")
    error = sa_exc.IntegrityError("INSERT INTO person VALUES (?)", ("Jane Doe",), caught.value)
    _kind, summary, _trace = redacted((type(error), error, None))
    assert "SQLITE_CONSTRAINT_UNIQUE" in str(summary)
    assert "Jane" not in str(summary) and "UNIQUE constraint" not in str(summary)
