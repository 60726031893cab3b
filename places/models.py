"""Unsafe-place reports from the public, their life cycle, and environmental visual audits.

A report holds the place and what made it feel unsafe, never who sent it: no address,
no browser, and the reporter's own position only when they chose it as the place. An
email address, given only when the reporter asks to be contacted, is kept in a table of
its own and goes with the report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model, db
from places.choices import ACTION_STATUSES, EVA_STATUSES, STATUSES

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from accounts.models import User
    from patrols.models import PatrolArea


class UnsafePlaceReport(Model):
    """A place where someone felt unsafe. The id is made by the reporter's browser, so a
    report sent again (from the outbox, or a double tap) is stored once."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"))
    number: Mapped[int]  # the scheme's own count, for people to talk about "report 12"
    # The place: a pin (rounded to about 10 m), a street or landmark, or both.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_area.id", ondelete="SET NULL"))
    # When: roughly (places.choices.WHEN), the day, and perhaps the time of day.
    rough_time: Mapped[str] = mapped_column(String(16))
    happened_on: Mapped[date]
    time_of_day: Mapped[str | None] = mapped_column(String(8))
    categories: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    # A duplicate points at the report it was merged into, and is no longer counted.
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("unsafe_place_report.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[PatrolArea | None] = relationship()
    contact: Mapped[UnsafePlaceContact | None] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True
    )
    steps: Mapped[list[UnsafePlaceStep]] = relationship(
        order_by="UnsafePlaceStep.at",
        back_populates="report",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    merged_into: Mapped[UnsafePlaceReport | None] = relationship(remote_side=[id])
    evas: Mapped[list[Eva]] = relationship(secondary="eva_report", back_populates="reports")

    __table_args__ = (
        UniqueConstraint("scheme_id", "number"),
        CheckConstraint(f"status IN {tuple(STATUSES)}", name="known_status"),
        # The queue and the reports: a scheme's reports by the time they arrived.
        Index("ix_unsafe_place_report_scheme_id_received_at", "scheme_id", "received_at"),
    )


class UnsafePlaceContact(Model):
    """How to reach a reporter who asked to be contacted; deleted with the report."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("unsafe_place_report.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(254))

    report: Mapped[UnsafePlaceReport] = relationship(back_populates="contact")


class UnsafePlaceStep(Model):
    """One step in a report's life cycle: who moved it, when and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("unsafe_place_report.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[UnsafePlaceReport] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()


eva_report = db.Table(
    "eva_report",
    db.Column("eva_id", ForeignKey("eva.id", ondelete="CASCADE"), primary_key=True),
    db.Column(
        "report_id", ForeignKey("unsafe_place_report.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Eva(Model):
    """An environmental visual audit: partners walk a place, often after dark, and note
    against a checklist what makes it feel unsafe (action plan 5.6)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    number: Mapped[int]
    place: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_area.id", ondelete="SET NULL"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    walked_at: Mapped[datetime]  # naive UTC, as every stored time
    # Who took part: organisations, never people's names.
    organisations: Mapped[list] = mapped_column(JSON, default=list)
    # {checklist code: {"rating": code, "note": text}}, places.choices.CHECKLIST's items.
    findings: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="planned")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[PatrolArea | None] = relationship()
    reports: Mapped[list[UnsafePlaceReport]] = relationship(
        secondary="eva_report", back_populates="evas", order_by="UnsafePlaceReport.number"
    )
    actions: Mapped[list[EvaAction]] = relationship(
        order_by="EvaAction.due_on, EvaAction.id",
        back_populates="eva",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        UniqueConstraint("scheme_id", "number"),
        CheckConstraint(f"status IN {tuple(EVA_STATUSES)}", name="known_status"),
    )


class EvaAction(Model):
    """Something an organisation agreed to do after an EVA, by a date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    eva_id: Mapped[int] = mapped_column(ForeignKey("eva.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120))  # an organisation, not a person
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_on: Mapped[date | None]

    eva: Mapped[Eva] = relationship(back_populates="actions")

    __table_args__ = (CheckConstraint(f"status IN {tuple(ACTION_STATUSES)}", name="known_status"),)
