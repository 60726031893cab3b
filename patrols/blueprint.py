"""The patrols package's routes."""

from flask import Blueprint, Flask

from patrols import teams, views

bp = Blueprint("patrols", __name__)
# Patrols and their contacts.
bp.add_url_rule("/patrols", "patrols", views.patrols)
bp.add_url_rule("/patrols/start", "start_patrol", views.start_patrol, methods=["GET", "POST"])
bp.add_url_rule("/patrols/<patrol_id>", "patrol", views.patrol)
bp.add_url_rule(
    "/patrols/<patrol_id>/contacts/new",
    "log_contact",
    views.log_contact,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/patrols/<patrol_id>/contacts/<contact_id>",
    "contact",
    views.contact,
    methods=["GET", "POST"],
)
bp.add_url_rule("/patrols/<patrol_id>/end", "end_patrol", views.end_patrol, methods=["GET", "POST"])
bp.add_url_rule("/patrols/<patrol_id>/summary", "summary", views.summary)
# The forms a device keeps for use offline, with no patrol in them yet.
bp.add_url_rule("/patrols/shell/contact", "contact_shell", views.contact_shell)
bp.add_url_rule("/patrols/shell/end", "end_shell", views.end_shell)
# Teams, their duty phones, patrol areas and the scheme's tallies.
bp.add_url_rule("/teams", "teams", teams.teams)
bp.add_url_rule("/teams/new", "add_team", teams.add_team, methods=["POST"])
bp.add_url_rule("/teams/<int:team_id>/phone", "team_phone", teams.team_phone, methods=["POST"])
bp.add_url_rule("/areas/new", "add_area", teams.add_area, methods=["POST"])
bp.add_url_rule("/areas/<int:area_id>", "edit_area", teams.edit_area, methods=["GET", "POST"])
bp.add_url_rule("/areas/<int:area_id>/delete", "delete_area", teams.delete_area, methods=["POST"])
bp.add_url_rule("/tallies", "set_tallies", teams.set_tallies, methods=["POST"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
