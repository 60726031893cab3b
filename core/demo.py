"""`flask --app wsgi demo`: a demo scheme to click through."""

import click
from sqlalchemy import select

from accounts import services
from accounts.models import Scheme
from extensions import db
from havens.models import Venue
from patrols.models import Team

SCHEME = "Tunbridge Wells"
# Demo data only: printed by the command and listed in the README.
PASSWORD = "night-light-demo"  # noqa: S105

VENUES = [
    ("The Pantiles Tap", "12 The Pantiles", "TN2 5TN", "active"),
    ("Calverley Coffee", "3 Calverley Road", "TN1 2TU", "active"),
    ("Mount Pleasant Books", "40 Mount Pleasant Road", "TN1 1RA", "active"),
    ("The Grove Tavern", "19 Grove Avenue", "TN1 1UP", "active"),
    ("Camden Road Deli", "88 Camden Road", "TN1 2QP", "training"),
    ("High Street Pharmacy", "51 High Street", "TN1 1XU", "paused"),
]
TEAMS = ["Friday team", "Saturday team"]
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
    """Create the demo scheme, its venues, teams and one person per role."""
    scheme = Scheme(name=SCHEME)
    db.session.add(scheme)
    db.session.flush()
    venues = [
        Venue(scheme_id=scheme.id, name=n, address=a, postcode=p, status=s) for n, a, p, s in VENUES
    ]
    teams = [Team(scheme_id=scheme.id, name=name) for name in TEAMS]
    db.session.add_all(venues + teams)
    db.session.flush()
    memberships = {
        "venue_staff": {"venues": venues[:1]},
        "pastor": {"teams": teams, "leads": teams[:1]},
    }
    for username, name, role in PEOPLE:
        services.create_person(
            scheme, name, username, PASSWORD, roles={role}, **memberships.get(role, {})
        )
    db.session.commit()
