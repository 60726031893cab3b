"""State changes for unsafe-place reports and EVAs: storing a report once, its life cycle,
merging duplicates, and EVAs with their actions. Callers commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core.geo import distance_m, position
from core.services import NOBODY, audit, next_number
from core.timeutil import london_today
from extensions import db
from patrols.models import PatrolArea
from places.models import Eva, EvaAction, UnsafePlaceContact, UnsafePlaceReport, UnsafePlaceStep

# Which status may follow which. Closing is always possible, with a reason; a closed
# report may be opened again; an EVA that was called off sends a report back to reviewed.
TRANSITIONS = {
    "new": {"reviewed", "closed"},
    "reviewed": {"eva_planned", "action_taken", "closed"},
    "eva_planned": {"eva_done", "reviewed", "closed"},
    "eva_done": {"action_taken", "closed"},
    "action_taken": {"closed"},
    "closed": {"reviewed"},
}


class RuleBroken(Exception):
    """A change the rules do not allow; the message is for the person."""


def save_report(
    report_id: str, scheme_id: int, values: dict, email: str | None
) -> tuple[UnsafePlaceReport, bool]:
    """Store a report from the public, once: the same id sent again (the outbox's resend,
    a double tap, a reload) is the report already stored. Returns (report, created)."""
    found = db.session.get(UnsafePlaceReport, report_id)
    if found is not None:
        return found, False
    report = UnsafePlaceReport(
        id=report_id,
        scheme_id=scheme_id,
        number=next_number(scheme_id, "unsafe_place_report"),
        status="new",
        **values,
    )
    report.area_id = area_at(scheme_id, position(report))
    try:
        with db.session.begin_nested():  # a resend racing the first copy loses here
            db.session.add(report)
            if email:
                db.session.add(UnsafePlaceContact(report_id=report_id, email=email))
            db.session.flush()
    except IntegrityError:
        return db.session.get(UnsafePlaceReport, report_id), False  # type: ignore[return-value]
    # Nobody, even a signed-in person, and nothing about the sender: only that it came.
    audit("unsafe_place_reported", report, scheme_id=scheme_id, actor=NOBODY)
    return report, True


def area_at(scheme_id: int, place: tuple[float, float] | None) -> int | None:
    """The patrol area whose circle holds the place (the nearest centre, if several)."""
    if place is None:
        return None
    areas = db.session.scalars(
        select(PatrolArea).where(
            PatrolArea.scheme_id == scheme_id, PatrolArea.latitude.is_not(None)
        )
    )
    inside = [
        (distance_m(place, centre), area.id)
        for area in areas
        if (centre := position(area)) and distance_m(place, centre) <= area.radius_m
    ]
    return min(inside)[1] if inside else None


def change_status(report: UnsafePlaceReport, to: str, reason: str, by: User) -> None:
    """Move a report on in its life cycle, if the rules allow it, with who and why."""
    if report.merged_into_id is not None:
        raise RuleBroken(_("This report was merged into another. Change that one instead."))
    if to not in TRANSITIONS[report.status]:
        raise RuleBroken(_("A report cannot go straight from this status to that one."))
    step(report, to, reason, by)


def step(report: UnsafePlaceReport, to: str, reason: str, by: User) -> None:
    """Record one step of the life cycle and audit it; the rules are the caller's."""
    db.session.add(
        UnsafePlaceStep(
            report_id=report.id,
            from_status=report.status,
            to_status=to,
            reason=reason.strip(),
            by_id=by.id,
        )
    )
    audit(
        "unsafe_place_status_changed",
        report,
        actor=by,
        status_from=report.status,
        status_to=to,
        reason=reason.strip(),
    )
    report.status = to


def root_of(report: UnsafePlaceReport) -> UnsafePlaceReport:
    """The report a chain of merges ends at."""
    seen = set()
    while report.merged_into is not None and report.id not in seen:
        seen.add(report.id)
        report = report.merged_into
    return report


def merge(report: UnsafePlaceReport, into: UnsafePlaceReport, by: User) -> None:
    """Mark a report as a duplicate of another: it is closed, no longer counted, and the
    EVAs that answer it answer the other."""
    into = root_of(into)
    if into.id == report.id or into.scheme_id != report.scheme_id:
        raise RuleBroken(_("A report cannot be merged into itself."))
    if report.merged_into_id is not None:
        raise RuleBroken(_("This report was merged into another already."))
    for eva in list(report.evas):
        if into not in eva.reports:
            eva.reports.append(into)
        eva.reports.remove(report)
    for duplicate in db.session.scalars(
        select(UnsafePlaceReport).filter_by(merged_into_id=report.id)
    ):
        duplicate.merged_into_id = into.id
    report.merged_into_id = into.id
    reason = _("Merged into report %(number)d as a duplicate.", number=into.number)
    if report.status != "closed":
        step(report, "closed", reason, by)
    audit("unsafe_place_merged", report, actor=by, into=into.id, into_number=into.number)


def set_area(report: UnsafePlaceReport, area_id: int | None, by: User) -> None:
    """Put a report in a patrol area (or none), for the filters and the map."""
    report.area_id = area_id
    audit("unsafe_place_area_changed", report, actor=by, area_id=area_id)


def delete_report(report: UnsafePlaceReport, by: User) -> None:
    """Delete a report (junk, or asked for), its contact details and history with it."""
    audit("unsafe_place_deleted", report, actor=by, number=report.number)
    db.session.delete(report)


# --- EVAs ------------------------------------------------------------------------------


def save_eva(eva: Eva | None, scheme_id: int, values: dict, reports: list, by: User) -> Eva:
    """Create or update an EVA and the reports it answers. Reports it answers move on in
    their life cycle with it: to "EVA planned", and to "EVA done" once it is done."""
    created = eva is None
    if eva is None:
        eva = Eva(scheme_id=scheme_id, number=next_number(scheme_id, "eva"), created_by_id=by.id)
        db.session.add(eva)
    for name, value in values.items():
        setattr(eva, name, value)
    eva.reports = [root_of(report) for report in reports]
    db.session.flush()
    audit("eva_added" if created else "eva_updated", eva, actor=by, reports=len(eva.reports))
    follow_eva(eva, by)
    return eva


def follow_eva(eva: Eva, by: User) -> None:
    """Move the reports an EVA answers to its stage, never backwards."""
    if eva.status == "done":
        stage, ahead = "eva_done", {"new", "reviewed", "eva_planned"}
        reason = _("EVA %(number)d was done.", number=eva.number)
    else:
        stage, ahead = "eva_planned", {"new", "reviewed"}
        reason = _("EVA %(number)d is planned.", number=eva.number)
    for report in eva.reports:
        if report.status in ahead:
            step(report, stage, reason, by)


def add_action(eva: Eva, values: dict, by: User) -> EvaAction:
    """An action agreed after an EVA, with its owner organisation and due date."""
    action = EvaAction(eva_id=eva.id, status="open", **values)
    db.session.add(action)
    db.session.flush()
    audit("eva_action_added", action, scheme_id=eva.scheme_id, actor=by, eva=eva.number)
    return action


def set_action_status(action: EvaAction, status: str, by: User) -> None:
    """Move an action to open, in progress or done; done remembers the day."""
    audit(
        "eva_action_status_changed",
        action,
        scheme_id=action.eva.scheme_id,
        actor=by,
        status_from=action.status,
        status_to=status,
    )
    action.status = status
    action.done_on = london_today() if status == "done" else None
