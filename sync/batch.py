"""Taking a batch from a device's outbox: each entry is validated by the same rules as its
page (its kind's schema, core.schema), stored once, and answered created, duplicate,
conflict or rejected.

Exactly once rests on three things. Every record has an id made on the device, so a
resent record is recognised (core.records). Every outbox entry has an id too (its op),
and the receipt for it is unique, so a resent correction is not applied twice. And a
batch is one transaction: if the answer is lost, either all of it was stored and the
resend is answered duplicate, or none of it was and the resend stores it.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core import records
from core.database import insert_rows
from core.forms import is_uuid
from core.records import Conflict, OutOfScope
from core.services import audit
from core.timeutil import utcnow
from extensions import db
from havens import services as havens
from havens.models import Visit, VisitRevision
from havens.schema import VISIT, visit_context, visit_values
from patrols import services as patrols
from patrols.models import Contact, ContactRevision
from patrols.schema import CONTACT, contact_context, contact_values
from sync.authors import author_of
from sync.entries import Rejected, answers, client_time, same_id, shape_errors
from sync.models import Receipt, SyncConflict
from sync.takers import TAKERS, patrol_of, while_out


@dataclass
class Stamp:
    """What an answer shows of a receipt stored with many others: its number and time
    (an ORM object each would cost more than the row)."""

    id: int
    received_at: datetime


@dataclass
class Result:
    """The answer for one entry."""

    op: str
    status: str
    receipt: Receipt | Stamp | None = None
    errors: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        answer: dict[str, object] = {"op": self.op, "status": self.status}
        if self.receipt is not None:
            answer["receipt"] = {
                "number": self.receipt.id,
                "received_at": self.receipt.received_at.isoformat(timespec="seconds") + "Z",
            }
        if self.errors:
            answer["errors"] = self.errors
        return answer


def digest(entry: dict, author_id: int | None) -> str:
    """What makes a resend the same entry: everything but its transport details."""
    same = {k: entry.get(k) for k in ("kind", "id", "patrol", "base_version", "data")}
    text = json.dumps(same | {"author": author_id}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def take_batch(device: str, entries: list, sender: User) -> list[Result]:
    """Take every entry of a batch, in order; the caller commits once, after all of them."""
    return Batch(device, sender).take_all(entries)


# New visits and contacts, the bulk of any outbox, are stored together in a few
# multi-row inserts; everything else (corrections, patrols, resends, hand-overs) goes
# one entry at a time through take(). Entries keep their order: a contact is checked
# only after the patrol start before it has been stored.
BULK = {
    "visit": (Visit, VisitRevision, havens.VISIT_FIELDS, "visit_logged"),
    "contact": (Contact, ContactRevision, patrols.CONTACT_FIELDS, "contact_logged"),
}


# Each kind's schema, and its values as the model stores them.
SCHEMAS = {"visit": (VISIT, visit_values), "contact": (CONTACT, contact_values)}


def handover(data: dict) -> bool:
    """A visit continuing a hand-over, or a contact handing someone over (the venue is
    alerted): both go one by one."""
    return bool(data.get("contact_id")) or data.get("handover_venue_id") not in (None, "", "0")


class Batch:
    """One request's entries, with what they share looked up once: authors, what their
    records are checked against, and which ids the server has already."""

    def __init__(self, device: str, sender: User):
        self.device, self.sender = device, sender
        self.authors: dict[str, User] = {}
        self.contexts: dict = {}
        self.patrols: dict = {}
        self.waiting: list[tuple[Result, dict, User, str, dict, dict]] = []
        self.known: set[str] = set()

    def take_all(self, entries: list) -> list[Result]:
        self.known = self.known_ids(entries)
        results = [self.take(entry) for entry in entries]
        self.store_waiting()
        return results

    def known_ids(self, entries: list) -> set[str]:
        """Record and entry ids among these that the server has seen already."""
        ids = [e.get("id") for e in entries if isinstance(e, dict)]
        ops = [e.get("op") for e in entries if isinstance(e, dict)]
        # Only ids that can be: anything else is rejected by its shape, and would only
        # burden the query (or fail it: a lone surrogate cannot be sent to the database).
        ids = [i for i in ids if isinstance(i, str) and is_uuid(i)]
        ops = [o for o in ops if isinstance(o, str) and is_uuid(o)]
        found = set(db.session.scalars(select(Visit.id).where(Visit.id.in_(ids))))
        found |= set(db.session.scalars(select(Contact.id).where(Contact.id.in_(ids))))
        found |= set(db.session.scalars(select(Receipt.op_id).where(Receipt.op_id.in_(ops))))
        return found

    def take(self, entry) -> Result:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if not isinstance(kind, str) or kind not in BULK or shape_errors(entry):
            return self.one_by_one(entry)
        if {entry["id"], entry["op"]} & self.known or handover(entry["data"]):
            return self.one_by_one(entry)  # a resend, or a hand-over to check or alert
        try:
            author = self.author(entry["author"])
            values, owner = self.values(entry, author)
        except Rejected as rejected:
            return Result(entry["op"], "rejected", errors=rejected.errors)
        except OutOfScope as refused:  # a contact for a patrol the author may not see
            records.audit_refused(refused, self.sender, author=author.id, entry=entry["kind"])
            return Result(entry["op"], "rejected", errors=refused.errors)
        self.known |= {entry["id"], entry["op"]}
        result = Result(entry["op"], "created")
        fingerprint = digest(entry, author.id)
        self.waiting.append((result, entry, author, fingerprint, values, owner))
        return result

    def one_by_one(self, entry) -> Result:
        self.store_waiting()  # what came before is stored before this is checked
        return take(self.device, entry, self.sender)

    def author(self, token: str) -> User:
        if token not in self.authors:
            self.authors[token] = author_of(token, self.sender, self.device)
        return self.authors[token]

    def context(self, kind: str, author: User):
        """What one author's records of a kind are checked against, looked up once per
        batch: their venues, their scheme's directory, Safe Havens and areas."""
        key = (kind, author.id)
        if key not in self.contexts:
            build = visit_context if kind == "visit" else contact_context
            self.contexts[key] = build(author)
        return self.contexts[key]

    def values(self, entry: dict, author: User) -> tuple[dict, dict]:
        """A new record's values, checked by its schema with no form to fill."""
        schema, values_of = SCHEMAS[entry["kind"]]
        answers_ = answers(schema, entry["data"])
        data, errors = schema.validate(answers_, self.context(entry["kind"], author))
        if errors:
            raise Rejected(errors)
        same_id(data["id"], entry)
        values = values_of(data, author.scheme_id)
        if entry["kind"] == "visit":
            return values, {}
        key = (entry["patrol"], author.id)
        if key not in self.patrols:
            self.patrols[key] = patrol_of(entry, author)
        patrol = self.patrols[key]
        while_out(patrol, values)
        return values, {"patrol_id": patrol.id}

    def store_waiting(self) -> None:
        """Store the entries checked so far in a few inserts. If another request stored
        one of the same ids meanwhile, take them again one by one instead."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        try:
            with db.session.begin_nested():
                self.insert(waiting)
        except IntegrityError:
            for result, entry, *_rest in waiting:
                redone = take(self.device, entry, self.sender)
                result.status, result.receipt, result.errors = (
                    redone.status,
                    redone.receipt,
                    redone.errors,
                )

    def insert(self, waiting: list) -> None:
        scheme_id = self.sender.scheme_id
        for kind, (model, revision, fields, action) in BULK.items():
            items = [
                (entry["id"], values, author, owner)
                for _result, entry, author, _f, values, owner in waiting
                if entry["kind"] == kind
            ]
            if items:
                records.create_many(model, revision, fields, action, scheme_id, items)
        now = utcnow()
        rows = [
            receipt_row(self.device, entry, author, self.sender, fingerprint, "created", now)
            for _result, entry, author, fingerprint, _v, _o in waiting
        ]
        insert_rows(Receipt.__table__, rows)
        # Read the numbers back in one query: RETURNING over many rows would make SQLite
        # insert them one at a time to keep their order.
        ops = [row["op_id"] for row in rows]
        stmt = select(Receipt.op_id, Receipt.id).where(Receipt.op_id.in_(ops))
        numbers = {op: number for op, number in db.session.execute(stmt)}
        for (result, *_rest), row in zip(waiting, rows, strict=True):
            result.receipt = Stamp(numbers[row["op_id"]], row["received_at"])


def receipt_row(device, entry, author, sender, fingerprint, outcome, now) -> dict:
    """A receipt's columns for an entry taken now."""
    return {
        "op_id": entry["op"],
        "digest": fingerprint,
        "scheme_id": sender.scheme_id,
        "kind": entry["kind"],
        "record_id": entry["id"],
        "outcome": outcome,
        "device_id": device,
        "device_seq": entry["seq"],
        "client_saved_at": client_time(entry["saved_at"]),
        "received_at": now,
        "author_id": author.id,
        "sender_id": sender.id,
        "conflict_id": None,
    }


def take(device: str, entry, sender: User) -> Result:
    """Take one entry: its own savepoint, so a failure leaves the others standing."""
    given = entry.get("op") if isinstance(entry, dict) else None
    op = given if isinstance(given, str) else ""
    errors = shape_errors(entry)
    if errors:
        return Result(op, "rejected", errors=errors)
    earlier = db.session.scalar(select(Receipt).filter_by(op_id=op))
    if earlier is not None and earlier.digest == digest(entry, earlier.author_id):
        # A resend of an entry already taken, whoever holds the session now, and even if
        # its author has since left: the answer it should have had.
        return Result(op, "duplicate", receipt=earlier)
    try:
        author = author_of(entry["author"], sender, device)
        with db.session.begin_nested():
            status = TAKERS[entry["kind"]](entry, author)
            if status == "duplicate":
                return Result(op, status, receipt=first_receipt(entry))
            # An entry's id is used once: other content under a used one (say, an older
            # version replayed after a fix) gets its answer, not a second receipt.
            receipt = earlier or add_receipt(device, entry, author, sender, status)
    except Rejected as rejected:
        return Result(op, "rejected", errors=rejected.errors)
    except OutOfScope as refused:
        # Audited here, once the entry's savepoint has gone: the event must stay.
        records.audit_refused(refused, sender, author=author.id, entry=entry["kind"])
        return Result(op, "rejected", errors=refused.errors)
    except Conflict:
        return keep_conflict(device, entry, author, sender, earlier)
    return Result(op, status, receipt=receipt)


def first_receipt(entry: dict) -> Receipt | None:
    """The receipt of the entry that first stored this record, if it came by sync."""
    stmt = select(Receipt).filter_by(record_id=entry["id"], kind=entry["kind"])
    return db.session.scalar(stmt.order_by(Receipt.id).limit(1))


def add_receipt(device, entry, author, sender, outcome, conflict=None) -> Receipt:
    fingerprint = digest(entry, author.id)
    row = receipt_row(device, entry, author, sender, fingerprint, outcome, utcnow())
    receipt = Receipt(**row | {"conflict_id": None}, conflict=conflict)
    db.session.add(receipt)
    db.session.flush()
    return receipt


def keep_conflict(device, entry, author, sender, earlier: Receipt | None) -> Result:
    """Keep what arrived beside the stored record, for a coordinator to decide."""
    conflict = SyncConflict(
        scheme_id=sender.scheme_id,
        kind=entry["kind"],
        record_id=entry["id"],
        payload={k: entry.get(k) for k in ("patrol", "base_version", "data")},
        author_id=author.id,
    )
    db.session.add(conflict)
    db.session.flush()
    audit("sync_conflict", conflict, scheme_id=sender.scheme_id, actor=sender, record=entry["id"])
    receipt = earlier or add_receipt(device, entry, author, sender, "conflict", conflict)
    return Result(entry["op"], "conflict", receipt=receipt)
