"""Where a scheme's maps centre. The tiles are the only thing a map fetches from
elsewhere, and only from the one host the Content-Security-Policy allows (core.security).
With no tile server set, or none answering, the maps still draw their points and the
patrol areas on a plain background."""

from flask import current_app
from sqlalchemy import select

from core.geo import map_settings, position
from extensions import db
from havens.models import Venue
from patrols.models import PatrolArea


def scheme_centre(scheme_id: int) -> tuple[float, float]:
    """The middle of the scheme's venues (or its patrol areas), else the MAP_CENTRE setting."""
    for model in (Venue, PatrolArea):
        rows = db.session.scalars(
            select(model).where(model.scheme_id == scheme_id, model.latitude.is_not(None))
        ).all()
        points = [p for p in map(position, rows) if p]
        if points:
            return (
                round(sum(lat for lat, _lng in points) / len(points), 5),
                round(sum(lng for _lat, lng in points) / len(points), 5),
            )
    lat, lng = current_app.config["MAP_CENTRE"]
    return float(lat), float(lng)


def map_config(scheme_id: int) -> dict:
    """The map settings for a scheme's pages, centred on the scheme."""
    return map_settings(scheme_centre(scheme_id))
