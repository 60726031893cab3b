"""Backups of a running SQLite database with SQLite's online backup API, and restores.

A file copy of a live database is not a backup: it can catch a write half done, and it
misses what waits in the -wal file. The backup API copies one consistent snapshot while
other connections carry on writing; restoring through it as well writes the pages
through SQLite's own locking and journal, so a stale -wal file cannot undo the restore.
"""

import os
import shlex
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for another database."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database).resolve()


def _uri(path: Path, mode: str) -> str:
    """A file: URI that opens an existing file only (ro or rw), never makes an empty one."""
    return f"{path.resolve().as_uri()}?mode={mode}"


def check(path: Path) -> list[str]:
    """PRAGMA integrity_check of a database file: ['ok'] when it is sound."""
    connection = sqlite3.connect(_uri(path, "ro"), uri=True)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def backup(source: Path, target: Path, busy_timeout_ms: int = 5000) -> list[str]:
    """Copy a live database to a new file in one consistent step; return its table names."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new name.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    draft = target.with_name(f".{target.name}.partial")
    draft.unlink(missing_ok=True)
    try:
        tables = _copy(source, draft, busy_timeout_ms)
    except sqlite3.Error as error:
        draft.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {error}") from error
    problems = check(draft)
    if problems != ["ok"]:
        draft.unlink()
        raise BackupError(f"The copy failed its integrity check: {'; '.join(problems[:5])}")
    os.replace(draft, target)
    return sorted(tables)


def _copy(source: Path, draft: Path, busy_timeout_ms: int) -> list[str]:
    src = sqlite3.connect(_uri(source, "rw"), uri=True, timeout=busy_timeout_ms / 1000)
    dst = sqlite3.connect(draft)
    try:
        # pages=-1: the whole database in one step, from one read snapshot. Copying in
        # steps would start over each time another connection wrote, and might never end.
        src.backup(dst, pages=-1)
        # One self-contained file: no -wal beside it to lose when it is copied.
        dst.execute("PRAGMA journal_mode=DELETE")
        return [row[0] for row in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        dst.close()
        src.close()


def restore(backup_file: Path, target: Path, busy_timeout_ms: int = 5000) -> None:
    """Write a backup over the database at target, after checking that it is sound."""
    if not backup_file.is_file():
        raise BackupError(f"There is no file at {backup_file}.")
    try:
        problems = check(backup_file)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup_file} is not a SQLite database: {error}") from error
    if problems != ["ok"]:
        raise BackupError(f"{backup_file} failed its integrity check: {'; '.join(problems[:5])}")
    src = sqlite3.connect(_uri(backup_file, "ro"), uri=True)
    try:
        found = src.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()[0]
        if not found:
            raise BackupError(f"{backup_file} is not a Lantern database.")
        dst = sqlite3.connect(target, timeout=busy_timeout_ms / 1000)
        try:
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    finally:
        src.close()


def pg_dump_command(url: URL, out: Path) -> str:
    """The pg_dump command that backs up this PostgreSQL database (the password is not
    shown: pg_dump reads it from PGPASSWORD or ~/.pgpass)."""
    return shlex.join(["pg_dump", "--format=custom", f"--file={out}", *_pg_args(url)])


def pg_restore_command(url: URL, backup_file: Path) -> str:
    """The pg_restore command that restores a pg_dump -Fc file into this database."""
    args = ["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(url)]
    return shlex.join([*args, str(backup_file)])


def _pg_args(url: URL) -> list[str]:
    args = [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}"]
    if url.username:
        args.append(f"--username={url.username}")
    return [*args, f"--dbname={url.database}"]
