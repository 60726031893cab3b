"""The health check and the language switch."""

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from core.access import public
from core.i18n import LANGUAGES
from core.urls import safe_next
from extensions import db


@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure means "not ok"; the detail goes to the log only
        current_app.logger.exception("health check: database unreachable")
        database = "unavailable"
    ok = database == "ok"
    body = {"status": "ok" if ok else "degraded", "database": database}
    return jsonify(body), 200 if ok else 503


@public
def set_language():
    choice = request.form.get("language")
    if choice in LANGUAGES:
        session["language"] = choice
        if current_user.is_authenticated:
            current_user.locale = choice
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))
