"""Records kept in versions (visits, contacts): a resend is recognised by its id, and a
correction adds a version instead of overwriting."""

from collections.abc import Callable
from datetime import datetime

from core.services import audit
from core.timeutil import utcnow
from extensions import db


class Conflict(Exception):
    """The same record id arrived again with different content."""


def snapshot(record, fields: tuple[str, ...]) -> dict:
    """A record's values as its history stores them (times as ISO text)."""
    data = {name: getattr(record, name) for name in fields}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def create(
    model,
    revision,
    record_id: str,
    values: dict,
    fields: tuple[str, ...],
    by,
    action: str,
    scheme_of: Callable,
    **owner,
) -> tuple[object, bool]:
    """Store a new record with its first version; the same record sent again is accepted
    once, and the same id with other content is a Conflict. Returns (record, created)."""
    existing = db.session.get(model, record_id)
    if existing is not None:
        same_owner = all(getattr(existing, k) == v for k, v in owner.items())
        if same_owner and existing.revisions[0].data == snapshot(model(**values), fields):
            return existing, False
        raise Conflict(record_id)
    record = model(id=record_id, created_by_id=by.id, **owner, **values)
    db.session.add(record)
    record.revisions.append(revision(version=1, data=snapshot(record, fields), changed_by_id=by.id))
    db.session.flush()
    audit(action, record, scheme_id=scheme_of(record), actor=by)
    return record, True


def correct(
    record, revision, values: dict, fields: tuple[str, ...], by, action: str, scheme_of: Callable
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
