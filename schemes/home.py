"""The home page: what each person's roles lead them to, across every domain."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from core.access import signed_in
from extensions import db
from havens.access import venues_for
from patrols.access import teams_for
from sync.models import SyncConflict


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
