"""Fixtures of the sync tests: people signed in on devices of their own, an open patrol,
and `scene`, which has what every kind of record needs.

Entries are built by tests/sync/outbox.py, as the browser's outbox builds them.
"""

from datetime import timedelta

import pytest

from accounts.models import TeamMember
from core.timeutil import utcnow
from extensions import db
from havens import services as havens
from havens.models import Visit
from patrols import services as patrols
from patrols.models import Contact, Patrol, Team
from tests.sync.outbox import (
    api_session,
    contact_data,
    contact_entry,
    count,
    entry,
    from_local,
    local,
    new_id,
    sync,
    visit_data,
    visit_entry,
)


@pytest.fixture
def open_app(auth):
    """Factory: sign in on a client, then read /api/session as the app does: it holds the
    author and CSRF tokens."""

    def open_(client, username: str) -> dict:
        auth.login(username, client=client)
        return api_session(client)

    return open_


# --- people, places and patrols --------------------------------------------------------------


@pytest.fixture
def colleague(make_person, venue):
    """Another member of staff at the same venue, sharing its tablet."""
    return make_person("kim", roles=["venue_staff"], venues=[venue])


@pytest.fixture
def patrol(make_patrol, team, leader) -> Patrol:
    """The team's open patrol, started two hours ago."""
    return make_patrol(team, [leader], utcnow() - timedelta(hours=2))


class Scene:
    """Sam (venue staff) and Lee (the team's leader), each signed in on a device of their
    own, with what every kind of record needs: a venue, an open patrol, a visit and a
    contact to correct, and a second team Lee leads with no patrol open."""

    def __init__(self, app, open_app, staff, leader, venue, team, patrol):
        self.staff, self.leader, self.venue, self.patrol = staff, leader, venue, patrol
        self.saturday = Team(scheme_id=team.scheme_id, name="Saturday team")
        db.session.add(self.saturday)
        db.session.flush()
        db.session.add(TeamMember(user_id=leader.id, team_id=self.saturday.id, is_leader=True))
        visit_id = new_id()
        self.visit, _ = havens.save_visit(visit_id, self.visit_values(), staff)
        self.contact, _ = patrols.save_contact(new_id(), patrol, self.contact_values(), leader)
        db.session.commit()
        self.devices = {}
        for person in (staff, leader):
            client = app.test_client()
            self.devices[person.id] = (client, open_app(client, person.username))

    def visit_values(self) -> dict:
        form_values = visit_data("", self.venue)
        return {
            "venue_id": self.venue.id,
            "arrived_at": from_local(form_values["arrived_at"]),
            "departed_at": None,
            "help": ["seat", "called_taxi"],
            "services": [],
            "age_band": "18_24",
            "gender": "not_said",
            "company": "alone",
            "left_how": "taxi",
            "note": "",
            "contact_id": None,
        }

    def contact_values(self) -> dict:
        return {
            "at": from_local(contact_data("")["at"]),
            "people": 2,
            "age_band": None,
            "gender": None,
            "seen": [],
            "given": ["water"],
            "services": [],
            "area_id": None,
            "street": "Mount Pleasant",
            "latitude": None,
            "longitude": None,
            "handover_venue_id": None,
            "note": "",
        }

    def author_of(self, kind: str):
        return self.staff if kind.startswith("visit") else self.leader

    def me(self, kind: str) -> dict:
        return self.devices[self.author_of(kind).id][1]

    def entry(self, kind: str, **changes) -> dict:
        """A valid entry of this kind; a new record, or a change to the scene's own."""
        me = self.me(kind)
        if kind == "visit":
            return visit_entry(me, self.venue, **changes)
        if kind == "visit_correction":
            visit = self.visit
            data = visit_data(visit.id, self.venue, left_how="friend_family") | changes
            return entry(me, kind, visit.id, data, base_version=visit.version)
        if kind == "contact":
            return contact_entry(me, self.patrol, **changes)
        if kind == "contact_correction":
            contact = self.contact
            data = contact_data(contact.id, at=local(-timedelta(minutes=10)), people="3")
            extra = {"patrol": self.patrol.id, "base_version": contact.version}
            return entry(me, kind, contact.id, data | changes, **extra)
        if kind == "patrol_start":
            record_id = new_id()
            data = {
                "id": record_id,
                "team_id": str(self.saturday.id),
                "area_id": "0",
                "route": "Calverley Road",
                "pastors": [str(self.leader.id)],
                "started_at": local(-timedelta(hours=1)),
            }
            return entry(me, kind, record_id, data | changes)
        if kind == "patrol_end":
            data = {"ended_at": local(-timedelta(minutes=5)), "note": "Quiet", "tally_0": "5"}
            return entry(me, kind, self.patrol.id, data | changes)
        raise AssertionError(kind)

    def other_content(self, kind: str) -> dict:
        """Answers that differ from entry(kind)'s, for the same record."""
        return {
            "visit": {"left_how": "walked_on"},
            "visit_correction": {"left_how": "police"},
            "contact": {"people": "4"},
            "contact_correction": {"people": "5"},
            "patrol_start": {"route": "The Pantiles"},
            "patrol_end": {"tally_0": "9"},
        }[kind]

    def send(self, *entries, headers=None) -> list[dict]:
        client, me = self.devices[self.author_of(entries[0]["kind"]).id]
        return sync(client, me, *entries, headers=headers)

    def stored(self, kind: str, record_id: str):
        model = {"visit": Visit, "contact": Contact, "patrol": Patrol}[kind.split("_")[0]]
        row = db.session.get(model, record_id)
        if row is not None:
            db.session.refresh(row)
        return row

    def rows(self, kind: str) -> int:
        return count({"visit": Visit, "contact": Contact, "patrol": Patrol}[kind.split("_")[0]])

    def state(self, kind: str, record_id: str) -> dict:
        """What a stored record holds, to show it was left alone."""
        row = self.stored(kind, record_id)
        if row is None:
            return {}
        fields = {
            "visit": ("version", "left_how", "note", "help"),
            "contact": ("version", "people", "given", "street"),
            "patrol": ("route", "started_at", "ended_at", "tallies", "note"),
        }[kind.split("_")[0]]
        return {name: getattr(row, name) for name in fields}


@pytest.fixture
def scene(app, open_app, staff, leader, venue, team, patrol) -> Scene:
    return Scene(app, open_app, staff, leader, venue, team, patrol)
