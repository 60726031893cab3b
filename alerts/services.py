"""State changes for alerts: telling people (the fan-out every part calls), subscribing
browsers, and reading one's own alerts."""

from __future__ import annotations

import hmac
import logging
import re
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, Response, after_this_request, current_app, g, has_request_context
from sqlalchemy import Select, bindparam, delete, func, or_, select, update

from accounts.models import Device, User, venue_staff
from alerts.choices import KINDS, URGENCIES
from alerts.models import Alert, AlertRecipient, PushDelivery, PushSubscription
from core.database import rows_changed
from core.timeutil import utcnow
from extensions import db

log = logging.getLogger("lantern.push")
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")


def notify(
    scheme_id: int,
    kind: str,
    users: Iterable[User],
    *,
    url: str,
    ttl_seconds: int,
    urgency: str = "normal",
    venue=None,
    reason: str | None = None,
    subject_id: str | None = None,
    topic: str | None = None,
    dedupe_key: str | None = None,
    subscriptions: Iterable[PushSubscription] = (),
) -> Alert | None:
    """Tell people something: an alert in each one's list, and a push to each of their
    subscriptions (and to `subscriptions`). Flushes; the caller commits. In a request the
    pushes go once the response is done; elsewhere the caller runs push.deliver_due().
    None, and nothing made, when an alert with `dedupe_key` exists already."""
    if kind not in KINDS or urgency not in URGENCIES:
        raise ValueError(f"unknown alert kind {kind!r} or urgency {urgency!r}")
    if topic is not None and not TOPIC.fullmatch(topic):
        # RFC 8030: at most 32 characters of URL-safe base64, or push services refuse it.
        raise ValueError(f"a push topic must match {TOPIC.pattern}: {topic!r}")
    if dedupe_key is not None and db.session.scalar(
        select(Alert.id).where(Alert.dedupe_key == dedupe_key)
    ):
        return None
    now = utcnow()
    alert = Alert(
        scheme_id=scheme_id,
        kind=kind,
        venue_id=getattr(venue, "id", venue),
        reason=reason,
        subject_id=subject_id,
        url=url,
        urgency=urgency,
        topic=topic,
        created_at=now,
        expires_at=now + timedelta(seconds=max(1, ttl_seconds)),
        dedupe_key=dedupe_key,
    )
    db.session.add(alert)
    db.session.flush()
    # A disabled person is told nothing, neither in a list nor on a device.
    user_ids = sorted({user.id for user in users if user.active})
    db.session.add_all(AlertRecipient(alert_id=alert.id, user_id=uid) for uid in user_ids)
    targets = {s.id: s for s in subscriptions if s.user is None or s.user.active}
    if user_ids:
        mine = select(PushSubscription).where(PushSubscription.user_id.in_(user_ids))
        targets |= {s.id: s for s in db.session.scalars(mine)}
    deliveries = [
        PushDelivery(alert_id=alert.id, subscription_id=s.id, user_id=s.user_id, next_try_at=now)
        for s in sorted(targets.values(), key=lambda s: s.id)
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    send_after_response([d.id for d in deliveries])
    return alert


# ------------------------------------------------------------------ sending after the answer


def send_after_response(delivery_ids: list[int]) -> None:
    """In a request, send these deliveries once the view has answered (and committed).
    Outside one, nothing: the caller (a CLI command) runs deliver_due() itself."""
    if not delivery_ids or not has_request_context():
        return
    if "push_pending" not in g:
        g.push_pending = []
        after_this_request(_send_pending)
    g.push_pending.extend(delivery_ids)


def _send_pending(response: Response) -> Response:
    ids = list(g.pop("push_pending", []))
    if not ids or response.status_code >= 500:
        return response  # a failed request committed nothing; cron retries whatever did
    # The app itself, not the proxy, for the thread. Flask types current_app as the app,
    # so the checker does not know the proxy's method.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["PUSH_BACKGROUND"]:
        # Once the answer has gone, in a thread of its own: never slower, never broken by it.
        response.call_on_close(lambda: _start_thread(app, ids))
        return response
    # Tests: inline and deterministic, in the request's own session (it has committed).
    try:
        _deliver(ids)
    except Exception:  # the answer must not fail because a push did
        db.session.rollback()
        log.exception("sending pushes after a request failed")
    return response


def _start_thread(app: Flask, ids: list[int]) -> None:
    threading.Thread(target=_deliver_in, args=(app, ids), name="push", daemon=True).start()


def _deliver_in(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        try:
            _deliver(ids)
        except Exception:
            log.exception("sending pushes in the background failed")
        finally:
            db.session.remove()


def _deliver(ids: list[int]) -> None:
    from alerts.push import deliver_due  # push imports texts, which import this package

    deliver_due(ids=ids)


# ------------------------------------------------------------------------------ who gets it


def venue_subscriptions(venue) -> list[PushSubscription]:
    """The subscriptions of a venue's staff, and of browsers on a tablet enrolled for it,
    of people still active (a disabled person's subscriptions are deleted, too)."""
    venue_id = getattr(venue, "id", venue)
    staff = select(venue_staff.c.user_id).where(venue_staff.c.venue_id == venue_id)
    tablets = select(Device.id).where(Device.venue_id == venue_id, Device.revoked_at.is_(None))
    active = select(User.id).where(User.active.is_(True))
    stmt = select(PushSubscription).where(
        or_(
            PushSubscription.user_id.in_(staff),
            PushSubscription.enrolled_device_id.in_(tablets),
        ),
        PushSubscription.user_id.in_(active),
    )
    return list(db.session.scalars(stmt.order_by(PushSubscription.id)))


# ------------------------------------------------------------------------- one's own alerts


def alerts_for(user: User, limit: int = 50) -> list[tuple[Alert, AlertRecipient]]:
    """This person's alerts, newest first, with their read marks."""
    stmt = (
        select(Alert, AlertRecipient)
        .join(AlertRecipient, AlertRecipient.alert_id == Alert.id)
        .where(AlertRecipient.user_id == user.id)
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return [(alert, mark) for alert, mark in db.session.execute(stmt)]


@cache
def _unread() -> Select:
    """The statement of unread_count, built once: every page with the menu runs it."""
    return select(func.count()).where(
        AlertRecipient.user_id == bindparam("user_id"), AlertRecipient.read_at.is_(None)
    )


def unread_count(user: User) -> int:
    """How many of this person's alerts they have not seen in the list yet."""
    return db.session.scalar(_unread(), {"user_id": user.id}) or 0


def mark_read(user: User, now: datetime | None = None) -> None:
    """Mark all this person's alerts read; the caller commits. One UPDATE, so that on a
    GET's own write transaction SQLite takes the lock before anything is read."""
    stmt = (
        update(AlertRecipient)
        .where(AlertRecipient.user_id == user.id, AlertRecipient.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    db.session.execute(stmt)


# --------------------------------------------------------------------------- subscriptions


def subscribe(
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    device_id: str,
    label: str,
    enrolled: Device | None,
) -> PushSubscription:
    """Save a browser's subscription for this person: the last to subscribe owns it. A
    person has at most PUSH_SUBSCRIPTIONS_PER_PERSON: the oldest others are removed."""
    fields = {
        "scheme_id": user.scheme_id,
        "user_id": user.id,
        "p256dh": p256dh,
        "auth": auth,
        "device_id": device_id,
        "label": label,
        "enrolled_device_id": enrolled.id if enrolled is not None else None,
    }
    row = db.session.scalar(select(PushSubscription).filter_by(endpoint=endpoint))
    if row is None:
        row = PushSubscription(endpoint=endpoint, created_at=utcnow(), **fields)
        db.session.add(row)
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    db.session.flush()
    most = current_app.config["PUSH_SUBSCRIPTIONS_PER_PERSON"]
    others = select(PushSubscription.id).where(
        PushSubscription.user_id == user.id, PushSubscription.id != row.id
    )
    extra = db.session.scalars(
        others.order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc()).offset(
            max(0, most - 1)
        )
    ).all()
    if extra:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(extra)))
    return row


def remove_own(user: User, endpoint: str) -> int:
    """Remove this person's subscription with this endpoint (never another's); how many."""
    stmt = delete(PushSubscription).filter_by(endpoint=endpoint, user_id=user.id)
    return rows_changed(stmt)


def remove_all_of(user: User) -> int:
    """Remove every subscription of this person's (disabled: told nothing any more)."""
    return rows_changed(delete(PushSubscription).filter_by(user_id=user.id))


def subscriptions_of(user: User) -> list[PushSubscription]:
    stmt = select(PushSubscription).filter_by(user_id=user.id)
    return list(db.session.scalars(stmt.order_by(PushSubscription.created_at.desc())))


def report_outbox(endpoint: str, auth: str, waiting: int, oldest: datetime | None) -> bool:
    """What a device says of its outbox; False when no subscription has this endpoint and
    auth secret (the push service sees the endpoint, never the secret)."""
    row = db.session.scalar(select(PushSubscription).filter_by(endpoint=endpoint))
    if row is None or not hmac.compare_digest(row.auth.encode(), auth.encode()):
        return False
    row.outbox_waiting, row.outbox_oldest_at = waiting, oldest if waiting else None
    return True
