"""SQL expressions for counting by London night, hour band and list item, on SQLite and
PostgreSQL alike.

Stored times are naive UTC. London's offset inside a period is known in advance (at most
a change or two), so it is written into the query as a CASE on the stored time; that
keeps the time zone arithmetic out of the database, which SQLite could not do anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Integer, String, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from core.timeutil import to_london
from reports.periods import NIGHT_STARTS, Period, night_start

DAY = 24 * 3600
# Hour bands of a night, by hours since 06:00: 18-21, 21-00, 00-03, 03-06, and the day.
BANDS = ["day", "18-21", "21-00", "00-03", "03-06"]


class epoch(FunctionElement):  # noqa: N801  (used like a SQL function)
    """Whole seconds since 1970 of a naive UTC timestamp column."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"


def offsets(period: Period) -> list[tuple[datetime, int]]:
    """London's UTC offset in seconds from each change inside the period, as
    (from this UTC time, offset); the first entry starts with the period."""
    moment, end = period.start_utc, period.end_utc
    found = [(moment, _offset(moment))]
    while moment < end:
        moment += timedelta(hours=1)  # London changes on the hour (01:00 UTC)
        if moment < end and _offset(moment) != found[-1][1]:
            found.append((moment, _offset(moment)))
    return found


def _offset(utc: datetime) -> int:
    return int((to_london(utc) - utc).total_seconds())


def night_seconds(column, period: Period) -> ColumnElement:
    """Seconds since 1970-01-01 06:00 in London wall-clock terms: whole days of it are
    nights, so the day number and the hour since 06:00 fall out by division."""
    changes = offsets(period)
    offset: ColumnElement[int] = literal(changes[0][1])
    if len(changes) > 1:
        # Before the second change the first offset holds, and so on; the last one after.
        whens = [
            (column < since, before)
            for (since, _), (_, before) in zip(changes[1:], changes, strict=False)
        ]
        offset = case(*whens, else_=changes[-1][1])
    return epoch(column) + offset - NIGHT_STARTS.hour * 3600


def weekday(column, period: Period) -> ColumnElement:
    """The night's day of the week, Monday 0 (1970-01-01 was a Thursday)."""
    return (night_seconds(column, period) // DAY + 3) % 7


def band(column, period: Period) -> ColumnElement:
    """The index into BANDS of a time's hour band."""
    hours = (night_seconds(column, period) % DAY) // 3600  # 0 is 06:00, 12 is 18:00
    return case((hours < 12, 0), else_=hours // 3 - 3)


def month(column, period: Period) -> ColumnElement:
    """The index of the period's month a time falls in (0 for the first month)."""
    starts = [night_start(m) for m in period.months()[1:]]
    if not starts:
        return literal(0)
    return case(*[(column < start, i) for i, start in enumerate(starts)], else_=len(starts))


def items(column, dialect: str):
    """A table-valued function over a JSON list column, one row per item as `value`:
    json_each on SQLite, json_array_elements_text on PostgreSQL."""
    if dialect == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def as_int(value) -> ColumnElement:
    """A list item (text on PostgreSQL) as an integer, for lists of ids."""
    return value.cast(Integer)


def not_empty(column) -> ColumnElement:
    """A JSON list column holds something: a text comparison, cheaper than unpacking it
    (Lantern writes an empty list as exactly "[]")."""
    return column.cast(String) != "[]"
