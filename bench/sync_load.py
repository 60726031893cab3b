"""Concurrent devices syncing against gunicorn: is every record stored exactly once?

    .venv/bin/python bench/sync_load.py [--database sqlite|postgres] [--devices 8]
        [--batches 50] [--records 100] [--workers 3] [--busy-timeout-ms 20]

Makes a demo database (a SQLite file in a temporary folder, or a PostgreSQL database of
its own at LANTERN_BENCH_POSTGRES_URL, default postgres@127.0.0.1:5432, dropped after),
serves it with gunicorn and its workers, and lets that many devices sync at once, each
signed in with its own session and outbox id, as the outbox does: batches of new visits,
one after another. Like real networks and people, a device now and then sends a batch
again (its answer was lost) or twice at the same moment (a slow answer, two tabs), and
now and then sends a record it sent before under the same id with other content (a
conflict, kept for a coordinator). A 5xx answer or a
broken connection is tried again, as the outbox does; a 503 after its Retry-After.

Then it counts, from the database: records expected, stored, lost, duplicated (a record
created twice, or a version added by a resend), conflicts kept against those sent, and
the answers by HTTP status and by entry status. The target is 0 lost, 0 duplicated and
no answer of 500. Prints figures only; it is not a timed test.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


import schemes.demo  # noqa: E402
from bench.sync import (  # noqa: E402
    Client,
    free_port,
    make_database,
    postgres_database,
    wait_until_up,
)

LONDON = ZoneInfo("Europe/London")

RESEND = 0.15  # share of batches sent again: the first answer was lost
TWICE_AT_ONCE = 0.1  # share sent twice at the same moment
CONFLICTS_PER_BATCH = 2  # records sent again under their id with another note
MAX_TRIES = 30  # per batch: a server that never answers stops the run


class Tally:
    """What every device saw, added up under a lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.http = Counter()  # HTTP status of every answer, or "no answer"
        self.entries = Counter()  # created, duplicate, conflict, rejected
        self.expected: set[str] = set()
        self.conflicts_sent = 0
        self.retries = 0

    def answer(self, status, retried: bool = False) -> None:
        with self.lock:
            self.http[status] += 1
            self.retries += retried

    def batch(self, results: list, new_ids: set, conflicting: int) -> None:
        with self.lock:
            self.entries.update(result["status"] for result in results)
            self.expected |= new_ids
            self.conflicts_sent += conflicting


def visit(venue_id: int, author: str, seq: int, arrived: str, note: str, record=None) -> dict:
    record = record or str(uuid.uuid4())
    return {
        "op": str(uuid.uuid4()),
        "kind": "visit",
        "id": record,
        "seq": seq,
        "saved_at": datetime.now(UTC).isoformat(),
        "author": author,
        "data": {
            "id": record,
            "venue_id": str(venue_id),
            "arrived_at": arrived,
            "help": ["seat"],
            "note": note,
        },
    }


def send(client: Client, session: dict, body: bytes, tally: Tally) -> list[dict]:
    """POST a batch until the server answers it; 5xx and broken connections try again."""
    headers = {"Content-Type": "application/json", "X-CSRFToken": session["csrf"]}
    for _try in range(MAX_TRIES):
        try:
            status, answer = client.post("/api/sync", body, headers)
        except urllib.error.HTTPError as error:
            tally.answer(error.code, retried=True)
            wait = int(error.headers.get("Retry-After") or 1) if error.code == 503 else 1
            time.sleep(wait * random.uniform(0.5, 1.0))
            continue
        except OSError:
            tally.answer("no answer", retried=True)
            time.sleep(1)
            continue
        tally.answer(status)
        return json.loads(answer)["results"]
    sys.exit("a batch went unanswered: the server is not taking records")


def signed_in(client: Client, tally: Tally) -> dict:
    """Sign in and open the outbox's session, again after a busy answer, as a person would."""
    for _try in range(MAX_TRIES):
        try:
            return client.sign_in("staff", schemes.demo.PASSWORD)
        except urllib.error.HTTPError as error:
            tally.answer(error.code, retried=True)
            time.sleep(random.uniform(0.5, 1.0))
    sys.exit("could not sign in: the server is not answering")


def device(base: str, venue_id: int, batches: int, records: int, tally: Tally) -> None:
    """One device's outbox: new visits in batches, some resent, some conflicting."""
    client = Client(base)
    session = signed_in(client, tally)
    arrived = (datetime.now(LONDON) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    seq, sent_before = 0, []
    for _batch in range(batches):
        entries = []
        for _ in range(records):
            seq += 1
            entries.append(visit(venue_id, session["author"], seq, arrived, "load"))
        for earlier in random.sample(sent_before, min(CONFLICTS_PER_BATCH, len(sent_before))):
            seq += 1
            entries.append(visit(venue_id, session["author"], seq, arrived, "other", earlier))
        body = json.dumps({"device": client.device, "records": entries}).encode()
        chance = random.random()
        if chance < TWICE_AT_ONCE:
            # A resend while the first is still being taken (its answer was slow, or two
            # tabs): the same batch twice at the same moment.
            with ThreadPoolExecutor(2) as both:
                twice = [both.submit(send, client, session, body, tally) for _ in range(2)]
                results = [result for sent in twice for result in sent.result()]
        else:
            results = send(client, session, body, tally)
        if chance > 1 - RESEND:
            results += send(client, session, body, tally)  # the first answer was lost
        tally.batch(results, {entry["id"] for entry in entries[:records]}, len(entries) - records)
        sent_before += [entry["id"] for entry in entries[:records]]


def counted(url: str, expected: set[str]) -> dict:
    """Lost, duplicated and conflicts, read from the database the server wrote."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT id FROM visit WHERE note IN ('load', '')")))
        stored = {row[0] for row in stored} & expected
        twice = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT record_id FROM receipt WHERE outcome = 'created' "
                "GROUP BY record_id HAVING count(*) > 1) AS t"
            )
        ).scalar()
        rewritten = conn.execute(sa.text("SELECT count(*) FROM visit WHERE version > 1")).scalar()
        conflicts = conn.execute(sa.text("SELECT count(*) FROM sync_conflict")).scalar()
    engine.dispose()
    return {
        "stored": len(stored),
        "lost": len(expected - stored),
        "duplicated": twice + rewritten,
        "conflicts": conflicts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--busy-timeout-ms", type=int, help="SQLite's busy timeout: small, to provoke 503s"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lantern-load-"))
    secret = secrets.token_hex(32)
    drop = None
    if args.database == "postgres":
        url, drop = postgres_database()
    else:
        url = f"sqlite:///{folder / 'lantern.db'}"
    port = free_port()
    env = os.environ | {
        "LANTERN_SECRET_KEY": secret,
        "LANTERN_DATABASE_URL": url,
        "LANTERN_LOG_LEVEL": "WARNING",
        # Every device signs in from this one address within a few seconds.
        "LANTERN_SIGNIN_RATE_LIMIT": "1000 per minute",
        # Several workers must share their rate-limit counts (gunicorn.conf.py refuses
        # memory:// then); a prefix of this run's own keeps them apart from any other.
        "LANTERN_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "LANTERN_RATELIMIT_KEY_PREFIX": f"bench-load-{secrets.token_hex(4)}",
    }
    if args.busy_timeout_ms is not None:
        env["LANTERN_SQLITE_BUSY_TIMEOUT_MS"] = str(args.busy_timeout_ms)
    tally = Tally()
    try:
        make_database(url, secret, demo=True)
        gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers)]
        command = [*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        process = subprocess.Popen(  # noqa: S603 (our own fixed command)
            [*command, "wsgi:create_app()"], cwd=ROOT, env=env
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(Client(base), process)
            page = Client(base)
            page.sign_in("staff", schemes.demo.PASSWORD)
            form = page.get("/visits/new")
            venue_id = int(re.search(r'name="venue_id"[^>]*value="(\d+)"', form)[1])
            started = time.perf_counter()
            with ThreadPoolExecutor(args.devices) as pool:
                runs = [
                    pool.submit(device, base, venue_id, args.batches, args.records, tally)
                    for _ in range(args.devices)
                ]
                for run in runs:
                    run.result()
            seconds = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait()
        figures = counted(url, tally.expected)
    finally:
        if drop:
            drop()
        shutil.rmtree(folder)
    report(args, tally, figures, seconds)


def report(args, tally: Tally, figures: dict, seconds: float) -> None:
    print(
        f"{args.database}: {args.devices} devices x {args.batches} batches x {args.records} "
        f"new visits (+{CONFLICTS_PER_BATCH} conflicting each), {args.workers} gunicorn "
        f"workers, {os.cpu_count()} cores, {seconds:.1f} s"
    )
    print(f"records expected:   {len(tally.expected)}")
    print(f"stored:             {figures['stored']}")
    print(f"lost:               {figures['lost']}")
    print(f"duplicated:         {figures['duplicated']}")
    print(f"conflicts kept:     {figures['conflicts']} (sent {tally.conflicts_sent})")
    http = ", ".join(f"{code}: {n}" for code, n in sorted(tally.http.items(), key=str))
    print(f"answers by status:  {http} (tried again: {tally.retries})")
    entries = ", ".join(f"{status}: {n}" for status, n in sorted(tally.entries.items()))
    print(f"entries by status:  {entries}")
    ok = figures["lost"] == 0 and figures["duplicated"] == 0 and tally.http[500] == 0
    print("target met: 0 lost, 0 duplicated, 0 answers of 500" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
