"""Concurrent read-modify-write on SQLite: Lantern's IMMEDIATE transactions against
SQLAlchemy's default deferred ones, measured in the same run.

    .venv/bin/python bench/sqlite_writers.py [--processes 8] [--updates 200]

Prints, for each mode, updates per second, updates lost and writers that failed
with "database is locked".
"""

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.database import configure_engine  # noqa: E402


def engine_for(path: str, mode: str) -> sa.Engine:
    """An engine set up as Lantern sets it up, or as SQLAlchemy does by default."""
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 5})
    if mode == "lantern":
        configure_engine(engine, busy_timeout_ms=5000)
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    return engine


def writer(path: str, mode: str, updates: int, results) -> None:
    """Read the counter, add one, write it back; count the failures."""
    engine = engine_for(path, mode)
    failed = 0
    for _ in range(updates):
        try:
            with engine.begin() as conn:
                value = conn.exec_driver_sql("SELECT value FROM counter").scalar()
                conn.exec_driver_sql("UPDATE counter SET value = ?", (value + 1,))
        except sa.exc.OperationalError:
            failed += 1
    results.put(failed)


def measure(mode: str, processes: int, updates: int) -> dict:
    """Run the writers once and report what happened."""
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.db"
        with engine_for(path, mode).begin() as conn:
            conn.exec_driver_sql("CREATE TABLE counter (value INTEGER)")
            conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        workers = [
            context.Process(target=writer, args=(path, mode, updates, results))
            for _ in range(processes)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        failed = sum(results.get() for _ in workers)
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - started
        with engine_for(path, mode).connect() as conn:
            final = conn.exec_driver_sql("SELECT value FROM counter").scalar()
    attempted = processes * updates
    return {
        "seconds": seconds,
        "failed": failed,
        "lost": attempted - failed - final,
        "final": final,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    total = args.processes * args.updates
    print(f"{args.processes} processes x {args.updates} read-modify-write updates = {total}")
    rows = {mode: measure(mode, args.processes, args.updates) for mode in ("default", "lantern")}
    for mode, r in rows.items():
        rate = r["final"] / r["seconds"]
        print(
            f"{mode:>8}: {r['seconds']:6.2f} s  {rate:7.0f} kept updates/s  "
            f"lost {r['lost']} ({100 * r['lost'] / total:.0f}%)  locked errors {r['failed']}"
        )
    ratio = rows["lantern"]["seconds"] / rows["default"]["seconds"]
    print(f"time ratio lantern/default: {ratio:.2f}")


if __name__ == "__main__":
    main()
