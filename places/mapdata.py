"""What the coordinators' map draws, as one JSON block in the page: unsafe-place reports,
venues with their status and visits, Street Pastors' contacts by patrol area or coarse
position, and the patrol areas. The page's tables show the same, for anyone without the
map.

Contacts are never placed finer than the 100 m their positions are rounded to when
logged (patrols.schema.rounded); they are rounded again here, and counted together.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.geo import position, rounded
from extensions import db
from havens.models import Venue, Visit
from patrols.models import Contact, Patrol, PatrolArea, Team
from places.models import UnsafePlaceReport
from places.queries import between

CONTACT_DECIMALS = 3  # about 100 m, as contacts are logged


@dataclass
class MapData:
    reports: list[dict] = field(default_factory=list)
    venues: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    areas: list[dict] = field(default_factory=list)
    unplaced: int = 0  # reports with neither a pin nor an area, listed but not drawn

    def as_json(self) -> dict:
        return {
            "reports": self.reports,
            "venues": self.venues,
            "contacts": self.contacts,
            "areas": self.areas,
        }


def gather(
    scheme_id: int, reports: list[UnsafePlaceReport], first: date | None, last: date | None
) -> MapData:
    """Everything the map draws for these (already filtered) reports and these days."""
    data = MapData()
    area_rows = db.session.scalars(
        select(PatrolArea)
        .filter_by(scheme_id=scheme_id)
        .order_by(PatrolArea.position, PatrolArea.name)
    ).all()
    centres: dict[int | None, tuple[float, float] | None] = {
        area.id: position(area) for area in area_rows
    }
    for report in reports:
        place = position(report) or centres.get(report.area_id)
        if place is None:
            data.unplaced += 1
            continue
        data.reports.append(
            {
                "lat": place[0],
                "lng": place[1],
                "pinned": position(report) is not None,
                "number": report.number,
                "title": _("Report %(number)d", number=report.number),
                "status": report.status,
                "categories": report.categories,
                "place": report.place,
                "url": url_for("places.report_page", report_id=report.id),
            }
        )
    data.venues = venues(scheme_id, first, last)
    by_area, points = contacts(scheme_id, first, last)
    data.contacts = points
    for area in area_rows:
        centre = centres[area.id]
        contacts_in, people_in = by_area.get(area.id, (0, 0))
        data.areas.append(
            {
                "id": area.id,
                "name": area.name,
                "lat": centre[0] if centre else None,
                "lng": centre[1] if centre else None,
                "radius": area.radius_m,
                "contacts": contacts_in,
                "people": people_in,
                "label": f"{area.name} · {contacts_label(contacts_in, people_in)}",
            }
        )
    return data


def venues(scheme_id: int, first: date | None, last: date | None) -> list[dict]:
    """Every venue of the scheme with its status, position and visits in those days."""
    counted = between(
        select(Visit.venue_id, func.count())
        .join(Venue, Venue.id == Visit.venue_id)
        .where(Venue.scheme_id == scheme_id)
        .group_by(Visit.venue_id),
        Visit.arrived_at,
        first,
        last,
    )
    visits = dict(db.session.execute(counted).tuples().all())
    rows = db.session.scalars(select(Venue).filter_by(scheme_id=scheme_id).order_by(Venue.name))
    return [
        {
            "id": venue.id,
            "name": venue.name,
            "status": venue.status,
            "lat": venue.latitude,
            "lng": venue.longitude,
            "visits": visits.get(venue.id, 0),
            "visits_label": _("Visits: %(num)d", num=visits.get(venue.id, 0)),
            "url": url_for("havens.venue", venue_id=venue.id),
        }
        for venue in rows
    ]


def contacts(
    scheme_id: int, first: date | None, last: date | None
) -> tuple[dict[int, tuple[int, int]], list[dict]]:
    """Contacts in those days: (contacts, people) by patrol area for those logged without
    a position, and by coarse position (about 100 m) for those with one."""
    stmt = between(
        select(Contact.area_id, Contact.latitude, Contact.longitude, Contact.people)
        .join(Patrol, Patrol.id == Contact.patrol_id)
        .join(Team, Team.id == Patrol.team_id)
        .where(Team.scheme_id == scheme_id),
        Contact.at,
        first,
        last,
    )
    by_area: Counter = Counter()
    people_by_area: Counter = Counter()
    by_point: Counter = Counter()
    people_by_point: Counter = Counter()
    for area_id, lat, lng, people in db.session.execute(stmt):
        if lat is not None and lng is not None:
            point = (rounded(lat, CONTACT_DECIMALS), rounded(lng, CONTACT_DECIMALS))
            by_point[point] += 1
            people_by_point[point] += people
        elif area_id is not None:
            by_area[area_id] += 1
            people_by_area[area_id] += people
    points = [
        {
            "lat": lat,
            "lng": lng,
            "contacts": n,
            "people": people_by_point[(lat, lng)],
            "label": contacts_label(n, people_by_point[(lat, lng)]),
        }
        for (lat, lng), n in sorted(by_point.items())
    ]
    return {a: (n, people_by_area[a]) for a, n in by_area.items()}, points


def contacts_label(contacts: int, people: int) -> str:
    return _(
        "Contacts: %(contacts)d · people engaged: %(people)d", contacts=contacts, people=people
    )
