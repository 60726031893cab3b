"""The sync package's routes."""

from flask import Blueprint, Flask

from sync import api, conflicts, texts, views

bp = Blueprint("sync", __name__)
# The API the outbox syncs through.
bp.add_url_rule("/api/session", "session_info", api.session_info)
bp.add_url_rule("/api/sync", "sync", api.sync, methods=["POST"])
bp.add_url_rule("/api/handovers", "handovers", api.handovers)
bp.add_url_rule("/api/openapi.json", "openapi_document", api.openapi_document)
# Records that arrived with other content under a known id: a coordinator decides.
bp.add_url_rule("/sync/conflicts", "conflicts", conflicts.conflicts)
bp.add_url_rule("/sync/conflicts/<int:conflict_id>", "conflict", conflicts.conflict)
bp.add_url_rule(
    "/sync/conflicts/<int:conflict_id>/resolve",
    "resolve_conflict",
    conflicts.resolve_conflict,
    methods=["POST"],
)
# The installable app.
bp.add_url_rule("/sw.js", "service_worker", views.service_worker)
bp.add_url_rule("/manifest.webmanifest", "manifest", views.manifest)
bp.add_url_rule("/offline", "offline", views.offline)
bp.add_url_rule("/outbox", "outbox", views.outbox)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(texts.text_catalogue)
