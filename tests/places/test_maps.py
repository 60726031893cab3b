"""The maps: the tile server setting and the one host the CSP allows; what the
coordinators' map draws (contacts never finer than 100 m); positions of venues and patrol
areas; the public finder and the sign page's nearest open Safe Havens."""

import json
import re
from datetime import timedelta

import pytest

from core.security import csp, tile_origin
from core.timeutil import utcnow
from extensions import db

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ALL_WEEK = [["00:00", "00:00"]] * 7  # open all day, every day
NEVER = [None] * 6 + [["10:00", "11:00"]]  # Sundays 10 to 11 only


def data_block(page: str, block_id: str) -> dict:
    found = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S
    )
    return json.loads(found.group(1))


# --- the tile server and the Content-Security-Policy ------------------------------------------


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        (OSM, "https://tile.openstreetmap.org"),
        ("http://127.0.0.1:8123/{z}/{x}/{y}.png", "http://127.0.0.1:8123"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", ""),  # would need a wildcard
        ("", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_the_tile_origin(template, origin):
    assert tile_origin(template) == origin


def test_images_may_come_from_the_tile_server_only(app, client):
    app.config["MAP_TILE_URL"] = OSM
    policy = client.get("/signin").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert policy.count("openstreetmap") == 1  # nowhere else: not scripts, not connections
    assert "default-src 'self'" in policy and "script-src 'self';" in policy


def test_with_no_tile_server_images_come_from_here_only(client):
    assert "img-src 'self' data:;" in client.get("/signin").headers["Content-Security-Policy"]
    assert csp("") == csp("")  # cached, and the same


def test_the_default_tile_server_is_openstreetmaps_with_its_attribution():
    from wsgi import DEFAULTS

    assert DEFAULTS["MAP_TILE_URL"] == OSM
    assert "openstreetmap.org/copyright" in DEFAULTS["MAP_TILE_ATTRIBUTION"]


def test_a_subdomain_template_is_not_given_to_the_maps(app, client, scheme):
    app.config["MAP_TILE_URL"] = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    page = client.get("/safe-havens").get_data(as_text=True)
    assert data_block(page, "finder-settings")["tiles"] == ""


# --- the coordinators' map ---------------------------------------------------------------------


@pytest.fixture
def mapped(
    app,
    scheme,
    make_area,
    make_report,
    make_venue,
    staff,
    leader,
    team,
    make_patrol,
    make_contact,
    make_visit,
    venue,
    coordinator,
    train,
):
    """A venue on the map with two visits, a patrol area with a contact, a contact with a
    position, and two reports, one about lighting and one about being followed."""
    venue.latitude, venue.longitude = 51.1285, 0.2614
    db.session.commit()
    train(staff)
    make_visit(venue, staff)
    make_visit(venue, staff, arrived_at=utcnow() - timedelta(days=200))  # before the dates
    area = make_area("The Pantiles", centre=(51.1287, 0.2612), radius_m=250)
    patrol = make_patrol(team, pastors=[leader])
    make_contact(patrol, leader, area_id=area.id, people=2)
    make_contact(patrol, leader, latitude=51.12345678, longitude=0.26198765)
    make_report(categories=["lighting"], place="Dark alley")
    make_report(categories=["followed"], place="Underpass")
    return area


def test_the_map_draws_reports_venues_visits_contacts_and_areas(client, auth, mapped):
    auth.login("cora")
    page = client.get("/unsafe-places/map").get_data(as_text=True)
    data = data_block(page, "map-data")
    assert sorted(r["place"] for r in data["reports"]) == ["Dark alley", "Underpass"]
    [venue] = data["venues"]
    assert (venue["name"], venue["status"], venue["visits"]) == ("The Lamp", "active", 1)
    [area] = data["areas"]
    assert (area["name"], area["contacts"], area["people"], area["radius"]) == (
        "The Pantiles",
        1,
        2,
        250,
    )
    # The contact with a position: to three decimals (about 100 m), however it was stored.
    [point] = data["contacts"]
    assert (point["lat"], point["lng"], point["contacts"]) == (51.123, 0.262, 1)
    assert "51.1234" not in page and "0.2619" not in page
    assert data_block(page, "map-settings")["tiles"] == ""  # the tests' setting: no tiles


def test_the_map_filters_by_category_and_dates(client, auth, mapped):
    auth.login("cora")
    page = client.get("/unsafe-places/map?category=followed").get_data(as_text=True)
    assert [r["place"] for r in data_block(page, "map-data")["reports"]] == ["Underpass"]
    long_ago = (utcnow() - timedelta(days=400)).date().isoformat()
    page = client.get(f"/unsafe-places/map?date_from={long_ago}").get_data(as_text=True)
    assert data_block(page, "map-data")["venues"][0]["visits"] == 2  # the older visit too


def test_a_report_with_only_an_area_is_drawn_at_its_centre(client, auth, mapped, make_report):
    make_report(latitude=None, longitude=None, place="Somewhere", area_id=None)
    report = make_report(latitude=None, longitude=None, place="In the Pantiles")
    report.area_id = mapped.id
    db.session.commit()
    auth.login("cora")
    page = client.get("/unsafe-places/map").get_data(as_text=True)
    drawn = {r["place"]: r for r in data_block(page, "map-data")["reports"]}
    assert (drawn["In the Pantiles"]["lat"], drawn["In the Pantiles"]["pinned"]) == (51.1287, False)
    assert "Somewhere" not in drawn  # neither pin nor area: listed, not drawn
    assert "1 report has neither a pin nor an area" in page


# --- positions of venues and patrol areas ------------------------------------------------------


def venue_form(venue, **changes) -> dict:
    fields = {
        "name": venue.name,
        "kind": "pub",
        "latitude": "51.128456789",
        "longitude": "0.2613",
        "angela_briefed_on": "",
    }
    return fields | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"longitude": ""}, "Give both the latitude and the longitude, or neither."),
        ({"latitude": ""}, "Give both the latitude and the longitude, or neither."),
        ({"latitude": "91"}, "A latitude is a number from -90 to 90"),
        ({"longitude": "-181"}, "A longitude is a number from -180 to 180"),
        ({"latitude": "north"}, "Not a valid float value."),
    ],
)
def test_a_venues_position_is_both_coordinates_or_neither(
    client, auth, coordinator, venue, changes, message
):
    auth.login("cora")
    token = auth.csrf(f"/venues/{venue.id}")
    response = client.post(
        f"/venues/{venue.id}", data={"csrf_token": token, **venue_form(venue, **changes)}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(venue)
    assert venue.latitude is None


def test_a_venue_is_put_on_the_map_and_taken_off(client, auth, coordinator, venue):
    auth.login("cora")
    token = auth.csrf(f"/venues/{venue.id}")
    client.post(f"/venues/{venue.id}", data={"csrf_token": token, **venue_form(venue)})
    db.session.refresh(venue)
    assert (venue.latitude, venue.longitude) == (51.12846, 0.2613)
    client.post(
        f"/venues/{venue.id}",
        data={"csrf_token": token, **venue_form(venue, latitude="", longitude="")},
    )
    db.session.refresh(venue)
    assert (venue.latitude, venue.longitude) == (None, None)


def test_a_patrol_area_gets_a_position_and_a_reach(client, auth, coordinator, make_area):
    area = make_area("Camden Road", centre=None)
    auth.login("cora")
    token = auth.csrf(f"/areas/{area.id}")
    bad = client.post(
        f"/areas/{area.id}",
        data={"csrf_token": token, "name": "Camden Road", "latitude": "51.138", "radius_m": "10"},
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Give both the latitude and the longitude, or neither." in page
    assert "Give a distance from 50 to 5,000 metres." in page
    good = client.post(
        f"/areas/{area.id}",
        data={
            "csrf_token": token,
            "name": "Camden Road",
            "latitude": "51.138",
            "longitude": "0.267",
            "radius_m": "300",
        },
    )
    assert good.status_code == 302
    db.session.refresh(area)
    assert (area.latitude, area.longitude, area.radius_m) == (51.138, 0.267, 300)


def test_another_schemes_area_is_not_found(client, auth, make_person, make_area, elsewhere):
    theirs = make_area("Their high street", scheme=elsewhere)
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    assert client.get(f"/areas/{theirs.id}").status_code == 404


# --- the public finder, and the sign page's nearest open Safe Havens ---------------------------


@pytest.fixture
def town(scheme, make_venue, make_person, train):
    """Four venues: three valid Safe Havens (two open now, one closed) and one paused."""
    places = {
        "Far Open": (51.1400, 0.2700, ALL_WEEK, "active"),
        "Near Open": (51.1290, 0.2615, ALL_WEEK, "active"),
        "Closed Now": (51.1286, 0.2613, NEVER, "active"),
        "Paused Pub": (51.1285, 0.2614, ALL_WEEK, "paused"),
    }
    made = {}
    for name, (lat, lng, hours, status) in places.items():
        venue = make_venue(name, status, latitude=lat, longitude=lng, weekly_hours=hours)
        person = make_person(name.lower().replace(" ", "-"), roles=["venue_staff"], venues=[venue])
        train(person)
        made[name] = venue
    made["Near Open"].ask_for_angela = True
    db.session.commit()
    return made


def test_the_finder_lists_the_valid_safe_havens_open_ones_first(client, town):
    page = client.get("/safe-havens").get_data(as_text=True)
    listed = re.findall(r'<li data-name="([^"]+)"', page)
    assert listed == ["Far Open", "Near Open", "Closed Now"]  # open ones by name, then the rest
    assert "Paused Pub" not in page
    item = page.split('data-name="Near Open"', 1)[1].split("</li>", 1)[0]
    assert 'data-lat="51.129"' in item and 'data-open="yes"' in item
    assert "Ask for Angela here" in item and "Open now" in item
    closed = page.split('data-name="Closed Now"', 1)[1].split("</li>", 1)[0]
    assert "Closed now" in closed and 'data-open="no"' in closed
    assert "A seat and a calm space" in page  # what every Safe Haven offers


def test_the_sign_of_a_closed_venue_points_to_the_nearest_open_ones(client, town, scheme):
    page = client.get(f"/v/{town['Closed Now'].public_code}").get_data(as_text=True)
    section = page.split('id="open-elsewhere"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r'<a href="/v/[^"]+">([^<]+)</a>', section)
    assert names == ["Near Open", "Far Open"]  # nearest first, from the closed venue
    assert "50 m away" in section and "1.4 km away" in section
    assert f'href="/safe-havens/{scheme.id}"' in section


def test_the_public_page_says_ask_for_angela_here(client, town):
    near = client.get(f"/v/{town['Near Open'].public_code}").get_data(as_text=True)
    far = client.get(f"/v/{town['Far Open'].public_code}").get_data(as_text=True)
    assert "Ask for Angela here" in near and "Ask for Angela here" not in far
