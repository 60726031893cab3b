"""Positions on the map: distances and rounding. No geocoding service is ever asked."""

from math import asin, cos, radians, sin, sqrt

from babel.units import format_unit
from flask import current_app
from flask_babel import get_locale

from core.security import tile_origin

EARTH_RADIUS_M = 6_371_000
ZOOM = 15  # a town centre, street by street


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance in metres between two (latitude, longitude) points."""
    lat1, lng1, lat2, lng2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(h))


def rounded(value: float | None, places: int) -> float | None:
    """A coordinate to so many decimals: 3 is about 100 m, 4 about 10 m."""
    return round(value, places) if value is not None else None


def position(row) -> tuple[float, float] | None:
    """A row's (latitude, longitude), or None when it has no position."""
    if row is None or row.latitude is None or row.longitude is None:
        return None
    return row.latitude, row.longitude


def shown_distance(metres: float) -> str:
    """A distance as people read it, in their language: "350 m", "1.2 km"."""
    locale = get_locale()
    if metres < 1000:
        return format_unit(int(round(metres, -1)), "length-meter", "short", locale=locale)
    return format_unit(round(metres / 1000, 1), "length-kilometer", "short", locale=locale)


def map_settings(centre: tuple[float, float] | None = None, zoom: int = ZOOM) -> dict:
    """What a page's map script reads from its JSON data block: the tile server (a
    setting), its attribution, and where to centre (else the MAP_CENTRE setting)."""
    config = current_app.config
    tiles = config["MAP_TILE_URL"] or ""
    lat, lng = centre or config["MAP_CENTRE"]
    return {
        # A template the policy could not allow is not tried: the map draws without tiles.
        "tiles": tiles if tile_origin(tiles) else "",
        "attribution": config["MAP_TILE_ATTRIBUTION"] or "",
        "centre": [float(lat), float(lng)],
        "zoom": zoom,
    }
