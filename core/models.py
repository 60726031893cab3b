"""The append-only audit log and per-scheme counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.timeutil import utcnow
from extensions import Model


class AuditEvent(Model):
    """Who did what, when. Database triggers refuse UPDATE and DELETE."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("scheme.id"), index=True)
    # No foreign key: the event must outlive the person it names.
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Counter(Model):
    """A named sequence per scheme, such as sticker numbers."""

    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
