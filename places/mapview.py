"""The coordinators' map: unsafe-place reports, venues and their visits, Street Pastors'
contacts and the patrol areas, with the queue's filters. Tables under the map say the
same, for anyone who cannot use it."""

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user

from core.access import roles
from core.timeutil import london_today
from extensions import db
from havens.models import VENUE_STATUSES
from patrols.schema import areas
from places import mapdata
from places.access import reports_for
from places.choices import CATEGORIES, STATUSES
from places.forms import filter_form
from places.maps import map_config
from places.models import UnsafePlaceReport
from places.queries import filtered_reports

# With no dates chosen, the map shows the last quarter or so.
DEFAULT_DAYS = 90


@roles("coordinator")
def map_page():
    scheme_areas = areas(current_user.scheme_id)
    filters = filter_form(request.args, scheme_areas)
    if not request.args.get("date_from") and not request.args.get("date_to"):
        filters.date_from.data = london_today() - timedelta(days=DEFAULT_DAYS)
    stmt = filtered_reports(reports_for(current_user), filters)
    reports = db.session.scalars(stmt.order_by(UnsafePlaceReport.number.desc())).all()
    data = mapdata.gather(
        current_user.scheme_id, list(reports), filters.date_from.data, filters.date_to.data
    )
    return render_template(
        "places/map.html",
        filters=filters,
        reports=reports,
        data=data,
        map=map_config(current_user.scheme_id)
        | {
            "labels": {
                "status": {k: str(v) for k, v in STATUSES.items()},
                "categories": {k: str(v) for k, v in CATEGORIES.items()},
                "venue_status": {k: str(v) for k, v in VENUE_STATUSES.items()},
            }
        },
        labels={"status": STATUSES, "categories": CATEGORIES},
    )
