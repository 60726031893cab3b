"""The public Safe Haven finder: the scheme's Safe Havens, open ones first.

Without JavaScript it is a plain list. With it (static/js/finder.js), a map shows them and,
when the reader shares their location, the list is sorted nearest first in the browser:
the position never leaves the device.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import abort, render_template
from sqlalchemy import select

from accounts.models import Scheme
from core.access import public
from core.timeutil import to_london, utcnow
from extensions import db
from havens import hours
from havens.models import Venue
from havens.public import OFFERED, only_scheme_id
from havens.services import is_valid_haven
from places.maps import map_config


@dataclass
class Haven:
    """A Safe Haven as the finder shows it."""

    venue: Venue
    open_now: bool | None  # None when the venue has not said when it is open
    week: list


def havens_now(scheme_id: int, now: datetime) -> list[Haven]:
    """The scheme's valid Safe Havens at this London time: open ones first, then by name."""
    venues = db.session.scalars(
        select(Venue).filter_by(scheme_id=scheme_id, status="active").order_by(Venue.name)
    )
    found = [
        Haven(
            venue=venue,
            open_now=hours.is_open(venue.weekly_hours, now)
            if hours.known(venue.weekly_hours)
            else None,
            week=hours.rows(venue.weekly_hours),
        )
        for venue in venues
        if is_valid_haven(venue)
    ]
    return sorted(found, key=lambda haven: haven.open_now is not True)


@public
def finder():
    """The address to print and link: the one scheme's finder, or a choice of schemes."""
    scheme_id = only_scheme_id()
    if scheme_id is not None:
        return finder_page(db.session.get(Scheme, scheme_id))
    schemes = db.session.scalars(select(Scheme).order_by(Scheme.name)).all()
    return render_template("places/choose_scheme.html", schemes=schemes, purpose="finder")


@public
def finder_for_scheme(scheme_id: int):
    return finder_page(db.session.get(Scheme, scheme_id) or abort(404))


def finder_page(scheme: Scheme):
    return render_template(
        "places/finder.html",
        scheme=scheme,
        scheme_id=scheme.id,
        havens=havens_now(scheme.id, to_london(utcnow())),
        offered=OFFERED,
        map=map_config(scheme.id),
    )
