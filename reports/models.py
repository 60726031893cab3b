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


class RecordCount(Model):
    """How many visits or contacts of one scheme's night have one code in one field, and
    their people: `visit.help` / `called_taxi`, `contact.gender` / `woman`, `visit.venue` /
    a venue's id. A code is never NULL: nothing recorded is "".

    Kept by database triggers on `visit` and `contact` (migration c4d5e6f7a8b9), whatever
    writes, changes or deletes a record, so the reports read a few rows per night instead
    of every record's lists. Never written by the application.
    """

    # In this order, the key serves a report's reading of one field over a period.
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    night: Mapped[date] = mapped_column(primary_key=True)  # London, 06:00 to 06:00
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    records: Mapped[int]
    people: Mapped[int]  # a contact's people; for a visit, as many as records
