"""Home page, health check and the language switch."""

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from accounts.access import public, signed_in, teams_for, venues_for
from accounts.forms import LANGUAGES
from core import bp
from core.urls import safe_next
from extensions import db
from sync.models import SyncConflict


@bp.route("/")
@signed_in
def home():
    venues = db.session.scalars(venues_for(current_user).order_by("name")).all()
    teams = db.session.scalars(teams_for(current_user).order_by("name")).all()
    open_conflicts = 0
    if current_user.has_role("coordinator"):
        open_conflicts = db.session.scalar(
            select(func.count())
            .select_from(SyncConflict)
            .filter_by(scheme_id=current_user.scheme_id, resolution=None)
        )
    return render_template(
        "core/home.html", venues=venues, teams=teams, open_conflicts=open_conflicts
    )


@bp.route("/healthz")
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


@bp.route("/language", methods=["POST"])
@public
def set_language():
    choice = request.form.get("language")
    if choice in LANGUAGES:
        session["language"] = choice
        if current_user.is_authenticated:
            current_user.locale = choice
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))
