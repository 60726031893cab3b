"""Venues that show the Safe Haven sign, their training, visits and the support directory."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from accounts.models import Scheme, User

VENUE_STATUSES = {
    "interested": _l("Interested"),
    "training": _l("In training"),
    "active": _l("Active"),
    "paused": _l("Paused"),
    "left": _l("Left"),
}


def new_public_code() -> str:
    """A short, unguessable code for the venue's public page and sticker."""
    return secrets.token_urlsafe(6)


class Venue(Model):
    """A pub, shop or cafe in a scheme."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    kind: Mapped[str] = mapped_column(String(20), default="other")
    # Seven days from Monday, each null (closed) or ["HH:MM", "HH:MM"]: see havens.hours.
    weekly_hours: Mapped[list | None] = mapped_column(JSON)
    # Anything the days and times cannot say ("Kitchen closes at 21:00").
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    # The business's contact for the scheme, never a visitor's details.
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(12), default="interested")
    # Where the venue is, for the maps and the public finder: a coordinator drops a pin or
    # types the coordinates (no geocoding service is asked). Both or neither.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # Ask for Angela (action plan 5.17): whether the venue takes part, and when its staff
    # were last briefed on it.
    ask_for_angela: Mapped[bool] = mapped_column(default=False, server_default=false())
    angela_briefed_on: Mapped[date | None]
    public_code: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_code)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scheme: Mapped[Scheme] = relationship()
    status_changes: Mapped[list[VenueStatusChange]] = relationship(
        order_by="VenueStatusChange.at.desc()", back_populates="venue"
    )

    __table_args__ = (
        UniqueConstraint("scheme_id", "name"),
        CheckConstraint(f"status IN {tuple(VENUE_STATUSES)}", name="known_status"),
    )


class VenueStatusChange(Model):
    """One step in a venue's life cycle: who moved it, when and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(300))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    venue: Mapped[Venue] = relationship(back_populates="status_changes")
    by: Mapped[User | None] = relationship()


class Training(Model):
    """A staff member's Safe Haven training, valid until it expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    trained_on: Mapped[date]
    trainer: Mapped[str] = mapped_column(String(120))
    expires_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Registration(Model):
    """A business's "register your interest" form, waiting in the coordinator's inbox."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    business_name: Mapped[str] = mapped_column(String(120))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="SET NULL"))


class SupportService(Model):
    """A service that staff and pastors signpost people to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)


class Visit(Model):
    """Help given at a Safe Haven venue. The id is made by the device that first saved it."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    arrived_at: Mapped[datetime] = mapped_column(index=True)
    departed_at: Mapped[datetime | None]
    help: Mapped[list] = mapped_column(JSON, default=list)
    services: Mapped[list] = mapped_column(JSON, default=list)
    age_band: Mapped[str | None] = mapped_column(String(12))
    gender: Mapped[str | None] = mapped_column(String(12))
    company: Mapped[str | None] = mapped_column(String(12))
    left_how: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    # The Street Pastors' contact this visit continues, so one person is counted once.
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    venue: Mapped[Venue] = relationship()
    revisions: Mapped[list[VisitRevision]] = relationship(
        order_by="VisitRevision.version", back_populates="visit"
    )

    # A venue's visits over a period: the reports' range scans, and the foreign key's lookups.
    __table_args__ = (Index("ix_visit_venue_id_arrived_at", "venue_id", "arrived_at"),)


class VisitRevision(Model):
    """Every version of a visit, the first included: corrections never overwrite."""

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("visit_id", "version"),)
