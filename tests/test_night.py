"""The night as staff and pastors live it, on the server: each role's home, the patrol
list, opening hours and the public sign page, the request log."""

import logging
import re
from datetime import datetime, timedelta

import pytest

from accounts.models import TeamMember
from core.timeutil import to_london, utcnow
from extensions import db
from havens import hours
from havens.models import Registration, Venue
from havens.seed import seed_directory
from patrols.models import Patrol
from sync.models import SyncConflict

MONDAY = datetime(2026, 12, 7)  # a Monday
PUB = [["12:00", "23:30"]] * 4 + [["12:00", "02:00"]] * 2 + [None]  # late Fri, Sat; shut Sun


@pytest.fixture
def trained_staff(staff, train):
    """Sam, trained: Sam's venue is a valid Safe Haven."""
    train(staff)
    return staff


# --- opening hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (MONDAY.replace(hour=11, minute=59), False),  # before opening
        (MONDAY.replace(hour=12), True),  # opening minute
        (MONDAY.replace(hour=23, minute=29), True),
        (MONDAY.replace(hour=23, minute=30), False),  # closing minute
        (MONDAY + timedelta(days=4, hours=23), True),  # Friday 23:00
        (MONDAY + timedelta(days=5, hours=1, minutes=59), True),  # Friday's night, Saturday 01:59
        (MONDAY + timedelta(days=5, hours=2), False),  # Saturday 02:00: Friday's night is over
        (MONDAY + timedelta(days=6, hours=1), True),  # Saturday's night runs into Sunday
        (MONDAY + timedelta(days=6, hours=12), False),  # Sunday: closed
        (MONDAY + timedelta(days=7, hours=1), False),  # Monday 01:00: Sunday was closed
    ],
)
def test_open_now_follows_the_week_across_midnight(at, expected):
    assert hours.is_open(PUB, at) is expected


def test_open_all_day_and_unknown_hours():
    all_day = [["00:00", "00:00"]] * 7
    assert all(hours.is_open(all_day, MONDAY + timedelta(hours=h)) for h in range(0, 168, 5))
    assert not hours.known(None) and not hours.known([None] * 7) and hours.known(PUB)
    assert not hours.is_open(None, MONDAY.replace(hour=13))


def test_a_coordinator_sets_a_venues_week(client, auth, make_person, venue):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    data = {"csrf_token": auth.csrf(f"/venues/{venue.id}"), "name": venue.name}
    data |= {"kind": "pub", "address": "", "postcode": ""}
    for day in range(7):
        data[f"weekly_hours-{day}-opens"] = "" if day == 6 else "18:00"
        data[f"weekly_hours-{day}-closes"] = "" if day == 6 else "02:00"
    assert client.post(f"/venues/{venue.id}", data=data).status_code == 302
    db.session.refresh(venue)
    assert venue.weekly_hours == [["18:00", "02:00"]] * 6 + [None]
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert 'name="weekly_hours-0-opens" type="time" value="18:00"' in page


def test_a_day_with_one_time_is_a_field_error_that_keeps_the_rest(client, auth, make_person, venue):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    data = {"csrf_token": auth.csrf(f"/venues/{venue.id}"), "name": "The New Lamp"}
    data |= {"kind": "pub", "weekly_hours-0-opens": "18:00", "weekly_hours-1-opens": "18:00"}
    data |= {"weekly_hours-1-closes": "23:00"}
    response = client.post(f"/venues/{venue.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give both times, or neither for a day it is closed." in page
    assert 'value="The New Lamp"' in page
    assert 'name="weekly_hours-1-closes" type="time" value="23:00"' in page
    db.session.refresh(venue)
    assert venue.name == "The Lamp" and venue.weekly_hours is None


# --- the public sign page ---------------------------------------------------------------


def around_now(before: int, after: int) -> list:
    """Hours open today (London) from `before` hours ago until `after` hours from now,
    capped to the day; other days closed."""
    now = to_london(utcnow())
    opens = max(now - timedelta(hours=before), now.replace(hour=0, minute=0))
    closes = min(now + timedelta(hours=after), now.replace(hour=23, minute=59))
    week = [None] * 7
    week[now.weekday()] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
    return week


def test_the_sign_says_open_now(client, venue, trained_staff):
    venue.weekly_hours = [["00:00", "00:00"]] * 7
    db.session.commit()
    page = client.get(f"/v/{venue.public_code}").get_data(as_text=True)
    assert "Open now" in page and "Closed now" not in page
    assert "Monday" in page and "Safe Havens open now" not in page


def test_a_closed_venue_points_to_the_safe_havens_open_now_and_999(
    client, venue, trained_staff, scheme
):
    week = [None] * 7
    week[(to_london(utcnow()).weekday() + 3) % 7] = ["10:00", "11:00"]  # another day only
    venue.weekly_hours = week
    other = Venue(scheme_id=scheme.id, name="The Late Bar", status="active")
    other.weekly_hours = [["00:00", "00:00"]] * 7
    shut = Venue(scheme_id=scheme.id, name="The Day Cafe", status="active", weekly_hours=week)
    db.session.add_all([other, shut])
    db.session.commit()
    # Sam works at all three, so each has in-date training.
    db.session.execute(
        db.text("INSERT INTO venue_staff (user_id, venue_id) VALUES (:u, :v), (:u, :w)"),
        {"u": trained_staff.id, "v": other.id, "w": shut.id},
    )
    db.session.commit()
    page = client.get(f"/v/{venue.public_code}").get_data(as_text=True)
    assert "Closed now" in page and 'href="tel:999"' in page
    listed = page[page.index("Safe Havens open now") :]
    assert "The Late Bar" in listed and "The Day Cafe" not in listed


def test_unknown_hours_say_nothing_about_open_or_closed(client, venue, trained_staff):
    page = client.get(f"/v/{venue.public_code}").get_data(as_text=True)
    assert "This is a Safe Haven" in page
    assert "Open now" not in page and "Closed now" not in page


@pytest.mark.parametrize(
    ("state", "heading", "status"),
    [
        ("unknown", "We can't find this sign", 404),
        ("withdrawn", "This sign was replaced or withdrawn", 410),
        ("paused", "This venue is not a Safe Haven at the moment", 404),
    ],
)
def test_each_kind_of_invalid_sign_says_why_with_999_and_the_directory_first(
    client, app, venue, trained_staff, scheme, state, heading, status
):
    from havens.stickers.models import Sticker

    seed_directory(scheme.id)
    code = "no-such-sign"
    if state == "withdrawn":
        code = "old-code"
        db.session.add(
            Sticker(
                scheme_id=scheme.id,
                venue_id=venue.id,
                number=1,
                code=code,
                withdrawn_at=utcnow(),
                withdrawn_reason="reissued",
            )
        )
    if state == "paused":
        venue.status, code = "paused", venue.public_code
    db.session.commit()
    response = client.get(f"/v/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert re.search(rf"<h1>{re.escape(heading).replace(chr(39), '(?:&#39;|.)')}</h1>", page)
    main = page[page.index("<main") :]
    # 999 and the directory come before anything else on the page.
    assert main.index('href="tel:999"') < main.index("National Domestic Abuse Helpline")


# --- home, for each role ----------------------------------------------------------------


def test_staff_home_leads_with_log_a_visit_then_waiting_handovers(
    client, auth, make_person, trained_staff, venue, team
):
    from patrols import services as patrols

    pastor = make_person("pat", roles=["pastor"], leads=[team])
    patrol, _ = patrols.start_patrol(
        "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
        {"team_id": team.id, "area_id": None, "route": "", "started_at": utcnow()},
        [pastor],
        pastor,
    )
    values = {
        "at": utcnow().replace(second=0, microsecond=0),
        "people": 1,
        "age_band": None,
        "gender": None,
        "seen": [],
        "given": ["handover"],
        "services": [],
        "area_id": None,
        "street": "",
        "latitude": None,
        "longitude": None,
        "handover_venue_id": venue.id,
        "note": "",
    }
    patrols.save_contact("2c9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", patrol, values, pastor)
    db.session.commit()
    auth.login("sam")
    page = client.get("/").get_data(as_text=True)
    main = page[page.index("<main") :]
    first = re.search(r'class="button primary huge" href="([^"]+)">([^<]+)<', main)
    assert first.groups() == ("/visits/new", "Log a visit")
    assert main.index("Log a visit") < main.index("Street Pastors are bringing someone")
    assert "Log their visit" in main
    # Calling for help is on home, below, as a secondary button.
    assert main.index("Log their visit") < main.index("Ask Street Pastors for help")
    assert 'class="button secondary" href="/help/new"' in main


def test_a_leader_with_no_patrol_out_is_offered_to_start_one(client, auth, make_person, team):
    make_person("lee", roles=["pastor"], leads=[team])
    auth.login("lee")
    main = client.get("/").get_data(as_text=True).split("<main", 1)[1]
    assert re.search(r'class="button primary huge" href="/patrols/start">Start a patrol<', main)


def test_a_pastor_on_patrol_logs_contacts_from_home(client, auth, make_person, team):
    leader = make_person("lee", roles=["pastor"], leads=[team])
    db.session.add(Patrol(id="3c9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", team_id=team.id,
                          started_at=utcnow() - timedelta(hours=1), started_by_id=leader.id,
                          pastors=[leader]))  # fmt: skip
    db.session.commit()
    auth.login("lee")
    page = client.get("/").get_data(as_text=True)
    form = re.search(r"<form [^>]*data-outbox=\"contact\"[^>]*>", page).group(0)
    assert 'data-patrol="3c9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"' in form
    assert 'action="/patrols/3c9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/contacts/new"' in form
    # "How many people" has no silent default: the Save button says it.
    assert re.search(r'form="record-form"[^>]*>Save contact: 1 person<', page)


def test_the_coordinator_sees_what_needs_them(
    client, auth, make_person, scheme, venue, trained_staff
):
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    assert "Nothing needs you now." in client.get("/").get_data(as_text=True)
    db.session.add(
        Registration(
            scheme_id=scheme.id,
            business_name="Chapel Books",
            contact_name="Dee",
            contact_email="dee@example.org",
            address="7 Chapel Place",
            postcode="TN1 1YQ",
            kind="shop",
        )
    )
    db.session.add(
        SyncConflict(scheme_id=scheme.id, kind="visit", record_id="x", payload={}, author_id=None)
    )
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    needs = page[page.index("Needs you") : page.index("Coordinating the scheme")]
    assert "1 registration to decide on" in needs and "1 sync conflict" in needs


def test_opening_the_app_signed_out_asks_to_sign_in_without_a_complaint(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    assert "Sign in to open this page." not in client.get("/signin").get_data(as_text=True)
    client.get("/visits")
    assert "Sign in to open this page." in client.get("/signin").get_data(as_text=True)


# --- the patrol list --------------------------------------------------------------------


def test_the_patrol_list_shows_the_open_patrol_then_two_weeks_then_months(
    client, auth, make_person, team
):
    leader = make_person("lee", roles=["pastor"], leads=[team])
    now = utcnow().replace(microsecond=0)

    def patrol(n: int, started, ended) -> Patrol:
        return Patrol(
            id=f"4c9d6bcd-bbfd-4b2d-9b5d-{n:012d}",
            team_id=team.id,
            started_at=started,
            ended_at=ended,
            started_by_id=leader.id,
            pastors=[leader],
        )

    db.session.add(patrol(0, now - timedelta(hours=2), None))
    for week in range(1, 30):
        started = now - timedelta(weeks=week) + timedelta(hours=6)
        db.session.add(patrol(week, started, started + timedelta(hours=5)))
    db.session.commit()
    auth.login("lee")
    page = client.get("/patrols").get_data(as_text=True)
    main = page[page.index("<main") :]
    assert main.index("On patrol now") < main.index("The last two weeks")
    assert main.count('class="list visits"') == 1
    listed = re.findall(r"/patrols/4c9d6bcd-bbfd-4b2d-9b5d-(\d{12})\"", main)
    assert {int(n) for n in listed} == {0, 1, 2}  # the open one, and two weeks of patrols
    old = to_london(now - timedelta(weeks=20))
    month = old.strftime("%Y-%m")
    assert f"/patrols?month={month}" in main
    in_month = client.get(f"/patrols?month={month}").get_data(as_text=True)
    shown = {int(n) for n in re.findall(r"/patrols/4c9d6bcd-bbfd-4b2d-9b5d-(\d{12})\"", in_month)}
    assert 20 in shown and 0 not in shown and len(shown) in (4, 5)


def test_a_bad_month_shows_the_recent_list(client, auth, make_person, team):
    make_person("lee", roles=["pastor"], leads=[team])
    auth.login("lee")
    response = client.get("/patrols?month=2026-13")
    assert response.status_code == 200 and "The last two weeks" in response.get_data(as_text=True)


# --- the request log --------------------------------------------------------------------


def test_the_request_log_never_shows_a_negative_time(client, caplog):
    with caplog.at_level(logging.INFO, logger="lantern.request"):
        client.get("/visits")  # answered by the access check, before any view
        client.get("/healthz")
    lines = [r.getMessage() for r in caplog.records if r.name == "lantern.request"]
    assert len(lines) == 2
    times = [float(re.search(r" (-?[\d.]+)ms$", line).group(1)) for line in lines]
    assert all(t >= 0 for t in times) and all("-" not in line for line in lines)


def test_a_member_of_a_team_without_leading_it_is_told_who_starts(client, auth, make_person, team):
    person = make_person("ruth", roles=["pastor"])
    db.session.add(TeamMember(user_id=person.id, team_id=team.id, is_leader=False))
    db.session.commit()
    auth.login("ruth")
    assert "Your team leader starts it" in client.get("/").get_data(as_text=True)
