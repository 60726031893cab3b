"""App-wide web plumbing: home page, health check, language, errors, headers, request log."""

from flask import Blueprint

# Views attach themselves in core.views, which the factory imports.
bp = Blueprint("core", __name__)
