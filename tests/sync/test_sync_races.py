"""The same outbox sent twice at the same moment (a tablet that timed out and tried again
while its first request was still being stored, or two tabs of one device): every record
and every count is stored once. LANTERN_TEST_DB=postgres is the run that matters: there
the two batches really do race, and the later one finds the ids taken only when it
stores them; SQLite's writers take turns.
"""

from sqlalchemy import func, select

from extensions import db
from havens.models import Visit
from reports.models import RecordCount
from sync.models import Receipt
from tests import concurrency
from tests.sync.outbox import count, post, statuses, visit_entry


def send_at_once(app, open_app, batches: list[list[dict]]) -> list[list[str]]:
    """Each batch from its own signed-in client, all released together; their statuses."""
    clients = [app.test_client() for _ in batches]
    sessions = [open_app(client, "sam") for client in clients]
    db.session.commit()  # the test's own transaction would hold SQLite's write lock

    def sender(client, me, batch):
        return lambda: post(client, batch, me["csrf"])

    calls = [sender(*sent) for sent in zip(clients, sessions, batches, strict=True)]
    answers = concurrency.all_at_once(calls)
    assert [answer.status_code for answer in answers] == [200] * len(batches)
    return [statuses(answer.get_json()["results"]) for answer in answers]


def visits_counted(venue) -> int:
    db.session.expire_all()
    stmt = select(func.sum(RecordCount.records)).where(
        RecordCount.field == "visit.venue", RecordCount.code == str(venue.id)
    )
    return db.session.scalar(stmt) or 0


def test_the_same_batch_twice_at_once_is_stored_once(app, client, staff, venue, open_app):
    me = open_app(client, "sam")
    batch = [visit_entry(me, venue) for _ in range(60)]
    first, second = send_at_once(app, open_app, [batch, batch])
    for answers in zip(first, second, strict=True):
        assert sorted(answers) == ["created", "duplicate"]
    assert (count(Visit), count(Receipt), visits_counted(venue)) == (60, 60, 60)


def test_overlapping_batches_at_once_store_each_record_once(app, client, staff, venue, open_app):
    me = open_app(client, "sam")
    entries = [visit_entry(me, venue) for _ in range(90)]
    first, second = send_at_once(app, open_app, [entries[:60], entries[30:]])
    assert set(first + second) == {"created", "duplicate"}
    shared = list(zip(first[30:], second[:30], strict=True))
    assert all(sorted(answers) == ["created", "duplicate"] for answers in shared)
    assert (count(Visit), count(Receipt), visits_counted(venue)) == (90, 90, 90)
