"""`flask --app wsgi demo`: a demo scheme to click through."""

import random
import uuid
from datetime import datetime, time, timedelta

import click
from sqlalchemy import select

from accounts import services
from accounts.models import Scheme, User, venue_staff
from core import records
from core.timeutil import london_today, to_utc, utcnow
from extensions import db
from havens import services as havens
from havens.models import Registration, SupportService, Venue, Visit, VisitRevision
from havens.seed import seed_directory
from patrols import services as patrols
from patrols.models import Contact, ContactRevision, PatrolArea, Team

SCHEME = "Tunbridge Wells"
# Demo data only: printed by the command and listed in the README.
PASSWORD = "night-light-demo"  # noqa: S105

# Weekly hours, Monday first: pubs open late (past midnight at the weekend), the cafe and
# the shops in the day.
PUB = [["12:00", "23:30"]] * 4 + [["12:00", "02:00"]] * 2 + [["12:00", "22:30"]]
CAFE = [["07:30", "18:00"]] * 6 + [None]
SHOP = [["09:00", "19:00"]] * 6 + [["10:00", "16:00"]]
VENUES = [
    ("The Pantiles Tap", "12 The Pantiles", "TN2 5TN", "pub", "active", PUB),
    ("Calverley Coffee", "3 Calverley Road", "TN1 2TU", "cafe", "active", CAFE),
    ("Mount Pleasant Books", "40 Mount Pleasant Road", "TN1 1RA", "shop", "active", SHOP),
    ("The Grove Tavern", "19 Grove Avenue", "TN1 1UP", "pub", "active", PUB),
    ("Camden Road Deli", "88 Camden Road", "TN1 2QP", "restaurant", "training", CAFE),
    ("High Street Pharmacy", "51 High Street", "TN1 1XU", "shop", "paused", SHOP),
]
# Duty phones from Ofcom's range for drama: 07700 900000 to 900999 reach nobody.
TEAMS = {"Friday team": "07700 900123", "Saturday team": "07700 900456"}
PEOPLE = [
    ("coordinator", "Cora Coordinator", "coordinator"),
    ("staff", "Sam Staff", "venue_staff"),
    ("pastor", "Pat Pastor", "pastor"),
    ("partner", "Priya Partner", "partner"),
]


@click.command("demo")
def demo() -> None:
    """Load the Tunbridge Wells demo scheme and print its sign-ins."""
    if db.session.scalar(select(Scheme).filter_by(name=SCHEME)) is None:
        load()
        click.echo(f"Loaded the {SCHEME} demo scheme.")
    else:
        click.echo(f"The {SCHEME} demo scheme is already loaded.")
    click.echo(f"Sign in with any of these usernames and the password {PASSWORD}:")
    for username, name, role in PEOPLE:
        click.echo(f"  {username:<12} {name} ({role})")


def load() -> None:
    """Create the demo scheme: venues with trained staff, teams, one person per role."""
    scheme = Scheme(name=SCHEME)
    db.session.add(scheme)
    db.session.flush()
    seed_directory(scheme.id)
    venues = [
        Venue(
            scheme_id=scheme.id,
            name=n,
            address=a,
            postcode=p,
            kind=k,
            status=s,
            weekly_hours=h,
        )
        for n, a, p, k, s, h in VENUES
    ]
    teams = [
        Team(scheme_id=scheme.id, name=name, duty_phone=phone) for name, phone in TEAMS.items()
    ]
    db.session.add_all([*venues, *teams])
    db.session.flush()
    memberships: dict[str, dict[str, list]] = {
        "venue_staff": {"venues": venues[:1]},
        "pastor": {"teams": teams, "leads": teams[:1]},
    }
    people = {
        username: services.create_person(
            scheme, name, username, PASSWORD, roles={role}, **memberships.get(role, {})
        )
        for username, name, role in PEOPLE
    }
    train_staff(scheme, venues, people)
    add_visits(venues[0], people["staff"])
    add_patrol(scheme, teams[0], venues[0], people["pastor"])
    add_history(scheme, venues, teams, people)
    db.session.add(
        Registration(
            scheme_id=scheme.id,
            business_name="Chapel Place Books",
            contact_name="Dee Owner",
            contact_email="owner@example.org",
            address="7 Chapel Place",
            postcode="TN1 1YQ",
            kind="shop",
        )
    )
    db.session.commit()


def train_staff(scheme: Scheme, venues: list[Venue], people: dict) -> None:
    """Give every active venue trained staff; The Grove Tavern's lapses within the month."""
    today = london_today()
    coordinator = people["coordinator"]
    havens.record_training(
        people["staff"], today - timedelta(days=40), "#TogetherAsAllies", coordinator
    )
    for venue in venues[1:]:
        if venue.status not in ("active", "paused"):
            continue
        first = venue.name.split()[-1]
        person = services.create_person(
            scheme,
            f"{first} staff",
            f"staff-{first.lower()}",
            None,
            roles={"venue_staff"},
            venues=[venue],
        )
        db.session.flush()
        trained = today - timedelta(days=350 if venue.name == "The Grove Tavern" else 100)
        havens.record_training(person, trained, "#TogetherAsAllies", coordinator)


AREAS = ["The Pantiles", "Mount Pleasant", "Calverley Precinct", "Camden Road"]


def add_patrol(scheme: Scheme, team: Team, venue: Venue, pastor) -> None:
    """Patrol areas, and last night's patrol of the Friday team with three contacts,
    the last handed over to The Pantiles Tap (which it shows as on its way)."""
    areas = [PatrolArea(scheme_id=scheme.id, name=name, position=i) for i, name in enumerate(AREAS)]
    db.session.add_all(areas)
    db.session.flush()
    now = utcnow().replace(second=0, microsecond=0)
    started = now - timedelta(hours=5)
    values = {"team_id": team.id, "area_id": areas[0].id, "route": "", "started_at": started}
    patrol, _created = patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
    contacts = [
        (40, 2, ["water", "conversation"], [], None),
        (95, 1, ["flip_flops", "helped_taxi"], ["intoxicated"], None),
        (150, 1, ["stayed", "handover"], ["vulnerable", "distressed"], venue.id),
    ]
    for minutes, people, given, seen, handover in contacts:
        contact = {
            "at": started + timedelta(minutes=minutes),
            "people": people,
            "age_band": "18_24",
            "gender": "woman",
            "seen": seen,
            "given": given,
            "services": [],
            "area_id": areas[0].id,
            "street": "",
            "latitude": None,
            "longitude": None,
            "handover_venue_id": handover,
            "note": "",
        }
        patrols.save_contact(str(uuid.uuid4()), patrol, contact, pastor)
    patrols.end_patrol(
        patrol, now - timedelta(minutes=20), {"Bottles and glass picked up": 14}, "", pastor
    )


def add_visits(venue: Venue, staff) -> None:
    """Two visits logged at the demo staff member's venue in the last days."""
    now = utcnow().replace(second=0, microsecond=0)
    examples = [
        (
            now - timedelta(days=1, hours=2),
            ["seat", "phone_charged", "called_taxi"],
            "18_24",
            "taxi",
        ),
        (
            now - timedelta(hours=3),
            ["seat", "called_friend", "signposted"],
            "25_34",
            "friend_family",
        ),
    ]
    for arrived, help_given, age, left in examples:
        values = {
            "venue_id": venue.id,
            "arrived_at": arrived,
            "departed_at": arrived + timedelta(minutes=25),
            "help": help_given,
            "services": [],
            "age_band": age,
            "gender": "woman",
            "company": "alone",
            "left_how": left,
            "note": "",
        }
        havens.save_visit(str(uuid.uuid4()), values, staff)


# Half a year of Friday and Saturday nights before last night, so that the dashboard and
# the last quarter's report have something to show: seeded, so every demo is alike.
HISTORY_WEEKS = 26
HELP_MIX = [
    ["seat", "phone_charged"],
    ["seat", "called_friend"],
    ["called_taxi"],
    ["seat", "water"],
]
GIVEN_MIX = [["water"], ["conversation"], ["flip_flops", "stayed"], ["helped_taxi"], ["first_aid"]]


def add_history(scheme: Scheme, venues: list[Venue], teams: list[Team], people: dict) -> None:
    """Past patrols of both teams with their contacts, and visits at the active venues."""
    draw = random.Random(2026)
    crew = [people["pastor"]] + [
        services.create_person(
            scheme, f"{n} Pastor", f"pastor-{n.lower()}", None, roles={"pastor"}, teams=teams
        )
        for n in ("Ruth", "Ade", "Marek")
    ]
    service_ids = list(db.session.scalars(select(SupportService.id).filter_by(scheme_id=scheme.id)))
    active = {v.id: v for v in venues if v.status == "active"}
    rows = db.session.execute(select(venue_staff.c.venue_id, User).join(User)).all()
    staff = {venue_id: person for venue_id, person in rows if venue_id in active}
    # The last Saturday at least two days ago: no past hand-over is still "on its way".
    saturday = london_today() - timedelta(days=(london_today().weekday() - 5) % 7)
    saturday -= timedelta(days=7) if london_today() - saturday < timedelta(days=2) else timedelta()
    history = History(draw, staff, service_ids)
    for week in range(HISTORY_WEEKS):
        for team, night in ((teams[0], saturday - timedelta(days=1)), (teams[1], saturday)):
            night -= timedelta(weeks=week)
            history.patrol(team, night, crew[: draw.randint(2, 4)])
            for _n in range(draw.randint(1, 4)):
                history.visit(draw.choice(sorted(staff)), night)
    history.save(scheme.id)


class History:
    """Past records, stored at once (records.create_many) to keep the demo quick to load."""

    def __init__(self, draw: random.Random, staff: dict, service_ids: list[int]) -> None:
        self.draw, self.staff, self.service_ids = draw, staff, service_ids
        self.visits: list[tuple] = []
        self.contacts: list[tuple] = []

    def patrol(self, team: Team, night, crew: list) -> None:
        """A 22:00 to 03:00 patrol with a few contacts, one now and then handed over."""
        draw = self.draw
        started = to_utc(datetime.combine(night, time(22, 0)))
        values = {"team_id": team.id, "area_id": None, "route": "", "started_at": started}
        patrol, _created = patrols.start_patrol(str(uuid.uuid4()), values, crew, crew[0])
        for _n in range(draw.randint(2, 7)):
            handover = draw.choice(sorted(self.staff)) if draw.random() < 0.15 else None
            signposted = draw.sample(self.service_ids, 1) if draw.random() < 0.2 else []
            given = list(draw.choice(GIVEN_MIX))
            given += (["handover"] if handover else []) + (["signposted"] if signposted else [])
            at = started + timedelta(minutes=draw.randint(10, 290))
            contact = {
                "at": at,
                "people": draw.choice([1, 1, 1, 2, 2, 3]),
                "age_band": draw.choice(["18_24", "25_34", "35_49"]),
                "gender": draw.choice(["woman", "man", "mixed"]),
                "seen": [draw.choice(["intoxicated", "vulnerable", "distressed"])],
                "given": given,
                "services": signposted,
                "area_id": None,
                "street": "",
                "latitude": None,
                "longitude": None,
                "handover_venue_id": handover,
                "note": "",
            }
            contact_id = str(uuid.uuid4())
            self.contacts.append((contact_id, contact, crew[0], {"patrol_id": patrol.id}))
            if handover and draw.random() < 0.7:
                self.visit(handover, night, at + timedelta(minutes=10), contact_id)
        tallies = {"Bottles and glass picked up": draw.randint(3, 30)}
        patrols.end_patrol(patrol, started + timedelta(hours=5), tallies, "", crew[0])

    def visit(self, venue_id: int, night, arrived=None, contact_id=None) -> None:
        """A visit between 18:00 and 03:00, or just after a hand-over."""
        draw = self.draw
        if arrived is None:
            evening = to_utc(datetime.combine(night, time(18, 0)))
            arrived = evening + timedelta(minutes=draw.randint(0, 540))
        signposted = draw.sample(self.service_ids, 1) if draw.random() < 0.3 else []
        values = {
            "contact_id": contact_id,
            "venue_id": venue_id,
            "arrived_at": arrived,
            "departed_at": arrived + timedelta(minutes=draw.randint(10, 45)),
            "help": list(draw.choice(HELP_MIX)) + (["signposted"] if signposted else []),
            "services": signposted,
            "age_band": draw.choice(["18_24", "18_24", "25_34", "35_49"]),
            "gender": draw.choice(["woman", "woman", "man"]),
            "company": draw.choice(["alone", "with_others"]),
            "left_how": draw.choice(["friend_family", "taxi", "walked_on"]),
            "note": "",
        }
        self.visits.append((str(uuid.uuid4()), values, self.staff[venue_id], {}))

    def save(self, scheme_id: int) -> None:
        records.create_many(
            Contact,
            ContactRevision,
            patrols.CONTACT_FIELDS,
            "contact_logged",
            scheme_id,
            self.contacts,
        )
        records.create_many(
            Visit, VisitRevision, havens.VISIT_FIELDS, "visit_logged", scheme_id, self.visits
        )
