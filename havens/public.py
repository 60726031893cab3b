"""Pages for the public (a venue's sign, registering interest) and the support directory."""

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Scheme
from core.access import public
from extensions import db, limiter
from havens import services
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
    return render_template(
        "havens/public_venue.html",
        venue=venue if valid else None,
        withdrawn=withdrawn is not None,
        offered=OFFERED,
        directory=directory_for(scheme_id) if scheme_id else [],
    ), 200 if valid else 410 if withdrawn else 404


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
