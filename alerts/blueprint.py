"""The alerts package's routes, commands and what it listens to."""

from flask import Blueprint, Flask

from alerts import api, cli, help, listeners, notices, reminders, views

bp = Blueprint("alerts", __name__)
# The in-app alerts list, and the person's devices that get alerts.
bp.add_url_rule("/alerts", "alerts", views.alerts)
bp.add_url_rule("/account/alerts", "devices", views.devices)
bp.add_url_rule(
    "/account/alerts/<int:subscription_id>/remove", "remove", views.remove, methods=["POST"]
)
# A venue's call for help.
bp.add_url_rule("/help/new", "ask_for_help", help.ask_for_help, methods=["GET", "POST"])
bp.add_url_rule("/help/<help_id>", "help_request", help.help_request)
bp.add_url_rule("/help/<help_id>/accept", "accept_help", help.accept_help, methods=["POST"])
bp.add_url_rule("/help/<help_id>/cancel", "cancel_help", help.cancel_help, methods=["POST"])
bp.add_url_rule("/api/help/<help_id>", "help_status", help.help_status)
# Coordinators' notices.
bp.add_url_rule("/notices", "notices", notices.notices, methods=["GET", "POST"])
bp.add_url_rule("/notices/<int:notice_id>", "notice", notices.notice)
# The push API the page scripts use.
bp.add_url_rule("/api/push/key", "push_key", api.push_key)
bp.add_url_rule("/api/push/subscriptions", "subscribe", api.subscribe, methods=["POST"])
bp.add_url_rule("/api/push/subscriptions", "unsubscribe", api.unsubscribe, methods=["DELETE"])
bp.add_url_rule("/api/push/outbox", "outbox_report", api.outbox_report, methods=["POST"])
bp.add_url_rule("/api/alerts", "my_alerts", api.my_alerts)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(views.alert_badge)
    cli.push_cli.add_command(reminders.remind_command)
    app.cli.add_command(cli.push_cli)
    listeners.connect()
