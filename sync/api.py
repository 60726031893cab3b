"""The JSON API the outbox syncs through. Every answer is JSON and never cached."""

import json

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from accounts import enrolment
from accounts.access import public, roles, signed_in
from alerts import services as alert_services
from core.timeutil import to_london
from extensions import db
from havens import services as havens
from sync import bp, openapi, services

# Who may send records: everyone who logs them.
SENDERS = ("venue_staff", "pastor", "coordinator")
PATROL = r"^/patrols/[0-9a-f-]{36}"


def offline_pages(user) -> list[dict]:
    """The work pages this person's device keeps for use offline: shells, no records."""
    pages = []
    if user.has_role("venue_staff", "coordinator"):
        pages.append({"pattern": "^/visits/new$", "url": "/visits/new?shell=1"})
    if user.has_role("pastor", "coordinator"):
        pages += [
            {"pattern": "^/patrols/start$", "url": "/patrols/start"},
            {"pattern": PATROL + "/contacts/new$", "url": "/patrols/shell/contact"},
            {"pattern": PATROL + "/end$", "url": "/patrols/shell/end"},
        ]
    return pages + [
        {"pattern": "^/directory$", "url": "/directory"},
        {"pattern": "^/outbox$", "url": "/outbox"},
        {"pattern": "^/offline$", "url": "/offline"},
    ]


@bp.route("/api/session")
@signed_in
def session_info():
    config = current_app.config
    device = enrolment.current_device()
    if device is not None:
        enrolment.seen(device)
    return {
        "device": None
        if device is None
        else {"name": device.name, "revoked": device.revoked_at is not None},
        "user": {
            "id": current_user.id,
            "name": current_user.name,
            "roles": sorted(current_user.roles),
        },
        "author": services.author_token(current_user),
        "csrf": generate_csrf(),
        # The menu's count of unread alerts, kept fresh by every sync with no extra request.
        "alerts": {"unread": alert_services.unread_count(current_user)},
        "pages": offline_pages(current_user),
        "idle_minutes": config["IDLE_TIMEOUT_MINUTES"],
        "sync": {
            "max_records": config["SYNC_MAX_RECORDS"],
            "max_bytes": config["SYNC_MAX_BYTES"],
            "timeout_ms": config["SYNC_TIMEOUT_SECONDS"] * 1000,
        },
    }


def too_much():
    config = current_app.config
    message = ngettext(
        "Send at most %(num)d record at a time.",
        "Send at most %(num)d records at a time.",
        config["SYNC_MAX_RECORDS"],
    )
    body = {
        "error": message,
        "max_records": config["SYNC_MAX_RECORDS"],
        "max_bytes": config["SYNC_MAX_BYTES"],
    }
    return jsonify(body), 413


def bad_request(message: str):
    return jsonify({"error": message}), 400


@bp.route("/api/sync", methods=["POST"])
@roles(*SENDERS)
def sync():
    config = current_app.config
    device = enrolment.current_device()
    if device is not None and device.revoked_at is not None:
        # Nothing is deleted: the device keeps its records, flagged, for a coordinator.
        message = _("This device has been revoked by your coordinator. Its records stay on it.")
        return jsonify({"error": message, "revoked": True}), 403
    if (request.content_length or 0) > config["SYNC_MAX_BYTES"]:
        return too_much()
    body = request.get_data(cache=False)
    if len(body) > config["SYNC_MAX_BYTES"]:
        return too_much()
    try:
        batch = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return bad_request(_("The server could not read what was sent."))
    device_id = batch.get("device") if isinstance(batch, dict) else None
    entries = batch.get("records") if isinstance(batch, dict) else None
    if not isinstance(device_id, str) or not services.is_uuid(device_id):
        return bad_request(_("The device has no valid id."))
    if not isinstance(entries, list):
        return bad_request(_("The server could not read what was sent."))
    if len(entries) > config["SYNC_MAX_RECORDS"]:
        return too_much()
    results = services.take_batch(device_id, entries, current_user)
    if device is not None:
        enrolment.synced(device)
    db.session.commit()
    return {"results": [result.as_json() for result in results]}


@bp.route("/api/handovers")
@roles("venue_staff", "coordinator")
def handovers():
    return {
        "handovers": [
            {
                "id": contact.id,
                "venue_id": contact.handover_venue_id,
                "venue": contact.handover_venue.name,
                "at": to_london(contact.at).strftime("%H:%M"),
                "people": contact.people,
            }
            for contact in havens.pending_handovers(current_user)
        ]
    }


@bp.route("/api/openapi.json")
@public
def openapi_document():
    return openapi.document()
