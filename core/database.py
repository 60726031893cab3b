"""Database engine set-up (SQLite pragmas, IMMEDIATE write transactions) and counted writes."""

from typing import cast

from flask import has_request_context, request
from sqlalchemy import CursorResult, Engine, Executable, event

from extensions import db

# Requests that only read. Their transactions start deferred, so readers never queue
# for the write lock; a GET that must write (the session's last-seen time) commits its
# reading first and then writes in a transaction of its own.
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction and return how many rows it hit."""
    # An UPDATE or DELETE always gives a CursorResult; Session.execute's type says Result.
    return cast(CursorResult, db.session.execute(statement)).rowcount
