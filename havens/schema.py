"""A visit's rules, declared once (core.schema): the page's VisitForm and the sync API both
check a visit here, so both refuse the same answers in the same words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from core.forms import (
    BAD_ID,
    BEFORE_SCHEME,
    CLOCK_SKEW,
    LOCAL_MINUTE,
    NOT_ON_LIST,
    NOTE_MAX,
    NOTE_TOO_LONG,
    TOO_EARLY,
    UUID,
)
from core.schema import Choice, Choices, LocalTime, Schema, Text
from core.timeutil import to_utc
from extensions import db
from havens.access import directory_options, venues_for
from havens.choices import allowed_codes
from havens.models import Venue


@dataclass
class VisitContext:
    """What a visit's answers are checked against for one person: their venues, their
    scheme's directory, and the earliest time a record may have."""

    scheme_id: int
    venues: dict[int, str]
    services: dict[int, str]
    earliest: datetime


def visit_context(user) -> VisitContext:
    # Only the ids and names a form offers are read, not whole rows.
    venues = venues_for(user).with_only_columns(Venue.id, Venue.name).order_by(Venue.name)
    return VisitContext(
        scheme_id=user.scheme_id,
        venues=dict(db.session.execute(venues).tuples().all()),
        services=dict(directory_options(user.scheme_id)),
        earliest=user.scheme.created_at - BEFORE_SCHEME,
    )


def left_after_arriving(data: dict):
    arrived, departed = data["arrived_at"], data["departed_at"]
    if not (departed and arrived):
        return None
    if departed < arrived:
        return _l("They cannot have left before they arrived.")
    if departed - arrived > timedelta(hours=24):
        return _l("A visit lasts less than a day. Check the date.")
    return None


def some_help(data: dict):
    if not data["help"] and not data["services"]:
        return _l("Choose at least one kind of help.")
    return None


def _listed(name: str):
    return Choice(codes=lambda context: allowed_codes(name, context.scheme_id), optional=True)


def _own(name: str) -> Choices:
    """A scheme's own list (lists.items): an unknown code is named in the reader's words."""
    return Choices(
        codes=lambda context: allowed_codes(name, context.scheme_id), not_listed=NOT_ON_LIST
    )


def _time(**kwargs) -> LocalTime:
    return LocalTime(format=LOCAL_MINUTE, too_early=TOO_EARLY, skew=CLOCK_SKEW, **kwargs)


VISIT = Schema(
    {
        "id": Text(required=True, pattern=UUID, pattern_message=BAD_ID),
        "venue_id": Choice(codes=lambda context: context.venues, coerce=int),
        # The Street Pastors' contact this visit continues, when they brought the person.
        "contact_id": Text(optional=True, pattern=UUID, pattern_message=BAD_ID),
        "arrived_at": _time(
            required=True,
            required_message=_l("Enter the time they arrived."),
            in_future=_l("The arrival time is in the future."),
        ),
        "help": _own("help"),
        "services": Choices(codes=lambda context: context.services, coerce=int),
        "age_band": _listed("age_band"),
        "gender": _listed("gender"),
        "company": _listed("company"),
        "left_how": Choice(
            codes=lambda context: allowed_codes("left_how", context.scheme_id),
            optional=True,
            not_listed=NOT_ON_LIST,
        ),
        "departed_at": _time(optional=True, in_future=_l("The departure time is in the future.")),
        "note": Text(max=NOTE_MAX, too_long=NOTE_TOO_LONG),
    },
    checks=[("departed_at", left_after_arriving), ("help", some_help)],
)


def visit_values(data: dict, scheme_id: int | None) -> dict:
    """A valid visit's values, as the Visit model stores them."""
    services = list(data["services"])
    help_given = [code for code in allowed_codes("help", scheme_id) if code in data["help"]]
    if services and "signposted" not in help_given:
        help_given.append("signposted")
    return {
        "venue_id": data["venue_id"],
        "arrived_at": to_utc(data["arrived_at"]),
        "departed_at": to_utc(data["departed_at"]) if data["departed_at"] else None,
        "help": help_given,
        "services": services,
        "age_band": data["age_band"] or None,
        "gender": data["gender"] or None,
        "company": data["company"] or None,
        "left_how": data["left_how"] or None,
        "note": (data["note"] or "").strip(),
        "contact_id": data["contact_id"] or None,
    }
