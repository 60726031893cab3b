"""The JSON API the outbox syncs through. Every answer is JSON and never cached."""

import json
import re

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from accounts import enrolment
from alerts import services as alert_services
from core.access import public, roles, signed_in
from core.forms import is_uuid
from core.timeutil import to_london
from extensions import db
from havens.handovers import pending_handovers
from lists.items import stamp as lists_stamp
from sync import batch, openapi
from sync.authors import author_token

# Who may send records: everyone who logs them.
SENDERS = ("venue_staff", "pastor", "coordinator")
# A patrol's id in an address, for the patterns of the pages kept for any patrol.
ANY_PATROL = "PATROL"


def kept(endpoint: str, shell: str | None = None, **values) -> dict:
    """A page kept for offline use: which addresses it answers (a pattern on the path,
    any patrol's id where the address has one), and the address of the copy to keep."""
    path = url_for(endpoint, **values)
    pattern = "^" + re.escape(path).replace(ANY_PATROL, "[0-9a-f-]{36}") + "$"
    return {"pattern": pattern, "url": shell or path}


def offline_pages(user) -> list[dict]:
    """The work pages this person's device keeps for use offline: shells, no records."""
    pages = []
    if user.has_role("venue_staff", "coordinator"):
        shell = url_for("havens.log_visit", shell=1)  # noqa: S604  (a query parameter)
        pages.append(kept("havens.log_visit", shell))
    if user.has_role("pastor", "coordinator"):
        pages += [
            kept("patrols.start_patrol"),
            kept(
                "patrols.log_contact",
                url_for("patrols.contact_shell"),
                patrol_id=ANY_PATROL,
            ),
            kept("patrols.end_patrol", url_for("patrols.end_shell"), patrol_id=ANY_PATROL),
        ]
    # Home leads each person to their main action (a pastor's home holds the contact form).
    pages.insert(0, kept("core.home"))
    return pages + [kept("havens.directory"), kept("sync.outbox"), kept("sync.offline")]


@signed_in
def session_info():
    config = current_app.config
    device = enrolment.current_device()
    if device is not None:
        enrolment.seen(device)
    device_id = request.args.get("device", "")
    device_id = device_id if is_uuid(device_id) else None
    return {
        "device": None
        if device is None
        else {"name": device.name, "revoked": device.revoked_at is not None},
        "user": {
            "id": current_user.id,
            "name": current_user.name,
            "roles": sorted(current_user.roles),
        },
        # Made for the outbox that asks (?device=its id): null for any other caller.
        "author": author_token(current_user, device_id) if device_id else None,
        "csrf": generate_csrf(),
        # The menu's count of unread alerts, kept fresh by every sync with no extra request.
        "alerts": {"unread": alert_services.unread_count(current_user)},
        "pages": offline_pages(current_user),
        # The scheme's lists, as a fingerprint: kept pages with another are fetched again.
        "lists": lists_stamp(current_user.scheme_id),
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
        sent = json.loads(body)
    except (ValueError, RecursionError):
        # ValueError: not JSON, not UTF-8, or a number past Python's 4,300-digit limit for
        # ints; RecursionError: nesting deeper than the parser's stack.
        return bad_request(_("The server could not read what was sent."))
    device_id = sent.get("device") if isinstance(sent, dict) else None
    entries = sent.get("records") if isinstance(sent, dict) else None
    if not isinstance(device_id, str) or not is_uuid(device_id):
        return bad_request(_("The device has no valid id."))
    if not isinstance(entries, list):
        return bad_request(_("The server could not read what was sent."))
    if len(entries) > config["SYNC_MAX_RECORDS"]:
        return too_much()
    results = batch.take_batch(device_id, entries, current_user)
    if device is not None:
        enrolment.synced(device)
    db.session.commit()
    return {"results": [result.as_json() for result in results]}


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
            for contact in pending_handovers(current_user)
        ]
    }


@public
def openapi_document():
    return openapi.document()
