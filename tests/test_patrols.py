"""Street Pastors: hours on duty, one open patrol per team, validation, scoping, the
hand-over from a contact to a Safe Haven visit, corrections and their history.

Forms are posted as a browser would post them: the page is read first, and its form is
sent back with only the answers a person would change.
"""

import re
import uuid
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts import services as accounts
from accounts.models import Scheme
from core.timeutil import to_london, to_utc, utcnow
from extensions import db
from havens.access import directory_for
from havens.handovers import handovers_for
from havens.models import Venue, Visit
from havens.seed import seed_directory
from patrols import services
from patrols.access import patrols_for, teams_for
from patrols.models import Contact, Patrol, PatrolArea, Team
from tests.conftest import PASSWORD, csrf_token, sample_url, sign_in

LOCAL = "%Y-%m-%dT%H:%M"


# --- reading forms as a browser does -----------------------------------------------------


class FormReader(HTMLParser):
    """Collects what each form on a page would submit: checked boxes, chosen options, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list[tuple[str, str]]]] = []
        self.form: list | None = None
        self.select: tuple[str, list] | None = None
        self.textarea: tuple[str, list] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = []
            self.forms.append((a, self.form))
        elif self.form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self.select = (a["name"], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self.textarea = (a["name"], [])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            name, choices = self.select
            chosen = [value for value, selected in choices if selected] or [
                value for value, _selected in choices[:1]
            ]
            self.form.extend((name, value) for value in chosen[:1])
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            text = "".join(parts)
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.form.append((name, text))
            self.textarea = None


def read_form(html: str, action: str | None = None) -> dict[str, list[str]]:
    """What the page's form posting to `action` (None: to the page itself) would send."""
    reader = FormReader()
    reader.feed(html)
    for attrs, fields in reader.forms:
        if attrs.get("method", "").lower() == "post" and attrs.get("action") == action:
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form posting to {action!r} on the page")


def form_of(client, path: str) -> dict[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return read_form(response.get_data(as_text=True))


def as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def assert_kept(page: str, posted: dict, changed) -> None:
    """Every answer that was valid comes back as it was sent."""
    shown = read_form(page)
    for name, value in posted.items():
        if name in changed or name == "csrf_token":
            continue
        want = [v for v in as_list(value) if v != ""]
        assert [v for v in shown.get(name, []) if v != ""] == want, name


def error_for(page: str, field: str) -> str:
    """The error shown for one field: beside it, or at the top for the hidden record id."""
    where = 'role="alert"' if field == "id" else f'id="{field}-error"'
    found = re.findall(rf'<p class="error" {where}>([^<]*)</p>', page)
    assert len(found) == 1, (field, found)
    return found[0]


def local(utc: datetime) -> str:
    """A UTC time as the London wall-clock value a datetime-local field holds."""
    return to_london(utc).strftime(LOCAL)


def ago(**delta) -> str:
    return local(utcnow() - timedelta(**delta))


def future() -> str:
    return local(utcnow() + timedelta(hours=2))


# --- people, patrols and contacts ----------------------------------------------------------


@pytest.fixture
def coordinator(make_person):
    return make_person("cora", roles=["coordinator"])


@pytest.fixture
def leader(make_person, team):
    return make_person("lee", roles=["pastor"], leads=[team])


@pytest.fixture
def pastors(make_person, team):
    """Two pastors of the team who do not lead it."""
    return [make_person(name, roles=["pastor"], teams=[team]) for name in ("pat", "pip")]


@pytest.fixture
def other_team(scheme) -> Team:
    team = Team(scheme_id=scheme.id, name="Saturday team")
    db.session.add(team)
    db.session.commit()
    return team


@pytest.fixture
def elsewhere(app) -> Scheme:
    """Another scheme, whose coordinators see nothing of the test scheme."""
    scheme = Scheme(name="Elsewhere")
    db.session.add(scheme)
    db.session.commit()
    return scheme


@pytest.fixture
def other_venue(scheme) -> Venue:
    venue = Venue(scheme_id=scheme.id, name="The Beacon", status="active")
    db.session.add(venue)
    db.session.commit()
    return venue


def make_patrol(team, pastors, started_at, ended_at=None, **fields) -> Patrol:
    """A patrol stored directly, without the pages."""
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


def make_contact(patrol, by, **fields) -> Contact:
    """A contact stored through the service, without the pages."""
    values = {
        "at": utcnow() - timedelta(minutes=10),
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
    contact, created = services.save_contact(str(uuid.uuid4()), patrol, values, by)
    assert created
    db.session.commit()
    return contact


def start(client, team, people, **changes):
    """Start a patrol through the page. Returns (response, the data posted)."""
    data = form_of(client, "/patrols/start") | {
        "team_id": str(team.id),
        "pastors": [str(p.id) for p in people],
        "started_at": ago(hours=1),
    }
    data |= changes
    return client.post("/patrols/start", data=data), data


def started(client, team, people, **changes) -> Patrol:
    response, data = start(client, team, people, **changes)
    assert response.status_code == 302, response.get_data(as_text=True)
    patrol = db.session.get(Patrol, data["id"][0])
    assert response.headers["Location"] == f"/patrols/{patrol.id}"
    return patrol


def end(client, patrol_id, **changes):
    """End a patrol through the page. Returns (response, the data posted)."""
    data = form_of(client, f"/patrols/{patrol_id}/end") | {"ended_at": ago(minutes=5)}
    data |= changes
    return client.post(f"/patrols/{patrol_id}/end", data=data), data


def contact_data(client, patrol_id, **changes) -> dict:
    """The contact form as the page offers it, with "water" chosen and some answers changed."""
    path = f"/patrols/{patrol_id}/contacts/new"
    return form_of(client, path) | {"given": ["water"]} | changes


def log(client, patrol_id, **changes) -> Contact:
    data = contact_data(client, patrol_id, **changes)
    response = client.post(f"/patrols/{patrol_id}/contacts/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.get(Contact, data["id"][0])


def shown(page: str, term: str) -> str:
    """The value a summary page shows for one of its terms."""
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>([^<]*)</dd>", page)
    assert match, term
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- 1. hours on duty ------------------------------------------------------------------


@pytest.mark.parametrize(
    "started_at, ended_at, pastors, hours",
    [
        # A simple evening.
        (datetime(2026, 11, 20, 19, 0), datetime(2026, 11, 20, 22, 0), 2, 6.0),
        # Across midnight: 22:00 to 03:30 is 5.5 hours.
        (datetime(2026, 11, 20, 22, 0), datetime(2026, 11, 21, 3, 30), 3, 16.5),
        # Across the October change: 22:00 BST is 21:00 UTC, 04:00 GMT is 04:00 UTC.
        (datetime(2026, 10, 24, 21, 0), datetime(2026, 10, 25, 4, 0), 3, 21.0),
        # Across the March change: 22:00 GMT is 22:00 UTC, 04:00 BST is 03:00 UTC.
        (datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 3, 0), 4, 20.0),
    ],
)
def test_hours_on_duty_from_utc_times(app, team, make_person, started_at, ended_at, pastors, hours):
    people = [make_person(f"p{i}", roles=["pastor"], teams=[team]) for i in range(pastors)]
    patrol = make_patrol(team, people, started_at, ended_at)
    assert services.hours_on_duty(patrol) == hours
    assert services.summary(patrol)["hours_on_duty"] == hours
    assert services.summary(patrol)["pastors"] == pastors


def test_an_open_patrol_has_no_hours_yet(app, team, leader):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=2))
    assert services.hours_on_duty(patrol) == 0.0


def test_london_wall_clock_times_become_utc_across_the_changes():
    assert to_utc(datetime(2026, 10, 24, 22, 0)) == datetime(2026, 10, 24, 21, 0)
    assert to_utc(datetime(2026, 10, 25, 4, 0)) == datetime(2026, 10, 25, 4, 0)
    assert to_utc(datetime(2026, 3, 28, 22, 0)) == datetime(2026, 3, 28, 22, 0)
    assert to_utc(datetime(2026, 3, 29, 4, 0)) == datetime(2026, 3, 29, 3, 0)


@pytest.mark.parametrize(
    "started_at, ended_at, length",
    [
        ("2026-10-24T22:00", "2026-10-25T04:00", 7),  # the clocks go back: 7 real hours
        ("2026-03-28T22:00", "2026-03-29T04:00", 5),  # the clocks go forward: 5 real hours
        ("2026-11-20T22:00", "2026-11-21T03:30", 5.5),  # across midnight
    ],
)
def test_hours_on_duty_through_the_pages(
    client, scheme, team, leader, pastors, started_at, ended_at, length
):
    scheme.created_at = datetime(2026, 1, 1)  # records are dated from the scheme's start on
    db.session.commit()
    sign_in(client, "lee")
    patrol = started(client, team, [leader, *pastors], started_at=started_at)
    response, _data = end(client, patrol.id, ended_at=ended_at)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/patrols/{patrol.id}/summary"
    db.session.refresh(patrol)
    assert patrol.ended_at - patrol.started_at == timedelta(hours=length)
    page = client.get(f"/patrols/{patrol.id}/summary").get_data(as_text=True)
    assert shown(page, "Pastors on duty") == "3"
    assert float(shown(page, "Hours on duty")) == length * 3
    listing = client.get("/patrols").get_data(as_text=True)
    listed = re.search(r"Ended · Hours on duty: ([\d.]+)", listing)
    assert listed and float(listed.group(1)) == length * 3


def test_the_summary_counts_people_actions_and_handovers(client, team, leader, pastors, venue):
    sign_in(client, "lee")
    now = utcnow().replace(second=0, microsecond=0)
    patrol = started(client, team, [leader, pastors[0]], started_at=local(now - timedelta(hours=3)))
    during = local(now - timedelta(hours=2))
    log(client, patrol.id, at=during, people="2")
    log(client, patrol.id, at=during, given=["first_aid", "stayed", "water"], people_more="9")
    log(client, patrol.id, at=during, given=["handover"], handover_venue_id=str(venue.id))
    log(client, patrol.id, at=during, given=[], seen=["rough_sleeping"])
    response, _data = end(client, patrol.id, ended_at=local(now - timedelta(hours=1)))
    assert response.status_code == 302
    db.session.refresh(patrol)
    summary = services.summary(patrol)
    assert summary["people"] == 2 + 9 + 1 + 1
    assert summary["contacts"] == 4
    assert dict(summary["given"]) == {"water": 2, "first_aid": 1, "stayed": 1, "handover": 1}
    assert summary["risk_reducing_total"] == 3 and summary["handovers"] == 1
    assert summary["hours_on_duty"] == 4.0
    page = client.get(f"/patrols/{patrol.id}/summary").get_data(as_text=True)
    assert shown(page, "People engaged") == "13"
    assert shown(page, "Contacts") == "4"
    assert shown(page, "Hand-overs to Safe Havens") == "1"
    assert shown(page, "Actions to reduce risk") == "3"
    assert re.search(r"<td>Water</td><td>2</td>", page)


# --- 2. one open patrol per team ---------------------------------------------------------


def test_a_second_open_patrol_for_a_team_is_refused_on_the_page(client, team, leader, pastors):
    sign_in(client, "lee")
    first = started(client, team, [leader])
    response, data = start(client, team, pastors)
    assert response.status_code == 400
    assert "This team has a patrol open already. End it first." in response.get_data(as_text=True)
    assert count(Patrol) == 1 and db.session.get(Patrol, data["id"][0]) is None
    # Once the first has ended, the team may go out again.
    assert end(client, first.id)[0].status_code == 302
    second = started(client, team, pastors, started_at=ago(minutes=2))
    assert count(Patrol) == 2 and second.ended_at is None


def test_the_database_refuses_a_second_open_patrol_for_a_team(app, team, other_team, leader):
    make_patrol(team, [leader], utcnow() - timedelta(hours=2))
    db.session.add(Patrol(id=str(uuid.uuid4()), team_id=team.id, started_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Ended patrols, and another team's open one, are no conflict.
    make_patrol(team, [leader], utcnow() - timedelta(days=8), utcnow() - timedelta(days=7))
    make_patrol(team, [leader], utcnow() - timedelta(days=2), utcnow() - timedelta(days=1))
    make_patrol(other_team, [], utcnow() - timedelta(hours=1))
    assert count(Patrol) == 4


def test_the_same_start_form_sent_twice_starts_one_patrol(client, team, leader):
    sign_in(client, "lee")
    response, data = start(client, team, [leader])
    assert response.status_code == 302
    again = client.post("/patrols/start", data=data)
    assert again.status_code == 302 and again.headers["Location"] == f"/patrols/{data['id'][0]}"
    assert count(Patrol) == 1
    # The same id with other details is refused, not taken for the first.
    data |= {"started_at": ago(hours=3), "csrf_token": csrf_token(client, "/patrols/start")}
    other = client.post("/patrols/start", data=data)
    assert other.status_code == 400
    assert "This patrol was saved already with other details." in other.get_data(as_text=True)
    db.session.expire_all()
    assert count(Patrol) == 1
    assert local(db.session.get(Patrol, data["id"][0]).started_at) != data["started_at"]


# --- 3. validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"pastors": []}, "pastors", "Choose the pastors on duty."),
        ({"pastors": "OUTSIDER"}, "pastors", "Choose only pastors from this team."),
        ({"pastors": "999"}, "pastors", "is not a valid choice"),
        ({"started_at": "FUTURE"}, "started_at", "That time is in the future."),
        ({"started_at": ""}, "started_at", "This field is required."),
        ({"started_at": "tonight"}, "started_at", "This field is required."),
        ({"id": "not-a-uuid"}, "id", "This record has no valid id."),
        ({"route": "x" * 201}, "route", "Field cannot be longer than 200 characters."),
        ({"team_id": "UNLED"}, "team_id", "Not a valid choice."),
        ({"area_id": "999"}, "area_id", "Not a valid choice."),
    ],
)
def test_each_bad_start_answer_gets_a_clear_error_and_keeps_the_rest(
    client, make_person, scheme, team, other_team, leader, pastors, changes, field, message
):
    # Lea leads both teams; Olly is only on the other one; nobody leads the third.
    leader_of_both = make_person("lea", roles=["pastor"], leads=[team, other_team])
    outsider = make_person("olly", roles=["pastor"], teams=[other_team])
    unled = Team(scheme_id=scheme.id, name="Sunday team")
    db.session.add(unled)
    db.session.commit()
    substitutes = {
        "OUTSIDER": str(outsider.id),
        "UNLED": str(unled.id),
        "FUTURE": future(),
    }
    changes = {
        name: substitutes.get(value, value) if isinstance(value, str) else value
        for name, value in changes.items()
    }
    sign_in(client, "lea")
    people = [leader_of_both, *pastors]
    response, data = start(client, team, people, **({"route": "Calverley Road"} | changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_for(page, field)
    assert count(Patrol) == 0
    assert_kept(page, data, changes)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"given": [], "seen": []}, "given", "Choose what was given or done, or what was seen."),
        ({"given": ["juggling"]}, "given", "is not a valid choice"),
        ({"people": "7"}, "people", "Not a valid choice."),
        ({"people_more": "3"}, "people_more", "Number must be between 7 and 200."),
        ({"people_more": "201"}, "people_more", "Number must be between 7 and 200."),
        ({"people_more": "lots"}, "people_more", "Not a valid integer value."),
        (
            {"given": ["handover"], "handover_venue_id": "0"},
            "handover_venue_id",
            "Choose the Safe Haven they were handed over to.",
        ),
        ({"handover_venue_id": "999"}, "handover_venue_id", "Not a valid choice."),
        ({"age_band": "ancient"}, "age_band", "Not a valid choice."),
        ({"gender": "x"}, "gender", "Not a valid choice."),
        ({"services": ["999"]}, "services", "is not a valid choice"),
        ({"note": "x" * 501}, "note", "Keep the note to 500 characters or fewer."),
        ({"street": "x" * 121}, "street", "Field cannot be longer than 120 characters."),
        ({"at": "FUTURE"}, "at", "That time is in the future."),
        ({"at": ""}, "at", "This field is required."),
        ({"id": "not-a-uuid"}, "id", "This record has no valid id."),
        ({"id": ""}, "id", "This field is required."),
    ],
)
def test_each_bad_contact_answer_gets_a_clear_error_and_keeps_the_rest(
    client, team, leader, venue, changes, field, message
):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    if changes.get("at") == "FUTURE":
        changes = changes | {"at": future()}
    data = contact_data(
        client, patrol.id, people="2", seen=["intoxicated"], street="Mount Pleasant"
    )
    data |= changes
    response = client.post(f"/patrols/{patrol.id}/contacts/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_for(page, field)
    assert count(Contact) == 0
    assert_kept(page, data, changes)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"ended_at": "BEFORE_START"}, "ended_at", "The end time must be after the start time."),
        ({"ended_at": "AT_START"}, "ended_at", "The end time must be after the start time."),
        ({"ended_at": "FUTURE"}, "ended_at", "That time is in the future."),
        ({"ended_at": ""}, "ended_at", "This field is required."),
        ({"tally_0": "-1"}, "tally_0", "Number must be between 0 and 10000."),
        ({"tally_0": "many"}, "tally_0", "Not a valid integer value."),
        ({"note": "x" * 501}, "note", "Keep the note to 500 characters or fewer."),
    ],
)
def test_each_bad_end_answer_gets_a_clear_error_and_keeps_the_rest(
    client, team, leader, changes, field, message
):
    sign_in(client, "lee")
    start_time = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
    patrol = started(client, team, [leader], started_at=local(start_time))
    substitutes = {
        "BEFORE_START": local(start_time - timedelta(minutes=30)),
        "AT_START": local(start_time),
        "FUTURE": future(),
    }
    changes = {name: substitutes.get(value, value) for name, value in changes.items()}
    response, data = end(client, patrol.id, **({"note": "Quiet night", "tally_0": "12"} | changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_for(page, field)
    db.session.refresh(patrol)
    assert patrol.ended_at is None and patrol.tallies == {}
    assert_kept(page, data, changes)


def test_a_location_is_stored_rounded_to_about_100_metres(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    contact = log(client, patrol.id, latitude="51.132456", longitude="0.263789")
    assert contact.latitude == pytest.approx(51.132, abs=1e-9)
    assert contact.longitude == pytest.approx(0.264, abs=1e-9)
    assert contact.revisions[0].data["latitude"] == pytest.approx(51.132, abs=1e-9)
    without = log(client, patrol.id)
    assert without.latitude is None and without.longitude is None


@pytest.mark.parametrize("name, value", [("latitude", "91"), ("longitude", "-181")])
def test_a_position_off_the_globe_is_refused(client, team, leader, name, value):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id, **{name: value})
    response = client.post(f"/patrols/{patrol.id}/contacts/new", data=data)
    assert response.status_code == 400
    assert count(Contact) == 0


# --- 4. three taps -----------------------------------------------------------------------


def test_water_for_two_people_is_three_taps(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    path = f"/patrols/{patrol.id}/contacts/new"
    page = client.get(path).get_data(as_text=True)
    defaults = read_form(page)
    # Nothing is chosen for the pastor; one person is, and the time is now.
    assert "given" not in defaults and "seen" not in defaults
    assert defaults["people"] == ["1"]
    assert abs(to_utc(datetime.strptime(defaults["at"][0], LOCAL)) - utcnow()) < timedelta(
        minutes=2
    )
    # "Water" and "2" are on the screen, not folded away in a "More" section.
    first_fold = page.index("<details")
    assert page.index('value="water"') < first_fold
    assert re.search(r'name="people" type="radio" value="2"', page[:first_fold])
    # Tap "Water", tap "2", tap "Save contact".
    response = client.post(path, data=defaults | {"given": "water", "people": "2"})
    assert response.status_code == 302 and response.headers["Location"] == f"/patrols/{patrol.id}"
    contact = db.session.get(Contact, defaults["id"][0])
    assert (contact.people, contact.given, contact.seen) == (2, ["water"], [])
    assert contact.handover_venue_id is None and contact.patrol_id == patrol.id
    assert contact.created_by_id == leader.id and contact.version == 1


def test_water_for_two_people_needs_nothing_but_the_taps_and_the_form_s_own_fields(
    client, team, leader
):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    path = f"/patrols/{patrol.id}/contacts/new"
    defaults = form_of(client, path)
    minimal = {name: defaults[name] for name in ("csrf_token", "id", "at")}
    response = client.post(path, data=minimal | {"given": "water", "people": "2"})
    assert response.status_code == 302
    contact = db.session.get(Contact, defaults["id"][0])
    assert (contact.people, contact.given) == (2, ["water"])
    # And without even the "2": one person.
    defaults = form_of(client, path)
    minimal = {name: defaults[name] for name in ("csrf_token", "id", "at")}
    assert client.post(path, data=minimal | {"given": "water"}).status_code == 302
    assert db.session.get(Contact, defaults["id"][0]).people == 1


def test_signposting_to_a_service_counts_as_signposted(client, scheme, team, leader):
    seed_directory(scheme.id)
    db.session.commit()
    refuge = next(s for s in directory_for(scheme.id) if s.name.startswith("Refuge"))
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    contact = log(client, patrol.id, given=["conversation"], services=[str(refuge.id)])
    assert contact.services == [refuge.id]
    assert contact.given == ["conversation", "signposted"]


# --- 5. scoping --------------------------------------------------------------------------


def test_a_pastor_sees_only_their_own_team_s_patrols(
    app, client, make_person, team, other_team, leader
):
    bea = make_person("bea", roles=["pastor"], leads=[other_team])
    sign_in(client, "lee")
    mine = started(client, team, [leader])
    my_contact = log(client, mine.id)
    theirs_client = app.test_client()
    sign_in(theirs_client, "bea")
    theirs = started(theirs_client, other_team, [bea])
    their_contact = log(theirs_client, theirs.id, note="Outside the station")
    for path in (
        f"/patrols/{theirs.id}",
        f"/patrols/{theirs.id}/summary",
        f"/patrols/{theirs.id}/contacts/new",
        f"/patrols/{theirs.id}/contacts/{their_contact.id}",
        f"/patrols/{theirs.id}/end",
        f"/patrols/{mine.id}/contacts/{their_contact.id}",  # their contact under my patrol
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, f"/patrols/{mine.id}/contacts/new")
    data = contact_data(client, mine.id)
    assert client.post(f"/patrols/{theirs.id}/contacts/new", data=data).status_code == 404
    assert (
        client.post(
            f"/patrols/{theirs.id}/end", data={"csrf_token": token, "ended_at": ago(minutes=1)}
        ).status_code
        == 404
    )
    db.session.refresh(theirs)
    assert theirs.ended_at is None and len(theirs.contacts) == 1
    listing = client.get("/patrols").get_data(as_text=True)
    assert mine.id in listing and theirs.id not in listing and "Saturday team" not in listing
    assert client.get(f"/patrols/{mine.id}/contacts/{my_contact.id}").status_code == 200


def test_a_pastor_who_does_not_lead_cannot_start_or_end_a_patrol(
    app, client, team, leader, pastors
):
    boss = app.test_client()
    sign_in(boss, "lee")
    patrol = started(boss, team, [leader, *pastors])
    sign_in(client, "pat")
    page = client.get("/patrols/start").get_data(as_text=True)
    assert "leader starts its patrols." in page
    assert "Start a patrol" not in client.get("/patrols").get_data(as_text=True)
    # They may log contacts on their team's patrol ...
    assert log(client, patrol.id).created_by_id == pastors[0].id
    # ... but neither end it nor start another.
    assert "End the patrol" not in client.get(f"/patrols/{patrol.id}").get_data(as_text=True)
    token = csrf_token(client, f"/patrols/{patrol.id}/contacts/new")
    assert client.get(f"/patrols/{patrol.id}/end").status_code == 403
    ended = client.post(
        f"/patrols/{patrol.id}/end", data={"csrf_token": token, "ended_at": ago(minutes=1)}
    )
    assert ended.status_code == 403
    db.session.refresh(patrol)
    assert patrol.ended_at is None
    assert end(boss, patrol.id)[0].status_code == 302  # the leader frees the team
    response = client.post(
        "/patrols/start",
        data={
            "csrf_token": token,
            "id": str(uuid.uuid4()),
            "team_id": str(team.id),
            "pastors": [str(pastors[0].id)],
            "started_at": ago(minutes=1),
        },
    )
    assert response.status_code == 400
    assert "leader starts its patrols." in response.get_data(as_text=True)
    assert count(Patrol) == 1


def test_another_scheme_s_coordinator_sees_nothing_of_this_one(
    client, elsewhere, team, leader, venue
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1))
    contact = make_contact(patrol, leader, given=["handover"], handover_venue_id=venue.id)
    accounts.create_person(elsewhere, "Eve", "eve", PASSWORD, roles={"coordinator"})
    db.session.commit()
    sign_in(client, "eve")
    for path in (
        f"/patrols/{patrol.id}",
        f"/patrols/{patrol.id}/summary",
        f"/patrols/{patrol.id}/contacts/{contact.id}",
        f"/patrols/{patrol.id}/end",
    ):
        assert client.get(path).status_code == 404, path
    assert patrol.id not in client.get("/patrols").get_data(as_text=True)
    assert "Friday team" not in client.get("/teams").get_data(as_text=True)
    visits = client.get("/visits").get_data(as_text=True)
    assert contact.id not in visits and "Street Pastors are bringing someone" not in visits


def test_a_leader_of_one_team_cannot_end_another_team_s_patrol_they_are_on(
    app, client, make_person, team, other_team, leader
):
    bea = make_person("bea", roles=["pastor"], leads=[other_team])
    both = make_person("max", roles=["pastor"], leads=[team], teams=[other_team])
    bea_client = app.test_client()
    sign_in(bea_client, "bea")
    theirs = started(bea_client, other_team, [bea, both])
    sign_in(client, "max")
    assert client.get(f"/patrols/{theirs.id}").status_code == 200
    assert client.get(f"/patrols/{theirs.id}/end").status_code == 403


@pytest.mark.parametrize("role", ["venue_staff", "partner"])
def test_venue_staff_and_partners_may_not_open_patrols(
    app, client, make_person, team, leader, venue, role
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1))
    contact = make_contact(patrol, leader)
    make_person("vic", roles=[role], venues=[venue] if role == "venue_staff" else [])
    sign_in(client, "vic")
    for path in (
        "/patrols",
        "/patrols/start",
        f"/patrols/{patrol.id}",
        f"/patrols/{patrol.id}/summary",
        f"/patrols/{patrol.id}/contacts/new",
        f"/patrols/{patrol.id}/contacts/{contact.id}",
        f"/patrols/{patrol.id}/end",
        "/teams",
    ):
        assert client.get(path).status_code == 403, path


def test_venue_staff_see_only_hand_overs_to_their_own_venue(
    app, client, make_person, team, leader, venue, other_venue
):
    make_person("sam", roles=["venue_staff"], venues=[venue])
    make_person("yan", roles=["venue_staff"], venues=[other_venue])
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1))
    to_mine = make_contact(patrol, leader, given=["handover"], handover_venue_id=venue.id)
    to_theirs = make_contact(
        patrol, leader, given=["handover"], handover_venue_id=other_venue.id, people=3
    )
    sign_in(client, "sam")
    page = client.get("/visits").get_data(as_text=True)
    assert "Street Pastors are bringing someone" in page
    assert f"/visits/new?contact={to_mine.id}" in page
    assert to_theirs.id not in page and "The Beacon" not in page
    form_page = client.get("/visits/new").get_data(as_text=True)
    assert to_mine.id in form_page and to_theirs.id not in form_page
    # Neither hand-over waits at a venue with none: the banner is not shown at all.
    other = app.test_client()
    make_person("zoe", roles=["venue_staff"], venues=[])
    sign_in(other, "zoe")
    assert "Street Pastors are bringing someone" not in other.get("/visits").get_data(as_text=True)


def test_a_hand_over_older_than_12_hours_no_longer_waits(client, make_person, team, leader, venue):
    make_person("sam", roles=["venue_staff"], venues=[venue])
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=14))
    make_contact(
        patrol,
        leader,
        at=utcnow() - timedelta(hours=13),
        given=["handover"],
        handover_venue_id=venue.id,
    )
    sign_in(client, "sam")
    assert "Street Pastors are bringing someone" not in client.get("/visits").get_data(as_text=True)


def test_a_partner_sees_no_patrol_or_contact_rows_anywhere(
    app, client, make_person, team, leader, venue
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=1), route="Grosvenor Bridge")
    contact = make_contact(
        patrol, leader, note="Lost her friends", given=["handover"], handover_venue_id=venue.id
    )
    partner = make_person("priya", roles=["partner"])
    assert db.session.scalars(patrols_for(partner)).all() == []
    assert db.session.scalars(teams_for(partner)).all() == []
    assert db.session.scalars(handovers_for(partner)).all() == []
    sign_in(client, "priya")
    secrets = (patrol.id, contact.id, "Lost her friends", "Grosvenor Bridge", "Friday team")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = sample_url(app, rule, patrol_id=patrol.id, contact_id=contact.id, venue_id=venue.id)
        response = client.get(url)
        # (the quarterly report's PDF is binary; its text is checked in test_reports.py)
        body = response.get_data().decode("utf-8", "replace").replace(url, "")
        for secret in secrets:
            assert secret not in body, (url, secret)
        if rule.endpoint.startswith("patrols."):
            assert response.status_code == 403, url


# --- 6. the hand-over link ---------------------------------------------------------------


@pytest.fixture
def handover(client, app, make_person, team, leader, venue, other_venue) -> Contact:
    """A contact the Friday team handed over to The Lamp, logged through the page."""
    make_person("sam", roles=["venue_staff"], venues=[venue])
    make_person("yan", roles=["venue_staff"], venues=[other_venue])
    pastor_client = app.test_client()
    sign_in(pastor_client, "lee")
    patrol = started(pastor_client, team, [leader])
    contact = log(
        pastor_client,
        patrol.id,
        given=["stayed"],
        handover_venue_id=str(venue.id),
        people="1",
    )
    assert contact.handover_venue_id == venue.id
    assert contact.given == ["stayed", "handover"]
    return contact


def visit_from(client, path: str, **changes) -> tuple[dict, object]:
    """Fill in the visit form found at `path` and post it there."""
    data = form_of(client, path) | {"help": ["seat"]} | changes
    return data, client.post(path, data=data)


def test_a_hand_over_is_linked_to_the_venue_s_visit(client, handover):
    sign_in(client, "sam")
    visits = client.get("/visits").get_data(as_text=True)
    assert "Street Pastors are bringing someone" in visits
    path = f"/visits/new?contact={handover.id}"
    page = client.get(path).get_data(as_text=True)
    assert "This visit continues a Street Pastors" in page
    data, response = visit_from(client, path)
    assert data["contact_id"] == [handover.id]
    assert response.status_code == 302
    visit = db.session.get(Visit, data["id"][0])
    assert visit.contact_id == handover.id and visit.venue_id == handover.handover_venue_id
    assert "Street Pastors are bringing someone" not in client.get("/visits").get_data(as_text=True)
    # The same form sent again is the same visit, not a refused hand-over.
    again = client.post(path, data=data, follow_redirects=True)
    assert "This visit was saved already." in again.get_data(as_text=True)
    # A second, different visit cannot take up the same hand-over.
    data, response = visit_from(client, "/visits/new", contact_id=handover.id)
    assert response.status_code == 400
    assert "This hand-over is not waiting at this venue." in response.get_data(as_text=True)
    assert count(Visit) == 1


def test_another_venue_cannot_take_up_a_hand_over(app, client, make_person, handover, other_venue):
    sign_in(client, "yan")
    assert "Street Pastors are bringing someone" not in client.get("/visits").get_data(as_text=True)
    path = f"/visits/new?contact={handover.id}"
    page = client.get(path).get_data(as_text=True)
    assert "continues a Street Pastors" not in page
    assert read_form(page)["contact_id"] == [""]
    data, response = visit_from(client, path, contact_id=handover.id)
    assert data["venue_id"] == [str(other_venue.id)]
    assert response.status_code == 400
    assert "This hand-over is not waiting at this venue." in response.get_data(as_text=True)
    assert count(Visit) == 0
    # Nor may a coordinator log it for a venue it was not handed over to.
    make_person("cora", roles=["coordinator"])
    boss = app.test_client()
    sign_in(boss, "cora")
    data, response = visit_from(boss, path, venue_id=str(other_venue.id), contact_id=handover.id)
    assert response.status_code == 400
    assert "This hand-over is not waiting at this venue." in response.get_data(as_text=True)
    assert count(Visit) == 0
    # The venue it was handed over to still sees it waiting.
    sam = app.test_client()
    sign_in(sam, "sam")
    assert f"/visits/new?contact={handover.id}" in sam.get("/visits").get_data(as_text=True)


def test_correcting_a_linked_visit_keeps_the_link(client, handover):
    sign_in(client, "sam")
    data, response = visit_from(client, f"/visits/new?contact={handover.id}")
    assert response.status_code == 302
    visit = db.session.get(Visit, data["id"][0])
    path = f"/visits/{visit.id}"
    correction = form_of(client, path) | {"note": "Her friend came"}
    assert client.post(path, data=correction).status_code == 302
    # Even a correction sent without the link, or with another one, keeps it.
    correction = form_of(client, path) | {"note": "Her friend came at 1", "contact_id": ""}
    assert client.post(path, data=correction).status_code == 302
    correction = form_of(client, path) | {"note": "Her friend came at 2"}
    correction["contact_id"] = str(uuid.uuid4())
    client.post(path, data=correction)
    db.session.refresh(visit)
    assert visit.contact_id == handover.id
    assert visit.version >= 3 and visit.note.startswith("Her friend came at")
    assert all(r.data["contact_id"] == handover.id for r in visit.revisions)


# --- 7. corrections and their history ------------------------------------------------------


def test_the_leader_corrects_a_contact_and_every_version_is_kept(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    contact = log(client, patrol.id, people="2")
    path = f"/patrols/{patrol.id}/contacts/{contact.id}"
    correction = form_of(client, path)
    assert correction["id"] == [contact.id] and correction["people"] == ["2"]
    assert correction["given"] == ["water"]
    correction |= {"people": "3", "given": ["water", "foil_blanket"], "note": "Cold night"}
    response = client.post(path, data=correction)
    assert response.status_code == 302
    db.session.refresh(contact)
    assert contact.version == 2 and contact.people == 3
    assert contact.given == ["water", "foil_blanket"]
    versions = [
        (r.version, r.data["people"], r.data["given"], r.data["note"]) for r in contact.revisions
    ]
    assert versions == [
        (1, 2, ["water"], ""),
        (2, 3, ["water", "foil_blanket"], "Cold night"),
    ]
    assert contact.revisions[1].changed_by_id == leader.id
    page = client.get(path).get_data(as_text=True)
    assert "History" in page and "Version 1" in page and "Version 2" in page
    # Sending the same correction again changes nothing.
    client.post(path, data=correction | {"csrf_token": csrf_token(client, path)})
    db.session.refresh(contact)
    assert contact.version == 2 and len(contact.revisions) == 2


def test_the_leader_may_correct_for_12_hours_after_the_end_and_no_longer(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader], started_at=ago(hours=2))
    contact = log(client, patrol.id, at=ago(hours=1))
    path = f"/patrols/{patrol.id}/contacts/{contact.id}"
    stale = form_of(client, path) | {"people": "4"}
    patrol.started_at = utcnow() - timedelta(hours=20)
    patrol.ended_at = utcnow() - timedelta(hours=11, minutes=50)
    db.session.commit()
    still = form_of(client, path) | {"people": "3"}
    assert client.post(path, data=still).status_code == 302
    db.session.refresh(contact)
    assert (contact.version, contact.people) == (2, 3)
    patrol.ended_at = utcnow() - timedelta(hours=12, minutes=10)
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Save correction" not in page and 'name="people"' not in page
    client.post(path, data=stale)
    db.session.refresh(contact)
    assert (contact.version, contact.people, len(contact.revisions)) == (2, 3, 2)


def test_a_pastor_who_does_not_lead_cannot_correct(app, client, team, leader, pastors):
    boss = app.test_client()
    sign_in(boss, "lee")
    patrol = started(boss, team, [leader, *pastors])
    sign_in(client, "pat")
    contact = log(client, patrol.id, people="2")
    path = f"/patrols/{patrol.id}/contacts/{contact.id}"
    page = client.get(path)
    assert page.status_code == 200 and "Save correction" not in page.get_data(as_text=True)
    data = form_of(boss, path) | {"people": "5"}
    data["csrf_token"] = csrf_token(client, f"/patrols/{patrol.id}/contacts/new")
    client.post(path, data=data)
    db.session.refresh(contact)
    assert (contact.version, contact.people, len(contact.revisions)) == (1, 2, 1)


# --- 8. sending again ----------------------------------------------------------------------


def test_a_contact_sent_twice_is_stored_once(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id, people="2", street="Monson Road", latitude="51.1324")
    path = f"/patrols/{patrol.id}/contacts/new"
    assert client.post(path, data=data).status_code == 302
    again = client.post(path, data=data, follow_redirects=True)
    assert "This contact was saved already." in again.get_data(as_text=True)
    assert count(Contact) == 1
    contact = db.session.get(Contact, data["id"][0])
    assert contact.version == 1 and len(contact.revisions) == 1


def test_the_same_contact_id_with_other_content_does_not_overwrite(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id, people="2")
    path = f"/patrols/{patrol.id}/contacts/new"
    assert client.post(path, data=data).status_code == 302
    changed = client.post(path, data=data | {"people": "3", "note": "Other"}, follow_redirects=True)
    assert "This contact was saved already with other details." in changed.get_data(as_text=True)
    contact = db.session.get(Contact, data["id"][0])
    assert (contact.people, contact.note, contact.version) == (2, "", 1)
    assert count(Contact) == 1


def test_a_contact_id_cannot_be_reused_on_another_patrol(
    app, client, make_person, team, other_team, leader
):
    bea = make_person("bea", roles=["pastor"], leads=[other_team])
    sign_in(client, "lee")
    patrol = started(client, team, [leader])
    data = contact_data(client, patrol.id)
    assert client.post(f"/patrols/{patrol.id}/contacts/new", data=data).status_code == 302
    bea_client = app.test_client()
    sign_in(bea_client, "bea")
    theirs = started(bea_client, other_team, [bea])
    stolen = contact_data(bea_client, theirs.id) | {
        name: data[name] for name in data if name != "csrf_token"
    }
    bea_client.post(f"/patrols/{theirs.id}/contacts/new", data=stolen)
    assert db.session.get(Contact, data["id"][0]).patrol_id == patrol.id
    assert count(Contact) == 1


def test_no_contacts_on_an_ended_patrol(client, team, leader):
    sign_in(client, "lee")
    patrol = started(client, team, [leader], started_at=ago(hours=3))
    data = contact_data(client, patrol.id)
    assert end(client, patrol.id)[0].status_code == 302
    response = client.post(f"/patrols/{patrol.id}/contacts/new", data=data)
    assert response.status_code == 302
    assert count(Contact) == 0


# --- 9. the coordinator's pages ------------------------------------------------------------


def test_coordinator_adds_a_team(client, coordinator, scheme):
    sign_in(client, "cora")
    token = csrf_token(client, "/teams")
    response = client.post("/teams/new", data={"csrf_token": token, "team-name": " Saturday "})
    assert response.status_code == 302
    team = db.session.scalar(select(Team))
    assert (team.name, team.scheme_id) == ("Saturday", scheme.id)
    assert "Saturday" in client.get("/teams").get_data(as_text=True)
    again = client.post("/teams/new", data={"csrf_token": token, "team-name": "Saturday"})
    assert again.status_code == 400
    assert "A team with this name exists already." in again.get_data(as_text=True)
    assert count(Team) == 1


def test_coordinator_adds_and_removes_a_patrol_area(client, coordinator, team, leader):
    sign_in(client, "cora")
    token = csrf_token(client, "/teams")
    response = client.post("/areas/new", data={"csrf_token": token, "area-name": "The Pantiles"})
    assert response.status_code == 302
    area = db.session.scalar(select(PatrolArea))
    assert area.name == "The Pantiles"
    assert "The Pantiles" in client.get("/teams").get_data(as_text=True)
    duplicate = client.post("/areas/new", data={"csrf_token": token, "area-name": "The Pantiles"})
    assert duplicate.status_code == 400
    assert "An area with this name exists already." in duplicate.get_data(as_text=True)
    # The area is offered to a leader, and a patrol and a contact can use it.
    lee = client.application.test_client()
    sign_in(lee, "lee")
    assert "The Pantiles" in lee.get("/patrols/start").get_data(as_text=True)
    patrol = started(lee, team, [leader], area_id=str(area.id))
    contact = log(lee, patrol.id, area_id=str(area.id))
    assert patrol.area_id == area.id and contact.area_id == area.id
    # Removing it leaves the records, without the area.
    response = client.post(f"/areas/{area.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert count(PatrolArea) == 0
    assert "Area The Pantiles removed." in client.get("/teams").get_data(as_text=True)
    assert "The Pantiles" not in client.get("/teams").get_data(as_text=True)
    db.session.expire_all()
    assert patrol.area_id is None and contact.area_id is None
    assert lee.get(f"/patrols/{patrol.id}").status_code == 200


def test_coordinator_sets_the_tallies_patrols_count(app, client, coordinator, team, leader):
    sign_in(client, "cora")
    token = csrf_token(client, "/teams")
    response = client.post(
        "/tallies",
        data={
            "csrf_token": token,
            "tallies": "Bottles and glass picked up\r\nFlip-flops given out\r\n\r\n",
        },
    )
    assert response.status_code == 302
    db.session.refresh(coordinator.scheme)
    assert coordinator.scheme.tallies == ["Bottles and glass picked up", "Flip-flops given out"]
    lee = app.test_client()
    sign_in(lee, "lee")
    patrol = started(lee, team, [leader], started_at=ago(hours=3))
    page = lee.get(f"/patrols/{patrol.id}/end").get_data(as_text=True)
    assert "Bottles and glass picked up" in page and "Flip-flops given out" in page
    defaults = read_form(page)
    assert defaults["tally_0"] == ["0"] and defaults["tally_1"] == ["0"]
    response, _data = end(lee, patrol.id, tally_0="14", tally_1="3", note="Busy at the station")
    assert response.status_code == 302
    db.session.refresh(patrol)
    assert patrol.tallies == {"Bottles and glass picked up": 14, "Flip-flops given out": 3}
    summary = lee.get(f"/patrols/{patrol.id}/summary").get_data(as_text=True)
    assert '<th scope="row">Bottles and glass picked up</th><td>14</td>' in summary
    assert '<th scope="row">Flip-flops given out</th><td>3</td>' in summary
    assert "Busy at the station" in summary


def test_a_coordinator_cannot_remove_another_scheme_s_area(client, elsewhere, coordinator):
    theirs = PatrolArea(scheme_id=elsewhere.id, name="Their high street")
    db.session.add(theirs)
    db.session.commit()
    sign_in(client, "cora")
    assert "Their high street" not in client.get("/teams").get_data(as_text=True)
    token = csrf_token(client, "/teams")
    response = client.post(f"/areas/{theirs.id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert db.session.get(PatrolArea, theirs.id) is not None


def test_no_tallies_at_all_is_allowed(app, client, coordinator, team, leader):
    sign_in(client, "cora")
    token = csrf_token(client, "/teams")
    assert client.post("/tallies", data={"csrf_token": token, "tallies": ""}).status_code == 302
    lee = app.test_client()
    sign_in(lee, "lee")
    patrol = started(lee, team, [leader], started_at=ago(hours=3))
    assert "tally_0" not in lee.get(f"/patrols/{patrol.id}/end").get_data(as_text=True)
    assert end(lee, patrol.id)[0].status_code == 302
    db.session.refresh(patrol)
    assert patrol.tallies == {}
