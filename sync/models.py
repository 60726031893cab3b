"""What the server remembers about records that arrived through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from accounts.models import User


class Receipt(Model):
    """One per outbox entry the server has taken: its number is the person's proof.

    The entry's own id (op_id) is unique, so a resent entry finds its first receipt
    instead of acting twice. The digest tells a true resend from other content under
    the same id.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    # created, duplicate (it was here already) or conflict (kept for a coordinator).
    outcome: Mapped[str] = mapped_column(String(12))
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int]
    client_saved_at: Mapped[datetime]  # the device's clock, as UTC
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    conflict_id: Mapped[int | None] = mapped_column(ForeignKey("sync_conflict.id"))

    conflict: Mapped[SyncConflict | None] = relationship()


class SyncConflict(Model):
    """A record that arrived with the id of one already stored but other content.

    Neither is dropped and neither overwrites the other: a coordinator decides.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    record_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict] = mapped_column(JSON)  # the fields as the device sent them
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # kept (the stored version stands) or applied (the incoming one became a correction).
    resolution: Mapped[str | None] = mapped_column(String(12))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
