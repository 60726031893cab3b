"""Factories for the export, retention and audit log tests: records stored directly
through the services, at chosen times, with free text planted where it must not leak."""

import uuid
from datetime import datetime

from sqlalchemy import func, inspect, select

from core.timeutil import utcnow
from extensions import db
from havens import services as havens
from havens.models import Venue
from patrols import services as patrols
from patrols.models import Contact, Patrol, Team
from sync.models import Receipt, SyncConflict

# Distinctive text that must never reach an export, and is blanked by retention.
NOTE = "Plantednote Xylophone said her ex follows her"
STREET = "Plantedstreet Quokka Lane"
ROUTE = "Plantedroute Wombat Parade loop"
PATROL_NOTE = "Plantedpatrolnote Narwhal debrief"
CONTACT_NAME = "Plantedcontact Zebediah Quillfeather"


def add_visit(venue: Venue, by, arrived_at: datetime, **fields):
    """A visit stored through the service, as the form would store it."""
    values = {
        "venue_id": venue.id,
        "contact_id": None,
        "arrived_at": arrived_at,
        "departed_at": None,
        "help": ["seat"],
        "services": [],
        "age_band": "25_34",
        "gender": "woman",
        "company": "alone",
        "left_how": "taxi",
        "note": "",
    } | fields
    visit, created = havens.save_visit(str(uuid.uuid4()), values, by)
    assert created
    db.session.commit()
    return visit


def correct_visit(visit, by, **fields) -> None:
    values = havens.snapshot(visit) | fields
    values["arrived_at"], values["departed_at"] = visit.arrived_at, visit.departed_at
    assert havens.correct_visit(visit, values, by)
    db.session.commit()


def add_patrol(team: Team, pastors, started_at: datetime, ended_at=None, **fields) -> Patrol:
    """A patrol stored directly, as the start and end pages leave it."""
    patrol = Patrol(
        id=str(uuid.uuid4()),
        team_id=team.id,
        started_at=started_at,
        ended_at=ended_at,
        pastors=list(pastors),
        **fields,
    )
    db.session.add(patrol)
    db.session.commit()
    return patrol


def add_contact(patrol: Patrol, by, at: datetime, **fields) -> Contact:
    """A contact stored through the service."""
    values = {
        "at": at,
        "people": 1,
        "age_band": None,
        "gender": None,
        "seen": [],
        "given": ["water"],
        "services": [],
        "area_id": None,
        "street": "",
        "latitude": None,
        "longitude": None,
        "handover_venue_id": None,
        "note": "",
    } | fields
    contact, created = patrols.save_contact(str(uuid.uuid4()), patrol, values, by)
    assert created
    db.session.commit()
    return contact


def correct_contact(contact, by, **fields) -> None:
    values = patrols.snapshot(contact) | fields
    values["at"] = contact.at
    assert patrols.correct_contact(contact, values, by)
    db.session.commit()


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
