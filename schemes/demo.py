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
from places import services as places

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
# Where each venue is on the maps, by its street (the venues themselves are made up).
POSITIONS = [
    (51.12845, 0.26135),
    (51.13455, 0.26560),
    (51.13215, 0.26290),
    (51.12965, 0.26370),
    (51.13790, 0.26690),
    (51.13050, 0.26180),
]
# Ask for Angela: the two pubs take part; the Grove's briefing is more than a year old.
ANGELA = {"The Pantiles Tap": 30, "The Grove Tavern": 400}
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
            latitude=lat,
            longitude=lng,
            ask_for_angela=n in ANGELA,
            angela_briefed_on=london_today() - timedelta(days=ANGELA[n]) if n in ANGELA else None,
        )
        for (n, a, p, k, s, h), (lat, lng) in zip(VENUES, POSITIONS, strict=True)
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
    areas = add_patrol(scheme, teams[0], venues[0], people["pastor"])
    add_history(scheme, venues, teams, people)
    add_unsafe_places(scheme, areas, people["coordinator"])
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


# Patrol areas: a name, the centre on the maps and how far each reaches, in metres.
AREAS = [
    ("The Pantiles", 51.12870, 0.26120, 250),
    ("Mount Pleasant", 51.13220, 0.26300, 300),
    ("Calverley Precinct", 51.13460, 0.26550, 250),
    ("Camden Road", 51.13800, 0.26700, 300),
]


def add_patrol(scheme: Scheme, team: Team, venue: Venue, pastor) -> list[PatrolArea]:
    """Patrol areas, and last night's patrol of the Friday team with three contacts,
    the last handed over to The Pantiles Tap (which it shows as on its way)."""
    areas = [
        PatrolArea(
            scheme_id=scheme.id, name=name, position=i, latitude=lat, longitude=lng, radius_m=reach
        )
        for i, (name, lat, lng, reach) in enumerate(AREAS)
    ]
    db.session.add_all(areas)
    db.session.flush()
    now = utcnow().replace(second=0, microsecond=0)
    started = now - timedelta(hours=5)
    values = {"team_id": team.id, "area_id": areas[0].id, "route": "", "started_at": started}
    patrol, _created = patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
    # The second contact has a position: the pastor tapped "add my location" (about 100 m).
    contacts = [
        (40, 2, ["water", "conversation"], [], None, None),
        (95, 1, ["flip_flops", "helped_taxi"], ["intoxicated"], None, (51.133, 0.263)),
        (150, 1, ["stayed", "handover"], ["vulnerable", "distressed"], venue.id, None),
    ]
    for minutes, people, given, seen, handover, where in contacts:
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
            "latitude": where[0] if where else None,
            "longitude": where[1] if where else None,
            "handover_venue_id": handover,
            "note": "",
        }
        patrols.save_contact(str(uuid.uuid4()), patrol, contact, pastor)
    patrols.end_patrol(
        patrol, now - timedelta(minutes=20), {"Bottles and glass picked up": 14}, "", pastor
    )
    return areas


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


# The public's reports of unsafe places: (days ago, pin or None, place, categories, rough
# time, time of day, what they wrote, whether they asked to be contacted).
REPORTS = [
    (
        52,
        (51.13630, 0.26240),
        "Meadow Road car park, the stairs to level 3",
        ["lighting", "drugs_alcohol", "no_cctv"],
        "earlier",
        "night",
        "The stairwell lights are out and people were using drugs on the stairs.",
        False,
    ),
    (
        45,
        (51.13600, 0.26270),
        "Meadow Road car park",
        ["drugs_alcohol", "isolated"],
        "this_week",
        "night",
        "",
        False,
    ),
    (
        20,
        (51.13105, 0.26000),
        "The alley beside the station",
        ["lighting", "visibility"],
        "earlier_today",
        "evening",
        "Very dark, with a blind corner halfway along.",
        False,
    ),
    (
        9,
        (51.13180, 0.26620),
        "Calverley Grounds, the gate by the precinct",
        ["isolated", "lighting"],
        "this_week",
        "night",
        "",
        True,
    ),
    (
        2,
        None,
        "The underpass by Grove Avenue",
        ["followed"],
        "now",
        "night",
        "A man followed me from the taxi rank into the underpass.",
        False,
    ),
]


def add_unsafe_places(scheme: Scheme, areas: list[PatrolArea], coordinator) -> None:
    """Reports from the public, one a duplicate and one reviewed; an EVA done at the car
    park with its actions, the one report it answers moving on with it."""
    today = london_today()
    stored = []
    for days, pin, place, categories, rough, daytime, words, contact in REPORTS:
        values = {
            "latitude": pin[0] if pin else None,
            "longitude": pin[1] if pin else None,
            "place": place,
            "rough_time": rough,
            "happened_on": today - timedelta(days=days + (3 if rough == "this_week" else 0)),
            "time_of_day": daytime,
            "categories": categories,
            "description": words,
        }
        email = "reporter@example.org" if contact else None
        report, _created = places.save_report(str(uuid.uuid4()), scheme.id, values, email)
        report.received_at = utcnow() - timedelta(days=days)
        if pin is None:
            report.area_id = areas[1].id  # the coordinator put it in Mount Pleasant
        stored.append(report)
    db.session.flush()
    places.merge(stored[1], stored[0], coordinator)
    places.change_status(
        stored[2], "reviewed", "Lighting to be checked with Kent Highways.", coordinator
    )
    walked = to_utc(datetime.combine(today - timedelta(days=14), time(21, 30)))
    eva = places.save_eva(
        None,
        scheme.id,
        {
            "place": "Meadow Road car park and its stairs",
            "area_id": areas[2].id,
            "latitude": 51.1363,
            "longitude": 0.2624,
            "walked_at": walked,
            "status": "done",
            "organisations": ["Kent Police", "TWBC Community Safety Team", "Street Pastors"],
            "findings": EVA_FINDINGS,
            "summary": "Two stairwells are unlit after 20:00 and nobody overlooks the top deck.",
        },
        [stored[0]],
        coordinator,
    )
    for what, owner, due_days, done in EVA_ACTIONS:
        action = places.add_action(
            eva,
            {"what": what, "owner": owner, "due_on": today + timedelta(days=due_days)},
            coordinator,
        )
        if done:
            places.set_action_status(action, "done", coordinator)


EVA_FINDINGS = {
    "lighting": {"rating": "poor", "note": "Both stairwell lights out; level 3 dim."},
    "sightlines": {"rating": "needs_work", "note": "Blind corner at the top of the stairs."},
    "cctv": {"rating": "poor", "note": "No camera covers the stairs."},
    "signage": {"rating": "good", "note": ""},
    "vegetation": {"rating": "needs_work", "note": "Hedge by the pay machine hides the path."},
    "escape_routes": {"rating": "good", "note": "Two exits, both open until midnight."},
    "venues": {"rating": "needs_work", "note": "Calverley Coffee is closed by 18:00."},
}
EVA_ACTIONS = [
    ("Replace the stairwell lights and put them on a timer", "TWBC Parking Services", 21, False),
    ("Cut back the hedge by the pay machine", "TWBC Parks", -3, True),
    ("Assess a camera for the stairs", "TWBC CCTV Operations", 60, False),
]
