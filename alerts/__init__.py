"""Alerts: web push and the in-app alerts list, a venue's call for help, hand-over
alerts, coordinators' notices and reminders."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)
