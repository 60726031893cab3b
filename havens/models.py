"""Venues that show the Safe Haven sign."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.timeutil import utcnow
from extensions import db

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


class Venue(db.Model):
    """A pub, shop or cafe in a scheme."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    status: Mapped[str] = mapped_column(String(12), default="interested")
    public_code: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_code)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scheme: Mapped[Scheme] = relationship()  # noqa: F821  (accounts.models)

    __table_args__ = (
        UniqueConstraint("scheme_id", "name"),
        CheckConstraint(f"status IN {tuple(VENUE_STATUSES)}", name="known_status"),
    )
