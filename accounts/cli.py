"""`flask --app wsgi users ...`: list people, disable them, make reset links. Creating a
scheme or a person with venues and teams spans the domains: see schemes.cli."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts import services
from accounts.models import User
from core.services import audit
from extensions import db

users = AppGroup("users", help="Manage the people who sign in.")


def _person(username: str) -> User:
    user = services.find_by_login(username)
    if user is None:
        raise click.ClickException(f"No one with username or email {username!r}.")
    return user


@users.command("list")
def list_users() -> None:
    """List everyone, with their roles."""
    for user in db.session.scalars(select(User).order_by(User.scheme_id, User.username)):
        state = "" if user.active else " (disabled)"
        click.echo(f"{user.scheme.name}\t{user.username}\t{','.join(sorted(user.roles))}{state}")


@users.command("disable")
@click.argument("username")
def disable_user(username: str) -> None:
    """Stop someone signing in and end their sessions everywhere."""
    user = _person(username)
    services.set_active(user, False)
    audit("person_updated", user, active=False, via="cli")
    db.session.commit()
    click.echo(f"Disabled {user.username}; their sessions have ended.")


@users.command("reset-link")
@click.argument("username")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def reset_link(username: str, base_url: str) -> None:
    """Print a one-time link that lets someone set a new password."""
    user = _person(username)
    token = services.issue_reset(user, issued_by=None)
    db.session.commit()
    click.echo(f"{base_url.rstrip('/')}/reset/{token}")
