"""State changes shared by every package: audit events and counters."""

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.models import AuditEvent, Counter
from extensions import db

# An actor that records nobody, even when someone is signed in: what the public sends
# (an unsafe-place report) is never tied to a person.
NOBODY = object()


def audit(action: str, target=None, scheme_id: int | None = None, actor=None, **detail) -> None:
    """Add an audit event to the current transaction; the caller commits."""
    actor = _current_actor() if actor is None else None if actor is NOBODY else actor
    if scheme_id is None:
        scheme_id = getattr(target, "scheme_id", None) or getattr(actor, "scheme_id", None)
    db.session.add(_event(action, target, scheme_id, actor, detail))


def _event(action: str, target, scheme_id: int | None, actor, detail: dict) -> AuditEvent:
    return AuditEvent(
        scheme_id=scheme_id,
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=str(target.id) if target is not None else None,
        detail=detail,
    )


def _current_actor():
    """The signed-in person, or None outside a request or when anonymous."""
    try:
        return current_user if current_user.is_authenticated else None
    except (AttributeError, RuntimeError):
        return None


def next_number(scheme_id: int, name: str) -> int:
    """Take the next value of a scheme's counter; the caller commits.

    The row is read with FOR UPDATE so that concurrent callers on PostgreSQL
    queue instead of reading the same value; SQLite gets the same effect from
    its IMMEDIATE transactions.
    """
    stmt = select(Counter).filter_by(scheme_id=scheme_id, name=name).with_for_update()
    counter = db.session.execute(stmt).scalar_one_or_none()
    if counter is None:
        try:
            with db.session.begin_nested():
                db.session.add(Counter(scheme_id=scheme_id, name=name, value=0))
        except IntegrityError:
            pass  # another request made it first; the locked read below waits for it
        counter = db.session.execute(stmt).scalar_one()
    counter.value += 1
    db.session.flush()
    return counter.value


def audit_read(action: str, target=None, *, scheme_id: int, **detail) -> None:
    """Audit what a person read on a GET, and commit: the reading ends first, then the
    event is written in a transaction of its own (as accounts.sessions.touch() does), so
    SQLite never has to turn a reading transaction into a writing one."""
    event = _event(action, target, scheme_id, _current_actor(), detail)
    db.session.commit()
    db.session.add(event)
    db.session.commit()
