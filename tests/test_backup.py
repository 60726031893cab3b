"""Backups of a running SQLite database, and restoring them: a backup taken while another
connection writes is one consistent moment, and restores to a database equal to it."""

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from accounts.models import Scheme
from core import backup
from core.timeutil import utcnow
from extensions import db
from schemes.demo import load

sqlite_only = pytest.mark.backend("sqlite", reason="SQLite's online backup API")
WRITES = "backup_test"  # the writer's audit events


def tables(path: Path, skip_restore_events: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite file, read with sqlite3 itself."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        picture = {}
        for name in sorted(names):
            rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608
            if name == "audit_event" and skip_restore_events:
                rows = [row for row in rows if "database_restored" not in row]
            picture[name] = sorted(rows, key=repr)
        return picture
    finally:
        connection.close()


class Writer(threading.Thread):
    """Another connection committing, again and again, an audit event and a counter row
    in one transaction: a consistent copy holds both of each or neither."""

    def __init__(self, path: Path, scheme_id: int):
        super().__init__(daemon=True)
        self.path, self.scheme_id = path, scheme_id
        self.done, self.stop, self.error = 0, threading.Event(), None

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            while not self.stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(
                    "INSERT INTO audit_event (at, scheme_id, action, target_id, detail) "
                    "VALUES (?, ?, ?, ?, '{}')",
                    (utcnow().isoformat(sep=" "), self.scheme_id, WRITES, str(self.done)),
                )
                connection.execute(
                    "INSERT INTO counter (scheme_id, name, value) VALUES (?, ?, ?)",
                    (self.scheme_id, f"w{self.done}", self.done),
                )
                connection.execute("COMMIT")
                self.done += 1
        except Exception as error:  # noqa: BLE001  (reported by the test)
            self.error = error
        finally:
            connection.close()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 20
        while self.done < count and time.monotonic() < deadline and self.error is None:
            time.sleep(0.01)
        assert self.error is None and self.done >= count


def writes_in(picture: dict) -> tuple[set, set]:
    events = {row[6] for row in picture["audit_event"] if WRITES in row}
    counters = {row[1][1:] for row in picture["counter"] if str(row[1]).startswith("w")}
    return events, counters


@pytest.fixture
def live(app):
    """The test's database file, with the demo scheme and a few thousand events in it."""
    load()
    db.session.commit()
    scheme_id = db.session.scalar(select(Scheme.id))
    db.session.execute(
        db.text(
            "INSERT INTO audit_event (at, scheme_id, action, detail) "
            "VALUES (:at, :scheme, 'filler', :detail)"
        ),
        [
            {"at": utcnow(), "scheme": scheme_id, "detail": json.dumps({"n": n})}
            for n in range(5000)
        ],
    )
    db.session.commit()
    db.session.remove()
    return Path(db.engine.url.database), scheme_id


@sqlite_only
def test_a_backup_taken_while_another_connection_writes_restores_equal(runner, live, tmp_path):
    path, scheme_id = live
    copy = tmp_path / "backup.db"
    writer = Writer(path, scheme_id)
    writer.start()
    try:
        writer.wait_for(20)
        before = writer.done
        result = runner.invoke(args=["backup", str(copy)])
        assert result.exit_code == 0, result.output
        assert writer.done > before  # it committed while the command ran
        assert "integrity check ok" in result.output
        writer.wait_for(writer.done + 20)  # still writing after the backup
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    assert backup.check(copy) == ["ok"]
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    saved = tables(copy)
    events, counters = writes_in(saved)
    # One moment: every transaction wholly in or wholly out, and none after a missing one.
    assert events == counters == {str(n) for n in range(len(events))}
    assert len(events) >= before
    # The live database is the backup plus the writes made since.
    now = tables(path)
    later = {str(n) for n in range(len(events), writer.done)}
    assert later  # the writer did go on writing
    now["audit_event"] = [r for r in now["audit_event"] if not (WRITES in r and r[6] in later)]
    now["counter"] = [r for r in now["counter"] if r[1][1:] not in later]
    assert now == saved

    # Restore (the app stopped: nothing else writes) and compare every table.
    result = runner.invoke(args=["restore", str(copy), "--yes"])
    assert result.exit_code == 0, result.output
    assert "db upgrade" in result.output
    assert backup.check(path) == ["ok"]
    restored = tables(path, skip_restore_events=True)
    assert restored == saved
    assert {name: len(rows) for name, rows in restored.items()} == {
        name: len(rows) for name, rows in saved.items()
    }
    assert len(restored["visit"]) > 0 and len(restored["audit_event"]) > 5000
    # The restore is itself in the log, once for each scheme.
    events_now = tables(path)["audit_event"]
    assert sum("database_restored" in row for row in events_now) == 1


@sqlite_only
def test_a_backup_never_overwrites_a_file(runner, live, tmp_path):
    target = tmp_path / "taken.db"
    target.write_text("something precious")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert target.read_text() == "something precious"
    nowhere = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "x.db")])
    assert nowhere.exit_code != 0 and "no folder" in nowhere.output


@sqlite_only
def test_restore_asks_first_and_refuses_what_is_not_a_lantern_backup(runner, live, tmp_path):
    path, _scheme_id = live
    before = tables(path)
    copy = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    declined = runner.invoke(args=["restore", str(copy)], input="n\n")
    assert declined.exit_code != 0 and "Is the app stopped" in declined.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert runner.invoke(args=["restore", str(junk), "--yes"]).exit_code != 0
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    stranger = runner.invoke(args=["restore", str(other), "--yes"])
    assert stranger.exit_code != 0 and "not a Lantern database" in stranger.output
    missing = runner.invoke(args=["restore", str(tmp_path / "none.db"), "--yes"])
    assert missing.exit_code != 0 and "no file" in missing.output
    assert tables(path) == before


@pytest.mark.backend("postgres", reason="what PostgreSQL gets instead")
def test_on_postgresql_the_commands_refuse_and_give_pg_dump_and_pg_restore(runner, tmp_path):
    out = tmp_path / "lantern.dump"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 1 and "pg_dump --format=custom" in result.output
    assert not out.exists()
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 1 and "pg_restore --clean" in result.output


def test_the_postgresql_commands_name_the_database_but_not_the_password():
    url = make_url("postgresql+psycopg://lantern:s3cret@db.example:5433/lantern")
    dump = backup.pg_dump_command(url, Path("/backups/lantern 2026.dump"))
    assert dump == (
        "pg_dump --format=custom '--file=/backups/lantern 2026.dump' --host=db.example "
        "--port=5433 --username=lantern --dbname=lantern"
    )
    restore = backup.pg_restore_command(url, Path("/backups/x.dump"))
    assert restore.startswith("pg_restore --clean --if-exists --no-owner --host=db.example")
    assert "s3cret" not in dump + restore
