"""State changes for people: signing in and out, passwords, roles and memberships."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from accounts.models import PasswordReset, Scheme, TeamMember, User
from accounts.passwords import hash_password, verify_password
from accounts.sessions import end_all_sessions, start_session, token_hash
from core import signals
from core.database import rows_changed
from core.services import audit
from core.timeutil import utcnow
from extensions import db

# People belong to venues and teams, which stand above accounts: read by the type checker only.
if TYPE_CHECKING:
    from havens.models import Venue
    from patrols.models import Team


def find_by_login(name: str) -> User | None:
    """The person whose username or email this is, ignoring case."""
    name = name.strip().lower()
    stmt = select(User).where(or_(User.username == name, func.lower(User.email) == name))
    return db.session.scalar(stmt)


def authenticate(name: str, password: str) -> User | None:
    """The active person with these credentials, or None, taking the same time either way."""
    user = find_by_login(name)
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def sign_in(user: User) -> str:
    """Open a session for this person, audit it, and return its token."""
    token = start_session(user)
    audit("signed_in", user, actor=user)
    db.session.commit()
    return token


def sign_out(user: User) -> None:
    """End this person's sessions on every device, as a lost phone would need."""
    end_all_sessions(user, "signed_out")
    audit("signed_out", user, actor=user)
    db.session.commit()


def set_password(user: User, password: str, actor: User | None = None) -> None:
    """Store a new password and end every session this person has open, and every author
    token made before (records waiting in outboxes under them must be saved again)."""
    user.password_hash = hash_password(password)
    end_credentials(user)
    end_all_sessions(user, "password")
    audit("password_changed", user, actor=actor or user)


def end_credentials(user: User) -> None:
    """Start a new generation of credentials, in one statement so that two changes at
    once both count; author tokens of the earlier one stop working."""
    stmt = (
        update(User)
        .where(User.id == user.id)
        .values(credentials_generation=User.credentials_generation + 1)
        .returning(User.credentials_generation)
    )
    set_committed_value(user, "credentials_generation", db.session.execute(stmt).scalar_one())


def create_person(scheme: Scheme, name: str, username: str, password: str | None, **fields) -> User:
    """Add a person; without a password they can only sign in through a reset link."""
    unusable = "!" + secrets.token_hex(16)  # never a valid Argon2 hash
    user = User(
        scheme_id=scheme.id,
        name=name,
        username=username.strip().lower(),
        password_hash=hash_password(password) if password else unusable,
    )
    db.session.add(user)
    update_person(user, **fields)
    db.session.flush()
    audit("person_created", user)
    return user


def update_person(
    user: User,
    email: str | None = None,
    roles: Collection[str] = frozenset(),
    venues: Sequence[Venue] = (),
    teams: Sequence[Team] = (),
    leads: Sequence[Team] = (),
    active: bool = True,
) -> None:
    """Set a person's roles, memberships and whether they may sign in."""
    user.email = (email or "").strip().lower() or None
    user.roles = set(roles)
    user.venues = list(venues)
    leader_ids = {team.id for team in leads}
    members = {team.id: team for team in [*teams, *leads]}
    user.team_rows = [
        TeamMember(team=team, is_leader=team.id in leader_ids) for team in members.values()
    ]
    set_active(user, active)


def set_active(user: User, active: bool) -> None:
    """Allow or stop signing in; stopping ends every session at once, and removes the
    person's alerts on every device (they are told nothing more)."""
    if user.active and not active:
        end_all_sessions(user, "disabled")
        end_credentials(user)
    if not active:
        signals.person_disabled.send(user)
    user.active = active


def issue_reset(user: User, issued_by: User | None) -> str:
    """Make a one-time reset link token, replacing any earlier unused one."""
    now = utcnow()
    for old in db.session.scalars(select(PasswordReset).filter_by(user_id=user.id, used_at=None)):
        old.used_at = now
    token = secrets.token_urlsafe(24)
    hours = current_app.config["RESET_LINK_HOURS"]
    db.session.add(
        PasswordReset(
            token_hash=token_hash(token),
            user_id=user.id,
            issued_by_id=issued_by.id if issued_by else None,
            expires_at=now + timedelta(hours=hours),
        )
    )
    audit("reset_link_issued", user, actor=issued_by)
    return token


def valid_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset this token belongs to."""
    reset = db.session.scalar(select(PasswordReset).filter_by(token_hash=token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    return reset


def use_reset(reset: PasswordReset, password: str) -> bool:
    """Set the password through a reset link, which then stops working; False when the
    link was used (or ran out) since valid_reset. The conditional UPDATE takes the link
    once however many requests bring it at the same moment; checking used_at first and
    writing it afterwards let several through on PostgreSQL."""
    now = utcnow()
    taken = rows_changed(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at >= now,
        )
        .values(used_at=now)
    )
    if taken != 1:
        return False
    set_password(reset.user, password, actor=reset.user)
    return True
