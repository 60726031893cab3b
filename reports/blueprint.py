"""The reports package's routes and commands."""

from flask import Blueprint, Flask

from reports import cli, evas, pages, views

bp = Blueprint("reports", __name__)
bp.add_url_rule("/reports", "dashboard", views.dashboard_page)
bp.add_url_rule("/reports/quarterly", "quarterly", views.quarterly_page)
bp.add_url_rule("/reports/quarterly.pdf", "quarterly_pdf", views.quarterly_pdf)
bp.add_url_rule("/reports/quarterly.csv", "quarterly_csv", views.quarterly_csv)
bp.add_url_rule("/reports/exports", "exports", pages.exports_page, methods=["GET", "POST"])
bp.add_url_rule("/reports/audit", "audit_log", pages.audit_log_page)
bp.add_url_rule("/reports/evas", "evas", evas.evas_page)
bp.add_url_rule("/reports/evas/<int:eva_id>", "eva_report", evas.eva_page)
bp.add_url_rule("/reports/evas/<int:eva_id>.pdf", "eva_pdf", evas.eva_pdf)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    commands = (
        cli.export,
        cli.categories_command,
        cli.retention_command,
        cli.backup_command,
        cli.restore_command,
    )
    for command in commands:
        app.cli.add_command(command)
