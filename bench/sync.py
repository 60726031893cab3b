"""How fast records sync through the real HTTP endpoint, against the database's own floor.

    .venv/bin/python bench/sync.py [--database sqlite|postgres] [--records 10000]
        [--batch 500] [--workers 2] [--devices 1] [--stored 0]

Makes a demo database (a SQLite file in a temporary folder, or a PostgreSQL database of
its own at LANTERN_BENCH_POSTGRES_URL, dropped after), starts the app under gunicorn on it,
signs in as the demo venue staff member and sends new visits through POST /api/sync in
batches, one batch after another as a device's outbox does (with --devices N, N devices
send their share at the same time, each from its own session). Then it copies the rows the
sync wrote (visits, their first versions, receipts, audit events) into a new demo database
of the same kind with the driver's fastest way in (sqlite3's executemany, psycopg's
COPY), twice: one commit per
batch, as the sync commits, and one commit for all. Those are the floors for storing the
same rows with no HTTP, no validation and no ORM, doing the same work in the database:
foreign keys checked and the report's counts kept by their triggers, which find the
same venues there. Prints records per second for the three and the ratio of HTTP to each.

--stored N first fills every database with N visits and their first versions, with
executemany (COPY on PostgreSQL), not over HTTP: the same run with a big database.
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg.types.json import Json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

import schemes.demo  # noqa: E402
from extensions import db  # noqa: E402
from wsgi import DEFAULTS, create_app  # noqa: E402

TABLES = ("visit", "visit_revision", "receipt", "audit_event")
# The column that dates each table's rows: what the sync wrote is what came after it began.
WRITTEN_AT = {
    "visit": "created_at",
    "visit_revision": "changed_at",
    "receipt": "received_at",
    "audit_event": "at",
}
POSTGRES_URL = os.environ.get(
    "LANTERN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
FILLED_AT = datetime(2025, 1, 1)  # long before the run: the copy leaves these rows out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(url: str, secret: str, demo: bool) -> None:
    app = create_app({"SECRET_KEY": secret, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        if demo:
            app.test_cli_runner().invoke(schemes.demo.demo)
        db.engine.dispose()


def postgres_database() -> tuple[str, callable]:
    """A database of the bench's own, and how to drop it."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"lantern_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


class Raw:
    """The driver's own connection to a database, sqlite3 or psycopg, with no SQLAlchemy:
    foreign keys checked and durable commits, as the app's; `fast` turns the checks and
    triggers off, for filling a database before the run."""

    def __init__(self, url: str, fast: bool = False):
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute(f"PRAGMA foreign_keys={'OFF' if fast else 'ON'}")
        else:
            self.conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
            if fast:
                self.conn.execute("SET session_replication_role = replica")
            self.conn.commit()

    def begin(self) -> None:
        if self.sqlite:
            self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
        else:
            self.conn.commit()

    def insert(self, table: str, columns: list[str], rows: list) -> None:
        """The driver's fastest way in: sqlite3's executemany, psycopg's COPY."""
        names = ", ".join(f'"{c}"' for c in columns)
        if self.sqlite:
            marks = ", ".join(["?"] * len(columns))
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 (our names)
            self.conn.executemany(sql, rows)
            return
        with (
            self.conn.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def rows(self, table: str, since: datetime) -> tuple[list[str], list]:
        mark = "?" if self.sqlite else "%s"
        # In the order written: each floor batch then holds the rows of one sync batch,
        # a version with its visit (foreign keys are checked).
        at = WRITTEN_AT[table]
        sql = f'SELECT * FROM "{table}" WHERE "{at}" >= {mark} ORDER BY "{at}"'  # noqa: S608
        cursor = self.conn.execute(sql, (since,) if not self.sqlite else (since.isoformat(" "),))
        columns = [c[0] for c in cursor.description]
        found = cursor.fetchall()
        if not self.sqlite:  # JSON comes back as Python lists and dicts; it goes in as JSON
            found = [tuple(Json(v) if isinstance(v, dict | list) else v for v in r) for r in found]
            self.conn.commit()
        return columns, found

    def close(self) -> None:
        self.conn.close()


def fill(url: str, count: int) -> float:
    """Store `count` visits and their first versions with executemany (COPY on
    PostgreSQL), dated before the run; returns the seconds it took."""
    started = time.perf_counter()
    raw = Raw(url, fast=True)
    venue = raw.conn.execute("SELECT min(id) FROM venue").fetchone()[0] or 1
    visit_columns = [
        "id",
        "venue_id",
        "arrived_at",
        "help",
        "services",
        "age_band",
        "note",
        "version",
        "created_at",
        "updated_at",
    ]
    revision_columns = ["visit_id", "version", "data", "changed_at"]
    chunk = 50_000
    for first in range(0, count, chunk):
        visits_, revisions = [], []
        for n in range(first, min(first + chunk, count)):
            record = str(uuid.UUID(int=n + 1))
            arrived = FILLED_AT - timedelta(minutes=n)
            data = json.dumps({"arrived_at": arrived.isoformat(), "help": ["seat"]})
            visits_.append(
                (record, venue, arrived, '["seat"]', "[]", "18_24", "", 1, FILLED_AT, FILLED_AT)
            )
            revisions.append((record, 1, data, FILLED_AT))
        raw.begin()
        raw.insert("visit", visit_columns, visits_)
        raw.insert("visit_revision", revision_columns, revisions)
        raw.commit()
    raw.close()
    return time.perf_counter() - started


class Client:
    """A browser's session: cookies, and the CSRF and author tokens of /api/session."""

    def __init__(self, base: str):
        self.base = base
        self.device = str(uuid.uuid4())  # the outbox's id: author tokens are made for it
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        url = self.base + path  # always our own http://127.0.0.1 server
        request = urllib.request.Request(url, body, headers, method="POST")  # noqa: S310
        with self.opener.open(request) as response:
            return response.status, response.read()

    def sign_in(self, username: str, password: str) -> dict:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get("/signin"))
        form = {"csrf_token": token.group(1), "username": username, "password": password}
        body = urllib.parse.urlencode(form).encode()
        self.post("/signin", body, {"Content-Type": "application/x-www-form-urlencoded"})
        return json.loads(self.get(f"/api/session?device={self.device}"))


def wait_until_up(client: Client, process) -> None:
    for _ in range(100):
        try:
            client.get("/healthz")
            return
        except OSError:
            if process.poll() is not None:
                sys.exit("gunicorn did not start")
            time.sleep(0.1)
    sys.exit("gunicorn did not answer")


def visits(count: int, venue_id: int, author: str) -> list[dict]:
    """New visits as a device's outbox holds them."""
    now = datetime.now(UTC)
    arrived = now.astimezone().strftime("%Y-%m-%dT%H:%M")
    entries = []
    for seq in range(1, count + 1):
        record = str(uuid.uuid4())
        data = {
            "id": record,
            "venue_id": str(venue_id),
            "arrived_at": arrived,
            "help": ["seat", "phone_charged"],
            "age_band": "18_24",
            "company": "alone",
            "note": "",
        }
        entries.append(
            {
                "op": str(uuid.uuid4()),
                "kind": "visit",
                "id": record,
                "seq": seq,
                "saved_at": now.isoformat(),
                "author": author,
                "data": data,
            }
        )
    return entries


def sync_over_http(client: Client, session: dict, entries: list, batch: int) -> float:
    """Seconds to send every entry, a batch at a time; every answer must be created."""
    device = client.device
    headers = {"Content-Type": "application/json", "X-CSRFToken": session["csrf"]}
    started = time.perf_counter()
    for i in range(0, len(entries), batch):
        body = json.dumps({"device": device, "records": entries[i : i + batch]}).encode()
        status, answer = client.post("/api/sync", body, headers)
        results = json.loads(answer)["results"]
        if status != 200 or any(r["status"] != "created" for r in results):
            sys.exit(f"sync failed: {status} {results[:1]}")
    return time.perf_counter() - started


def floor(url: str, written: dict, batches: int) -> float:
    """Seconds for the driver to insert the rows the sync wrote (executemany, or COPY) into a
    new demo database, in `batches` transactions (each table's rows split evenly)."""
    raw = Raw(url)
    started = time.perf_counter()
    for b in range(batches):
        raw.begin()
        for table, (columns, rows) in written.items():
            size = -(-len(rows) // batches)
            raw.insert(table, columns, rows[b * size : (b + 1) * size])
        raw.commit()
    elapsed = time.perf_counter() - started
    raw.close()
    return elapsed


@contextlib.contextmanager
def databases(kind: str, folder: Path, count: int):
    """Three databases: the served one, and two for the floors."""
    drops = []
    urls = []
    for name in ("lantern", "floor_batch", "floor_all"):
        if kind == "postgres":
            url, drop = postgres_database()
            drops.append(drop)
        else:
            url = f"sqlite:///{folder / name}.db"
        urls.append(url)
    try:
        yield urls
    finally:
        for drop in drops:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=DEFAULTS["SYNC_MAX_RECORDS"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--devices", type=int, default=1)
    parser.add_argument("--stored", type=int, default=0, help="visits stored before the run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lantern-bench-"))
    secret = secrets.token_hex(32)
    with databases(args.database, folder, args.stored) as (database, *floors):
        make_database(database, secret, demo=True)
        fill_seconds = 0.0
        for url in floors:  # the same demo: the same ids for venues and people
            make_database(url, secret, demo=True)
        if args.stored:
            fill_seconds += fill(database, args.stored) + fill(floors[0], args.stored)
            if args.database == "sqlite":  # the same empty database, filled: copy the file
                shutil.copyfile(folder / "floor_batch.db", folder / "floor_all.db")
            else:
                fill_seconds += fill(floors[1], args.stored)
        http_seconds, since = serve_and_sync(args, database, secret)
        raw = Raw(database)
        written = {table: raw.rows(table, since) for table in TABLES}
        raw.close()
        stored = len(written["visit"][1])
        batches = -(-args.records // args.batch)
        per_batch = floor(floors[0], written, batches)
        all_at_once = floor(floors[1], written, 1)
    shutil.rmtree(folder)
    http_rate = args.records / http_seconds
    batch_rate, all_rate = args.records / per_batch, args.records / all_at_once
    print(
        f"{args.database}: {args.records} visits in batches of {args.batch} from "
        f"{args.devices} device(s), {args.workers} gunicorn workers, {os.cpu_count()} cores"
    )
    if args.stored:
        print(f"already stored: {args.stored:,} visits (filled in {fill_seconds:.0f} s)")
    print(f"stored by the sync: {stored} visits")
    driver = "sqlite3 executemany" if args.database == "sqlite" else "psycopg COPY"
    for name, seconds, rate in (
        ("HTTP /api/sync under gunicorn", http_seconds, http_rate),
        (f"{driver}, a commit per batch", per_batch, batch_rate),
        (f"{driver}, one commit for all", all_at_once, all_rate),
    ):
        print(f"{name + ':':42} {seconds:6.2f} s, {rate:8,.0f} records/s")
    print(f"HTTP / floor with a commit per batch: {http_rate / batch_rate:.0%}")
    print(f"HTTP / floor with one commit for all: {http_rate / all_rate:.0%}")


def serve_and_sync(args, database: str, secret: str) -> tuple[float, datetime]:
    """Serve the database under gunicorn and send every visit; returns the seconds it took
    and when it began (naive UTC, as the database stores times)."""
    port = free_port()
    env = os.environ | {
        "LANTERN_SECRET_KEY": secret,
        "LANTERN_DATABASE_URL": database,
        "LANTERN_LOG_LEVEL": "WARNING",
        "LANTERN_SYNC_MAX_RECORDS": str(args.batch),
        # Several workers must share their rate-limit counts (gunicorn.conf.py refuses
        # memory:// then); a prefix of this run's own keeps them apart from any other.
        "LANTERN_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "LANTERN_RATELIMIT_KEY_PREFIX": f"bench-sync-{secrets.token_hex(4)}",
    }
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers)]
    process = subprocess.Popen(  # noqa: S603 (our own fixed command)
        [*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:create_app()"],
        cwd=ROOT,
        env=env,
    )
    try:
        client = Client(f"http://127.0.0.1:{port}")
        wait_until_up(client, process)
        devices = [Client(client.base) for _ in range(args.devices)]
        sessions = [device.sign_in("staff", schemes.demo.PASSWORD) for device in devices]
        page = devices[0].get("/visits/new")
        venue_id = int(re.search(r'name="venue_id"[^>]*value="(\d+)"', page)[1])
        counts = [len(range(i, args.records, args.devices)) for i in range(args.devices)]
        shares = [visits(n, venue_id, s["author"]) for n, s in zip(counts, sessions, strict=True)]
        since = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.devices) as pool:
            list(pool.map(sync_over_http, devices, sessions, shares, [args.batch] * args.devices))
        return time.perf_counter() - started, since
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
