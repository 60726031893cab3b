"""How long the quarterly partnership report takes over a million visits and contacts.

    .venv/bin/python bench/report.py [--visits 1000000] [--contacts 1000000] [--years 3]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/DB] [--plans]

Migrates a SQLite database in a temporary folder (or, with --postgres, the empty
PostgreSQL database given, whose tables it replaces) up to the revision before the kept
counts, bulk-inserts synthetic venues, teams, patrols, contacts and visits (spread evenly
over --years years ending with the last quarter), then migrates to the head, which counts
them into record_count. Then it builds the last quarter's report as the page does: from
the kept counts, and (the baseline, in the same run) by counting the records themselves
as the report did before. Prints the best of --runs times of each, and what the triggers
that keep the counts cost an insert: records a second, inserted with one executemany per
table as the sync API does, with the triggers and without. `--years 0.25` puts every
record in the one quarter; --plans prints each query's plan (SQLite).
"""

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402

from extensions import db  # noqa: E402
from havens.models import Visit  # noqa: E402
from patrols.models import Contact  # noqa: E402
from reports import measures, quarterly  # noqa: E402
from reports.periods import last_ended_quarter  # noqa: E402
from wsgi import create_app  # noqa: E402

HELP = ["seat", "phone_charged", "called_friend", "called_taxi", "water", "signposted"]
GIVEN = ["water", "conversation", "flip_flops", "stayed", "helped_taxi", "first_aid"]
VENUES, TEAMS, PASTORS, SERVICES = 40, 4, 12, 11
BEFORE_COUNTS = "b7c8d9e0f1a2"  # the revision before record_count and its triggers


def stamp(moment: datetime) -> str:
    """A time as SQLAlchemy stores a DateTime on SQLite."""
    return moment.isoformat(" ", "microseconds")


def new_id(draw: random.Random) -> str:
    """A random version 4 UUID, as the devices make them, more cheaply than uuid4()."""
    h = f"{draw.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


# Every list a record may hold, written out once: JSON per row would cost more than SQLite.
HELP_LISTS = [json.dumps(c) for k in (1, 2, 3) for c in map(list, combinations(HELP, k))]
GIVEN_LISTS = [json.dumps(c) for k in (1, 2) for c in map(list, combinations(GIVEN, k))]
SERVICE_LISTS = [json.dumps([s]) for s in range(1, SERVICES + 1)]


def pick(draw: random.Random, items: list):
    return items[int(draw.random() * len(items))]


class Target:
    """The database being filled, through its own driver: sqlite3, or psycopg's COPY."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.con = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        else:
            self.con = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.con.execute("PRAGMA synchronous=OFF")  # a throwaway database: speed first
            self.con.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the ids' index in memory

    def rows(self, table: str, columns: str, rows: list) -> None:
        """Insert rows: executemany on SQLite, COPY on PostgreSQL."""
        if self.postgres:
            with self.con.cursor().copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns.split(",")))
        self.con.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)  # noqa: S608

    def close(self) -> None:
        self.con.commit()
        if self.postgres:
            self.con.execute("ANALYZE")
            self.con.commit()
        self.con.close()


def fill(url: str, visits: int, contacts: int, start: datetime, end: datetime) -> None:
    """Bulk-insert the synthetic scheme straight into the migrated database."""
    draw = random.Random(7)
    target = Target(url)
    places(target, stamp(datetime(2026, 1, 1)))
    patrols = patrol_rows(draw, start, end)
    target.rows(
        "patrol",
        "id, team_id, route, started_at, ended_at, tallies, note, created_at",
        [(i, t, "", s, e, "{}", "", c) for i, t, s, e, c in patrols],
    )
    target.rows(
        "patrol_pastor",
        "patrol_id, user_id",
        [(p[0], u) for p in patrols for u in draw.sample(range(1, PASTORS + 1), 3)],
    )
    # Indexes are quicker built once, over the rows, than grown row by row: on SQLite, drop
    # the big tables' own (not those behind their keys), and make them again as they were.
    indexes = []
    if not target.postgres:
        indexes = target.con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('visit', 'contact')"
        ).fetchall()
    for name, _sql in indexes:
        target.con.execute(f'DROP INDEX "{name}"')
    rows, handed = contact_rows(draw, patrols, contacts)
    target.rows(
        "contact",
        "id, patrol_id, at, people, seen, given, services, street, handover_venue_id, note, "
        "version, created_at, updated_at",
        rows,
    )
    target.rows(
        "visit",
        "id, venue_id, arrived_at, help, services, note, version, contact_id, created_at, "
        "updated_at",
        visit_rows(draw, visits, handed, start, end),
    )
    for _name, sql in indexes:
        target.con.execute(sql)
    target.close()


def places(target: Target, now: str) -> None:
    """The scheme, its venues, teams, support services and pastors."""
    target.rows("scheme", "id, name, tallies, created_at", [(1, "Bench", "[]", now)])
    target.rows(
        "venue",
        "id, scheme_id, name, address, postcode, kind, opening_hours, contact_name, "
        "contact_phone, contact_email, status, public_code, created_at, ask_for_angela",
        [
            (
                v,
                1,
                f"Venue {v:02d}",
                "",
                "",
                "pub",
                "",
                "",
                "",
                "",
                "active",
                uuid.uuid4().hex[:12],
                now,
                False,
            )
            for v in range(1, VENUES + 1)
        ],
    )
    target.rows(
        "team",
        "id, scheme_id, name, created_at, duty_phone",
        [(t, 1, f"Team {t}", now, "") for t in range(1, TEAMS + 1)],
    )
    target.rows(
        "support_service",
        "id, scheme_id, name, purpose, phone, website, hours, area, position",
        [(s, 1, f"Service {s}", "", "", "", "", "", s) for s in range(1, SERVICES + 1)],
    )
    target.rows(
        "user",
        "id, scheme_id, name, username, password_hash, active, created_at, pin_failures",
        [(u, 1, f"Pastor {u}", f"pastor{u}", "!", True, now, 0) for u in range(1, PASTORS + 1)],
    )


def patrol_rows(draw: random.Random, start: datetime, end: datetime) -> list[tuple]:
    """Every team's patrol, 21:00 to 03:00 UTC, each Friday and Saturday night."""
    rows, night = [], start.replace(hour=21, minute=0, second=0, microsecond=0)
    while night < end:
        if night.weekday() in (4, 5):
            for team in range(1, TEAMS + 1):
                ended = night + timedelta(hours=6)
                rows.append((new_id(draw), team, stamp(night), stamp(ended), stamp(night)))
        night += timedelta(days=1)
    return rows


def contact_rows(draw: random.Random, patrols: list, n: int) -> tuple[list, list]:
    """Contacts shared out over the patrols in time order (a patrol's arrive together);
    one in 40 handed over to a venue. Returns them and half the hand-overs, for visits."""
    rows, handed, per_patrol = [], [], n // len(patrols) + 1
    for i in range(n):
        patrol, _team, started, _ended, _created = patrols[i // per_patrol]
        at = datetime.fromisoformat(started) + timedelta(seconds=int(draw.random() * 21600))
        handover = 1 + int(draw.random() * VENUES) if i % 40 == 0 else None
        given = pick(draw, GIVEN_LISTS)
        if handover:
            given = given[:-1] + ', "handover"]'
        services = pick(draw, SERVICE_LISTS) if i % 10 == 0 else "[]"
        contact_id, people = new_id(draw), 1 + int(draw.random() * 3)
        rows.append(
            (contact_id, patrol, stamp(at), people, "[]", given, services, "", handover, "", 1)
            + (started,) * 2
        )
        if handover and i % 80 == 0:
            handed.append((contact_id, handover, at))
    return rows, handed


def visit_rows(draw: random.Random, n: int, handed: list, start: datetime, end: datetime):
    """Visits spread over the range, most at night, in time order; the first few continue
    a hand-over (an hour after it)."""
    seconds, rows = (end - start).total_seconds(), []
    for i in range(n):
        contact_id, venue, arrived = handed[i] if i < len(handed) else (None, None, None)
        if arrived is None:
            venue = 1 + int(draw.random() * VENUES)
            arrived = start + timedelta(seconds=int(draw.random() * seconds))
            if draw.random() < 0.8:  # most help is given between 20:00 and 04:00 UTC
                arrived = arrived.replace(hour=(20 + int(draw.random() * 8)) % 24)
        else:
            arrived += timedelta(hours=1)
        help_ = pick(draw, HELP_LISTS)
        services = pick(draw, SERVICE_LISTS) if "signposted" in help_ else "[]"
        at = stamp(arrived)
        rows.append((new_id(draw), venue, at, help_, services, "", 1, contact_id, at, at))
    rows.sort(key=lambda row: row[2])
    return rows


class Statements:
    """Every SQL statement the report runs, with its parameters (for EXPLAIN QUERY PLAN)
    and how long it took."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[str, tuple]] = []
        self.took: list[tuple[float, str]] = []
        event.listen(engine, "before_cursor_execute", self.record)
        event.listen(engine, "after_cursor_execute", self.timed)

    def record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append((statement, parameters))
        conn.info["started"] = time.perf_counter()

    def timed(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.took.append((time.perf_counter() - conn.info["started"], statement))

    def slowest(self, n: int = 4) -> None:
        """Print the slowest statements since the last call."""
        for seconds, statement in sorted(self.took, reverse=True)[:n]:
            print(f"    {seconds:.3f} s  {' '.join(statement.split())[:100]}")
        self.took.clear()


def best(step, runs: int) -> tuple[float, float, object]:
    """The fastest and the median of several runs of a step, and its last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=2)
    parser.add_argument("--inserts", type=int, default=2000, help="visits and contacts a batch")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    period = last_ended_quarter()
    end = datetime.combine(period.end, datetime.min.time()) + timedelta(hours=5)
    start = end - timedelta(days=365.25 * args.years)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{tmp}/bench.db"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 64})
        with app.app_context(), app.test_request_context():
            if args.postgres:
                with db.engine.begin() as conn:  # the bench's own database: start afresh
                    conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade(revision=BEFORE_COUNTS)
            db.engine.dispose()
            started = time.perf_counter()
            fill(url, args.visits, args.contacts, start, end)
            filled = time.perf_counter() - started
            started = time.perf_counter()
            upgrade()  # counts what is stored into record_count, then adds the triggers
            migrated = time.perf_counter() - started
            print(
                f"{db.engine.dialect.name}: {args.visits:,} visits and {args.contacts:,} ", end=""
            )
            print(f"contacts over {args.years} years")
            print(f"inserted in {filled:.1f} s; the migration counted them in {migrated:.1f} s")
            kept = db.session.execute(text("SELECT count(*) FROM record_count")).scalar()
            in_quarter = db.session.execute(
                text("SELECT count(*) FROM visit WHERE arrived_at >= :a AND arrived_at < :b"),
                {"a": period.start_utc, "b": period.end_utc},
            ).scalar()
            print(
                f"report for {period.first} to {period.last}: {in_quarter:,} of the visits; ",
                end="",
            )
            print(f"{kept:,} rows of kept counts in all")
            report(period, args.runs, args.baseline_runs, args.plans)
            insert_cost(args.inserts, args.runs, period)


def report(period, runs: int, baseline_runs: int, plans: bool) -> None:
    """Time the report from the kept counts, and the baseline: counting the records."""
    statements = Statements(db.engine)
    cold = time.perf_counter()
    data = quarterly.gather(1, period)
    cold = time.perf_counter() - cold
    queries = list(statements.seen)
    statements.took.clear()
    fast, median, data = best(lambda: quarterly.gather(1, period), runs)
    print(f"queries ({len(queries)}) from the kept counts: first run {cold:.3f} s, ", end="")
    print(f"best {fast:.3f} s, median {median:.3f} s; the slowest, in all {runs} runs:")
    statements.slowest()
    fast, median, _ = best(lambda: quarterly.build(data, "Bench", period, True, 5), runs)
    print(f"layout and suppression for partners: best {fast:.3f} s, median {median:.3f} s")
    whole, median, _ = best(
        lambda: quarterly.build(quarterly.gather(1, period), "Bench", period, True, 5), runs
    )
    print(f"the whole report (queries, layout, suppression): best {whole:.3f} s, ", end="")
    print(f"median {median:.3f} s")
    baseline, median, counted = best(
        lambda: quarterly.build(
            quarterly.gather(1, period, source=measures), "Bench", period, True, 5
        ),
        baseline_runs,
    )
    print(f"baseline, counting the records: best {baseline:.3f} s, median {median:.3f} s")
    statements.took.clear()
    same = quarterly.gather(1, period, source=measures) == data
    print(f"{baseline / whole:.0f} times faster; the same figures both ways: {same}")
    if plans and db.engine.dialect.name == "sqlite":
        print_plans(queries)


def print_plans(queries: list) -> None:
    print("\nquery plans (EXPLAIN QUERY PLAN):")
    connection = db.engine.raw_connection()
    for statement, parameters in (q for q in queries if q[0].lstrip().startswith("SELECT")):
        first_line = " ".join(statement.split())[:110]
        print(f"\n  {first_line}...")
        for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
            print(f"    {row[-1]}")
    connection.close()


# What turns the kept counts' triggers off inside a transaction (rolled back after).
TRIGGERS_OFF = {
    "sqlite": [
        f"DROP TRIGGER {kind}_counts_{event}"
        for kind in ("visit", "contact")
        for event in ("insert", "update", "delete")
    ],
    "postgresql": [
        f"ALTER TABLE {kind} DISABLE TRIGGER {kind}_counts_{event}"
        for kind in ("visit", "contact")
        for event in ("insert", "update", "delete")
    ],
}


def insert_cost(n: int, runs: int, period) -> None:
    """Records a second, inserted with one executemany per table (as the sync API inserts a
    batch) into the filled database, with the triggers and without; each run rolled back."""
    draw = random.Random(11)
    patrols = db.session.execute(text("SELECT id FROM patrol LIMIT 20")).scalars().all()
    db.session.commit()
    seconds = (period.end_utc - period.start_utc).total_seconds()

    def when() -> datetime:
        return period.start_utc + timedelta(seconds=int(draw.random() * seconds))

    visits = [
        {
            "id": new_id(draw),
            "venue_id": 1 + int(draw.random() * VENUES),
            "arrived_at": when(),
            "help": json.loads(pick(draw, HELP_LISTS)),
            "services": json.loads(pick(draw, SERVICE_LISTS)),
            "gender": "woman",
            "company": "alone",
        }
        for _ in range(n)
    ]
    contacts = [
        {
            "id": new_id(draw),
            "patrol_id": pick(draw, patrols),
            "at": when(),
            "people": 1 + int(draw.random() * 3),
            "given": json.loads(pick(draw, GIVEN_LISTS)),
            "seen": ["vulnerable"],
        }
        for _ in range(n)
    ]
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(runs):
        for counted in (True, False):
            with db.engine.connect() as conn:
                transaction = conn.begin()
                if not counted:
                    for statement in TRIGGERS_OFF[db.engine.dialect.name]:
                        conn.execute(text(statement))
                started = time.perf_counter()
                conn.execute(insert(Visit), visits)
                conn.execute(insert(Contact), contacts)
                times[counted].append(time.perf_counter() - started)
                transaction.rollback()
    with_counts, without = 2 * n / min(times[True]), 2 * n / min(times[False])
    print(
        f"inserting {n:,} visits and {n:,} contacts a batch: {with_counts:,.0f} records/s ", end=""
    )
    print(f"with the kept counts, {without:,.0f} without ({with_counts / without:.0%})")


if __name__ == "__main__":
    main()
