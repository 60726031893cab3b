"""Taking a batch from a device's outbox: each entry is validated by the same form as its
page, stored once, and answered created, duplicate, conflict or rejected.

Exactly once rests on three things. Every record has an id made on the device, so a
resent record is recognised (core.records). Every outbox entry has an id too (its op),
and the receipt for it is unique, so a resent correction is not applied twice. And a
batch is one transaction: if the answer is lost, either all of it was stored and the
resend is answered duplicate, or none of it was and the resend stores it.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from accounts.access import patrols_for, visits_for
from accounts.models import TeamMember, User
from core import records
from core.records import Conflict
from core.services import audit
from core.timeutil import to_utc, utcnow
from extensions import db
from havens import services as havens
from havens.forms import UUID, visit_form_for
from havens.models import Visit, VisitRevision
from patrols import services as patrols
from patrols.forms import contact_form_for, end_form, start_form_for, tally_fields
from patrols.models import Contact, ContactRevision, Patrol
from sync.models import Receipt, SyncConflict

KINDS = (
    "visit",
    "visit_correction",
    "contact",
    "contact_correction",
    "patrol_start",
    "patrol_end",
)
ENTRY_KEYS = {"op", "kind", "id", "patrol", "base_version", "seq", "saved_at", "author", "data"}
RECORD = "_record"  # errors about the entry as a whole, not one field
MAX_SEQ = 2**31 - 1  # the database's integer


@dataclass
class Result:
    """The answer for one entry."""

    op: str
    status: str
    receipt: Receipt | None = None
    errors: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        answer = {"op": self.op, "status": self.status}
        if self.receipt is not None:
            answer["receipt"] = {
                "number": self.receipt.id,
                "received_at": self.receipt.received_at.isoformat(timespec="seconds") + "Z",
            }
        if self.errors:
            answer["errors"] = self.errors
        return answer


class Rejected(Exception):
    """The entry cannot be stored as it is; the person must fix or discard it."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}


def record_error(message: str) -> Rejected:
    return Rejected({RECORD: [message]})


# Who wrote an entry: a token the device got while its author was signed in.


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lantern-author")


def author_token(user: User) -> str:
    """A token the device stores with every record this person saves on it."""
    return _signer().dumps(user.id)


def author_of(token: str, sender: User) -> User:
    """The person who wrote an entry, who may differ from the one sending it now (a
    shared tablet): proven by their token, active, and of the sender's scheme."""
    max_age = current_app.config["AUTHOR_TOKEN_DAYS"] * 86400
    try:
        user_id = _signer().loads(token, max_age=max_age)
    except BadSignature:
        raise record_error(
            _("This device could not show who wrote this. Open it, check it and save it again.")
        ) from None
    author = db.session.get(User, user_id)
    if author is None or not author.active or author.scheme_id != sender.scheme_id:
        raise record_error(
            _("The person who wrote this can no longer send records. Ask your coordinator.")
        )
    return author


# The shape of an entry, before any form sees it.


def shape_errors(entry) -> dict:
    """What is wrong with an entry's shape: types, unknown keys, missing ids."""
    if not isinstance(entry, dict):
        return {RECORD: [_("This record is not in a form the server can read.")]}
    errors = {}
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        errors[RECORD] = [_("Unknown fields: %(names)s.", names=", ".join(unknown))]
    if entry.get("kind") not in KINDS:
        errors["kind"] = [_("Unknown kind of record.")]
    for key in ("op", "id") + (("patrol",) if "contact" in str(entry.get("kind")) else ()):
        if not isinstance(entry.get(key), str) or not is_uuid(entry[key]):
            errors[key] = [_("This record has no valid id.")]
    if not _is_int(entry.get("seq")) or not 0 <= entry["seq"] <= MAX_SEQ:
        errors["seq"] = [_("The device's sequence number is missing.")]
    if "correction" in str(entry.get("kind")) and not _is_int(entry.get("base_version")):
        errors["base_version"] = [_("The version this correction started from is missing.")]
    if client_time(entry.get("saved_at")) is None:
        errors["saved_at"] = [_("The time it was saved on the device is missing.")]
    if not isinstance(entry.get("author"), str):
        errors["author"] = [_("This record does not say who wrote it.")]
    data = entry.get("data")
    if not isinstance(data, dict) or not all(_is_value(v) for v in data.values()):
        errors["data"] = [_("The record's answers must be text or lists of text.")]
    return errors


def is_uuid(value: str) -> bool:
    return re.fullmatch(UUID, value) is not None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_value(value) -> bool:
    """Text or a list of text, without NUL characters (the pages refuse them too)."""
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, str) and "\x00" not in item for item in items)


def client_time(value) -> datetime | None:
    """The device's save time as naive UTC, or None when it is not an ISO time."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not a time, or one beyond year 1 or 9999 in UTC
        return None


def form_data(form_class_fields, data: dict) -> MultiDict:
    """The entry's answers as a form would receive them; unknown names are an error."""
    unknown = sorted(set(data) - set(form_class_fields))
    if unknown:
        raise record_error(_("Unknown fields: %(names)s.", names=", ".join(unknown)))
    pairs = []
    for name, value in data.items():
        pairs.extend((name, item) for item in (value if isinstance(value, list) else [value]))
    return MultiDict(pairs)


def validated(build: Callable, data: dict, **kwargs):
    """A form built for the author, filled with the entry's answers and validated."""
    form = build(formdata=None, meta={"csrf": False}, **kwargs)
    form.process(form_data(form._fields, data))
    if not form.validate():
        raise Rejected(form.errors)
    return form


# One function per kind. Each returns "created" or "duplicate", raises Rejected, or
# raises Conflict when the record is known with other content.


def take_visit(entry: dict, author: User) -> str:
    form = validated(lambda **kw: visit_form_for(author, **kw), entry["data"])
    if form.id.data != entry["id"]:
        raise Rejected({"id": [_("This record has no valid id.")]})
    if not havens.handover_matches(form, author):
        raise Rejected(form.errors)
    _visit, created = havens.save_visit(entry["id"], form.values(), author)
    return "created" if created else "duplicate"


def take_visit_correction(entry: dict, author: User) -> str:
    visit = db.session.scalar(visits_for(author).where(Visit.id == entry["id"]))
    if visit is None:
        raise record_error(_("This visit is not one you can correct."))
    form = validated(lambda **kw: visit_form_for(author, **kw), entry["data"])
    values = form.values() | {"contact_id": visit.contact_id}  # the link is not corrected
    if visit.version != entry["base_version"]:
        return already(visit, values, havens.VISIT_FIELDS)
    if not havens.can_correct(visit, author):
        raise record_error(_("Visits can be corrected only within 24 hours. Ask your coordinator."))
    return "created" if havens.correct_visit(visit, values, author) else "duplicate"


def already(record, values: dict, fields: tuple[str, ...]) -> str:
    """A correction made to an older version: a duplicate if the record already reads
    so, else a conflict for a coordinator; it never overwrites a newer version."""
    if records.snapshot(record, fields) == records.snapshot_of_values(values, fields):
        return "duplicate"
    raise Conflict(record.id)


def patrol_of(entry: dict, author: User, key: str = "patrol") -> Patrol:
    patrol = db.session.scalar(patrols_for(author).where(Patrol.id == entry[key]))
    if patrol is None:
        raise record_error(_("This patrol is not one you can log to."))
    return patrol


def take_contact(entry: dict, author: User) -> str:
    patrol = patrol_of(entry, author)
    form = validated(lambda **kw: contact_form_for(author, **kw), entry["data"])
    if form.id.data != entry["id"]:
        raise Rejected({"id": [_("This record has no valid id.")]})
    values = form.values()
    # A phone that was offline may send a contact after the leader ended the patrol:
    # it is kept if it happened while the patrol was out.
    if patrol.ended_at is not None and values["at"] > patrol.ended_at:
        raise Rejected({"at": [_("The patrol had ended by this time.")]})
    _contact, created = patrols.save_contact(entry["id"], patrol, values, author)
    return "created" if created else "duplicate"


def take_contact_correction(entry: dict, author: User) -> str:
    patrol = patrol_of(entry, author)
    contact = db.session.scalar(select(Contact).filter_by(id=entry["id"], patrol_id=patrol.id))
    if contact is None:
        raise record_error(_("This contact is not one you can correct."))
    form = validated(lambda **kw: contact_form_for(author, **kw), entry["data"])
    if contact.version != entry["base_version"]:
        return already(contact, form.values(), patrols.CONTACT_FIELDS)
    if not patrols.can_correct(contact, author):
        raise record_error(_("Only the team's leader can correct contacts, until 12 hours after."))
    return "created" if patrols.correct_contact(contact, form.values(), author) else "duplicate"


def take_patrol_start(entry: dict, author: User) -> str:
    form = validated(lambda **kw: start_form_for(author, **kw), entry["data"])
    if form.id.data != entry["id"]:
        raise Rejected({"id": [_("This record has no valid id.")]})
    members = select(TeamMember.user_id).filter_by(team_id=form.team_id.data)
    if not set(form.pastors.data) <= set(db.session.scalars(members)):
        raise Rejected({"pastors": [_("Choose only pastors from this team.")]})
    pastors = [form.members[i] for i in form.pastors.data]
    try:
        with db.session.begin_nested():
            _patrol, created = patrols.start_patrol(entry["id"], form.values(), pastors, author)
    except (patrols.RuleBroken, IntegrityError):
        raise Rejected(
            {"team_id": [_("This team has a patrol open already. End it first.")]}
        ) from None
    return "created" if created else "duplicate"


def take_patrol_end(entry: dict, author: User) -> str:
    patrol = patrol_of(entry, author, key="id")
    if not patrols.leads(author, patrol.team_id):
        raise record_error(_("Only the team's leader can end its patrol."))
    names = patrol.team.scheme.tallies
    form = validated(lambda **kw: end_form(names, **kw), entry["data"])
    ended_at = to_utc(form.ended_at.data)
    tallies = {label: getattr(form, name).data or 0 for name, label in tally_fields(names)}
    note = (form.note.data or "").strip()
    if patrol.ended_at is not None:
        if (patrol.ended_at, patrol.tallies, patrol.note) == (ended_at, tallies, note):
            return "duplicate"
        raise Conflict(patrol.id)
    try:
        patrols.end_patrol(patrol, ended_at, tallies, note, author)
    except patrols.RuleBroken:
        raise Rejected({"ended_at": [_("The end time must be after the start time.")]}) from None
    return "created"


TAKERS = {
    "visit": take_visit,
    "visit_correction": take_visit_correction,
    "contact": take_contact,
    "contact_correction": take_contact_correction,
    "patrol_start": take_patrol_start,
    "patrol_end": take_patrol_end,
}


# The batch.


def digest(entry: dict, author_id: int) -> str:
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


def handover(data: dict) -> bool:
    """A visit continuing a hand-over, or a contact handing someone over (the venue is
    alerted): both go one by one."""
    return bool(data.get("contact_id")) or data.get("handover_venue_id") not in (None, "", "0")


class Batch:
    """One request's entries, with what they share looked up once: authors, forms, and
    which ids the server has already."""

    def __init__(self, device: str, sender: User):
        self.device, self.sender = device, sender
        self.authors: dict[str, User] = {}
        self.forms: dict = {}
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
        ids = [i for i in ids if isinstance(i, str)]
        ops = [o for o in ops if isinstance(o, str)]
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
            self.authors[token] = author_of(token, self.sender)
        return self.authors[token]

    def form(self, kind: str, author: User):
        """One form per kind and author, refilled for each entry: its choices come from
        the database once."""
        key = (kind, author.id)
        if key not in self.forms:
            build = visit_form_for if kind == "visit" else contact_form_for
            self.forms[key] = build(author, formdata=None, meta={"csrf": False})
        return self.forms[key]

    def values(self, entry: dict, author: User) -> tuple[dict, dict]:
        form = self.form(entry["kind"], author)
        form.process(form_data(form._fields, entry["data"]))
        if not form.validate():
            raise Rejected(form.errors)
        if form.id.data != entry["id"]:
            raise Rejected({"id": [_("This record has no valid id.")]})
        values = form.values()
        if entry["kind"] == "visit":
            return values, {}
        key = (entry["patrol"], author.id)
        if key not in self.patrols:
            self.patrols[key] = patrol_of(entry, author)
        patrol = self.patrols[key]
        if patrol.ended_at is not None and values["at"] > patrol.ended_at:
            raise Rejected({"at": [_("The patrol had ended by this time.")]})
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
        db.session.execute(insert(Receipt.__table__), rows)
        # Read the numbers back in one query: RETURNING over many rows would make SQLite
        # insert them one at a time to keep their order.
        ops = [row["op_id"] for row in rows]
        stmt = select(Receipt.op_id, Receipt.id).where(Receipt.op_id.in_(ops))
        numbers = {op: number for op, number in db.session.execute(stmt)}
        for (result, *_rest), row in zip(waiting, rows, strict=True):
            result.receipt = Receipt(id=numbers[row["op_id"]], received_at=row["received_at"])


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
    op = entry.get("op") if isinstance(entry, dict) and isinstance(entry.get("op"), str) else ""
    errors = shape_errors(entry)
    if errors:
        return Result(op, "rejected", errors=errors)
    earlier = db.session.scalar(select(Receipt).filter_by(op_id=op))
    if earlier is not None and earlier.digest == digest(entry, earlier.author_id):
        # A resend of an entry already taken, whoever holds the session now, and even if
        # its author has since left: the answer it should have had.
        return Result(op, "duplicate", receipt=earlier)
    try:
        author = author_of(entry["author"], sender)
        with db.session.begin_nested():
            status = TAKERS[entry["kind"]](entry, author)
            if status == "duplicate":
                return Result(op, status, receipt=first_receipt(entry))
            # An entry's id is used once: other content under a used one (say, an older
            # version replayed after a fix) gets its answer, not a second receipt.
            receipt = earlier or add_receipt(device, entry, author, sender, status)
    except Rejected as rejected:
        return Result(op, "rejected", errors=rejected.errors)
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
