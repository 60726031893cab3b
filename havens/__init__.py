"""Safe Haven venues: their life cycle, visits, public pages and the support directory."""

from flask import Blueprint

# Views attach themselves in havens.visits, havens.venues and havens.public.
bp = Blueprint("havens", __name__)
