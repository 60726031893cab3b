"""Unsafe places in a real browser: a member of the public reports a place from a sticker's
page on a phone, online and offline (it arrives exactly once); a coordinator triages it on
the map, with tiles from a local stub (tests/browser/tiles.py), never the internet's; the
map without tiles; the finder sorting the nearest open Safe Haven first.

Screenshots land in tests/artifacts/screenshots/ for a person to look at; those in docs/
are copied from there after looking.
"""

import re
import socket
import threading
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.geo import distance_m
from core.timeutil import to_london, utcnow
from extensions import db
from havens.models import Venue
from places import services as places
from places.models import UnsafePlaceReport
from tests.browser.pages import SCREENSHOTS, chip, device, sign_in
from tests.browser.tiles import tile_server

pytestmark = pytest.mark.browser

STICKER_VENUE = "The Pantiles Tap"


def code_of(live_app, name: str = STICKER_VENUE) -> str:
    with live_app.app_context():
        code = db.session.scalar(select(Venue.public_code).filter_by(name=name))
        db.session.remove()
    return code


def reports_with(live_app, place: str) -> list[tuple[str, float | None]]:
    """The reports of this place as the server has them: (id, latitude)."""
    with live_app.app_context():
        rows = db.session.execute(
            select(UnsafePlaceReport.id, UnsafePlaceReport.latitude).filter_by(place=place)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


class ReportPosts:
    """WSGI middleware: records each POST of a report, and can cut the connection after
    storing one, as a signal lost on the way back does."""

    def __init__(self, app):
        self.app = app.wsgi_app
        self.posts = 0
        self.drop_next = False
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        posting = environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].startswith(
            "/unsafe-places/report/"
        )
        if not posting:
            return self.app(environ, start_response)
        with self.lock:
            self.posts += 1
            drop, self.drop_next = self.drop_next, False
        if not drop:
            return self.app(environ, start_response)
        answer = self.app(environ, lambda *args, **kwargs: None)  # stored and committed
        if hasattr(answer, "close"):
            answer.close()
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        raise ConnectionResetError("the test cut the connection")


@pytest.fixture
def posts(live_app, live_server) -> ReportPosts:
    log = ReportPosts(live_app)
    live_app.wsgi_app = log
    return log


def open_report_from_the_sticker(page: Page, live_app) -> None:
    page.goto(f"/v/{code_of(live_app)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This is a Safe Haven")
    page.get_by_role("link", name="Tell us about a place where you felt unsafe").first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell us about a place where you felt unsafe"
    )


def fill_report(page: Page, place: str, pin: bool = True) -> None:
    if pin:
        page.locator("#report-map").tap(position={"x": 180, "y": 140})
        expect(page.locator("#pin-status")).to_have_text("Pin placed on the map.")
    page.get_by_label("Street or landmark").fill(place)
    chip(page, "When was it?", "Earlier today").tap()
    expect(page.locator("#day-field")).to_be_hidden()  # today's: no day asked
    chip(page, "What made it feel unsafe?", "Poor or no street lighting").tap()
    chip(page, "What made it feel unsafe?", "Isolated or deserted").tap()
    chip(page, "What time of day? (optional)", "Late at night (midnight to 06:00)").tap()


# --- the public, on a phone -------------------------------------------------------------------


def test_the_public_report_a_place_from_a_sticker_page_on_a_phone(browsing, live_app, posts):
    with tile_server() as tiles:
        live_app.config["MAP_TILE_URL"] = tiles.template
        page = browsing.page(**device("phone"))
        open_report_from_the_sticker(page, live_app)
        fill_report(page, "The cut-through behind the car park")
        page.get_by_label("Tell us more (optional)").fill("No lights at all after ten.")
        expect(page.locator("#email-field")).to_be_hidden()  # only for those who ask
        page.get_by_text("I would like to be contacted about this report").tap()
        expect(page.get_by_label("Your email address")).to_be_visible()
        page.get_by_text("I would like to be contacted about this report").tap()
        assert tiles.requests, "the map asked the stub for no tiles"
        shot(page, "unsafe-place-report-phone")
        page.get_by_role("button", name="Send report").tap()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report was sent")
        expect(page.get_by_role("link", name="Call 101")).to_have_attribute("href", "tel:101")
        shot(page, "unsafe-place-thanks-phone")
        page.close()
    [(report_id, latitude)] = reports_with(live_app, "The cut-through behind the car park")
    assert latitude is not None  # the pin, not the phone's position
    assert posts.posts == 1
    browsing.assert_no_errors()


def test_a_report_made_offline_is_sent_later_exactly_once(browsing, live_app, posts):
    page = browsing.page(**device("phone"))
    open_report_from_the_sticker(page, live_app)
    fill_report(page, "The underpass by the station")
    page.context.set_offline(True)
    page.get_by_role("button", name="Send report").tap()
    expect(page.get_by_role("heading", name="Your report is saved on this phone")).to_be_visible()
    expect(page.get_by_role("link", name="Call 999").first).to_be_visible()
    assert posts.posts == 0, "a request reached the server while offline"
    assert reports_with(live_app, "The underpass by the station") == []
    shot(page, "unsafe-place-saved-offline-phone")

    # Back online: the first answer is lost on the way back, so the outbox sends it again.
    posts.drop_next = True
    page.context.set_offline(False)
    expect(page.locator("#report-outbox")).to_have_text(
        "A report saved on this phone has been sent. Thank you.", timeout=20_000
    )
    assert posts.posts == 2  # stored on the first, recognised on the second
    assert len(reports_with(live_app, "The underpass by the station")) == 1
    assert page.evaluate("localStorage.getItem('lantern-report-outbox')") == "[]"
    # Reloading sends nothing more.
    page.reload()
    page.wait_for_timeout(500)
    assert posts.posts == 2
    browsing.errors[:] = [e for e in browsing.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    browsing.errors[:] = [e for e in browsing.errors if "ERR_EMPTY_RESPONSE" not in e]
    browsing.assert_no_errors()


def test_a_bad_answer_comes_back_by_its_field_and_keeps_the_rest(browsing, live_app, posts):
    page = browsing.page(**device("phone"))
    page.goto("/unsafe-places/report")
    page.get_by_label("Street or landmark").fill("Grove Hill steps")
    chip(page, "When was it?", "Now").tap()
    page.get_by_role("button", name="Send report").tap()
    categories = page.get_by_role("group", name="What made it feel unsafe?")
    expect(categories.locator(".error")).to_have_text(
        "Choose at least one thing that made it feel unsafe."
    )
    expect(page.get_by_label("Street or landmark")).to_have_value("Grove Hill steps")
    chip(page, "What made it feel unsafe?", "No CCTV").tap()
    page.get_by_role("button", name="Send report").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report was sent")
    assert len(reports_with(live_app, "Grove Hill steps")) == 1
    # Chromium logs the 400 the server meant to send with the errors.
    browsing.errors[:] = [e for e in browsing.errors if "status of 400" not in e]
    browsing.assert_no_errors()


# --- the coordinator's map ---------------------------------------------------------------------


def file_report(live_app, place: str, pin: tuple[float, float]) -> str:
    with live_app.app_context():
        values = {
            "latitude": pin[0],
            "longitude": pin[1],
            "place": place,
            "rough_time": "now",
            "happened_on": to_london(utcnow()).date(),
            "time_of_day": "night",
            "categories": ["lighting"],
            "description": "",
        }
        report, _created = places.save_report(str(uuid.uuid4()), 1, values, None)
        db.session.commit()
        number = report.number
        db.session.remove()
    return number


def test_a_coordinator_triages_a_report_on_the_map(browsing, live_app):
    number = file_report(live_app, "Nevill Street steps", (51.1262, 0.2568))
    with tile_server() as tiles:
        live_app.config["MAP_TILE_URL"] = tiles.template
        page = browsing.page(viewport={"width": 1280, "height": 900}, locale="en-GB")
        sign_in(page, "coordinator")
        page.goto("/unsafe-places/map")
        pin = page.locator(f".leaflet-marker-icon[title='Report {number} · New']")
        expect(pin).to_be_visible()
        assert tiles.requests, "the map asked the stub for no tiles"
        expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
        shot(page, "map-desktop")
        pin.click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("Nevill Street steps")
        popup.get_by_role("link", name="Open the report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {number} · New")
        page.get_by_label("New status").select_option(label="Reviewed")
        page.get_by_label("Why").fill("Lighting checked with Kent Highways")
        page.get_by_role("button", name="Change status").click()
        expect(page.locator("div.flashes")).to_contain_text(f"Report {number} is now: Reviewed.")
        page.goto("/unsafe-places/map")
        expect(
            page.locator(f".leaflet-marker-icon[title='Report {number} · Reviewed']")
        ).to_have_class(re.compile(r"status-reviewed"))
        page.close()  # before the tile server goes: no late tile meets a closed server
    browsing.assert_no_errors()


def test_without_tiles_the_points_and_areas_still_draw(browsing, live_app):
    page = browsing.page(viewport={"width": 1280, "height": 900})
    sign_in(page, "coordinator")
    page.goto("/unsafe-places/map")  # the tests' setting: no tile server at all
    expect(page.locator(".leaflet-container")).to_contain_text(
        "No map tiles: the points are drawn on a plain background."
    )
    expect(page.locator(".leaflet-tile")).to_have_count(0)
    expect(page.locator(".venue-pin").first).to_be_visible()
    expect(page.locator(".area-label").first).to_be_visible()
    assert page.locator(".leaflet-overlay-pane path").count() >= 4  # the patrol areas
    shot(page, "map-no-tiles-desktop")
    browsing.assert_no_errors()


def test_with_the_tile_server_down_the_points_still_draw(browsing, live_app):
    with tile_server(down=True) as tiles:
        live_app.config["MAP_TILE_URL"] = tiles.template
        page = browsing.page(viewport={"width": 1280, "height": 900})
        sign_in(page, "coordinator")
        page.goto("/unsafe-places/map")
        expect(page.locator(".venue-pin").first).to_be_visible()
        expect(page.locator(".area-label").first).to_be_visible()
        assert tiles.requests
        page.close()
    # Chromium logs each tile the server refused: the failure this test plays.
    browsing.errors[:] = [e for e in browsing.errors if "status of 503" not in e]
    browsing.assert_no_errors()


# --- the finder --------------------------------------------------------------------------------


def closed_now() -> list:
    """Weekly hours that are closed at this moment: open only two hours from now."""
    later = to_london(utcnow()) + timedelta(hours=2)
    span = [later.strftime("%H:00"), (later + timedelta(hours=1)).strftime("%H:00")]
    return [span] * 7


def test_the_finder_lists_the_nearest_open_safe_haven_first(browsing, live_app, server):
    here = (51.13210, 0.26300)  # by Mount Pleasant Books, which is closed for this test
    with live_app.app_context():
        venues = db.session.scalars(select(Venue).filter_by(status="active")).all()
        for venue in venues:
            venue.weekly_hours = [["00:00", "00:00"]] * 7  # open all day
        nearest = min(venues, key=lambda v: distance_m(here, (v.latitude, v.longitude)))
        nearest.weekly_hours = closed_now()
        open_ones = [v for v in venues if v is not nearest]
        expected = min(open_ones, key=lambda v: distance_m(here, (v.latitude, v.longitude))).name
        closed_name, several = nearest.name, len(open_ones) > 1
        db.session.commit()
        db.session.remove()
    with tile_server() as tiles:
        live_app.config["MAP_TILE_URL"] = tiles.template
        page = browsing.page(
            **device("phone"),
            geolocation={"latitude": here[0], "longitude": here[1]},
            permissions=["geolocation"],
        )
        page.goto("/safe-havens")
        first_by_name = page.locator("#havens > li").first.get_attribute("data-name")
        asked = len(tiles.requests)
        heard = server.mark()
        page.get_by_role("button", name="Nearest to me first").tap()
        expect(page.locator("#near-status")).to_have_text("Sorted: nearest first.")
        # The position never left the phone: the tile server was asked for nothing more, and
        # the server heard only the app shell the service worker keeps, fetched meanwhile.
        assert len(tiles.requests) == asked
        shell = ("/static/", "/offline", "/signin", "/manifest.webmanifest", "/sw.js")
        heard_since = server.since(heard)
        assert all(h.method == "GET" and h.path.startswith(shell) for h in heard_since)
        first = page.locator("#havens > li").first
        expect(first).to_have_attribute("data-name", expected)
        expect(first.locator(".distance")).to_be_visible()
        assert expected != first_by_name or not several
        names = page.locator("#havens > li").evaluate_all("items => items.map(i => i.dataset.name)")
        assert names[-1] == closed_name  # closed: last, however near
        shot(page, "finder-phone")
        page.close()
    browsing.assert_no_errors()


def test_the_finder_is_a_plain_list_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, **device("phone")
    )
    page = context.new_page()
    page.goto("/safe-havens")
    expect(page.locator("#havens > li").first).to_be_visible()
    expect(page.locator("#finder-map")).to_be_hidden()
    page.goto("/unsafe-places/report")
    expect(page.locator("#report-map")).to_be_hidden()
    expect(page.get_by_label("Street or landmark")).to_be_visible()
    context.close()


def test_a_report_sent_without_javascript_is_stored(browser, live_server, live_app):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, **device("phone")
    )
    page = context.new_page()
    page.goto("/unsafe-places/report")
    page.get_by_label("Street or landmark").fill("Dunorlan Park gate")
    page.get_by_label("Earlier today").check()
    page.get_by_label("Poor or no street lighting").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report was sent")
    assert len(reports_with(live_app, "Dunorlan Park gate")) == 1
    context.close()
