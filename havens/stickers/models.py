"""The register of window stickers: every number issued, for which venue and code."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import Model

# Read by the type checker only: at run time SQLAlchemy finds these models by name.
if TYPE_CHECKING:
    from accounts.models import User
    from havens.models import Venue


class Sticker(Model):
    """One issued sign. Its code leads to the venue's public page until it is withdrawn.

    A venue's current sticker is the one whose code is the venue's public_code; a reissue
    withdraws it and issues another under a new code and the scheme's next number.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    # No cascade: the register keeps the signs of a venue whatever becomes of it.
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    withdrawn_reason: Mapped[str] = mapped_column(String(300), default="")

    venue: Mapped[Venue] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    __table_args__ = (UniqueConstraint("scheme_id", "number"),)
