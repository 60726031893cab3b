"""How long the quarterly partnership report takes over a million visits and contacts.

    .venv/bin/python bench/report.py [--visits 1000000] [--contacts 1000000] [--years 3]

Migrates a SQLite database in a temporary folder, bulk-inserts synthetic venues, teams,
patrols, contacts and visits with sqlite3's executemany (spread evenly over --years
years ending with the last quarter), then builds the last quarter's report as the page
does: its grouped queries, then the layout and small-number suppression for partners.
Prints the best of --runs times of each step, and each query's plan (EXPLAIN QUERY PLAN),
which names the indexes it uses. `--years 0.25` puts every record in the one quarter.
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
from sqlalchemy import event  # noqa: E402

from extensions import db  # noqa: E402
from reports import quarterly  # noqa: E402
from reports.periods import last_ended_quarter  # noqa: E402
from wsgi import create_app  # noqa: E402

HELP = ["seat", "phone_charged", "called_friend", "called_taxi", "water", "signposted"]
GIVEN = ["water", "conversation", "flip_flops", "stayed", "helped_taxi", "first_aid"]
VENUES, TEAMS, PASTORS, SERVICES = 40, 4, 12, 11


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


def fill(path: str, visits: int, contacts: int, start: datetime, end: datetime) -> None:
    """Bulk-insert the synthetic scheme straight into the migrated database."""
    draw = random.Random(7)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")  # a throwaway database: speed over safety
    con.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the random ids' index stays in memory
    places(con, stamp(datetime(2026, 1, 1)))
    patrols = patrol_rows(draw, start, end)
    con.executemany(
        "INSERT INTO patrol (id, team_id, route, started_at, ended_at, tallies, note, "
        "created_at) VALUES (?, ?, '', ?, ?, '{}', '', ?)",
        patrols,
    )
    con.executemany(
        "INSERT INTO patrol_pastor (patrol_id, user_id) VALUES (?, ?)",
        [(p[0], u) for p in patrols for u in draw.sample(range(1, PASTORS + 1), 3)],
    )
    # Indexes are quicker built once, over the rows, than grown row by row: drop the big
    # tables' own (not those behind their keys), and make them again as the migration did.
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('visit', 'contact')"
    ).fetchall()
    for name, _sql in indexes:
        con.execute(f'DROP INDEX "{name}"')
    rows, handed = contact_rows(draw, patrols, contacts)
    con.executemany(
        "INSERT INTO contact (id, patrol_id, at, people, seen, given, services, street, "
        "handover_venue_id, note, version, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, '[]', ?, ?, '', ?, '', 1, ?, ?)",
        rows,
    )
    con.executemany(
        "INSERT INTO visit (id, venue_id, arrived_at, help, services, note, version, "
        "contact_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', 1, ?, ?, ?)",
        visit_rows(draw, visits, handed, start, end),
    )
    for _name, sql in indexes:
        con.execute(sql)
    con.commit()
    con.close()


def places(con: sqlite3.Connection, now: str) -> None:
    """The scheme, its venues, teams, support services and pastors."""
    con.execute(
        "INSERT INTO scheme (id, name, tallies, created_at) VALUES (1, 'Bench', '[]', ?)", (now,)
    )
    con.executemany(
        "INSERT INTO venue (id, scheme_id, name, address, postcode, kind, opening_hours, "
        "contact_name, contact_phone, contact_email, status, public_code, created_at) "
        "VALUES (?, 1, ?, '', '', 'pub', '', '', '', '', 'active', ?, ?)",
        [(v, f"Venue {v:02d}", uuid.uuid4().hex[:12], now) for v in range(1, VENUES + 1)],
    )
    con.executemany(
        "INSERT INTO team (id, scheme_id, name, created_at) VALUES (?, 1, ?, ?)",
        [(t, f"Team {t}", now) for t in range(1, TEAMS + 1)],
    )
    con.executemany(
        "INSERT INTO support_service (id, scheme_id, name, purpose, phone, website, hours, "
        "area, position) VALUES (?, 1, ?, '', '', '', '', '', ?)",
        [(s, f"Service {s}", s) for s in range(1, SERVICES + 1)],
    )
    con.executemany(
        "INSERT INTO user (id, scheme_id, name, username, password_hash, active, created_at, "
        "pin_failures) VALUES (?, 1, ?, ?, '!', 1, ?, 0)",
        [(u, f"Pastor {u}", f"pastor{u}", now) for u in range(1, PASTORS + 1)],
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
            (contact_id, patrol, stamp(at), people, given, services, handover) + (started,) * 2
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
        rows.append((new_id(draw), venue, at, help_, services, contact_id, at, at))
    rows.sort(key=lambda row: row[2])
    return rows


class Statements:
    """Every SQL statement the report runs, with its parameters, for EXPLAIN QUERY PLAN."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[str, tuple]] = []
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append((statement, parameters))


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
    args = parser.parse_args()
    period = last_ended_quarter()
    end = datetime.combine(period.end, datetime.min.time()) + timedelta(hours=5)
    start = end - timedelta(days=365.25 * args.years)
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.db"
        app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "b" * 64})
        with app.app_context(), app.test_request_context():
            upgrade()
            db.engine.dispose()
            started = time.perf_counter()
            fill(path, args.visits, args.contacts, start, end)
            filled = time.perf_counter() - started
            size = Path(path).stat().st_size / 1024 / 1024
            print(f"{args.visits:,} visits and {args.contacts:,} contacts over {args.years} years")
            print(f"inserted in {filled:.1f} s; the database is {size:.0f} MiB")
            in_quarter = db.session.execute(
                db.text("SELECT count(*) FROM visit WHERE arrived_at >= :a AND arrived_at < :b"),
                {"a": stamp(period.start_utc), "b": stamp(period.end_utc)},
            ).scalar()
            print(f"report for {period.first} to {period.last}: {in_quarter:,} of the visits")
            report(period, args.runs)


def report(period, runs: int) -> None:
    """Time the report's steps and show the plans of its queries."""
    statements = Statements(db.engine)
    cold = time.perf_counter()
    data = quarterly.gather(1, period)
    cold = time.perf_counter() - cold
    queries = list(statements.seen)
    fast, median, data = best(lambda: quarterly.gather(1, period), runs)
    print(f"queries ({len(queries)}): first run {cold:.3f} s, best {fast:.3f} s, ", end="")
    print(f"median {median:.3f} s")
    fast, median, _ = best(lambda: quarterly.build(data, "Bench", period, True, 5), runs)
    print(f"layout and suppression for partners: best {fast:.3f} s, median {median:.3f} s")
    fast, median, _ = best(
        lambda: quarterly.build(quarterly.gather(1, period), "Bench", period, True, 5), runs
    )
    print(
        f"the whole report (queries, layout, suppression): best {fast:.3f} s, median {median:.3f} s"
    )
    print("\nquery plans (EXPLAIN QUERY PLAN):")
    connection = db.engine.raw_connection()
    for statement, parameters in (q for q in queries if q[0].lstrip().startswith("SELECT")):
        first_line = " ".join(statement.split())[:110]
        print(f"\n  {first_line}...")
        for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
            print(f"    {row[-1]}")
    connection.close()


if __name__ == "__main__":
    main()
