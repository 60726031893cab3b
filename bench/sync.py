"""How fast records sync through the real HTTP endpoint, against plain sqlite3 inserts.

    .venv/bin/python bench/sync.py [--records 10000] [--batch 500] [--workers 2] [--devices 1]

Makes a demo database in a temporary folder, starts the app under gunicorn on SQLite,
signs in as the demo venue staff member and sends new visits through POST /api/sync in
batches, one batch after another as a device's outbox does (with --devices N, N devices
send their share at the same time, each from its own session). Then it copies the rows the
server wrote (visits, their first versions, receipts, audit events) into a fresh copy of
the empty database with sqlite3 executemany in one transaction: the floor for storing
the same rows with no HTTP, no validation and no ORM. Prints records per second for both
and the ratio.
"""

import argparse
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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

import schemes.demo  # noqa: E402
from extensions import db  # noqa: E402
from wsgi import DEFAULTS, create_app  # noqa: E402

TABLES = ("visit", "visit_revision", "receipt", "audit_event")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(path: Path, secret: str, demo: bool) -> None:
    app = create_app({"SECRET_KEY": secret, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        if demo:
            app.test_cli_runner().invoke(schemes.demo.demo)
        db.engine.dispose()


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


def plain_inserts(source: Path, target: Path) -> float:
    """Seconds for sqlite3 executemany to insert the same rows into an empty copy."""
    read = sqlite3.connect(source)
    rows = {}
    for table in TABLES:
        cursor = read.execute(f"SELECT * FROM {table}")  # noqa: S608 (names are ours)
        rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    read.close()
    write = sqlite3.connect(target, isolation_level=None)
    write.execute("PRAGMA journal_mode=WAL")
    write.execute("PRAGMA synchronous=FULL")
    write.execute("PRAGMA foreign_keys=OFF")  # the venues and people differ in the copy
    started = time.perf_counter()
    write.execute("BEGIN IMMEDIATE")
    for table in TABLES:
        columns, values = rows[table]
        marks = ", ".join("?" * len(columns))
        write.executemany(f"INSERT INTO {table} VALUES ({marks})", values)  # noqa: S608
    write.execute("COMMIT")
    elapsed = time.perf_counter() - started
    write.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=DEFAULTS["SYNC_MAX_RECORDS"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--devices", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lantern-bench-"))
    secret = secrets.token_hex(32)
    database, empty = folder / "lantern.db", folder / "empty.db"
    make_database(database, secret, demo=True)
    make_database(empty, secret, demo=False)
    port = free_port()
    env = os.environ | {
        "LANTERN_SECRET_KEY": secret,
        "LANTERN_DATABASE_URL": f"sqlite:///{database}",
        "LANTERN_LOG_LEVEL": "WARNING",
        "LANTERN_SYNC_MAX_RECORDS": str(args.batch),
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
        started = time.perf_counter()
        with ThreadPoolExecutor(args.devices) as pool:
            list(pool.map(sync_over_http, devices, sessions, shares, [args.batch] * args.devices))
        http_seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait()
    with sqlite3.connect(database) as check:
        stored = check.execute("SELECT count(*) FROM visit WHERE note = ''").fetchone()[0]
    plain_seconds = plain_inserts(database, empty)
    http_rate = args.records / http_seconds
    plain_rate = args.records / plain_seconds
    print(
        f"records: {args.records} visits in batches of {args.batch} from {args.devices} "
        f"device(s), {args.workers} gunicorn workers, {os.cpu_count()} cores"
    )
    print(f"stored on the server: {stored} visits (2 demo visits have notes)")
    print(f"HTTP /api/sync under gunicorn: {http_seconds:.2f} s, {http_rate:,.0f} records/s")
    print(f"plain sqlite3 executemany:     {plain_seconds:.2f} s, {plain_rate:,.0f} records/s")
    print(f"ratio (plain / HTTP): {plain_rate / http_rate:.1f}x")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
