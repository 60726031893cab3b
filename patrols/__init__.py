"""Street Pastors: teams, patrols, contacts and hand-overs to Safe Havens."""

from flask import Blueprint

# Views attach themselves in patrols.views and patrols.teams, which the factory imports.
bp = Blueprint("patrols", __name__)
