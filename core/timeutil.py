"""Time helpers: the database stores naive UTC; people see Europe/London."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as naive UTC, the one form stored in every timestamp column."""
    return datetime.now(UTC).replace(tzinfo=None)
