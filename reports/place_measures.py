"""The counts about unsafe places, EVAs and Ask for Angela behind the dashboard and the
quarterly report, one grouped query each, as reports.measures does for visits and
contacts (its Scope: one scheme, one period of London nights).

A report counts by when it arrived, so that a quarter's figures stand still once it is
over; a duplicate merged into another report counts once, as that one.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select, true

from extensions import db
from havens.models import Venue
from places.models import Eva, EvaAction, UnsafePlaceReport
from reports import sql
from reports.measures import Scope


def _reports(scope: Scope, *columns) -> Select:
    """The scheme's reports that arrived in the period, duplicates left out."""
    return (
        select(*columns)
        .select_from(UnsafePlaceReport)
        .where(
            UnsafePlaceReport.scheme_id == scope.scheme_id,
            UnsafePlaceReport.merged_into_id.is_(None),
            UnsafePlaceReport.received_at >= scope.period.start_utc,
            UnsafePlaceReport.received_at < scope.period.end_utc,
        )
    )


def _month(scope: Scope):
    return sql.month(UnsafePlaceReport.received_at, scope.period).label("k0")


def reports_by_month(scope: Scope) -> dict[int, int]:
    """Reports received, by the index of the period's month."""
    month = _month(scope)
    rows = db.session.execute(_reports(scope, month, func.count()).group_by(month))
    return {m: n for m, n in rows.tuples()}


def reports_by_status(scope: Scope) -> dict[str, int]:
    """Reports received in the period, by the status they have now."""
    stmt = _reports(scope, UnsafePlaceReport.status, func.count()).group_by(
        UnsafePlaceReport.status
    )
    return dict(db.session.execute(stmt).tuples().all())


def categories_by_month(scope: Scope) -> dict[tuple[str, int], int]:
    """How often each category was chosen, by (code, month index); a report may have several."""
    item = sql.items(UnsafePlaceReport.categories, scope.dialect)
    month = _month(scope)
    code = item.c.value.label("k1")
    stmt = (
        _reports(scope, code, month, func.count())
        .join(item, true())
        .where(sql.not_empty(UnsafePlaceReport.categories))
        .group_by(code, month)
    )
    return {(c, m): n for c, m, n in db.session.execute(stmt).tuples()}


def evas_done(scope: Scope) -> int:
    """EVAs done that were walked in the period."""
    stmt = select(func.count()).where(
        Eva.scheme_id == scope.scheme_id,
        Eva.status == "done",
        Eva.walked_at >= scope.period.start_utc,
        Eva.walked_at < scope.period.end_utc,
    )
    return db.session.scalar(stmt) or 0


def actions(scope: Scope) -> tuple[int, int]:
    """EVA actions done in the period, and those still open at its end (agreed before
    its end, and not done by then): both stand still once the period is over."""
    period = scope.period
    mine = (
        select(func.count())
        .select_from(EvaAction)
        .join(Eva, Eva.id == EvaAction.eva_id)
        .where(Eva.scheme_id == scope.scheme_id)
    )
    done = mine.where(EvaAction.done_on >= period.first, EvaAction.done_on < period.end)
    still_open = mine.where(
        EvaAction.created_at < period.end_utc,
        (EvaAction.done_on.is_(None)) | (EvaAction.done_on >= period.end),
    )
    return db.session.scalar(done) or 0, db.session.scalar(still_open) or 0


def angela_venues(scheme_id: int) -> int:
    """Venues taking part in Ask for Angela now, of those in the scheme (not those that left)."""
    stmt = select(func.count()).where(
        Venue.scheme_id == scheme_id, Venue.ask_for_angela.is_(True), Venue.status != "left"
    )
    return db.session.scalar(stmt) or 0
