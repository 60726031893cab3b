"""Time helpers: the database stores naive UTC; people see Europe/London."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now, as naive UTC, the one form stored in every timestamp column."""
    return datetime.now(UTC).replace(tzinfo=None)


LONDON = ZoneInfo("Europe/London")


def to_utc(local: datetime) -> datetime:
    """A London wall-clock time as naive UTC (the earlier one when the clocks go back)."""
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def to_london(utc: datetime) -> datetime:
    """A stored naive UTC time as London wall-clock time, still naive, for form fields."""
    return utc.replace(tzinfo=UTC).astimezone(LONDON).replace(tzinfo=None)


def london_now_minute() -> datetime:
    """Now in London to the minute, naive: the default time in a form's field."""
    return to_london(utcnow()).replace(second=0, microsecond=0)


def london_today() -> date:
    """Today's date in London."""
    return datetime.now(LONDON).date()
