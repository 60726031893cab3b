"""Records kept in versions (visits, contacts): a resend is recognised by its id, and a
correction adds a version instead of overwriting."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from core.database import insert_rows
from core.forms import BAD_ID
from core.models import AuditEvent
from core.services import audit
from core.timeutil import utcnow
from extensions import db


class Conflict(Exception):
    """The same record id arrived again with different content."""


class Versioned(Protocol):
    """A record kept in versions, as this module uses one: a visit or a contact."""

    version: int
    updated_at: datetime
    revisions: list[Any]  # its versions, oldest first

    def __init__(self, **values: Any) -> None: ...


R = TypeVar("R", bound=Versioned)


class OutOfScope(Exception):
    """The id is taken by a record this person may not see (another scheme's, venue's or
    team's). It is answered as any unusable id is, in the same words (`field`, `message`),
    so the answer says nothing of the other record, not even that it exists; never kept
    as a conflict, which would show that record to a coordinator who may not see it."""

    def __init__(self, kind: str, record_id: str, field: str = "id", message=BAD_ID):
        super().__init__(kind, record_id)
        self.kind, self.record_id = kind, record_id
        self.errors = {field: [str(message)]}


def audit_refused(refused: OutOfScope, by, **detail) -> None:
    """Audit the attempt in the sender's own scheme, naming only what they sent; the caller
    does it after its savepoint has gone, so that the event is kept."""
    detail |= {"kind": refused.kind, "record": refused.record_id}
    audit("record_id_refused", None, scheme_id=by.scheme_id, actor=by, **detail)


def refused_on_page(form, refused: OutOfScope, by) -> None:
    """A page's answer to an out-of-scope id: the attempt audited, and the form's id given
    the error any unusable id gets (nothing was stored); the caller commits."""
    audit_refused(refused, by)
    form.id.errors = [*form.id.errors, *refused.errors["id"]]


def snapshot(record, fields: tuple[str, ...]) -> dict:
    """A record's values as its history stores them (times as ISO text)."""
    return snapshot_of_values({name: getattr(record, name) for name in fields}, fields)


def snapshot_of_values(values: dict, fields: tuple[str, ...]) -> dict:
    """The same for values not yet in a record: what a new record's first version holds."""
    data = {name: values.get(name) for name in fields}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def create(
    model: type[R],
    revision,
    record_id: str,
    values: dict,
    fields: tuple[str, ...],
    by,
    action: str,
    scheme_of: Callable,
    visible: Callable[[R], bool],
    **owner,
) -> tuple[R, bool]:
    """Store a new record with its first version; the same record sent again is accepted
    once, and the same id with other content is a Conflict. An id taken by a record that
    `visible` says this person may not see is OutOfScope. Returns (record, created)."""
    existing = db.session.get(model, record_id)
    if existing is not None:
        if not visible(existing):
            raise OutOfScope(model.__name__.lower(), record_id)
        same_owner = all(getattr(existing, k) == v for k, v in owner.items())
        if same_owner and existing.revisions[0].data == snapshot_of_values(values, fields):
            return existing, False
        raise Conflict(record_id)
    record = model(id=record_id, created_by_id=by.id, **owner, **values)
    db.session.add(record)
    record.revisions.append(revision(version=1, data=snapshot(record, fields), changed_by_id=by.id))
    db.session.flush()
    audit(action, record, scheme_id=scheme_of(record), actor=by)
    return record, True


def correct(
    record: Versioned,
    revision,
    values: dict,
    fields: tuple[str, ...],
    by,
    action: str,
    scheme_of: Callable,
) -> bool:
    """Apply a correction as a new version, keeping every earlier one. False if nothing changed."""
    before = snapshot(record, fields)
    for name, value in values.items():
        setattr(record, name, value)
    after = snapshot(record, fields)
    if after == before:
        return False
    record.version += 1
    record.updated_at = utcnow()
    record.revisions.append(revision(version=record.version, data=after, changed_by_id=by.id))
    changed = sorted(name for name in after if after[name] != before[name])
    audit(action, record, scheme_id=scheme_of(record), actor=by, fields=changed)
    return True


def create_many(model, revision, fields: tuple[str, ...], action: str, scheme_id: int, items):
    """Store many new records at once, each with its first version and audit event, as
    create() would one by one but in three multi-row inserts. The ids must be new: the
    caller checked, and a race ends in IntegrityError for the caller to handle.

    items: (record_id, values, by, owner) for each record.
    """
    now = utcnow()
    link = f"{model.__tablename__}_id"
    records, versions, events = [], [], []
    for record_id, values, by, owner in items:
        base = {"id": record_id, "created_by_id": by.id, "version": 1}
        records.append(base | {"created_at": now, "updated_at": now} | owner | values)
        versions.append(
            {
                link: record_id,
                "version": 1,
                "data": snapshot_of_values(values, fields),
                "changed_by_id": by.id,
                "changed_at": now,
            }
        )
        events.append(
            {
                "at": now,
                "scheme_id": scheme_id,
                "actor_id": by.id,
                "action": action,
                "target_type": model.__name__.lower(),
                "target_id": record_id,
                "detail": {},
            }
        )
    # Core inserts: the ORM's per-row bookkeeping would cost more than the rows.
    for table, rows in ((model, records), (revision, versions), (AuditEvent, events)):
        insert_rows(table.__table__, rows)
