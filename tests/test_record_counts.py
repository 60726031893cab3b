"""The counts the database keeps per scheme, night, field and code (record_count, kept by
triggers) give the quarterly report exactly what counting the records themselves gives,
suppression included, however the records were written, corrected, moved or deleted:
the ORM, the services the forms use, Core inserts of a whole batch, Core updates and
deletes (as retention makes them).

The records are random but seeded: two quarters around the clock changes, nights' edges
(05:59 and 06:00 London), two schemes, every code of every list, people from 1 to 6.
"""

import random
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from core.timeutil import to_utc
from extensions import db
from havens.choices import AGE_BANDS, COMPANY, GENDERS, HELP
from havens.models import SupportService, Venue, Visit
from patrols.choices import GENDERS as CONTACT_GENDERS
from patrols.choices import GIVEN, SEEN
from patrols.models import Contact, Patrol
from reports import counts, measures, periods, quarterly
from reports.models import RecordCount

QUARTERS = [periods.quarter(2025, 4), periods.quarter(2026, 1)]
START, END = datetime(2025, 9, 29), datetime(2026, 4, 3)


def new_id(draw: random.Random) -> str:
    """A record's id, from the seeded draw: the same records, in the same order, each run."""
    return str(uuid.UUID(int=draw.getrandbits(128), version=4))


def some(draw: random.Random, codes, most: int = 3) -> list:
    return draw.sample(list(codes), draw.randint(0, most))


def maybe(draw: random.Random, codes):
    return draw.choice([None, *codes])


def moment(draw: random.Random) -> datetime:
    """A UTC time in the range; often on a night's edge, in London time."""
    if draw.random() < 0.2:
        day = START + timedelta(days=draw.randrange((END - START).days))
        edge = draw.choice(["05:59:59", "06:00:00", "01:30:00", "00:59:00", "01:00:00"])
        return to_utc(datetime.fromisoformat(f"{day.date()} {edge}"))
    return START + timedelta(seconds=draw.randrange(int((END - START).total_seconds())))


def visit_values(draw: random.Random, venues: list, services: list) -> dict:
    return {
        "id": new_id(draw),
        "venue_id": draw.choice(venues),
        "arrived_at": moment(draw),
        "help": some(draw, HELP, 4),
        "services": some(draw, services, 2),
        "gender": maybe(draw, GENDERS),
        "age_band": maybe(draw, AGE_BANDS),
        "company": maybe(draw, COMPANY),
    }


def contact_values(draw: random.Random, patrols: list, services: list, venues: list) -> dict:
    return {
        "id": new_id(draw),
        "patrol_id": draw.choice(patrols),
        "at": moment(draw),
        "people": draw.randint(1, 6),
        "gender": maybe(draw, CONTACT_GENDERS),
        "age_band": maybe(draw, AGE_BANDS),
        "seen": some(draw, SEEN),
        "given": some(draw, GIVEN),
        "services": some(draw, services, 2),
        "handover_venue_id": draw.choice([None] * 8 + venues),
    }


@pytest.fixture
def records(app, scheme, elsewhere, make_venue, make_team, make_patrol, by_services):
    """Random visits and contacts in two schemes, written every way the app writes them."""
    draw = random.Random(18)
    ours = [make_venue(f"Venue {n}").id for n in range(3)]
    theirs = [make_venue("Far away", scheme=elsewhere).id]
    services = []
    for n, owner in enumerate([scheme, scheme, scheme, elsewhere]):
        service = SupportService(scheme_id=owner.id, name=f"Service {n}", position=n)
        db.session.add(service)
        db.session.flush()
        services.append(service.id)
    teams = [make_team("Friday"), make_team("Saturday"), make_team("Far", scheme=elsewhere)]
    patrols = [
        make_patrol(t, started_at=START + timedelta(days=7 * n), ended_at=END).id
        for n, t in enumerate(teams)
    ]
    venues = ours + theirs
    # The ORM, one record at a time.
    for _ in range(60):
        db.session.add(Visit(**visit_values(draw, venues, services)))
        db.session.add(Contact(**contact_values(draw, patrols, services, venues)))
    db.session.commit()
    # Core, a batch in one executemany per table (as the sync API may insert them).
    db.session.execute(insert(Visit), [visit_values(draw, venues, services) for _ in range(60)])
    db.session.execute(
        insert(Contact), [contact_values(draw, patrols, services, venues) for _ in range(60)]
    )
    db.session.commit()
    # Visits that continue a hand-over.
    for contact_id in handed()[:6]:
        db.session.add(Visit(**visit_values(draw, venues, services), contact_id=contact_id))
    db.session.commit()
    by_services(draw, services)
    return draw, venues, patrols, services


@pytest.fixture
def by_services(coordinator, make_visit, correct_visit, make_contact, correct_contact):
    """Records saved and corrected through the services the forms and the sync API use."""

    def write(draw: random.Random, services: list) -> None:
        venue = db.session.get(Venue, db.session.scalar(select(Venue.id).limit(1)))
        patrol = db.session.scalars(select(Patrol).limit(1)).one()
        for _ in range(8):
            fresh = visit_values(draw, [venue.id], services)
            visit = make_visit(venue, coordinator, arrived_at=fresh["arrived_at"])
            correct_visit(visit, coordinator, help=fresh["help"], gender=fresh["gender"])
            fresh = contact_values(draw, [patrol.id], services, [])
            contact = make_contact(patrol, coordinator, at=fresh["at"], seen=fresh["seen"])
            correct_contact(contact, coordinator, people=fresh["people"], given=fresh["given"])

    return write


def handed() -> list[str]:
    """The contacts handed over to a venue that no visit continues yet."""
    taken = select(Visit.contact_id).where(Visit.contact_id.is_not(None))
    stmt = select(Contact.id).where(
        Contact.handover_venue_id.is_not(None), Contact.id.not_in(taken)
    )
    return db.session.scalars(stmt.order_by(Contact.id)).all()


def change(draw: random.Random, venues: list, patrols: list, services: list) -> None:
    """Correct, move and delete records: through the ORM and through Core statements."""
    visits = db.session.scalars(select(Visit).order_by(Visit.id)).all()
    for visit in draw.sample(visits, 20):
        fresh = visit_values(draw, venues, services)
        for name in ("help", "gender", "company"):
            setattr(visit, name, fresh[name])
        if draw.random() < 0.5:
            visit.arrived_at, visit.venue_id = fresh["arrived_at"], fresh["venue_id"]
    contacts = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    for contact in draw.sample(contacts, 20):
        fresh = contact_values(draw, patrols, services, venues)
        for name in ("seen", "given", "people", "gender", "at", "patrol_id"):
            setattr(contact, name, fresh[name])
    # The ORM deletes records without revisions (with them, retention's Core deletes do).
    continued = {v.contact_id for v in visits}
    alone = [r for r in visits + contacts if not r.revisions and r.id not in continued]
    for record in draw.sample(alone, 20):
        db.session.delete(record)
    db.session.commit()
    # Core statements, as retention and bulk fixes make them: moved, rewritten, deleted.
    for visit_id in db.session.scalars(select(Visit.id).order_by(Visit.id).limit(10)):
        moved = update(Visit).where(Visit.id == visit_id)
        db.session.execute(moved.values(arrived_at=moment(draw), help=some(draw, HELP)))
    db.session.execute(update(Contact).where(Contact.people > 4).values(note="blanked"))
    db.session.execute(update(Visit).values(note="blanked", company=Visit.company))
    continuing = select(Visit.id).where(Visit.contact_id.is_not(None)).order_by(Visit.id)
    moving = db.session.scalars(continuing.limit(3)).all()
    for visit_id, contact_id in zip(moving, handed()[:3], strict=True):
        db.session.execute(update(Visit).where(Visit.id == visit_id).values(contact_id=contact_id))
    db.session.execute(update(Visit).where(Visit.id == visit_id).values(contact_id=None))
    taken = select(Visit.contact_id).where(Visit.contact_id.is_not(None))
    old = (Contact.at < datetime(2025, 10, 20)) & Contact.id.not_in(taken)
    db.session.execute(delete(Contact).where(old))
    db.session.execute(delete(Visit).where(Visit.arrived_at < datetime(2025, 10, 20)))
    db.session.commit()


def reports_agree(scheme_id: int) -> None:
    """Both ways of counting give the same data, the same tables, the same marks."""
    for period in QUARTERS:
        kept = quarterly.gather(scheme_id, period)
        counted = quarterly.gather(scheme_id, period, source=measures)
        assert kept == counted
        for small_max in (2, 5):
            new = quarterly.build(kept, "S", period, True, small_max)
            old = quarterly.build(counted, "S", period, True, small_max)
            assert [(h, c.text, c.mark) for h, c in new.headline] == [
                (h, c.text, c.mark) for h, c in old.headline
            ]
            assert new.tables() == old.tables()


def test_kept_counts_agree_with_the_records(records, scheme, elsewhere):
    draw, venues, patrols, services = records
    assert db.session.scalar(select(RecordCount.records).limit(1)) is not None
    reports_agree(scheme.id)
    reports_agree(elsewhere.id)
    change(draw, venues, patrols, services)
    reports_agree(scheme.id)
    reports_agree(elsewhere.id)


def test_the_report_has_something_to_agree_on(records, scheme):
    """The random records fill every kind of count the report shows (so agreement means
    something)."""
    scope = measures.Scope(scheme.id, QUARTERS[0])
    assert len(counts.visits(scope, "venue", "month")) >= 6
    assert counts.visits_alone(scope, "gender")
    assert counts.contacts_with(scope, "seen", "vulnerable", "gender")
    assert len(counts.visit_items(scope, "services")) == 4  # one from elsewhere
    assert counts.contact_items(scope, "seen").keys() <= set(SEEN)
    assert set(counts.contacts(scope, "company")) == {("alone",), ("with_others",)}
    both = list(zip(*counts.handovers(scope, "venue").values(), strict=True))
    assert sum(both[0]) > sum(both[1]) > 0


def test_a_deleted_record_leaves_no_count(records, scheme):
    """Every count of a record goes when it goes: nothing left but zeros."""
    db.session.execute(delete(Visit))
    db.session.execute(delete(Contact))
    db.session.commit()
    left = db.session.scalars(select(RecordCount).where(RecordCount.records != 0)).all()
    assert left == []
    assert db.session.scalar(select(RecordCount.people).where(RecordCount.people != 0)) is None


def test_counts_are_kept_by_the_database_itself(app):
    """Triggers on both tables, on either database: whatever writes a record, its counts
    follow."""
    if db.engine.dialect.name == "postgresql":
        found = db.session.execute(
            db.text("SELECT DISTINCT event_object_table FROM information_schema.triggers")
        ).scalars()
    else:
        found = db.session.execute(
            db.text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        ).scalars()
    assert {"visit", "contact"} <= set(found)


@pytest.mark.backend("postgres", reason="statement triggers")
def test_postgresql_counts_a_whole_statement_at_once(app):
    """A batch's hundreds of records are counted in one upsert per night and code, not
    one per record (which PostgreSQL makes slower with every row of the transaction)."""
    stmt = db.text(
        "SELECT DISTINCT event_object_table, action_orientation FROM information_schema.triggers"
        " WHERE event_object_table IN ('visit', 'contact')"
    )
    assert set(db.session.execute(stmt).tuples()) == {
        ("visit", "STATEMENT"),
        ("contact", "STATEMENT"),
    }
