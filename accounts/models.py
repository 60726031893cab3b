"""Schemes, people, their roles and memberships, sessions and reset links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model, db

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from havens.models import Venue
    from patrols.models import Team

ROLES = {
    # Translators: role names, as coordinators see them when they set someone's roles.
    "coordinator": _l("Coordinator"),
    "venue_staff": _l("Venue staff"),
    "pastor": _l("Street Pastor"),
    "partner": _l("Partner"),
}

# What a new scheme's patrol leaders count at the end of a patrol; a coordinator edits them.
DEFAULT_TALLIES = ["Bottles and glass picked up"]


class Scheme(Model):
    """One town's network; every venue, team and person belongs to one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The counters a patrol's leader fills in at the end, e.g. bottles and glass picked up.
    tallies: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_TALLIES))
    # The main language: a coordinator's list labels fall back to it (lists.items).
    language: Mapped[str] = mapped_column(String(10), default="en_GB", server_default="en_GB")
    # The lists (lists.defaults.LISTS) offered commonest first, by the last 90 days' use.
    lists_by_use: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


venue_staff = db.Table(
    "venue_staff",
    db.Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    db.Column("venue_id", ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True),
)


class TeamMember(Model):
    """A person's membership of a pastor team; leaders start and end patrols."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    is_leader: Mapped[bool] = mapped_column(default=False)

    team: Mapped[Team] = relationship()


class UserRole(Model):
    """One role held by one person; a person may hold several."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    __table_args__ = (CheckConstraint(f"role IN {tuple(ROLES)}", name="known_role"),)


class User(Model):
    """A person who signs in. Never a member of the public."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    username: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A short PIN for signing in on the venue's enrolled tablet; locked after failures.
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    pin_locked_at: Mapped[datetime | None]
    # Ended (+1) by a password change or by disabling the person: every author token made
    # before then stops proving who wrote a record (sync.authors).
    credentials_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    scheme: Mapped[Scheme] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")
    venues: Mapped[list[Venue]] = relationship(secondary=venue_staff)
    team_rows: Mapped[list[TeamMember]] = relationship(cascade="all, delete-orphan")

    # Set by the session loader: the token of the session this request belongs to. Typed in
    # a comment because SQLAlchemy would take an annotation here for a column.
    session_token = None  # type: str | None

    @property
    def roles(self) -> set[str]:
        """The names of the roles this person holds."""
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, names: set[str]) -> None:
        keep = [row for row in self.role_rows if row.role in names]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=name) for name in sorted(set(names) - have)]

    def has_role(self, *names: str) -> bool:
        """True when this person holds any of the named roles."""
        return bool(self.roles.intersection(names))

    @property
    def teams(self) -> list[Team]:
        """The pastor teams this person belongs to."""
        return [row.team for row in self.team_rows]

    # Flask-Login's interface. The id it stores in the cookie is the session
    # token, not the user id, so a session can be ended on the server.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        return self.session_token


class UserSession(Model):
    """A signed-in session, revocable on the server. Only a hash of its token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()


class PasswordReset(Model):
    """A one-time link a coordinator hands over in person. Only a hash of its token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Device(Model):
    """A tablet or phone enrolled for a venue or a patrol team. The browser holds a
    token in a cookie; only its hash is kept here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    venue: Mapped[Venue | None] = relationship()
    team: Mapped[Team | None] = relationship()
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    __table_args__ = (
        CheckConstraint("(venue_id IS NULL) <> (team_id IS NULL)", name="venue_or_team"),
    )


class EnrolmentCode(Model):
    """A one-time code a coordinator shows as a QR code; scanning it enrols a device."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_name: Mapped[str] = mapped_column(String(80))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))

    venue: Mapped[Venue | None] = relationship()
    team: Mapped[Team | None] = relationship()

    __table_args__ = (
        CheckConstraint("(venue_id IS NULL) <> (team_id IS NULL)", name="venue_or_team"),
    )
