"""The core package's routes: the health check and the language switch."""

from flask import Blueprint, Flask

from core import views

bp = Blueprint("core", __name__)
bp.add_url_rule("/healthz", "healthz", views.healthz)
bp.add_url_rule("/language", "set_language", views.set_language, methods=["POST"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
