"""Narrowing reports and records by the queue's and the map's filters."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, String, cast

from core.timeutil import to_utc
from places.forms import FilterForm
from places.models import UnsafePlaceReport


def day_start(day: date) -> datetime:
    """Midnight of a London day, as stored (naive UTC)."""
    return to_utc(datetime.combine(day, time()))


def between(stmt: Select, column, first: date | None, last: date | None) -> Select:
    """Rows whose time falls on the London days from `first` to `last`, both included."""
    if first:
        stmt = stmt.where(column >= day_start(first))
    if last:
        stmt = stmt.where(column < day_start(last + timedelta(days=1)))
    return stmt


def filtered_reports(stmt: Select, filters: FilterForm) -> Select:
    """Reports by the filters; duplicates merged into another never show on their own."""
    stmt = stmt.where(UnsafePlaceReport.merged_into_id.is_(None))
    valid = filters.validate()
    status = (filters.status.data or "") if valid else ""
    if status == "":
        stmt = stmt.where(UnsafePlaceReport.status != "closed")
    elif status != "all":
        stmt = stmt.where(UnsafePlaceReport.status == status)
    if not valid:
        return stmt
    if filters.category.data:
        # JSON lists are searched as text: the codes are plain words in quotes.
        pattern = f'%"{filters.category.data}"%'
        stmt = stmt.where(cast(UnsafePlaceReport.categories, String).like(pattern))
    if filters.area.data:
        stmt = stmt.where(UnsafePlaceReport.area_id == filters.area.data)
    return between(
        stmt, UnsafePlaceReport.received_at, filters.date_from.data, filters.date_to.data
    )
