"""Retention: a dry run changes nothing, --apply does exactly what the dry run said, the
folded monthly counts equal what the deleted rows counted, notes go from every version."""

import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, inspect, select

from core.models import AuditEvent
from core.timeutil import london_today, to_utc, utcnow
from extensions import db
from havens.models import SupportService, Visit, VisitRevision
from havens.services import add_months
from patrols.choices import RISK_REDUCING
from patrols.models import Contact, ContactRevision, Patrol
from patrols.services import hours_on_duty
from reports import retention
from reports.models import MonthlyCount
from sync.models import Receipt, SyncConflict
from tests.planted import NOTE, PATROL_NOTE

TODAY = london_today()
RECORDS_BEFORE = add_months(TODAY.replace(day=1), -36)  # the default 36 months
NOTES_BEFORE = add_months(TODAY, -12)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A London wall-clock time on a day, as stored (naive UTC)."""
    return to_utc(datetime.combine(day, time(hour, minute)))


def add_receipt(scheme_id: int, kind: str, record_id: str, by, conflict=None) -> Receipt:
    """A sync receipt for a record, as the sync API leaves one."""
    receipt = Receipt(
        op_id=str(uuid.uuid4()),
        digest="0" * 64,
        scheme_id=scheme_id,
        kind=kind,
        record_id=record_id,
        outcome="conflict" if conflict else "created",
        device_id=str(uuid.uuid4()),
        device_seq=1,
        client_saved_at=utcnow(),
        author_id=by.id,
        sender_id=by.id,
        conflict=conflict,
    )
    db.session.add(receipt)
    db.session.commit()
    return receipt


def add_conflict(scheme_id: int, kind: str, record_id: str, note: str, received_at=None):
    """A sync conflict whose incoming version holds a note."""
    conflict = SyncConflict(
        scheme_id=scheme_id,
        kind=kind,
        record_id=record_id,
        payload={"patrol": None, "base_version": 1, "data": {"note": note, "help": ["seat"]}},
        received_at=received_at or utcnow(),
    )
    db.session.add(conflict)
    db.session.commit()
    return conflict


def every_table() -> dict[str, list[tuple]]:
    """Every row of every table, sorted: a picture of the whole database to compare."""
    picture = {}
    for name in sorted(inspect(db.session.connection()).get_table_names()):
        table = db.metadata.tables.get(name)
        if table is None:
            continue  # alembic_version
        rows = db.session.execute(select(table)).all()
        picture[name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return picture


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def people(make_person, team, venue):
    coordinator = make_person("cora", roles=["coordinator"])
    pastors = [make_person(name, roles=["pastor"], teams=[team]) for name in ("pat", "sue")]
    return coordinator, pastors


@pytest.fixture
def history(
    scheme,
    venue,
    team,
    people,
    make_visit,
    correct_visit,
    make_patrol,
    make_contact,
    correct_contact,
):
    """Records on both sides of both cut-offs, with receipts, conflicts and hand-overs."""
    coordinator, pastors = people
    service = SupportService(scheme_id=scheme.id, name="Victim Support")
    db.session.add(service)
    db.session.commit()
    old = add_months(RECORDS_BEFORE, -2).replace(day=15)
    eve = RECORDS_BEFORE - timedelta(days=1)  # the last day before the cut-off
    middle = add_months(TODAY, -20).replace(day=15)
    recent = TODAY - timedelta(days=10)
    ids = {}

    # Old enough to fold: a visit corrected once, a patrol with two contacts, one of them
    # handed over to the venue whose visit continues it; receipts and a sync conflict.
    v_old = make_visit(
        venue,
        coordinator,
        at(old, 21),
        help=["seat", "called_taxi"],
        services=[service.id],
        note=NOTE,
    )
    correct_visit(v_old, coordinator, note=NOTE + " corrected")
    p_old = make_patrol(
        team, pastors, at(old, 22), at(old + timedelta(days=1), 3), note=PATROL_NOTE, route="Loop"
    )
    p_old.tallies = {"Bottles": 4}
    db.session.commit()
    c_old1 = make_contact(
        p_old,
        pastors[0],
        at(old, 23),
        people=3,
        given=["water", "first_aid", "handover"],
        handover_venue_id=venue.id,
        note=NOTE,
    )
    c_old2 = make_contact(
        p_old, pastors[0], at(old, 23, 30), given=["conversation"], services=[service.id]
    )
    v_linked = make_visit(venue, coordinator, at(old, 23, 40), contact_id=c_old1.id)
    add_receipt(scheme.id, "visit", v_old.id, coordinator)
    add_receipt(scheme.id, "contact", c_old1.id, pastors[0])
    add_receipt(scheme.id, "patrol_start", p_old.id, pastors[0])
    conflict = add_conflict(scheme.id, "visit", v_old.id, NOTE, received_at=at(old, 23))
    add_receipt(scheme.id, "visit", v_old.id, coordinator, conflict=conflict)
    v_eve = make_visit(venue, coordinator, at(eve - timedelta(days=4), 20))

    # Due, but held back: this patrol runs past midnight into the first kept month.
    p_held = make_patrol(team, pastors, at(eve, 23), at(RECORDS_BEFORE, 2), note=PATROL_NOTE)
    c_held_early = make_contact(
        p_held, pastors[0], at(eve, 23, 30), handover_venue_id=venue.id, note=NOTE
    )
    c_held_late = make_contact(p_held, pastors[0], at(RECORDS_BEFORE, 0, 30), people=2)
    v_held = make_visit(venue, coordinator, at(eve, 23, 50), contact_id=c_held_early.id, note=NOTE)

    # Old enough to lose their notes, in every version and in a sync conflict's copy.
    v_mid = make_visit(venue, coordinator, at(middle, 22), note=NOTE)
    correct_visit(v_mid, coordinator, note=NOTE + " again")
    v_mid_blank = make_visit(venue, coordinator, at(middle, 23), note=NOTE)
    correct_visit(v_mid_blank, coordinator, note="")  # the text lives on only in version 1
    p_mid = make_patrol(team, pastors, at(middle, 22), at(middle, 23), note=PATROL_NOTE)
    c_mid = make_contact(p_mid, pastors[0], at(middle, 22, 30), note=NOTE)
    correct_contact(c_mid, pastors[0], note=NOTE + " corrected")
    old_conflict = add_conflict(scheme.id, "visit", v_mid.id, NOTE, received_at=at(middle, 23))

    # Recent: untouched.
    v_new = make_visit(venue, coordinator, at(recent, 22), note=NOTE)
    new_conflict = add_conflict(scheme.id, "visit", v_new.id, NOTE, received_at=at(recent, 23))

    for name, value in list(locals().items()):
        if name[:2] in ("v_", "p_", "c_") or name.endswith("conflict"):
            ids[name] = value.id
    db.session.commit()
    return ids


def run(runner, *args: str) -> list[str]:
    db.session.commit()  # the test's own reading would hold SQLite's lock
    result = runner.invoke(args=["retention", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def with_notes() -> dict[str, set[str]]:
    """Ids of the records whose note has text, in the record or in any earlier version."""
    visits = set(db.session.scalars(select(Visit.id).where(Visit.note != "")))
    visits |= {r.visit_id for r in db.session.scalars(select(VisitRevision)) if r.data.get("note")}
    contacts = set(db.session.scalars(select(Contact.id).where(Contact.note != "")))
    contacts |= {
        r.contact_id for r in db.session.scalars(select(ContactRevision)) if r.data.get("note")
    }
    patrols = set(db.session.scalars(select(Patrol.id).where(Patrol.note != "")))
    return {"visit": visits, "contact": contacts, "patrol": patrols}


def total(summary: dict, key: str) -> int:
    """A count summed over every scheme and month of a plan's summary."""
    return sum(
        counts.get(key, 0)
        for scheme in summary["schemes"].values()
        for counts in scheme["months"].values()
    )


def totals(summary: dict, key: str) -> int:
    return sum(scheme["totals"].get(key, 0) for scheme in summary["schemes"].values())


def test_a_dry_run_changes_nothing_but_the_audit_log(runner, history, scheme):
    before = every_table()
    output = run(runner)
    after = every_table()
    assert after.pop("audit_event") != before.pop("audit_event")
    assert after == before
    assert "dry run" in output[0]
    event = db.session.scalar(select(AuditEvent).filter_by(action="retention_dry_run"))
    assert event.scheme_id == scheme.id and event.actor_id is None
    assert event.detail["records_before"] == RECORDS_BEFORE.isoformat()


def test_apply_does_exactly_what_the_dry_run_said(runner, history):
    dry = run(runner)
    due = retention.plan()
    planned = due.summary()
    notes_before = with_notes()
    rows_before = {name: len(rows) for name, rows in every_table().items()}
    applied = run(runner, "--apply")
    assert applied[1:] == [line.replace(" (would be)", "") for line in dry[1:]]
    rows_after = {name: len(rows) for name, rows in every_table().items()}
    gone = Counter({name: rows_before[name] - rows_after[name] for name in rows_before})
    assert gone["visit"] == total(planned, "visits") == 3  # the old one, its hand-over, v_eve
    assert gone["contact"] == total(planned, "contacts") == 2
    assert gone["patrol"] == total(planned, "patrols") == 1
    assert gone["visit_revision"] + gone["contact_revision"] == totals(planned, "revisions") == 6
    assert gone["receipt"] == totals(planned, "receipts") == 4
    assert gone["sync_conflict"] == totals(planned, "conflicts") == 1
    assert gone["patrol_pastor"] == 2
    assert gone["audit_event"] < 0  # only ever added to
    held = [totals(planned, f"held_{kind}s") for kind in retention.KINDS]
    assert held == [1, 2, 1]
    # Notes: every record counted lost its note in every version; recent ones kept theirs.
    notes_after = with_notes()
    for kind in retention.KINDS:
        blanked = notes_before[kind] - notes_after[kind] - due.delete[kind]
        assert len(blanked) == total(planned, f"{kind}_notes"), kind
    assert notes_after == {"visit": {history["v_new"]}, "contact": set(), "patrol": set()}
    assert [total(planned, f"{kind}_notes") for kind in retention.KINDS] == [3, 2, 2]
    # v_mid 2, v_mid_blank 1 (its version 2 has none), v_held 1, c_mid 2, c_held_early 1
    assert totals(planned, "note_versions") == 7
    assert totals(planned, "note_conflicts") == 1
    # The plan made now finds nothing more to do, but the held-back records.
    again = retention.plan().summary()
    assert total(again, "visits") == total(again, "visit_notes") == 0
    assert [totals(again, f"held_{kind}s") for kind in retention.KINDS] == [1, 2, 1]


def test_notes_are_blanked_in_every_version_and_in_sync_conflicts(app, history):
    retention.apply()
    db.session.commit()
    for name in ("v_mid", "v_mid_blank", "v_held"):
        visit = db.session.get(Visit, history[name])
        assert visit.note == "" and all(r.data["note"] == "" for r in visit.revisions)
    contact = db.session.get(Contact, history["c_mid"])
    assert contact.note == "" and [r.data["note"] for r in contact.revisions] == ["", ""]
    assert db.session.get(Patrol, history["p_mid"]).note == ""
    assert db.session.get(SyncConflict, history["old_conflict"]).payload["data"]["note"] == ""
    new = db.session.get(SyncConflict, history["new_conflict"])
    assert new.payload["data"] == {"note": NOTE, "help": ["seat"]}
    # The text is gone from every table, but for the recent visit and its conflict.
    holding = {
        name
        for name, rows in every_table().items()
        for row in rows
        if any(NOTE in value or PATROL_NOTE in value for value in row)
    }
    assert holding == {"visit", "visit_revision", "sync_conflict"}
    assert db.session.get(Visit, history["v_new"]).note == NOTE


def test_folded_totals_equal_the_counts_of_the_deleted_rows(app, history, venue, team):
    due = retention.plan()
    visits = [db.session.get(Visit, i) for i in due.delete["visit"]]
    contacts = [db.session.get(Contact, i) for i in due.delete["contact"]]
    patrols = [db.session.get(Patrol, i) for i in due.delete["patrol"]]
    expected = {
        "visits": len(visits),
        "help": sum(len(v.help) for v in visits),
        "signposted": sum(len(v.services) for v in visits + contacts),
        "visits_from_handover": sum(1 for v in visits if v.contact_id),
        "patrols": len(patrols),
        "hours_on_duty": sum(hours_on_duty(p) for p in patrols),
        "tally": sum(sum(p.tallies.values()) for p in patrols),
        "contacts": len(contacts),
        "people_engaged": sum(c.people for c in contacts),
        "given": sum(len(c.given) for c in contacts),
        "risk_reducing": sum(code in RISK_REDUCING for c in contacts for code in c.given),
        "handovers": sum(1 for c in contacts if c.handover_venue_id),
    }
    assert expected["visits"] == 3 and expected["people_engaged"] == 4
    assert expected["hours_on_duty"] == 10.0 and expected["handovers"] == 1
    retention.apply()
    db.session.commit()
    stored = dict(
        db.session.execute(
            select(MonthlyCount.measure, func.sum(MonthlyCount.value)).group_by(
                MonthlyCount.measure
            )
        ).all()
    )
    assert stored == pytest.approx(expected)
    help_kinds = dict(
        db.session.execute(
            select(MonthlyCount.code, func.sum(MonthlyCount.value))
            .filter_by(measure="help")
            .group_by(MonthlyCount.code)
        ).all()
    )
    assert help_kinds == {"seat": 3, "called_taxi": 1}
    handover = db.session.scalar(select(MonthlyCount).filter_by(measure="handovers"))
    assert (handover.venue_id, handover.team_id) == (venue.id, team.id)


def test_a_held_back_patrol_is_folded_into_its_own_month_a_run_later(app, history, venue):
    retention.apply()
    db.session.commit()
    eve_month = add_months(RECORDS_BEFORE, -1)
    visits_that_month = select(MonthlyCount.value).filter_by(
        measure="visits", month=eve_month, venue_id=venue.id
    )
    assert db.session.scalar(visits_that_month) == 1  # v_eve
    next_month = add_months(TODAY.replace(day=1), 1)
    later = retention.apply(next_month)
    db.session.commit()
    assert total(later.summary(), "patrols") == 1
    assert db.session.get(Patrol, history["p_held"]) is None
    assert db.session.get(Visit, history["v_held"]) is None
    assert db.session.scalar(visits_that_month) == 2  # v_held joined the same row
    rows = select(func.count()).select_from(MonthlyCount).filter_by(measure="visits")
    assert db.session.scalar(rows) == 2  # the old month's and the eve's month's


def test_both_runs_are_audited_and_the_audit_log_is_kept(runner, history, scheme):
    events_before = count(AuditEvent)
    logged = db.session.scalar(
        select(AuditEvent).filter_by(action="visit_logged", target_id=history["v_old"])
    )
    run(runner)
    run(runner, "--apply")
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("retention%"))
    ).all()
    assert actions == ["retention_dry_run", "retention_applied"]
    assert count(AuditEvent) == events_before + 2
    assert db.session.get(AuditEvent, logged.id) is not None  # about a deleted visit, kept
    applied = db.session.scalar(select(AuditEvent).filter_by(action="retention_applied"))
    months = applied.detail["months"]
    assert sum(m.get("visits", 0) for m in months.values()) == 3
    assert applied.detail["totals"]["receipts"] == 4


@pytest.mark.parametrize(
    ("note_months", "record_months", "today", "notes", "records"),
    [
        (12, 36, date(2026, 11, 23), date(2025, 11, 23), date(2023, 11, 1)),
        (6, 24, date(2026, 3, 31), date(2025, 9, 30), date(2024, 3, 1)),
        (1, 1, date(2026, 1, 5), date(2025, 12, 5), date(2025, 12, 1)),
    ],
)
def test_the_periods_are_settings(app, note_months, record_months, today, notes, records):
    app.config.update(NOTE_RETENTION_MONTHS=note_months, RECORD_RETENTION_MONTHS=record_months)
    assert retention.cut_offs(today) == (notes, records)


def test_nothing_due_says_so(runner, scheme):
    output = run(runner)
    assert output[-1] == "Nothing is due."
    assert count(MonthlyCount) == 0


def test_visit_and_receipt_counts_fit_the_plan_on_an_empty_run(app, history):
    before = {m.__tablename__: count(m) for m in (Visit, Receipt, SyncConflict)}
    retention.plan()
    assert before == {m.__tablename__: count(m) for m in (Visit, Receipt, SyncConflict)}


def test_a_reporters_email_is_forgotten_after_the_note_period(app, scheme, runner):
    """The public may leave an email to hear back about a place; like a note, it is not
    kept past the note period. The report itself stays for the map and the counts."""
    from places.models import UnsafePlaceContact
    from places.services import save_report

    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    values = {
        "place": "The underpass",
        "rough_time": "earlier",
        "happened_on": NOTES_BEFORE - timedelta(days=3),
        "categories": ["lighting"],
    }
    for report_id, received in ((old, NOTES_BEFORE - timedelta(days=2)), (new, TODAY)):
        report, _ = save_report(report_id, scheme.id, values, "someone@example.org")
        report.received_at = at(received, 22)
    db.session.commit()
    planned = retention.plan()
    assert planned.summary()["schemes"][scheme.id]["totals"]["reporter_emails"] == 1
    dry_run = runner.invoke(args=["retention"]).output
    assert "Reporters' emails forgotten (would be): 1" in dry_run
    assert db.session.scalar(select(func.count()).select_from(UnsafePlaceContact)) == 2
    retention.apply()
    db.session.commit()
    kept = db.session.scalars(select(UnsafePlaceContact.report_id)).all()
    assert kept == [new]
    from places.models import UnsafePlaceReport

    assert db.session.get(UnsafePlaceReport, old).place == "The underpass"
