"""Nights, weeks, months and quarters in London time, as the reports count them.

A night runs from 06:00 to 06:00 London time, so a visit at 01:00 on a Saturday belongs to
Friday night, and to Friday's week, month and quarter. Each period is a run of whole nights
and so a half-open range of stored UTC times, which the queries compare directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.timeutil import to_london, to_utc, utcnow

NIGHT_STARTS = time(6, 0)  # the hour a new "night" (reporting day) begins, London time


def night_of(utc: datetime) -> date:
    """The night a stored UTC time belongs to: its London date, 06:00 to 06:00."""
    return (to_london(utc) - timedelta(hours=NIGHT_STARTS.hour)).date()


def night_start(night: date) -> datetime:
    """When a night begins, as naive UTC (06:00 London is never in a clock change)."""
    return to_utc(datetime.combine(night, NIGHT_STARTS))


def month_start(day: date, months_on: int = 0) -> date:
    """The first day of the month `months_on` months after the one holding `day`."""
    index = day.year * 12 + day.month - 1 + months_on
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A run of nights: `first` up to, but not including, `end`."""

    kind: str  # week, month or quarter
    first: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return night_start(self.first)

    @property
    def end_utc(self) -> datetime:
        return night_start(self.end)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        months, month = [], month_start(self.first)
        while month < self.end:
            months.append(month)
            month = month_start(month, 1)
        return months

    def has_ended(self, now: datetime | None = None) -> bool:
        """True once the period's last night is over."""
        return (now or utcnow()) >= self.end_utc


def week_of(night: date) -> Period:
    monday = night - timedelta(days=night.weekday())
    return Period("week", monday, monday + timedelta(days=7))


def month_of(night: date) -> Period:
    return Period("month", month_start(night), month_start(night, 1))


def quarter(year: int, number: int) -> Period:
    first = date(year, 3 * (number - 1) + 1, 1)
    return Period("quarter", first, month_start(first, 3))


def quarter_of(night: date) -> Period:
    return quarter(night.year, (night.month - 1) // 3 + 1)


def quarter_number(period: Period) -> int:
    return (period.first.month - 1) // 3 + 1


def tonight(now: datetime | None = None) -> date:
    """The night it is now in London."""
    return night_of(now or utcnow())


def last_ended_quarter(now: datetime | None = None) -> Period:
    """The most recent quarter whose last night is over."""
    current = quarter_of(tonight(now))
    return quarter_of(current.first - timedelta(days=1))


PERIODS = {"week": week_of, "month": month_of, "quarter": quarter_of}
