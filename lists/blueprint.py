"""The lists package's routes."""

from flask import Blueprint, Flask

from lists import views

bp = Blueprint("lists", __name__)
bp.add_url_rule("/lists", "lists", views.lists, methods=["GET", "POST"])
bp.add_url_rule("/lists/<name>", "edit_list", views.edit_list, methods=["GET", "POST"])
bp.add_url_rule("/lists/<name>/add", "add_item", views.add_item, methods=["POST"])
bp.add_url_rule("/lists/<name>/items/<code>", "edit_item", views.edit_item, methods=["GET", "POST"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
