"""The places package's routes."""

from flask import Blueprint, Flask

from places import evas, finder, mapview, public, triage

bp = Blueprint("places", __name__)
# For the public: reporting a place where they felt unsafe, and finding a Safe Haven.
bp.add_url_rule("/unsafe-places/report", "report", public.report)
bp.add_url_rule(
    "/unsafe-places/report/<int:scheme_id>",
    "report_for_scheme",
    public.report_for_scheme,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/unsafe-places/report/<int:scheme_id>/thanks", "report_thanks", public.report_thanks
)
bp.add_url_rule("/safe-havens", "finder", finder.finder)
bp.add_url_rule("/safe-havens/<int:scheme_id>", "finder_for_scheme", finder.finder_for_scheme)
# Coordinators' triage of reports, and their map.
bp.add_url_rule("/unsafe-places", "queue", triage.queue)
bp.add_url_rule("/unsafe-places/map", "map", mapview.map_page)
bp.add_url_rule("/unsafe-places/reports/<report_id>", "report_page", triage.report_page)
bp.add_url_rule(
    "/unsafe-places/reports/<report_id>/status",
    "report_status",
    triage.report_status,
    methods=["POST"],
)
bp.add_url_rule(
    "/unsafe-places/reports/<report_id>/merge",
    "report_merge",
    triage.report_merge,
    methods=["POST"],
)
bp.add_url_rule(
    "/unsafe-places/reports/<report_id>/area", "report_area", triage.report_area, methods=["POST"]
)
bp.add_url_rule(
    "/unsafe-places/reports/<report_id>/delete",
    "report_delete",
    triage.report_delete,
    methods=["POST"],
)
# Environmental visual audits and their actions.
bp.add_url_rule("/unsafe-places/evas", "evas", evas.evas)
bp.add_url_rule("/unsafe-places/evas/new", "new_eva", evas.new_eva, methods=["GET", "POST"])
bp.add_url_rule("/unsafe-places/evas/<int:eva_id>", "eva", evas.eva)
bp.add_url_rule(
    "/unsafe-places/evas/<int:eva_id>/edit", "edit_eva", evas.edit_eva, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/unsafe-places/evas/<int:eva_id>/actions", "add_action", evas.add_action, methods=["POST"]
)
bp.add_url_rule(
    "/unsafe-places/actions/<int:action_id>", "action_status", evas.action_status, methods=["POST"]
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
