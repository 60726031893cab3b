"""Dashboards, partnership reports, exports, retention and backups."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
