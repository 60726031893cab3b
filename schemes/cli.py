"""`flask --app wsgi schemes create` and `flask --app wsgi users create`: a scheme starts
with the standard support directory, and a person is created with their venues and teams."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts import services
from accounts.models import ROLES, Scheme
from accounts.passwords import password_problem
from core.services import audit
from extensions import db
from havens.models import Venue
from havens.seed import seed_directory
from patrols.models import Team

schemes = AppGroup("schemes", help="Manage schemes (one per town).")


def _scheme(name: str) -> Scheme:
    scheme = db.session.scalar(select(Scheme).filter_by(name=name))
    if scheme is None:
        raise click.ClickException(f"No scheme called {name!r}.")
    return scheme


def _check_password(_ctx, _param, value: str | None) -> str | None:
    problem = password_problem(value) if value else None
    if problem:
        raise click.BadParameter(problem)
    return value


@schemes.command("create")
@click.argument("name")
def create_scheme(name: str) -> None:
    """Create a scheme called NAME."""
    if db.session.scalar(select(Scheme).filter_by(name=name)):
        raise click.ClickException(f"A scheme called {name!r} exists already.")
    scheme = Scheme(name=name)
    db.session.add(scheme)
    db.session.flush()
    seed_directory(scheme.id)
    audit("scheme_created", scheme, scheme_id=scheme.id, via="cli")
    db.session.commit()
    click.echo(f"Created scheme {name!r}.")


@click.command("create")
@click.option("--scheme", "scheme_name", required=True, help="The scheme's name.")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--username", required=True)
@click.option("--email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(list(ROLES)))
@click.option("--venue", "venues", multiple=True, help="A venue's name (venue staff).")
@click.option("--team", "teams", multiple=True, help="A team's name (pastors).")
@click.option("--leads", multiple=True, help="A team's name this person leads.")
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, callback=_check_password
)
def create_user(scheme_name, name, username, email, roles, venues, teams, leads, password) -> None:
    """Add a person who can sign in."""
    scheme = _scheme(scheme_name)
    if services.find_by_login(username) or (email and services.find_by_login(email)):
        raise click.ClickException("Someone already has that username or email.")
    user = services.create_person(
        scheme,
        name,
        username,
        password,
        email=email,
        roles=set(roles),
        venues=_named(Venue, scheme, venues),
        teams=_named(Team, scheme, teams),
        leads=_named(Team, scheme, leads),
    )
    db.session.commit()
    click.echo(f"Created {user.username} ({', '.join(sorted(user.roles))}).")


def _named(model, scheme: Scheme, names: tuple[str, ...]) -> list:
    """The scheme's venues or teams with these names; an unknown name is an error."""
    found = db.session.scalars(
        select(model).filter_by(scheme_id=scheme.id).where(model.name.in_(names))
    ).all()
    missing = set(names) - {row.name for row in found}
    if missing:
        raise click.ClickException(f"Not found in {scheme.name}: {', '.join(sorted(missing))}")
    return list(found)
