"""Record ids never reach across schemes, venues or teams (issue 14, H1).

Two towns, each with a venue and a team of its own people, and a venue and a team next
door whose records those people may not see. Every kind of record is sent under the id
of a record beyond the sender's sight, across a venue or team and across a scheme, from
each town: it is rejected in the very words an unusable id gets, kept as no conflict,
audited, and the other record is left alone. The pages that log records answer the same,
and a coordinator's conflict pages never show nor apply another scheme's record.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts import services as accounts
from accounts.models import Scheme, TeamMember
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db
from havens import services as havens
from havens.models import Venue, Visit
from patrols import services as patrols
from patrols.models import Contact, Patrol, Team
from sync.models import Receipt, SyncConflict
from tests.sync.outbox import KINDS, count, local, new_id

BAD_ID = {"id": ["This record has no valid id."]}


class Town:
    """A scheme with its own venue and team, and a venue and team next door."""

    def __init__(self, n: int, password: str):
        self.n = n
        self.password = password
        self.scheme = Scheme(name=f"Town {n}")
        db.session.add(self.scheme)
        db.session.flush()
        scheme_id = self.scheme.id
        self.venue = self.add(Venue(scheme_id=scheme_id, name=f"Lamp {n}", status="active"))
        self.next_door = self.add(Venue(scheme_id=scheme_id, name=f"Moon {n}", status="active"))
        self.team = self.add(Team(scheme_id=self.scheme.id, name=f"Friday {n}"))
        self.other_team = self.add(Team(scheme_id=self.scheme.id, name=f"Sunday {n}"))
        self.spare_team = self.add(Team(scheme_id=self.scheme.id, name=f"Saturday {n}"))
        self.staff = self.person("sam", {"venue_staff"}, venues=[self.venue])
        self.neighbour = self.person("nia", {"venue_staff"}, venues=[self.next_door])
        self.leader = self.person("lee", {"pastor"}, leads=[self.team, self.spare_team])
        self.other_leader = self.person("ula", {"pastor"}, leads=[self.other_team])
        self.coordinator = self.person("cora", {"coordinator"})
        self.visit = self.log_visit(self.venue, self.staff, f"own visit {n}")
        self.their_visit = self.log_visit(self.next_door, self.neighbour, f"their visit {n}")
        self.patrol, self.contact = self.patrol_with_contact(self.team, self.leader, n)
        self.their_patrol, self.their_contact = self.patrol_with_contact(
            self.other_team, self.other_leader, f"their {n}"
        )
        db.session.commit()

    def add(self, row):
        db.session.add(row)
        db.session.flush()
        return row

    def person(self, name: str, roles: set, **fields):
        username = f"{name}{self.n}"
        return accounts.create_person(
            self.scheme, username.title(), username, self.password, roles=roles, **fields
        )

    def log_visit(self, venue: Venue, by, note: str) -> Visit:
        values = {
            "venue_id": venue.id,
            "arrived_at": utcnow() - timedelta(minutes=30),
            "departed_at": None,
            "help": ["seat"],
            "services": [],
            "age_band": None,
            "gender": None,
            "company": None,
            "left_how": None,
            "note": note,
            "contact_id": None,
        }
        return havens.save_visit(new_id(), values, by)[0]

    def patrol_with_contact(self, team: Team, leader, street) -> tuple[Patrol, Contact]:
        patrol = Patrol(
            id=new_id(),
            team_id=team.id,
            started_at=utcnow() - timedelta(hours=2),
            pastors=[leader],
            route=f"Route {street}",
        )
        db.session.add(patrol)
        db.session.flush()
        values = {
            "at": utcnow() - timedelta(minutes=40),
            "people": 2,
            "age_band": None,
            "gender": None,
            "seen": [],
            "given": ["water"],
            "services": [],
            "area_id": None,
            "street": f"Street {street}",
            "latitude": None,
            "longitude": None,
            "handover_venue_id": None,
            "note": f"note {street}",
        }
        return patrol, patrols.save_contact(new_id(), patrol, values, leader)[0]

    def target(self, kind: str, across: str):
        """The record beyond sight that an entry of this kind reaches for: next door in
        this town (across a venue or team), for a sender of the other town."""
        if kind.startswith("visit"):
            return self.their_visit
        if kind.startswith("contact"):
            return self.their_contact
        return self.their_patrol


@pytest.fixture
def towns(app, password):
    return Town(1, password), Town(2, password)


class Device:
    """A person signed in on a device of their own, sending as the outbox does."""

    def __init__(self, app, auth, person):
        self.client = app.test_client()
        self.device = new_id()
        auth.login(person.username, client=self.client)
        self.session = self.client.get("/api/session", query_string={"device": self.device})
        assert self.session.status_code == 200
        self.session = self.session.get_json()

    def send(self, entry: dict) -> dict:
        body = {"device": self.device, "records": [entry]}
        headers = {"X-CSRFToken": self.session["csrf"]}
        answer = self.client.post("/api/sync", json=body, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        [result] = answer.get_json()["results"]
        return result

    def entry(self, kind: str, record_id: str, data: dict, **extra) -> dict:
        return {
            "op": new_id(),
            "kind": kind,
            "id": record_id,
            "seq": 1,
            "saved_at": "2026-11-23T22:14:05Z",
            "author": self.session["author"],
            "data": data,
        } | extra


def entry_for(town: Town, device: Device, kind: str, record_id: str) -> dict:
    """A valid entry of this kind from the town's own people, under the given id."""
    if kind in ("visit", "visit_correction"):
        data = {
            "id": record_id,
            "venue_id": str(town.venue.id),
            "arrived_at": local(-timedelta(minutes=20)),
            "help": ["seat"],
            "note": "mine",
        }
        extra = {"base_version": 1} if kind == "visit_correction" else {}
        return device.entry(kind, record_id, data, **extra)
    if kind in ("contact", "contact_correction"):
        data = {
            "id": record_id,
            "given": ["water"],
            "people": "3",
            "street": "My street",
            "at": local(-timedelta(minutes=10)),
        }
        extra = {"patrol": town.patrol.id}
        if kind == "contact_correction":
            extra["base_version"] = 1
        return device.entry(kind, record_id, data, **extra)
    if kind == "patrol_start":
        data = {
            "id": record_id,
            "team_id": str(town.spare_team.id),
            "pastors": [str(town.leader.id)],
            "started_at": local(-timedelta(hours=1)),
        }
        return device.entry(kind, record_id, data)
    data = {"ended_at": local(-timedelta(minutes=5)), "note": "Quiet", "tally_0": "1"}
    return device.entry(kind, record_id, data)


def sender_of(town: Town, kind: str):
    return town.staff if kind.startswith("visit") else town.leader


def state(record) -> dict:
    """Everything the other record holds that a crossing could have changed."""
    db.session.refresh(record)
    names = [c.key for c in record.__table__.columns]
    return {name: getattr(record, name) for name in names}


def refused_events(scheme_id: int) -> list[AuditEvent]:
    stmt = select(AuditEvent).filter_by(action="record_id_refused", scheme_id=scheme_id)
    return db.session.scalars(stmt).all()


def unusable_answer(town: Town, device: Device, kind: str) -> dict:
    """What an id the server cannot use gets: malformed for a new record, unknown for a
    change to one. An id taken beyond sight must get exactly this."""
    if kind in ("visit", "contact", "patrol_start"):
        sent = entry_for(town, device, kind, new_id())
        return device.send(sent | {"id": "not-an-id"})
    return device.send(entry_for(town, device, kind, new_id()))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("across", ["venue or team", "scheme"])
@pytest.mark.parametrize("direction", ["1 to 2", "2 to 1"])
def test_an_id_beyond_the_sender_s_sight_is_refused_in_neutral_words(
    app, auth, towns, kind, across, direction
):
    home, away = towns if direction == "1 to 2" else towns[::-1]
    other = home if across == "venue or team" else away
    target = other.target(kind, across)
    before = state(target)
    device = Device(app, auth, sender_of(home, kind))

    result = device.send(entry_for(home, device, kind, target.id))

    assert result["status"] == "rejected"
    assert result["errors"] == unusable_answer(home, device, kind)["errors"]
    assert "receipt" not in result
    assert state(target) == before
    assert count(SyncConflict) == 0
    assert count(Receipt) == 0
    [event] = refused_events(home.scheme.id)
    assert event.actor_id == sender_of(home, kind).id
    assert event.detail["record"] == target.id
    assert refused_events(away.scheme.id) == []  # the other scheme learns nothing either


@pytest.mark.parametrize("kind", ["visit", "contact", "patrol_start"])
def test_an_id_the_sender_may_see_is_still_a_conflict(app, auth, towns, kind):
    """The check takes nothing away: other content under one's own record's id is kept for
    one's own coordinator, as before."""
    home = towns[0]
    own = {"visit": home.visit, "contact": home.contact, "patrol_start": home.patrol}[kind]
    device = Device(app, auth, sender_of(home, kind))
    assert device.send(entry_for(home, device, kind, own.id))["status"] == "conflict"
    assert refused_events(home.scheme.id) == []


@pytest.mark.parametrize("across", ["venue", "scheme"])
def test_the_visit_page_refuses_another_visit_s_id_as_it_refuses_a_bad_one(
    app, auth, towns, across
):
    home, away = towns
    target = home.their_visit if across == "venue" else away.visit
    before = state(target)
    client = app.test_client()
    auth.login(home.staff.username, client=client)
    data = {
        "venue_id": str(home.venue.id),
        "arrived_at": local(-timedelta(minutes=20)),
        "help": "seat",
        "note": "mine",
    }
    answers = {}
    for name, record_id in (("taken", target.id), ("bad", "not-an-id")):
        form = {"csrf_token": auth.csrf("/visits/new", client=client)} | data | {"id": record_id}
        answers[name] = client.post("/visits/new", data=form)
    for answer in answers.values():
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400
        assert "This record has no valid id." in page and target.note not in page
    assert state(target) == before
    assert len(refused_events(home.scheme.id)) == 1


@pytest.mark.parametrize("across", ["team", "scheme"])
def test_the_contact_page_refuses_another_contact_s_id(app, auth, towns, across):
    home, away = towns
    target = home.their_contact if across == "team" else away.contact
    before = state(target)
    client = app.test_client()
    auth.login(home.leader.username, client=client)
    path = f"/patrols/{home.patrol.id}/contacts/new"
    form = {"csrf_token": auth.csrf(path, client=client)} | {
        "id": target.id,
        "given": "water",
        "people": "3",
        "street": "My street",
        "at": local(-timedelta(minutes=10)),
        "handover_venue_id": "0",
        "area_id": "0",
    }
    answer = client.post(path, data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "This record has no valid id." in page
    assert target.street not in page and "saved already" not in page
    assert state(target) == before
    assert len(refused_events(home.scheme.id)) == 1


@pytest.mark.parametrize("across", ["team", "scheme"])
def test_the_start_page_refuses_another_patrol_s_id(app, auth, towns, across):
    home, away = towns
    target = home.their_patrol if across == "team" else away.patrol
    before = state(target)
    client = app.test_client()
    auth.login(home.leader.username, client=client)
    form = {"csrf_token": auth.csrf("/patrols/start", client=client)} | {
        "id": target.id,
        "team_id": str(home.spare_team.id),
        "area_id": "0",
        "pastors": str(home.leader.id),
        "started_at": local(-timedelta(hours=1)),
    }
    answer = client.post("/patrols/start", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "This record has no valid id." in page and "saved already" not in page
    assert state(target) == before
    assert len(refused_events(home.scheme.id)) == 1


@pytest.mark.parametrize("kind", ["visit", "contact", "patrol_start"])
def test_a_conflict_kept_before_the_check_never_shows_nor_changes_another_scheme_s_record(
    app, auth, towns, kind
):
    """A conflict filed in town 1 against town 2's record, as the server did before ids
    were checked against the sender's scope."""
    home, away = towns
    target = {"visit": away.visit, "contact": away.contact, "patrol_start": away.patrol}[kind]
    secret = {"visit": "note", "contact": "street", "patrol_start": "route"}[kind]
    before = state(target)
    conflict = SyncConflict(
        scheme_id=home.scheme.id,
        kind=kind,
        record_id=target.id,
        payload={"data": {"note": "rewritten", "help": ["seat"]}},
        author_id=home.staff.id,
    )
    db.session.add(conflict)
    db.session.commit()
    client = app.test_client()
    auth.login(home.coordinator.username, client=client)

    page = client.get(f"/sync/conflicts/{conflict.id}").get_data(as_text=True)
    assert getattr(target, secret) not in page
    assert "Apply the incoming version" not in page
    token = client.get("/api/session").get_json()["csrf"]
    applied = client.post(
        f"/sync/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "action": "apply"}
    )
    assert applied.status_code == (400 if kind == "patrol_start" else 404)  # never applicable
    assert state(target) == before
    kept = client.post(
        f"/sync/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "action": "keep"}
    )
    assert kept.status_code == 302
    assert state(target) == before


def test_a_pastor_on_two_teams_still_sees_both(app, auth, towns):
    """Scope is what the person may see, not one team: a member of the other team too may
    file a conflict against its records as before."""
    home = towns[0]
    db.session.add(TeamMember(user_id=home.leader.id, team_id=home.other_team.id))
    db.session.commit()
    device = Device(app, auth, home.leader)
    sent = entry_for(home, device, "contact", home.their_contact.id)
    assert device.send(sent)["status"] == "conflict"
