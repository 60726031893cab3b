"""Monthly counts kept from records that retention folded and deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.timeutil import utcnow
from extensions import Model


class MonthlyCount(Model):
    """One measure of one London month, for a venue, a team or both (a hand-over).

    Rows are written only by retention, as it deletes the records they count, so the
    partnership's long-term totals survive the records themselves.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"))
    month: Mapped[date]  # the first day of the month, in London
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    # visits, help, signposted, visits_from_handover, patrols, hours_on_duty, tally,
    # contacts, people_engaged, given, risk_reducing, handovers
    measure: Mapped[str] = mapped_column(String(40))
    # Which one, for measures with kinds: a help or given code, a service id, a tally name.
    code: Mapped[str] = mapped_column(String(120), default="")
    value: Mapped[float] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_monthly_count_scheme_month", "scheme_id", "month"),)
