"""The schema, its migrations, SQLite's settings and concurrent writers."""

import multiprocessing
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from core.database import insert_rows
from core.models import AuditEvent
from core.services import audit, next_number
from extensions import db
from havens.models import Visit
from wsgi import create_app


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], "a model changed without a migration: flask --app wsgi db migrate"


def test_migrations_go_down_and_up_again(app):
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "audit_event" in sa.inspect(db.engine).get_table_names()


def test_audit_events_cannot_be_changed_or_deleted(app, scheme):
    audit("test_event", scheme, scheme_id=scheme.id)
    db.session.commit()
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.action)) == "test_event"


@pytest.mark.backend("sqlite", reason="SQLite settings")
def test_sqlite_connections_are_configured(app):
    with db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


def take_numbers(config: dict, scheme_id: int, count: int, queue) -> None:
    """In a separate process: take counter values, one transaction each."""
    app = create_app(config)
    taken = []
    with app.app_context():
        for _ in range(count):
            taken.append(next_number(scheme_id, "sticker"))
            db.session.commit()
        db.engine.dispose()
    queue.put(taken)


def test_no_update_is_lost_with_several_writer_processes(app, db_url, app_config, scheme):
    processes, each = 6, 25
    scheme_id = scheme.id
    db.session.commit()  # on SQLite an open transaction here would hold the write lock
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    config = app_config(db_url)
    workers = [
        context.Process(target=take_numbers, args=(config, scheme_id, each, queue))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
        assert worker.exitcode == 0, "a writer failed, e.g. with 'database is locked'"
    results = [queue.get(timeout=5) for _ in workers]
    taken = sorted(n for result in results for n in result)
    assert taken == list(range(1, processes * each + 1)), "a value was lost or handed out twice"


def test_migrations_keep_rows_that_refer_to_rebuilt_tables(app, make_person, venue, team):
    """Going down and up rebuilds `venue` on SQLite; its staff links and roles must survive."""
    make_person("sam", roles=["venue_staff", "pastor"], venues=[venue], teams=[team])
    db.session.commit()
    downgrade(revision="f2e479d92d3b")  # the second migration's downgrade rebuilds `venue`
    upgrade()
    counts = {
        table: db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
        for table in ("user_role", "venue_staff", "team_member")
    }
    assert counts == {"user_role": 2, "venue_staff": 1, "team_member": 1}


@pytest.mark.backend("sqlite", reason="SQLite locking")
def test_a_page_view_does_not_wait_for_a_writer(app, client, db_url):
    """GET requests read in deferred transactions: a writer holding the lock does not block them."""
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 100
    writer = sa.create_engine(db_url, connect_args={"isolation_level": None})
    with writer.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.exec_driver_sql("INSERT INTO scheme (name, created_at) VALUES ('Held', '2026-01-01')")
        response = client.get("/healthz")
        conn.exec_driver_sql("ROLLBACK")
    writer.dispose()
    assert response.status_code == 200


def visit_row(venue, n: int) -> dict:
    """A visit's columns as a sync batch stores them: JSON lists, times, text, a number."""
    at = datetime(2026, 12, 5, 23, n, 7, 12)
    return {
        "id": str(uuid.UUID(int=n + 1)),
        "venue_id": venue.id,
        "arrived_at": at,
        "help": ["seat", "taxi"] if n % 2 else [],
        "services": [],
        "age_band": "18_24",
        "gender": None,
        "note": f"N\u00famero {n} \u2013 \u043f\u0440\u0438\u0432\u0456\u0442",
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }


def stored_visits() -> list[tuple]:
    columns = (Visit.id, Visit.arrived_at, Visit.help, Visit.note, Visit.created_at)
    return list(db.session.execute(sa.select(*columns).order_by(Visit.id)).tuples())


def test_many_rows_are_stored_as_a_core_insert_stores_them(app, venue):
    """insert_rows skips SQLAlchemy's per-row parameters; what it stores must read back
    the same as a Core insert of the same rows (JSON, times to the microsecond, text)."""
    rows = [visit_row(venue, n) for n in range(6)]
    db.session.execute(sa.insert(Visit.__table__), rows)
    db.session.flush()
    by_core = stored_visits()
    db.session.rollback()
    insert_rows(Visit.__table__, rows)
    db.session.commit()
    assert stored_visits() == by_core
    assert by_core[1][2] == ["seat", "taxi"]
    assert by_core[1][1] == datetime(2026, 12, 5, 23, 1, 7, 12)


def test_rows_leaving_out_a_defaulted_column_get_its_default(app, venue):
    """A column left out whose default is Python's (the visit's version) is filled by
    SQLAlchemy, as the raw insert would not."""
    row = visit_row(venue, 1)
    del row["version"]
    insert_rows(Visit.__table__, [row])
    db.session.commit()
    assert db.session.scalar(sa.select(Visit.version)) == 1
