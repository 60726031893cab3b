"""The havens package's routes and commands."""

from flask import Blueprint, Flask

from havens import directory, public, venues, visits
from havens.stickers import cli as stickers_cli
from havens.stickers import views as stickers

bp = Blueprint("havens", __name__)
# Visits.
bp.add_url_rule("/visits/new", "log_visit", visits.log_visit, methods=["GET", "POST"])
bp.add_url_rule("/visits", "visits", visits.visits)
bp.add_url_rule("/visits/<visit_id>", "visit", visits.visit, methods=["GET", "POST"])
# Venues, their life cycle and staff training; businesses' registrations.
bp.add_url_rule("/venues", "venues", venues.venues)
bp.add_url_rule("/venues/<int:venue_id>", "venue", venues.venue, methods=["GET", "POST"])
bp.add_url_rule(
    "/venues/<int:venue_id>/status", "venue_status", venues.venue_status, methods=["POST"]
)
bp.add_url_rule(
    "/venues/<int:venue_id>/training", "venue_training", venues.venue_training, methods=["POST"]
)
bp.add_url_rule(
    "/registrations/<int:registration_id>/accept",
    "accept_registration",
    venues.accept_registration,
    methods=["POST"],
)
bp.add_url_rule(
    "/registrations/<int:registration_id>/dismiss",
    "dismiss_registration",
    venues.dismiss_registration,
    methods=["POST"],
)
# Window stickers.
bp.add_url_rule("/venues/<int:venue_id>/sticker", "venue_sticker", stickers.venue_sticker)
bp.add_url_rule(
    "/venues/<int:venue_id>/sticker/print",
    "print_sticker",
    stickers.print_sticker,
    methods=["POST"],
)
bp.add_url_rule(
    "/venues/stickers/print", "print_stickers", stickers.print_stickers, methods=["POST"]
)
bp.add_url_rule(
    "/venues/<int:venue_id>/sticker/reissue",
    "reissue_sticker",
    stickers.reissue_sticker,
    methods=["POST"],
)
bp.add_url_rule("/venues/stickers", "sticker_register", stickers.sticker_register)
# The support directory.
bp.add_url_rule("/directory", "directory", directory.directory)
bp.add_url_rule("/directory/new", "add_service", directory.add_service, methods=["GET", "POST"])
bp.add_url_rule(
    "/directory/<int:service_id>",
    "edit_service",
    directory.edit_service,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/directory/<int:service_id>/delete",
    "delete_service",
    directory.delete_service,
    methods=["POST"],
)
# For the public: a sticker's page, and a business registering interest.
bp.add_url_rule("/v/<code>", "venue_page", public.venue_page)
bp.add_url_rule(
    "/join/<int:scheme_id>",
    "register_interest",
    public.register_interest,
    methods=["GET", "POST"],
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(stickers_cli.stickers)
