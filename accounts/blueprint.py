"""The accounts package's routes and commands."""

from flask import Blueprint, Flask

from accounts import cli, devices, views

bp = Blueprint("accounts", __name__)
# Signing in and out, the person's own account, reset links.
bp.add_url_rule("/signin", "sign_in", views.sign_in, methods=["GET", "POST"])
bp.add_url_rule("/signout", "sign_out", views.sign_out, methods=["POST"])
bp.add_url_rule("/account", "account", views.account)
bp.add_url_rule("/account/password", "change_password", views.change_password, methods=["POST"])
bp.add_url_rule("/reset/<token>", "reset_password", views.reset_password, methods=["GET", "POST"])
# Enrolling a device, and PINs on a venue's tablet.
bp.add_url_rule("/enrol/<token>", "enrol", devices.enrol, methods=["GET", "POST"])
bp.add_url_rule("/signin/pin", "pin_sign_in", devices.pin_sign_in, methods=["POST"])
bp.add_url_rule("/account/pin", "set_pin", devices.set_pin, methods=["POST"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli.users)
