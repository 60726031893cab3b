"""Pages for the public (a venue's sign, registering interest) and the support directory."""

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Scheme
from core.access import public
from core.geo import distance_m, position
from core.timeutil import to_london, utcnow
from extensions import db, limiter
from havens import hours, services
from havens.access import directory_for
from havens.forms import RegistrationForm
from havens.models import Registration, Venue
from havens.stickers.services import withdrawn_sticker

# What every Safe Haven offers, as the scheme describes it to the public.
OFFERED = [
    _l("A seat and a calm space"),
    _l("Charging your phone"),
    _l("Help to call a friend, family or a taxi"),
    _l("A glass of water"),
    _l("Information about support services"),
]


@public
def venue_page(code: str):
    venue = db.session.scalar(select(Venue).filter_by(public_code=code))
    valid = services.is_valid_haven(venue)
    # A reissued sign's old code: say plainly that this sign is withdrawn (410, not 404).
    withdrawn = withdrawn_sticker(code) if venue is None else None
    found = venue or withdrawn
    scheme_id = found.scheme_id if found else only_scheme_id()
    now = to_london(utcnow())
    open_now = hours.is_open(venue.weekly_hours, now) if valid and venue else None
    if not valid or not hours.known(venue.weekly_hours if venue else None):
        open_now = None  # unknown hours: say nothing rather than guess
    # Closed (or not a Safe Haven): the Safe Havens open now, for somewhere to go instead.
    elsewhere = open_havens(scheme_id, now, but=venue) if scheme_id and open_now is not True else []
    state = "valid" if valid else "withdrawn" if withdrawn else "paused" if venue else "unknown"
    return render_template(
        "havens/public_venue.html",
        venue=venue if valid else None,
        state=state,
        open_now=open_now,
        week=hours.rows(venue.weekly_hours) if valid and venue else [],
        elsewhere=elsewhere,
        scheme_id=scheme_id,
        offered=OFFERED,
        directory=directory_for(scheme_id) if scheme_id else [],
    ), 200 if valid else 410 if withdrawn else 404


def open_havens(scheme_id: int, now, but: Venue | None = None) -> list[tuple[Venue, int | None]]:
    """The scheme's valid Safe Havens open at this London time, but the one given, with
    their distance in metres from it: nearest first when it has a position (those without
    one last), else by name."""
    stmt = select(Venue).filter_by(scheme_id=scheme_id, status="active").order_by(Venue.name)
    found = [
        venue
        for venue in db.session.scalars(stmt)
        if venue is not but
        and hours.is_open(venue.weekly_hours, now)
        and services.is_valid_haven(venue)
    ]
    start = position(but)
    if start is None:
        return [(venue, None) for venue in found]
    measured = [(venue, away(start, position(venue))) for venue in found]
    return sorted(measured, key=lambda pair: (pair[1] is None, pair[1] or 0))


def away(start: tuple[float, float], end: tuple[float, float] | None) -> int | None:
    """Metres as the crow flies, to the nearest 10; None for a venue with no position."""
    return None if end is None else int(round(distance_m(start, end), -1))


def only_scheme_id() -> int | None:
    """The scheme of a one-town deployment, whose directory an unknown sign can still show."""
    ids = db.session.scalars(select(Scheme.id).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def _registration_rate() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@public
@limiter.limit(_registration_rate, methods=["POST"])
def register_interest(scheme_id: int):
    scheme = db.session.get(Scheme, scheme_id) or abort(404)
    form = RegistrationForm()
    if form.validate_on_submit():
        if not form.website.data:  # a filled honeypot is a bot: thank it, keep nothing
            registration = Registration(scheme_id=scheme.id)
            form.populate_obj(registration)
            registration.postcode = registration.postcode.upper()
            db.session.add(registration)
            db.session.commit()
        return render_template("havens/join_done.html", scheme=scheme)
    return render_template(
        "havens/join.html", form=form, scheme=scheme
    ), 400 if form.errors else 200
