"""Push subscriptions, alerts and their deliveries, help requests and notices.

An Alert is what a person is told; AlertRecipient says who was told it (the in-app list
reads it, so a device without push misses nothing); PushDelivery is one try-until-done
push of an alert to one subscription. No payload holds personal data: an alert names
a venue and a reason at most, and the app fetches the rest once opened.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from accounts.models import Device, User
    from havens.models import Venue
    from patrols.models import Team


class PushSubscription(Model):
    """One person's alerts on one browser: the push service's endpoint and keys."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    # The outbox's device id (IndexedDB), and the enrolled device, if this browser is one.
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    enrolled_device_id: Mapped[int | None] = mapped_column(
        ForeignKey("device.id", ondelete="SET NULL")
    )
    label: Mapped[str] = mapped_column(String(120), default="")  # "Chrome on Android"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[datetime | None]
    # What the device last said of its outbox, for the reminder to connect.
    outbox_waiting: Mapped[int] = mapped_column(default=0)
    outbox_oldest_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    enrolled_device: Mapped[Device | None] = relationship()


class Alert(Model):
    """Something people are told. `kind` picks its words (alerts.texts); `url` is the
    screen it opens; it is not pushed, nor listed as current, after `expires_at`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    # help_request, help_taken, help_accepted, help_cancelled, help_timed_out, handover,
    # notice, outbox_reminder, training_lapse
    kind: Mapped[str] = mapped_column(String(20))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    reason: Mapped[str | None] = mapped_column(String(20))  # a code from a fixed list
    subject_id: Mapped[str | None] = mapped_column(String(36))  # help request, notice...
    url: Mapped[str] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(8), default="normal")  # very-low..high
    topic: Mapped[str | None] = mapped_column(String(32))  # a newer push replaces an older
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set for alerts that must go once only (a reminder per device per day, say).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    venue: Mapped[Venue | None] = relationship()
    recipients: Mapped[list[AlertRecipient]] = relationship(back_populates="alert")


class AlertRecipient(Model):
    """Who was told an alert: their in-app list, and the record of who got a notice."""

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime | None]

    alert: Mapped[Alert] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship()


class PushDelivery(Model):
    """One alert pushed to one subscription, tried until sent, gone or expired."""

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # pending, sent, gone (404/410: subscription removed), failed (gave up), expired
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]  # the push service's HTTP status
    sent_at: Mapped[datetime | None]

    alert: Mapped[Alert] = relationship()
    subscription: Mapped[PushSubscription | None] = relationship()

    __table_args__ = (Index("ix_push_delivery_status_next_try_at", "status", "next_try_at"),)


class HelpRequest(Model):
    """A venue asking the Street Pastors on patrol for help. The first pastor to accept
    claims it; nobody accepting by `expires_at` times it out, and the venue is told to
    phone instead."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    # walk_to_taxi, alone_distressed, unwell, other
    reason: Mapped[str] = mapped_column(String(20))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    eta_minutes: Mapped[int | None]
    # open, accepted, timed_out, cancelled, no_patrol (nobody was on patrol to ask)
    outcome: Mapped[str] = mapped_column(String(12), default="open")
    closed_at: Mapped[datetime | None]
    asked_pastors: Mapped[int] = mapped_column(default=0)  # how many were alerted

    venue: Mapped[Venue] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])

    __table_args__ = (
        Index("ix_help_request_scheme_id_asked_at", "scheme_id", "asked_at"),
        Index("ix_help_request_venue_id_asked_at", "venue_id", "asked_at"),
    )


class Notice(Model):
    """A coordinator's short notice to a team, to all venues, or to everyone on duty."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    audience: Mapped[str] = mapped_column(String(8))  # team, venues, on_duty
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="SET NULL"))

    team: Mapped[Team | None] = relationship()
    sent_by: Mapped[User | None] = relationship()
    alert: Mapped[Alert | None] = relationship()
