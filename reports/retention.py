"""Retention: old notes blanked, and records older still folded into monthly counts and
deleted, so no record outlives its purpose while the partnership's totals survive.

plan() reads what is due and changes nothing; apply() makes the same plan inside its own
transaction and carries it out, so a dry run and the run after it agree.

Records are folded by whole London months: a month is either all records or all counts.
A patrol, its contacts and a visit that continues one of them (a hand-over) go together:
if one of them is not yet due, all of them wait for the next run.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TypeVar

from flask import current_app
from sqlalchemy import delete, func, select, text, update

from core.services import audit
from core.timeutil import london_today, to_london, to_utc, utcnow
from extensions import db
from havens.models import Venue, Visit, VisitRevision
from havens.services import add_months
from lists.categories import RISK_REDUCING
from lists.items import categories_for
from patrols.models import Contact, ContactRevision, Patrol, Team, patrol_pastor
from places.models import UnsafePlaceContact, UnsafePlaceReport
from reports.export_rows import hours
from reports.models import MonthlyCount
from sync.models import Receipt, SyncConflict

KINDS = ("visit", "contact", "patrol")
CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on bound values


def chunks(ids: Iterable, size: int = CHUNK) -> Iterator[list]:
    """Ids in lists short enough for one statement."""
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def month_of(utc: datetime) -> date:
    """The first day of the London month a stored UTC time falls in."""
    return to_london(utc).date().replace(day=1)


@dataclass
class Plan:
    """What retention does, per scheme and month, and the rows it acts on."""

    notes_before: date  # London dates: notes of records before this day are blanked
    records_before: date  # records before this day are folded and deleted
    # scheme -> month -> {"visit_notes", ..., "visits", "contacts", "patrols"}: counts
    months: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counter)))
    # scheme -> {"revisions", "receipts", "conflicts", "note_versions", "note_conflicts",
    # "held_visits", "held_contacts", "held_patrols", "reporter_emails"}
    totals: dict = field(default_factory=lambda: defaultdict(Counter))
    blank: dict = field(default_factory=lambda: {kind: set() for kind in KINDS})
    blank_revisions: dict = field(default_factory=lambda: {"visit": set(), "contact": set()})
    blank_conflicts: set = field(default_factory=set)
    delete: dict = field(default_factory=lambda: {kind: set() for kind in KINDS})
    delete_receipts: set = field(default_factory=set)
    delete_conflicts: set = field(default_factory=set)
    forget_emails: set = field(default_factory=set)  # unsafe-place reports' ids
    # scheme -> the codes of its given list that assess or reduce risk, read once
    risk_codes: dict = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)  # MonthlyCount key -> value to add

    def risky(self, scheme_id: int) -> set[str]:
        """The scheme's risk-reducing codes (by their standard categories)."""
        if scheme_id not in self.risk_codes:
            found = categories_for(scheme_id, "given")
            self.risk_codes[scheme_id] = {c for c, cat in found.items() if cat in RISK_REDUCING}
        return self.risk_codes[scheme_id]

    def summary(self) -> dict:
        """The plan as plain data: what the command prints and the audit log keeps."""
        return {
            "notes_before": self.notes_before.isoformat(),
            "records_before": self.records_before.isoformat(),
            "schemes": {
                scheme_id: {
                    "months": {
                        month.strftime("%Y-%m"): dict(sorted(counts.items()))
                        for month, counts in sorted(self.months[scheme_id].items())
                    },
                    "totals": dict(sorted(self.totals[scheme_id].items())),
                }
                for scheme_id in sorted(set(self.months) | set(self.totals))
            },
        }


def cut_offs(today: date | None = None) -> tuple[date, date]:
    """The first London day whose notes are kept, and the first whose records are kept."""
    today = today or london_today()
    notes = add_months(today, -current_app.config["NOTE_RETENTION_MONTHS"])
    records = add_months(today.replace(day=1), -current_app.config["RECORD_RETENTION_MONTHS"])
    return notes, records


def as_utc(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


def plan(today: date | None = None) -> Plan:
    """Work out what retention would do now. Changes nothing."""
    notes_before, records_before = cut_offs(today)
    result = Plan(notes_before, records_before)
    _plan_deletes(result, as_utc(records_before))
    _plan_notes(result, as_utc(notes_before))
    _plan_emails(result, as_utc(notes_before))
    return result


def _plan_deletes(result: Plan, before: datetime) -> None:
    """Choose the records to fold and delete, keeping patrols, contacts and hand-overs whole."""
    patrols, contacts, blocked = _due_patrols(before)
    for patrol_id in blocked:
        result.totals[patrols[patrol_id].scheme_id]["held_patrols"] += 1
    for patrol_id, row in patrols.items():
        if patrol_id not in blocked:
            _fold_patrol(result, row)
    for row in contacts:
        if row.patrol_id not in blocked:
            _fold_contact(result, row, patrols[row.patrol_id])
        else:
            result.totals[patrols[row.patrol_id].scheme_id]["held_contacts"] += 1
    visits = db.session.execute(
        select(
            Visit.id,
            Visit.venue_id,
            Visit.arrived_at,
            Visit.help,
            Visit.services,
            Visit.contact_id,
            Venue.scheme_id,
        )
        .join(Venue, Venue.id == Visit.venue_id)
        .where(Visit.arrived_at < before)
    ).all()
    for row in visits:
        if row.contact_id is None or row.contact_id in result.delete["contact"]:
            _fold_visit(result, row)
        else:
            result.totals[row.scheme_id]["held_visits"] += 1
    _plan_dependants(result)


def _due_patrols(before: datetime) -> tuple[dict, Sequence, set]:
    """Patrols started before the cut-off, their contacts, and the ids of those patrols
    that must wait: a contact of theirs, or a visit continuing one, is not yet due."""
    due = select(Patrol.id).where(Patrol.started_at < before)
    patrols = {
        row.id: row
        for row in db.session.execute(
            select(Patrol.id, Patrol.team_id, Patrol.started_at, Patrol.ended_at, Patrol.tallies)
            .add_columns(Team.scheme_id, _pastors().label("pastors"))
            .join(Team, Team.id == Patrol.team_id)
            .where(Patrol.id.in_(due))
        )
    }
    contacts = db.session.execute(
        select(
            Contact.id,
            Contact.patrol_id,
            Contact.at,
            Contact.people,
            Contact.given,
            Contact.services,
            Contact.handover_venue_id,
        ).where(Contact.patrol_id.in_(due))
    ).all()
    linked = db.session.execute(
        select(Visit.contact_id, Visit.arrived_at).where(
            Visit.contact_id.in_(select(Contact.id).where(Contact.patrol_id.in_(due)))
        )
    ).all()
    patrol_of = {row.id: row.patrol_id for row in contacts}
    blocked = {row.patrol_id for row in contacts if row.at >= before}
    blocked |= {patrol_of[row.contact_id] for row in linked if row.arrived_at >= before}
    return patrols, contacts, blocked


def _pastors():
    return (
        select(func.count())
        .select_from(patrol_pastor)
        .where(patrol_pastor.c.patrol_id == Patrol.id)
        .scalar_subquery()
    )


def _add(result: Plan, scheme_id, month, venue_id, team_id, measure, code="", value=1) -> None:
    if value:
        result.counts[(scheme_id, month, venue_id, team_id, measure, str(code))] += value


def _fold_visit(result: Plan, row) -> None:
    month = month_of(row.arrived_at)
    result.delete["visit"].add(row.id)
    result.months[row.scheme_id][month]["visits"] += 1
    here = (result, row.scheme_id, month, row.venue_id, None)
    _add(*here, "visits")
    for code in row.help or []:
        _add(*here, "help", code)
    for service_id in row.services or []:
        _add(*here, "signposted", service_id)
    if row.contact_id:
        _add(*here, "visits_from_handover")


def _fold_patrol(result: Plan, row) -> None:
    month = month_of(row.started_at)
    result.delete["patrol"].add(row.id)
    result.months[row.scheme_id][month]["patrols"] += 1
    here = (result, row.scheme_id, month, None, row.team_id)
    _add(*here, "patrols")
    _add(*here, "hours_on_duty", value=hours(row.started_at, row.ended_at, row.pastors))
    for name, value in (row.tallies or {}).items():
        _add(*here, "tally", name, value=value or 0)


def _fold_contact(result: Plan, row, patrol) -> None:
    month = month_of(row.at)
    result.delete["contact"].add(row.id)
    result.months[patrol.scheme_id][month]["contacts"] += 1
    here = (result, patrol.scheme_id, month, None, patrol.team_id)
    _add(*here, "contacts")
    _add(*here, "people_engaged", value=row.people)
    for code in row.given or []:
        _add(*here, "given", code)
    risky = result.risky(patrol.scheme_id)
    _add(*here, "risk_reducing", value=sum(code in risky for code in row.given or []))
    for service_id in row.services or []:
        _add(*here, "signposted", service_id)
    if row.handover_venue_id:
        _add(result, patrol.scheme_id, month, row.handover_venue_id, patrol.team_id, "handovers")


def _plan_dependants(result: Plan) -> None:
    """The revisions, receipts and sync conflicts that go with the deleted records."""
    for link, kind in ((VisitRevision.visit_id, "visit"), (ContactRevision.contact_id, "contact")):
        schemes = _scheme_by_id(result, kind)
        for ids in chunks(result.delete[kind]):
            counted = select(link, func.count()).where(link.in_(ids)).group_by(link)
            for record_id, n in db.session.execute(counted):
                result.totals[schemes[record_id]]["revisions"] += n
    record_ids = set().union(*result.delete.values())
    for ids in chunks(record_ids):
        conflicts = select(SyncConflict.id, SyncConflict.scheme_id).where(
            SyncConflict.record_id.in_(ids)
        )
        for conflict_id, scheme_id in db.session.execute(conflicts):
            result.delete_conflicts.add(conflict_id)
            result.totals[scheme_id]["conflicts"] += 1
    receipts: dict[int, int] = {}  # receipt id: scheme id
    for ids in chunks(record_ids):
        stmt = select(Receipt.id, Receipt.scheme_id).where(Receipt.record_id.in_(ids))
        receipts.update(db.session.execute(stmt).tuples().all())
    for ids in chunks(result.delete_conflicts):
        stmt = select(Receipt.id, Receipt.scheme_id).where(Receipt.conflict_id.in_(ids))
        receipts.update(db.session.execute(stmt).tuples().all())
    result.delete_receipts = set(receipts)
    for scheme_id in receipts.values():
        result.totals[scheme_id]["receipts"] += 1


def _scheme_by_id(result: Plan, kind: str) -> dict:
    """The scheme of each record of this kind that is to be deleted."""
    column = Visit.id if kind == "visit" else Contact.id
    scheme = Venue.scheme_id if kind == "visit" else Team.scheme_id
    stmt = _with_scheme(select(column, scheme), kind)
    found: dict[str, int] = {}
    for ids in chunks(result.delete[kind]):
        found.update(db.session.execute(stmt.where(column.in_(ids))).tuples().all())
    return found


def _plan_notes(result: Plan, before: datetime) -> None:
    """Notes of records older than the note period, in every version and sync conflict."""
    sources = (
        ("visit", Visit, Visit.arrived_at, Venue.scheme_id, (VisitRevision, "visit_id")),
        ("contact", Contact, Contact.at, Team.scheme_id, (ContactRevision, "contact_id")),
        ("patrol", Patrol, Patrol.started_at, Team.scheme_id, None),
    )
    for kind, model, when, scheme, versions in sources:
        stmt = _with_scheme(select(model.id, when, scheme), kind)
        touched: dict[str, Sequence] = {}  # record id: (record id, its time, its scheme)
        for row in db.session.execute(stmt.where(when < before, model.note != "")):
            touched[row[0]] = row
            result.blank[kind].add(row[0])
        if versions is not None:
            revision, link = versions
            linked = getattr(revision, link)
            stmt = _with_scheme(select(revision.id, model.id, when, scheme), kind)
            stmt = stmt.join(revision, linked == model.id).where(
                when < before, revision.data["note"].as_string() != ""
            )
            for revision_id, record_id, at, scheme_id in db.session.execute(stmt):
                if record_id not in result.delete[kind]:
                    result.blank_revisions[kind].add(revision_id)
                    result.totals[scheme_id]["note_versions"] += 1
                    touched.setdefault(record_id, (record_id, at, scheme_id))
        result.blank[kind] -= result.delete[kind]
        for record_id, at, scheme_id in touched.values():
            if record_id not in result.delete[kind]:
                result.months[scheme_id][month_of(at)][f"{kind}_notes"] += 1
    stmt = select(SyncConflict).where(SyncConflict.received_at < before)
    for conflict in db.session.scalars(stmt):
        data = (conflict.payload or {}).get("data")
        if (
            isinstance(data, dict)
            and data.get("note")
            and conflict.id not in result.delete_conflicts
        ):
            result.blank_conflicts.add(conflict.id)
            result.totals[conflict.scheme_id]["note_conflicts"] += 1


def _plan_emails(result: Plan, before: datetime) -> None:
    """The emails the public left with unsafe-place reports older than the note period:
    the reply was due long ago. The reports stay, for the map and the counts."""
    stmt = select(UnsafePlaceReport.id, UnsafePlaceReport.scheme_id).join(
        UnsafePlaceContact, UnsafePlaceContact.report_id == UnsafePlaceReport.id
    )
    for report_id, scheme_id in db.session.execute(
        stmt.where(UnsafePlaceReport.received_at < before)
    ):
        result.forget_emails.add(report_id)
        result.totals[scheme_id]["reporter_emails"] += 1


def _with_scheme(stmt, kind: str):
    """Join a record query to the table that says its scheme."""
    if kind == "visit":
        return stmt.join(Venue, Venue.id == Visit.venue_id)
    if kind == "contact":
        return stmt.join(Patrol, Patrol.id == Contact.patrol_id).join(Team)
    return stmt.join(Team, Team.id == Patrol.team_id)


# Tables whose writers wait while retention runs on PostgreSQL, so that the plan it made
# still holds when it acts. SQLite's BEGIN IMMEDIATE already keeps other writers out.
LOCKED = "visit, visit_revision, contact, contact_revision, patrol, receipt, sync_conflict"


def apply(today: date | None = None) -> Plan:
    """Blank, fold and delete as plan() says, in the caller's transaction; the caller commits."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"LOCK TABLE {LOCKED} IN SHARE ROW EXCLUSIVE MODE"))
    result = plan(today)
    _blank_notes(result)
    for ids in chunks(result.forget_emails):
        db.session.execute(delete(UnsafePlaceContact).where(UnsafePlaceContact.report_id.in_(ids)))
    _delete(result)
    _store_counts(result)
    return result


def _blank_notes(result: Plan) -> None:
    for kind, model in (("visit", Visit), ("contact", Contact), ("patrol", Patrol)):
        for ids in chunks(result.blank[kind]):
            db.session.execute(update(model).where(model.id.in_(ids)).values(note=""))
    _blank_version_notes(VisitRevision, result.blank_revisions["visit"])
    _blank_version_notes(ContactRevision, result.blank_revisions["contact"])
    for ids in chunks(result.blank_conflicts):
        for conflict in db.session.scalars(select(SyncConflict).where(SyncConflict.id.in_(ids))):
            payload = dict(conflict.payload)
            conflict.payload = payload | {"data": payload["data"] | {"note": ""}}
    db.session.flush()


# A visit's or a contact's versions: the type checker checks the function below for each.
Version = TypeVar("Version", VisitRevision, ContactRevision)


def _blank_version_notes(model: type[Version], ids: Iterable) -> None:
    """Blank the note in the data of these stored versions."""
    for chunk in chunks(ids):
        for version in db.session.scalars(select(model).where(model.id.in_(chunk))):
            version.data = version.data | {"note": ""}  # a new dict: the change is seen


def _delete(result: Plan) -> None:
    """Delete in the order the foreign keys need: what points at a row goes first."""
    steps = (
        (Receipt, Receipt.id, result.delete_receipts),
        (SyncConflict, SyncConflict.id, result.delete_conflicts),
        (VisitRevision, VisitRevision.visit_id, result.delete["visit"]),
        (Visit, Visit.id, result.delete["visit"]),
        (ContactRevision, ContactRevision.contact_id, result.delete["contact"]),
        (Contact, Contact.id, result.delete["contact"]),
        (patrol_pastor, patrol_pastor.c.patrol_id, result.delete["patrol"]),
        (Patrol, Patrol.id, result.delete["patrol"]),
    )
    for table, column, ids in steps:
        for chunk in chunks(ids):
            db.session.execute(
                delete(table).where(column.in_(chunk)),
                execution_options={"synchronize_session": False},
            )
    db.session.expire_all()


def _store_counts(result: Plan) -> None:
    """Add the folded counts to the monthly totals, merging with rows already there
    (a held-back patrol is folded into its month a run later)."""
    now = utcnow()
    for key, value in sorted(result.counts.items(), key=lambda item: repr(item[0])):
        scheme_id, month, venue_id, team_id, measure, code = key
        row = db.session.scalar(
            select(MonthlyCount).where(
                MonthlyCount.scheme_id == scheme_id,
                MonthlyCount.month == month,
                _is(MonthlyCount.venue_id, venue_id),
                _is(MonthlyCount.team_id, team_id),
                MonthlyCount.measure == measure,
                MonthlyCount.code == code,
            )
        )
        if row is None:
            row = MonthlyCount(
                scheme_id=scheme_id,
                month=month,
                venue_id=venue_id,
                team_id=team_id,
                measure=measure,
                code=code,
                value=0,
            )
            db.session.add(row)
        row.value = round(row.value + value, 2)
        row.updated_at = now
    db.session.flush()


def _is(column, value):
    return column.is_(None) if value is None else column == value


def record(result: Plan, scheme_ids: list[int], applied: bool) -> None:
    """Audit a run once for each scheme, with what it did (or would do) there."""
    summary = result.summary()
    for scheme_id in scheme_ids:
        mine = summary["schemes"].get(scheme_id, {"months": {}, "totals": {}})
        audit(
            "retention_applied" if applied else "retention_dry_run",
            scheme_id=scheme_id,
            actor=None,
            notes_before=summary["notes_before"],
            records_before=summary["records_before"],
            months=mine["months"],
            totals=mine["totals"],
        )
