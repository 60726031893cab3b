"""A contact's rules, declared once (core.schema): the contact page's ContactForm and the
sync API both check a contact here, so both refuse the same answers in the same words."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select

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
from core.schema import Choice, Choices, LocalTime, Number, Schema, Text
from core.timeutil import to_utc
from extensions import db
from havens.access import directory_options
from havens.models import Venue
from patrols.choices import PEOPLE_CHOICES, allowed_codes
from patrols.models import PatrolArea

# Patrol and contact times: the same rule as a visit's arrival, in general words.
IN_FUTURE = _l("That time is in the future.")


@dataclass
class ContactContext:
    """What a contact's answers are checked against in one scheme: its directory, its
    active Safe Havens and its patrol areas, and the earliest time a record may have.
    Nothing depends on the patrol, so one offline copy of the form serves every patrol."""

    scheme_id: int
    services: dict[int, str]
    havens: dict[int, str]
    areas: dict[int, str]
    earliest: datetime


def areas(scheme_id: int) -> list[PatrolArea]:
    """A scheme's patrol areas in the coordinator's order."""
    stmt = select(PatrolArea).filter_by(scheme_id=scheme_id)
    return list(db.session.scalars(stmt.order_by(PatrolArea.position, PatrolArea.name)))


@cache
def _options() -> tuple[Select, Select]:
    """The contact form's Safe Havens and areas, as (id, name): only what the form offers,
    not whole rows. Built once (building took longer than running), the scheme a parameter."""
    havens = select(Venue.id, Venue.name).where(Venue.scheme_id == bindparam("scheme_id"))
    havens = havens.where(Venue.status == "active").order_by(Venue.name)
    areas = select(PatrolArea.id, PatrolArea.name)
    areas = areas.where(PatrolArea.scheme_id == bindparam("scheme_id"))
    return havens, areas.order_by(PatrolArea.position, PatrolArea.name)


def contact_context(user) -> ContactContext:
    havens, areas = _options()
    scheme = {"scheme_id": user.scheme_id}
    return ContactContext(
        scheme_id=user.scheme_id,
        services=dict(directory_options(user.scheme_id)),
        havens=dict(db.session.execute(havens, scheme).tuples().all()),
        areas=dict(db.session.execute(areas, scheme).tuples().all()),
        earliest=user.scheme.created_at - BEFORE_SCHEME,
    )


def given_or_seen(data: dict):
    if not data["given"] and not data["seen"]:
        return _l("Choose what was given or done, or what was seen.")
    return None


def handover_has_a_haven(data: dict):
    if "handover" in (data["given"] or []) and not data["handover_venue_id"]:
        return _l("Choose the Safe Haven they were handed over to.")
    return None


def _listed(name: str) -> Choice:
    return Choice(codes=lambda context: allowed_codes(name, context.scheme_id), optional=True)


def _own(name: str) -> Choices:
    """A scheme's own list (lists.items): an unknown code is named in the reader's words."""
    return Choices(
        codes=lambda context: allowed_codes(name, context.scheme_id), not_listed=NOT_ON_LIST
    )


def _none_or(ids: str) -> Choice:
    """An id from one of the context's lists, or 0 for none of them."""
    return Choice(codes=lambda context: {0, *getattr(context, ids)}, coerce=int, optional=True)


CONTACT = Schema(
    {
        "id": Text(required=True, pattern=UUID, pattern_message=BAD_ID),
        "given": _own("given"),
        "people": Choice(codes=lambda context: PEOPLE_CHOICES, coerce=int, default=1),
        "people_more": Number(min=7, max=200),
        "seen": _own("seen"),
        "age_band": _listed("age_band"),
        "gender": _listed("gender"),
        "services": Choices(codes=lambda context: context.services, coerce=int),
        "handover_venue_id": _none_or("havens"),
        "area_id": _none_or("areas"),
        "street": Text(optional=True, max=120),
        "latitude": Number(min=-90, max=90, whole=False),
        "longitude": Number(min=-180, max=180, whole=False),
        "at": LocalTime(
            format=LOCAL_MINUTE,
            too_early=TOO_EARLY,
            skew=CLOCK_SKEW,
            required=True,
            in_future=IN_FUTURE,
        ),
        "note": Text(max=NOTE_MAX, too_long=NOTE_TOO_LONG),
    },
    checks=[("given", given_or_seen), ("handover_venue_id", handover_has_a_haven)],
)


def rounded(value: float | None) -> float | None:
    """A coordinate rounded to three decimals: about 100 m, never a doorstep."""
    return round(value, 3) if value is not None else None


def contact_values(data: dict, scheme_id: int | None) -> dict:
    """A valid contact's values, as the Contact model stores them."""
    given = [code for code in allowed_codes("given", scheme_id) if code in data["given"]]
    services = list(data["services"])
    if services and "signposted" not in given:
        given.append("signposted")
    handover = data["handover_venue_id"] or None
    if handover and "handover" not in given:
        given.append("handover")
    return {
        "at": to_utc(data["at"]),
        "people": data["people_more"] or data["people"] or 1,
        "age_band": data["age_band"] or None,
        "gender": data["gender"] or None,
        "seen": [code for code in allowed_codes("seen", scheme_id) if code in data["seen"]],
        "given": given,
        "services": services,
        "handover_venue_id": handover,
        "area_id": data["area_id"] or None,
        "street": (data["street"] or "").strip(),
        "latitude": rounded(data["latitude"]),
        "longitude": rounded(data["longitude"]),
        "note": (data["note"] or "").strip(),
    }
