"""A scheme's own items, stored once the coordinator first changes a list."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model


class ListItem(Model):
    """One item of one of a scheme's lists. Never deleted: records store its code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(30))
    # {locale: label} as the coordinator typed them; empty keeps the translated default.
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    # Hidden: no longer offered, still accepted from devices and shown in old records.
    hidden: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("scheme_id", "list_name", "code"),)
