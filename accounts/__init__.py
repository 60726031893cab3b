"""People, roles, signing in and out, and password resets."""

from flask import Blueprint

# Views attach themselves in accounts.views and accounts.people, which the factory imports.
bp = Blueprint("accounts", __name__)
