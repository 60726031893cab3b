"""Street Pastor teams, patrol areas, patrols and the contacts logged on them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model, db

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from accounts.models import Scheme, User
    from havens.models import Venue


class Team(Model):
    """A team of pastors who patrol together."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The number a venue phones when nobody on patrol answers its call for help.
    duty_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")

    scheme: Mapped[Scheme] = relationship()

    __table_args__ = (UniqueConstraint("scheme_id", "name"),)


class PatrolArea(Model):
    """A named area or route that patrols cover."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    # Where the area is on the maps: its centre, and how far it reaches (a circle). A
    # coordinator drops a pin or types the coordinates; both or neither.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    radius_m: Mapped[int] = mapped_column(default=250, server_default="250")

    __table_args__ = (UniqueConstraint("scheme_id", "name"),)


patrol_pastor = db.Table(
    "patrol_pastor",
    db.Column("patrol_id", ForeignKey("patrol.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Patrol(Model):
    """One team's patrol. The id is made by the device that started it."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_area.id", ondelete="SET NULL"))
    route: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    tallies: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship()
    area: Mapped[PatrolArea | None] = relationship()
    pastors: Mapped[list[User]] = relationship(secondary=patrol_pastor)
    contacts: Mapped[list[Contact]] = relationship(order_by="Contact.at", back_populates="patrol")

    __table_args__ = (
        # One open patrol per team, kept by the database itself.
        Index(
            "uq_patrol_open_per_team",
            "team_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        # A team's patrols over a period, for the reports (and the foreign key's lookups).
        Index("ix_patrol_team_id_started_at", "team_id", "started_at"),
    )


class Contact(Model):
    """People a patrol engaged with. The id is made by the device that first saved it."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patrol_id: Mapped[str] = mapped_column(ForeignKey("patrol.id"))
    at: Mapped[datetime]
    people: Mapped[int] = mapped_column(default=1)
    age_band: Mapped[str | None] = mapped_column(String(12))
    gender: Mapped[str | None] = mapped_column(String(12))
    seen: Mapped[list] = mapped_column(JSON, default=list)
    given: Mapped[list] = mapped_column(JSON, default=list)
    services: Mapped[list] = mapped_column(JSON, default=list)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_area.id", ondelete="SET NULL"))
    street: Mapped[str] = mapped_column(String(120), default="")
    # Only when the pastor taps "add my location", rounded to about 100 m.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    handover_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    patrol: Mapped[Patrol] = relationship(back_populates="contacts")
    area: Mapped[PatrolArea | None] = relationship()
    handover_venue: Mapped[Venue | None] = relationship()
    revisions: Mapped[list[ContactRevision]] = relationship(
        order_by="ContactRevision.version", back_populates="contact"
    )

    __table_args__ = (
        # A patrol's contacts over a period, counted (with their people) from the index
        # alone, for the reports; the foreign key's lookups use it too.
        Index("ix_contact_patrol_id_at_people", "patrol_id", "at", "people"),
        # Hand-overs to a venue over a period: the venue's "on their way" list, the reports.
        Index("ix_contact_handover_venue_id_at", "handover_venue_id", "at"),
    )


class ContactRevision(Model):
    """Every version of a contact, the first included: corrections never overwrite."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("contact_id", "version"),)
