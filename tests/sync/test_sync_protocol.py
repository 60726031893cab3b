"""The outbox protocol, explored by Hypothesis against the real server code (issue 5).

A model device keeps an outbox as the browser does (/tmp/contract.md): people sign in and
out of one shared device, save valid and invalid visits and contacts, and send batches.
The server answers through the real app and its database; on the way, answers are lost
after the server has committed, the server fails with a 500 before committing, sessions
time out, and old batches are replayed as a network might. The device removes an entry
only after created, duplicate or conflict, keeps rejected ones for their author to fix or
discard, and keeps everything on any other answer.

After every step the server holds only records that were saved, each with its author's
name on it, and no conflict. At the end the device drains its outbox: the server then
holds exactly the valid records saved, once each, each attributed to its author.
"""

import itertools
import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from unittest import mock

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, update

from accounts import services as accounts
from accounts.models import Scheme, User, UserSession
from accounts.passwords import hash_password
from core.timeutil import to_london, to_utc, utcnow
from extensions import db
from havens.choices import HELP, LEFT_HOW
from havens.models import Venue, Visit
from patrols.choices import GIVEN
from patrols.models import Contact, Patrol, Team
from sync import batch as sync_batch
from sync.models import Receipt, SyncConflict

LOCAL = "%Y-%m-%dT%H:%M"
# Two members of staff share the venue's tablet; a leader and a pastor share a phone.
PEOPLE = {"sam": "venue_staff", "kim": "venue_staff", "lee": "pastor", "pat": "pastor"}
STAFF = sorted(name for name, role in PEOPLE.items() if role == "venue_staff")
PASTORS = sorted(name for name, role in PEOPLE.items() if role == "pastor")
HELP_CODES = list(HELP)
GIVEN_CODES = [code for code in GIVEN if code != "handover"]  # a hand-over needs a venue
TAKEN = ("created", "duplicate", "conflict")  # the answers after which an entry may leave


def new_id() -> str:
    return str(uuid.uuid4())


def local(delta: timedelta) -> str:
    """Now plus delta, as the London wall-clock value a datetime-local field holds."""
    return to_london(utcnow() + delta).strftime(LOCAL)


def in_order(codes, order: list[str]) -> list[str]:
    return [code for code in order if code in codes]


@cache
def password_hash(password: str) -> str:
    """One Argon2 hash for everyone: hashing per person per example would be slow."""
    return hash_password(password)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- a fresh database for each example -------------------------------------------------------


def empty_tables(url: str) -> None:
    """What conftest does after a PostgreSQL test: every table emptied, ids restarted."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        quoted = ", ".join(f'"{table}"' for table in tables)
        conn.exec_driver_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    engine.dispose()


def fresh_database(database_url: str, directory, number: int, backend: str) -> str:
    """A copy of the migrated template (SQLite), or the test database emptied (PostgreSQL)."""
    if backend == "sqlite":
        copy = directory / f"example-{number}.db"
        shutil.copy(database_url.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    empty_tables(database_url)
    return database_url


# --- the model device ------------------------------------------------------------------------


@dataclass
class Entry:
    """One outbox entry: what it sends, who wrote it, and what the device knows of it."""

    body: dict
    author: str
    valid: bool
    state: str = "waiting"  # or "rejected": shown to its author to fix or discard

    @property
    def op(self) -> str:
        return self.body["op"]

    @property
    def kind(self) -> str:
        return self.body["kind"]

    @property
    def record_id(self) -> str:
        return self.body["id"]


class Device(RuleBasedStateMachine):
    """One shared device talking to the real server, with a fresh database per example."""

    examples = itertools.count()

    def __init__(self, database_url: str, directory, make_app, auth, backend: str):
        super().__init__()
        self.auth, self.backend = auth, backend
        self.url = fresh_database(database_url, directory, next(self.examples), backend)
        self.app = make_app(
            self.url,
            PROPAGATE_EXCEPTIONS=False,  # a failure is a 500 answer, as in production
            SIGNIN_RATE_LIMIT="10000 per minute",
        )
        self.failing: str | None = None
        self.app.before_request(self.fail_before_taking)
        self.real_take_batch = sync_batch.take_batch
        self.patch = mock.patch.object(sync_batch, "take_batch", self.take_batch_then_fail)
        self.context = self.app.app_context()
        self.context.push()
        self.patch.start()
        self.set_up_scheme()
        self.client = self.app.test_client()
        self.device = new_id()
        self.seq = 0
        self.user: str | None = None  # who the device believes is signed in
        self.csrf: str | None = None  # the last CSRF token it was given
        self.tokens: dict[str, str] = {}  # each person's author token, from /api/session
        self.outbox: dict[str, Entry] = {}
        self.saved: list[Entry] = []  # every entry ever saved, kept or not
        self.batches: list[list[dict]] = []  # every batch sent, as sent, for replays

    def set_up_scheme(self) -> None:
        scheme = Scheme(name="Testbridge")
        db.session.add(scheme)
        db.session.flush()
        venue = Venue(scheme_id=scheme.id, name="The Lamp", status="active")
        team = Team(scheme_id=scheme.id, name="Friday team")
        db.session.add_all([venue, team])
        db.session.flush()
        memberships = {
            "sam": {"venues": [venue]},
            "kim": {"venues": [venue]},
            "lee": {"leads": [team]},
            "pat": {"teams": [team]},
        }
        self.people = {}
        for name, role in PEOPLE.items():
            person = accounts.create_person(
                scheme, name.title(), name, None, roles={role}, **memberships[name]
            )
            person.password_hash = password_hash(self.auth.password)
            self.people[name] = person.id
        self.venue_id = venue.id
        self.patrol_id = new_id()
        pastors = [db.session.get(User, self.people[name]) for name in PASTORS]
        db.session.add(
            Patrol(
                id=self.patrol_id,
                team_id=team.id,
                started_at=utcnow() - timedelta(hours=2),
                pastors=pastors,
            )
        )
        db.session.commit()

    def teardown(self) -> None:
        try:
            self.drain()
            self.check_everything_arrived_once()
        finally:
            self.patch.stop()
            db.session.remove()
            db.engine.dispose()
            self.context.pop()
            if self.backend != "sqlite":
                empty_tables(self.url)

    # The server failing: before it takes the batch, or after taking it, before committing.

    def fail_before_taking(self) -> None:
        if self.failing == "before_taking":
            raise RuntimeError("the server fails before taking the batch")

    def take_batch_then_fail(self, *args, **kwargs):
        results = self.real_take_batch(*args, **kwargs)
        if self.failing == "after_taking":
            raise RuntimeError("the server fails after taking the batch, before committing")
        return results

    # What the device does.

    def waiting(self) -> list[Entry]:
        return [entry for entry in self.outbox.values() if entry.state == "waiting"]

    def rejected_of(self, person: str | None) -> list[Entry]:
        return [e for e in self.outbox.values() if e.state == "rejected" and e.author == person]

    def save(self, kind: str, data: dict, valid: bool, record_id: str) -> None:
        self.seq += 1
        body = {
            "op": new_id(),
            "kind": kind,
            "id": record_id,
            "seq": self.seq,
            "saved_at": utcnow().isoformat(timespec="milliseconds") + "Z",
            "author": self.tokens[self.user],
            "data": data,
        }
        if kind == "contact":
            body["patrol"] = self.patrol_id
        entry = Entry(body=body, author=self.user, valid=valid)
        self.outbox[entry.op] = entry
        self.saved.append(entry)

    def post(self, bodies: list[dict], activity: bool = False):
        """Send a batch; it is remembered as sent, for a replay later."""
        self.batches.append(json.loads(json.dumps(bodies)))
        headers = {"X-CSRFToken": self.csrf or ""}
        if activity:
            headers["X-Lantern-Activity"] = "1"
        return self.client.post(
            "/api/sync", json={"device": self.device, "records": bodies}, headers=headers
        )

    def sync_after_saving(self, sync_now: bool) -> None:
        """The app syncs right after a save, unless the device is offline."""
        if sync_now:
            self.send_and_read(self.waiting()[: self.app.config["SYNC_MAX_RECORDS"]], True)

    def send_and_read(self, entries: list[Entry], activity: bool = False) -> None:
        """Send entries and act on the answer as the outbox does."""
        before = self.server_state()
        response = self.post([entry.body for entry in entries], activity)
        if self.user is None:
            # Signed out on this device: its CSRF token went with the session.
            assert response.status_code in (400, 401), response.get_data(as_text=True)
            assert self.server_state() == before
            return
        if response.status_code == 401:  # the session timed out: sign in to send
            self.user = None
            assert self.server_state() == before
            return
        assert response.status_code == 200, response.get_data(as_text=True)
        results = response.get_json()["results"]
        assert [result["op"] for result in results] == [entry.op for entry in entries]
        for entry, result in zip(entries, results, strict=True):
            status = result["status"]
            if entry.valid:
                # A valid record is stored once: created the first time, duplicate after.
                assert status in ("created", "duplicate"), result
                assert (status == "created") == (entry.record_id not in before["ids"]), result
                assert "receipt" in result
            else:
                assert status == "rejected" and result["errors"], result
            if status in TAKEN:
                del self.outbox[entry.op]
            else:
                entry.state = "rejected"

    def server_state(self) -> dict:
        db.session.expire_all()
        visits, contacts = select(Visit.id), select(Contact.id)
        ids = set(db.session.scalars(visits)) | set(db.session.scalars(contacts))
        return {
            "ids": ids,
            "receipts": count(Receipt),
            "conflicts": count(SyncConflict),
        }

    def valid_data(self, kind: str, record_id: str, draw_from) -> dict:
        """The form's fields as FormData gives them, with answers a person might choose."""
        if kind == "visit":
            return {
                "id": record_id,
                "venue_id": str(self.venue_id),
                "contact_id": "",
                "arrived_at": local(-timedelta(minutes=draw_from["minutes"])),
                "help": in_order(draw_from["codes"], HELP_CODES),
                "left_how": draw_from["left_how"],
                "departed_at": "",
                "note": "",
            }
        return {
            "id": record_id,
            "given": in_order(draw_from["codes"], GIVEN_CODES),
            "people": str(draw_from["people"]),
            "people_more": "",
            "handover_venue_id": "0",
            "area_id": "0",
            "street": "",
            "latitude": "",
            "longitude": "",
            "at": local(-timedelta(minutes=draw_from["minutes"])),
            "note": "",
        }

    # The rules.

    @initialize(person=st.sampled_from(sorted(PEOPLE)))
    def open_the_app(self, person):
        self.sign_in(person)

    @precondition(lambda self: self.user is None)
    @rule(person=st.sampled_from(sorted(PEOPLE)))
    def sign_in(self, person):
        """Sign in (the same person again, or a colleague) and open the app."""
        response = self.auth.login(person, client=self.client)
        assert response.status_code == 302, response.get_data(as_text=True)
        session = self.client.get("/api/session", query_string={"device": self.device})
        session = session.get_json()
        assert session["user"]["id"] == self.people[person]
        self.user, self.csrf = person, session["csrf"]
        self.tokens[person] = session["author"]

    @precondition(lambda self: self.user is not None)
    @rule(person=st.sampled_from(sorted(PEOPLE)), send_first=st.booleans())
    def hand_the_device_over(self, person, send_first):
        """Sign out (maybe after a send signed out) and sign in again, as the same person or
        a colleague. Signing out never touches the outbox."""
        self.client.post("/signout", data={"csrf_token": self.csrf})
        self.user = None
        if send_first and self.waiting():
            self.send_and_read(self.waiting())
        self.sign_in(person)

    @precondition(lambda self: self.user is not None)
    @rule()
    def session_times_out(self):
        """Nobody used the device for longer than the idle timeout; it does not know yet."""
        idle = self.app.config["IDLE_TIMEOUT_MINUTES"] + 1
        db.session.execute(
            update(UserSession)
            .where(UserSession.ended_at.is_(None))
            .values(last_seen_at=utcnow() - timedelta(minutes=idle))
        )
        db.session.commit()

    @precondition(lambda self: self.user in STAFF)
    @rule(
        codes=st.lists(st.sampled_from(HELP_CODES), min_size=1, max_size=3, unique=True),
        left_how=st.sampled_from(list(LEFT_HOW)),
        minutes=st.integers(1, 600),
        sync_now=st.booleans(),
    )
    def save_a_visit(self, codes, left_how, minutes, sync_now):
        record_id = new_id()
        answers = {"codes": codes, "left_how": left_how, "minutes": minutes}
        self.save("visit", self.valid_data("visit", record_id, answers), True, record_id)
        self.sync_after_saving(sync_now)

    @precondition(lambda self: self.user in PASTORS)
    @rule(
        codes=st.lists(st.sampled_from(GIVEN_CODES), min_size=1, max_size=3, unique=True),
        people=st.integers(1, 6),
        minutes=st.integers(1, 110),
        sync_now=st.booleans(),
    )
    def save_a_contact(self, codes, people, minutes, sync_now):
        record_id = new_id()
        answers = {"codes": codes, "people": people, "minutes": minutes}
        self.save("contact", self.valid_data("contact", record_id, answers), True, record_id)
        self.sync_after_saving(sync_now)

    @precondition(lambda self: self.user is not None)
    @rule(fault=st.sampled_from(["future", "nothing_chosen"]), sync_now=st.booleans())
    def save_an_invalid_record(self, fault, sync_now):
        """A time in the future, or no help (visit) or nothing given or seen (contact)."""
        kind = "visit" if self.user in STAFF else "contact"
        record_id = new_id()
        answers = {"codes": ["water"], "left_how": "taxi", "minutes": 30, "people": 1}
        data = self.valid_data(kind, record_id, answers)
        if fault == "future":
            data["arrived_at" if kind == "visit" else "at"] = local(timedelta(hours=3))
        else:
            del data["help" if kind == "visit" else "given"]
        self.save(kind, data, False, record_id)
        self.sync_after_saving(sync_now)

    @precondition(lambda self: self.waiting())
    @rule(size=st.integers(1, 6))
    def send_a_batch(self, size):
        self.send_and_read(self.waiting()[:size])

    @precondition(lambda self: self.user is not None and self.waiting())
    @rule(size=st.integers(1, 6))
    def send_a_batch_whose_answer_is_lost(self, size):
        """The server commits, the answer never arrives: the device keeps everything."""
        response = self.post([entry.body for entry in self.waiting()[:size]])
        assert response.status_code in (200, 401), response.get_data(as_text=True)

    @precondition(lambda self: self.user is not None and self.waiting())
    @rule(size=st.integers(1, 6), where=st.sampled_from(["after_taking", "before_taking"]))
    def send_a_batch_the_server_fails(self, size, where):
        """A 500: nothing is committed and the device keeps everything."""
        before = self.server_state()
        self.failing = where
        try:
            response = self.post([entry.body for entry in self.waiting()[:size]])
        finally:
            self.failing = None
        if response.status_code == 401:
            self.user = None
        else:
            assert response.status_code == 500, response.get_data(as_text=True)
            assert response.is_json
        assert self.server_state() == before

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def replay_an_old_batch(self, data):
        """A batch sent before arrives again (a retry by the network or a proxy)."""
        bodies = data.draw(st.sampled_from(self.batches), label="old batch")
        response = self.client.post(
            "/api/sync",
            json={"device": self.device, "records": bodies},
            headers={"X-CSRFToken": self.csrf or ""},
        )
        assert response.status_code in (200, 400, 401), response.get_data(as_text=True)
        if response.status_code == 200:
            answers = response.get_json()["results"]
            assert "conflict" not in [a["status"] for a in answers], (bodies, answers)

    @precondition(lambda self: self.rejected_of(self.user))
    @rule(data=st.data(), sync_now=st.booleans())
    def fix_a_rejected_entry(self, data, sync_now):
        """Its author fixes it: same op, same id, new answers."""
        entry = data.draw(st.sampled_from(self.rejected_of(self.user)), label="rejected entry")
        answers = {"codes": ["water"], "left_how": "taxi", "minutes": 45, "people": 2}
        fixed = self.valid_data(entry.kind, entry.record_id, answers)
        entry.body = entry.body | {"data": fixed}
        entry.valid, entry.state = True, "waiting"
        self.sync_after_saving(sync_now)

    @precondition(lambda self: self.rejected_of(self.user))
    @rule(data=st.data())
    def discard_a_rejected_entry(self, data):
        """Its author deliberately discards it."""
        entry = data.draw(st.sampled_from(self.rejected_of(self.user)), label="rejected entry")
        del self.outbox[entry.op]

    # What must always hold.

    @invariant()
    def the_server_holds_only_saved_records_by_their_authors_and_no_conflict(self):
        conflicts = db.session.scalars(select(SyncConflict)).all()
        assert not conflicts, [(c.kind, c.record_id, c.payload) for c in conflicts]
        self.check_stored(exactly=False)

    def check_stored(self, exactly: bool) -> None:
        """Every stored record is one the device saved as valid, with its answers, by
        its author; with `exactly`, every valid record saved is stored."""
        db.session.expire_all()
        saved = {entry.record_id: entry for entry in self.saved if entry.valid}
        stored = {visit.id: visit for visit in db.session.scalars(select(Visit))}
        stored |= {contact.id: contact for contact in db.session.scalars(select(Contact))}
        assert set(stored) <= set(saved), set(stored) - set(saved)
        if exactly:
            assert set(stored) == set(saved), set(saved) - set(stored)
        for record_id, row in stored.items():
            entry = saved[record_id]
            data = entry.body["data"]
            assert row.created_by_id == self.people[entry.author], (entry.author, record_id)
            if entry.kind == "visit":
                when, stored_when = data["arrived_at"], row.arrived_at
                assert (row.help, row.left_how) == (data["help"], data["left_how"])
            else:
                when, stored_when = data["at"], row.at
                assert (row.given, row.people) == (data["given"], int(data["people"]))
                assert row.patrol_id == self.patrol_id
            assert stored_when == to_utc(datetime.strptime(when, LOCAL))

    # The end: drain the outbox, then everything saved is there once.

    def drain(self) -> None:
        """Everyone's waiting entries are sent; rejected ones are discarded by their authors."""
        self.failing = None
        for _attempt in range(20):
            if not self.waiting():
                break
            if self.user is None:
                self.sign_in(STAFF[0])
            self.send_and_read(self.waiting()[: self.app.config["SYNC_MAX_RECORDS"]])
        assert not self.waiting()
        for entry in list(self.outbox.values()):
            assert entry.state == "rejected" and not entry.valid
            del self.outbox[entry.op]

    def check_everything_arrived_once(self) -> None:
        assert count(SyncConflict) == 0
        self.check_stored(exactly=True)
        saved = [entry for entry in self.saved if entry.valid]
        receipts = {r.op_id: r for r in db.session.scalars(select(Receipt))}
        assert set(receipts) == {entry.op for entry in saved}
        for entry in saved:
            receipt = receipts[entry.op]
            assert (receipt.record_id, receipt.outcome) == (entry.record_id, "created")
            assert receipt.author_id == self.people[entry.author]
            assert (receipt.device_id, receipt.device_seq) == (self.device, entry.body["seq"])
            saved_at = datetime.fromisoformat(entry.body["saved_at"].removesuffix("Z"))
            assert receipt.client_saved_at == saved_at


def test_the_outbox_delivers_every_valid_record_exactly_once(
    database_url, tmp_path, make_app, auth, backend, in_ci
):
    run_state_machine_as_test(
        lambda: Device(database_url, tmp_path, make_app, auth, backend),
        settings=settings(
            max_examples=40,
            stateful_step_count=20,
            deadline=None,
            database=None,  # no example database in the work tree
            derandomize=in_ci,  # the same examples on every CI run
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
