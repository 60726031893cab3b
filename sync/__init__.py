"""The outbox's way in: the sync API, the service worker, the manifest and the outbox page."""

from flask import Blueprint

bp = Blueprint("sync", __name__)
