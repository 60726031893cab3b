"""Database engine set-up (SQLite pragmas, IMMEDIATE write transactions), counted writes and
many rows inserted at once."""

import functools
import random
import time
from collections.abc import Callable
from typing import cast

from flask import has_request_context, request
from sqlalchemy import Column, CursorResult, DateTime, Engine, Executable, Table, event, insert
from sqlalchemy.exc import IntegrityError, OperationalError

from extensions import db

# Requests that only read. Their transactions start deferred, so readers never queue
# for the write lock; a GET that must write (the session's last-seen time) commits its
# reading first and then writes in a transaction of its own.
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# A write transaction that finds SQLite locked through a whole busy timeout is tried this
# many times more, after a short pause, before the request gives up with a 503 (core.errors).
BUSY_RETRIES = 2


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes)."""
    name = getattr(getattr(error, "orig", error), "sqlite_errorname", None) or ""
    return name.startswith("SQLITE_BUSY")


def begin_immediate(connection) -> None:
    """BEGIN IMMEDIATE, tried again briefly while another writer holds the lock: nothing
    has been done yet, so trying again is safe."""
    for attempt in range(BUSY_RETRIES + 1):
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if not is_busy(error) or attempt == BUSY_RETRIES:
                raise
            time.sleep(random.uniform(0.05, 0.2))  # jitter: waiting writers do not collide


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Make SQLite safe for several writers; leave other databases alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Stop the driver issuing its own deferred BEGIN; on_begin below issues ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers carry on while one connection writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed record survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        if has_request_context() and request.method in READ_METHODS:
            connection.exec_driver_sql("BEGIN")
            return
        # A deferred transaction that reads and then writes cannot wait for the
        # write lock; it fails with "database is locked" or loses the update.
        # Taking the lock up front makes concurrent read-modify-write serial.
        begin_immediate(connection)


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction and return how many rows it hit."""
    # An UPDATE or DELETE always gives a CursorResult; Session.execute's type says Result.
    return cast(CursorResult, db.session.execute(statement)).rowcount


def converter(column: Column, dialect) -> Callable | None:
    """How a column's values go to the driver, as SQLAlchemy would send them (None: as
    they are). A time is converted once per distinct value: a batch's rows mostly share
    the moment they were stored."""
    convert = column.type.dialect_impl(dialect).bind_processor(dialect)
    if convert is not None and isinstance(column.type, DateTime):
        return functools.lru_cache(maxsize=None)(convert)
    return convert


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert many rows (dicts with the same keys) in the current transaction, each value
    converted by its column's type as SQLAlchemy would, but without SQLAlchemy building
    parameters row by row, which cost a sync batch more than the SQL itself: sqlite3's
    executemany, or PostgreSQL's COPY (one statement, so its triggers count the rows
    once). Columns left out must have no default of Python's (it would be skipped);
    otherwise, and on any other database, this is a Core insert."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    defaulted = any(c.default is not None for c in table.c if c.name not in rows[0])
    if defaulted or dialect.name not in ("sqlite", "postgresql"):
        db.session.execute(insert(table), rows)
        return
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    pairs = [(column.name, converter(column, dialect)) for column in columns]
    values = [tuple(row[n] if f is None else f(row[n]) for n, f in pairs) for row in rows]
    quoted = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    into = f"{dialect.identifier_preparer.format_table(table)} ({quoted})"
    if dialect.name == "sqlite":
        marks = ", ".join(["?"] * len(names))
        connection.exec_driver_sql(f"INSERT INTO {into} VALUES ({marks})", values)  # noqa: S608
    else:
        copy_rows(connection, f"COPY {into} FROM STDIN", values)


def copy_rows(connection, sql: str, values: list[tuple]) -> None:
    """Send rows to PostgreSQL with COPY on the transaction's own connection; a row that
    breaks a constraint raises IntegrityError, as an INSERT through SQLAlchemy would."""
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
    except connection.dialect.dbapi.IntegrityError as error:
        raise IntegrityError(sql, None, error) from error
    finally:
        cursor.close()
