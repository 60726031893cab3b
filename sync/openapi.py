"""The OpenAPI document of the sync API, built from the same limits the server applies."""

from flask import current_app

from sync.entries import ENTRY_KEYS, KINDS

UUID = {"type": "string", "format": "uuid"}
ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string", "description": "In the person's language."}},
    "required": ["error"],
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def entry_schema() -> dict:
    value = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    properties = {
        "op": UUID | {"description": "This outbox entry's id; a resend uses the same."},
        "kind": {"type": "string", "enum": list(KINDS)},
        "id": UUID | {"description": "The record's id (for patrol_end, the patrol's)."},
        "patrol": UUID | {"description": "contact and contact_correction only."},
        "base_version": {"type": "integer", "description": "Corrections: version corrected."},
        "seq": {"type": "integer", "minimum": 0, "description": "The device's sequence."},
        "saved_at": {"type": "string", "format": "date-time", "description": "Device clock."},
        "author": {"type": "string", "description": "The author token from /api/session."},
        "data": {
            "type": "object",
            "additionalProperties": value,
            "description": "The form's fields, as the page's form would post them.",
        },
    }
    assert set(properties) == ENTRY_KEYS
    return {
        "type": "object",
        "properties": properties,
        "required": ["op", "kind", "id", "seq", "saved_at", "author", "data"],
        "additionalProperties": False,
    }


RESULT = {
    "type": "object",
    "properties": {
        "op": {"type": "string"},
        "status": {"type": "string", "enum": ["created", "duplicate", "conflict", "rejected"]},
        "receipt": {
            "type": "object",
            "properties": {
                "number": {"type": "integer"},
                "received_at": {"type": "string", "format": "date-time"},
            },
        },
        "errors": {
            "type": "object",
            "description": "Rejected only: messages by form field; _record for the whole.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["op", "status"],
}


def document() -> dict:
    """The whole document, with this server's caps."""
    config = current_app.config
    batch = {
        "type": "object",
        "properties": {
            "device": UUID,
            "records": {
                "type": "array",
                "maxItems": config["SYNC_MAX_RECORDS"],
                "items": entry_schema(),
            },
        },
        "required": ["device", "records"],
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lantern sync API",
            "version": "1",
            "description": (
                "The offline outbox sends saved records here. Each entry is answered "
                "created, duplicate (already stored: nothing new), conflict (the id was "
                "known with other content: kept aside for a coordinator) or rejected "
                "(not stored; field errors). Only rejected entries stay on the device."
            ),
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            }
        },
        "paths": {
            "/api/session": {
                "get": {
                    "summary": "Who is signed in, their author token, CSRF token and offline pages",
                    "security": [{"session": []}],
                    "responses": {
                        "200": _json({"type": "object"}, "Signed in."),
                        "401": _json(ERROR, "Not signed in."),
                    },
                }
            },
            "/api/sync": {
                "post": {
                    "summary": "Send a batch of outbox entries",
                    "security": [{"session": [], "csrf": []}],
                    "parameters": [
                        {
                            "name": "X-Lantern-Activity",
                            "in": "header",
                            "schema": {"type": "string", "enum": ["1"]},
                            "description": "Set when a person's save started this sync.",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": batch}},
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"results": {"type": "array", "items": RESULT}},
                            },
                            "One result per entry, in order.",
                        ),
                        "400": _json(ERROR, "Unreadable JSON, or the CSRF token is missing."),
                        "401": _json(ERROR, "Not signed in: keep every entry."),
                        "403": _json(ERROR, "This role does not send records."),
                        "413": _json(
                            ERROR,
                            f"More than {config['SYNC_MAX_RECORDS']} entries or "
                            f"{config['SYNC_MAX_BYTES']} bytes.",
                        ),
                    },
                }
            },
            "/api/handovers": {
                "get": {
                    "summary": "Street Pastors' hand-overs waiting at this person's venues",
                    "security": [{"session": []}],
                    "responses": {"200": _json({"type": "object"}, "Waiting hand-overs.")},
                }
            },
        },
    }
