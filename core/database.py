"""Database engine set-up: SQLite pragmas and IMMEDIATE write transactions."""

from sqlalchemy import Engine, event


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Make SQLite safe for several writers; leave other databases alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Stop the driver issuing its own deferred BEGIN; on_begin below issues ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers carry on while one process writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed record survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        # A deferred transaction that reads and then writes cannot wait for the
        # write lock; it fails with "database is locked" or loses the update.
        # Taking the lock up front makes concurrent read-modify-write serial.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
