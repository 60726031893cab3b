"""The JSON the alerts script uses: subscribing a browser, a device's outbox report, and
one's own alerts. Every answer is JSON and never cached."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from accounts import enrolment
from alerts import keys, services
from alerts.push import allowed_endpoint
from alerts.texts import words
from core.access import public, signed_in
from core.forms import is_uuid
from core.services import audit
from extensions import csrf, db, limiter

MAX_ENDPOINT = 1000
MAX_KEY = 200


def refuse(message: str, status: int = 400):
    return jsonify({"error": message}), status


def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def subscription_fields(body) -> tuple[str, str, str] | None:
    """Endpoint, p256dh and auth of a PushSubscription's JSON, if they look right."""
    if not isinstance(body, dict):
        return None
    endpoint, keys_ = body.get("endpoint"), body.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys_, dict):
        return None
    p256dh, auth = keys_.get("p256dh"), keys_.get("auth")
    if len(endpoint) > MAX_ENDPOINT or not isinstance(p256dh, str) or not isinstance(auth, str):
        return None
    if not allowed_endpoint(endpoint):
        return None  # the server POSTs to it: only ever to a push service in PUSH_SERVICES
    if not (0 < len(p256dh) <= MAX_KEY and 0 < len(auth) <= MAX_KEY):
        return None
    return endpoint, p256dh, auth


@signed_in
def push_key():
    return no_store(jsonify({"key": keys.public_key()}))


def _subscribe_rate() -> str:
    return current_app.config["PUSH_SUBSCRIBE_RATE_LIMIT"]


def _person_key() -> str:
    return f"push-subscribe:{current_user.get_id()}"


@signed_in
@limiter.limit(_subscribe_rate, key_func=_person_key)
def subscribe():
    body = request.get_json(silent=True)
    fields = subscription_fields(body)
    if fields is None:
        return refuse(_("The server could not read what was sent."))
    device_id = body.get("device_id")
    if not isinstance(device_id, str) or not is_uuid(device_id):
        return refuse(_("The device has no valid id."))
    label = str(body.get("label") or "")[:120]
    device = enrolment.current_device()
    if device is not None and (device.revoked_at or device.scheme_id != current_user.scheme_id):
        device = None
    row = services.subscribe(current_user, *fields, device_id, label, device)
    audit("push_subscribed", row, label=label)
    db.session.commit()
    return no_store(jsonify({"id": row.id, "label": row.label})), 201


@signed_in
def unsubscribe():
    body = request.get_json(silent=True) or {}
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str):
        return refuse(_("The server could not read what was sent."))
    # Only one's own: another person's endpoint is "not found", never theirs to remove.
    removed = services.remove_own(current_user, endpoint)
    if removed:
        audit("push_unsubscribed", None, scheme_id=current_user.scheme_id)
    db.session.commit()
    return no_store(jsonify({"removed": removed})), 200 if removed else 404


def parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# Knowing the endpoint and its auth secret is the proof (the push service knows the
# endpoint too, but never the secret: only this browser and the server hold both), so a
# device whose person has signed out can still say records wait on it.
@public
@csrf.exempt
@limiter.limit("30 per minute")
def outbox_report():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("endpoint"), str):
        return refuse(_("The server could not read what was sent."))
    if not isinstance(body.get("auth"), str):
        return refuse(_("The server could not read what was sent."))
    waiting = body.get("waiting")
    if not isinstance(waiting, int) or isinstance(waiting, bool) or not 0 <= waiting <= 100_000:
        return refuse(_("The server could not read what was sent."))
    oldest = parse_time(body.get("oldest_saved_at"))
    if waiting and oldest is None:
        return refuse(_("The server could not read what was sent."))
    if not services.report_outbox(body["endpoint"], body["auth"], waiting, oldest):
        db.session.rollback()
        return no_store(jsonify({"known": False})), 404
    db.session.commit()
    return no_store(jsonify({"known": True}))


@signed_in
def my_alerts():
    listed = services.alerts_for(current_user, limit=20)
    items = []
    for alert, mark in listed:
        title, body = words(alert)
        items.append(
            {
                "id": alert.id,
                "kind": alert.kind,
                "title": title,
                "body": body,
                "url": alert.url,
                "created_at": alert.created_at.isoformat() + "Z",
                "read": mark.read_at is not None,
            }
        )
    unread = services.unread_count(current_user)
    return no_store(jsonify({"unread": unread, "alerts": items}))
