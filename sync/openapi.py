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
        "author": {
            "type": "string",
            "description": "The author token /api/session gave for this device id.",
        },
        "data": {
            "type": "object",
            "additionalProperties": value,
            "description": (
                "The form's fields, as the page's form would post them. The record's id is "
                "one of them: every kind but patrol_end repeats the entry's `id` here as "
                "`data.id`, and an entry without it, or with another, is rejected."
            ),
        },
    }
    assert set(properties) == ENTRY_KEYS
    with_id = {"type": "object", "properties": {"id": UUID}, "required": ["id"]}
    return {
        "type": "object",
        "properties": properties,
        "required": ["op", "kind", "id", "seq", "saved_at", "author", "data"],
        "additionalProperties": False,
        # The id at the top level and again inside data, for every kind but a patrol's end.
        "if": {"properties": {"kind": {"const": "patrol_end"}}},
        "then": {"properties": {"data": {"not": {"required": ["id"]}}}},
        "else": {"properties": {"data": with_id}},
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
            "required": ["number", "received_at"],
        },
        "errors": {
            "type": "object",
            "description": "Rejected only: messages by form field; _record for the whole.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["op", "status"],
}

SESSION = {
    "type": "object",
    "properties": {
        "user": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "roles": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["id", "name", "roles"],
        },
        "author": {
            "type": ["string", "null"],
            "description": "The author token for the outbox named by ?device=; null without.",
        },
        "csrf": {"type": "string", "description": "Send it as X-CSRFToken with each POST."},
        "device": {
            "type": ["object", "null"],
            "description": "The enrolled tablet this browser is, if it is one.",
        },
        "alerts": {"type": "object", "properties": {"unread": {"type": "integer"}}},
        "pages": {"type": "array", "items": {"type": "object"}},
        "lists": {
            "type": "string",
            "description": "A fingerprint of the scheme's lists; it changes when they do.",
        },
        "idle_minutes": {"type": "integer"},
        "sync": {
            "type": "object",
            "properties": {
                "max_records": {"type": "integer"},
                "max_bytes": {"type": "integer"},
                "timeout_ms": {"type": "integer"},
            },
        },
    },
    "required": ["user", "author", "csrf", "sync"],
}


def _errors(*codes: str) -> dict:
    """The JSON error answers an endpoint may give, each {"error": ...}."""
    words = {
        "400": "Unreadable JSON or fields, or the CSRF token is missing.",
        "401": "Not signed in.",
        "403": "This role may not use it.",
        "404": "Not found, or not this person's.",
        "429": "Too many tries: wait, then try again.",
        "503": "The database was busy: try again after Retry-After seconds.",
    }
    answers = {code: _json(ERROR, words[code]) for code in codes}
    if "503" in answers:
        answers["503"]["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    return answers


def _get(summary: str, ok: dict, *errors: str) -> dict:
    responses = {"200": _json(ok, "OK.")} | _errors(*errors)
    return {"get": {"summary": summary, "security": [{"session": []}], "responses": responses}}


SUBSCRIPTION = {
    "type": "object",
    "description": "A PushSubscription's JSON, with this outbox's device id and a label.",
    "properties": {
        "endpoint": {"type": "string", "maxLength": 1000},
        "keys": {
            "type": "object",
            "properties": {"p256dh": {"type": "string"}, "auth": {"type": "string"}},
            "required": ["p256dh", "auth"],
        },
        "device_id": UUID,
        "label": {"type": "string"},
    },
    "required": ["endpoint", "keys", "device_id"],
}


def alerts_paths() -> dict:
    """The alerts package's JSON: push subscriptions, a device's outbox report, alerts."""
    csrf: list[dict] = [{"session": [], "csrf": []}]
    return {
        "/api/help/{help_id}": {
            "get": {
                "summary": "A call for help's state, for the venue that made it",
                "security": [{"session": []}],
                "parameters": [{"name": "help_id", "in": "path", "required": True, "schema": UUID}],
                "responses": {"200": _json({"type": "object"}, "Its state.")}
                | _errors("401", "403", "404"),
            }
        },
        "/api/push/key": _get("The server's VAPID public key", {"type": "object"}, "401"),
        "/api/push/subscriptions": {
            "post": {
                "summary": "Subscribe this browser to the signed-in person's alerts",
                "security": csrf,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": SUBSCRIPTION}},
                },
                "responses": {"201": _json({"type": "object"}, "Subscribed.")}
                | _errors("400", "401", "429"),
            },
            "delete": {
                "summary": "Unsubscribe one of one's own browsers",
                "security": csrf,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"endpoint": {"type": "string"}},
                                "required": ["endpoint"],
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}, "Removed."),
                    "404": _json({"type": "object"}, "Not one of this person's."),
                }
                | _errors("400", "401"),
            },
        },
        "/api/push/outbox": {
            "post": {
                "summary": "A subscribed browser says how many records wait in its outbox",
                "description": "No session: the subscription's endpoint and secret prove it.",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "endpoint": {"type": "string"},
                                    "auth": {"type": "string"},
                                    "waiting": {"type": "integer", "minimum": 0},
                                    "oldest_saved_at": {
                                        "type": ["string", "null"],
                                        "format": "date-time",
                                    },
                                },
                                "required": ["endpoint", "auth", "waiting"],
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}, "Noted."),
                    "404": _json({"type": "object"}, "No such subscription."),
                }
                | _errors("400", "429"),
            }
        },
        "/api/alerts": _get("The signed-in person's latest alerts", {"type": "object"}, "401"),
    }


def document() -> dict:
    """The whole document, with this server's caps."""
    config = current_app.config
    batch = {
        "type": "object",
        "properties": {
            "device": UUID
            | {"description": "The outbox's id: the one /api/session made its tokens for."},
            "records": {
                "type": "array",
                "maxItems": config["SYNC_MAX_RECORDS"],
                "items": entry_schema(),
            },
        },
        "required": ["device", "records"],
    }
    too_much = _json(
        ERROR,
        f"More than {config['SYNC_MAX_RECORDS']} entries or {config['SYNC_MAX_BYTES']} bytes.",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lantern API",
            "version": "1",
            "description": (
                "The offline outbox sends saved records to /api/sync. Each entry is "
                "answered created, duplicate (already stored: nothing new), conflict (the "
                "id was known with other content: kept aside for a coordinator) or "
                "rejected (not stored; field errors). Only rejected entries stay on the "
                "device. The other endpoints serve the outbox, hand-overs and alerts."
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
                    "parameters": [
                        {
                            "name": "device",
                            "in": "query",
                            "schema": UUID,
                            "description": "The outbox's device id, for its author token.",
                        }
                    ],
                    # 400: a parameter holding a NUL character, which no page accepts.
                    "responses": {"200": _json(SESSION, "Signed in.")} | _errors("400", "401"),
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
                                "required": ["results"],
                            },
                            "One result per entry, in order.",
                        ),
                        "413": too_much,
                    }
                    | _errors("400", "401", "403", "503"),
                }
            },
            "/api/handovers": _get(
                "Street Pastors' hand-overs waiting at this person's venues",
                {"type": "object", "properties": {"handovers": {"type": "array"}}},
                "401",
                "403",
            ),
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1.")},
                }
            },
        }
        | alerts_paths(),
    }
