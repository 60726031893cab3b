"""Offline on a venue's shared tablet, in a real browser: a new version of the app waits
for the outbox, records wait through an expired session and keep their author, the next
person sees only a count of the others' records, a venue asking for help offline is given
the duty phones; and the app can be installed.

The fixtures are in tests/browser/conftest.py, as for tests/browser/test_browser_offline.py;
the helpers shared with it are in tests/browser/offline.py.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from accounts import enrolment
from accounts.models import Device, User, UserSession
from alerts.models import HelpRequest
from core.timeutil import utcnow
from extensions import db
from havens.models import Venue
from schemes import demo
from tests.browser.offline import (
    ALL_SENT,
    VENUE,
    accept_failed_loads,
    add_person,
    expect_signed_out,
    go_offline,
    offline,
    on_server,
    outbox,
    pages_kept,
    persistent,
    save_offline,
    save_visit,
    settle,
    sign_in_as,
    stored,
    user_id,
    waits,
)
from tests.browser.pages import chip, outbox_status, sign_in, sign_out

pytestmark = pytest.mark.browser

SECOND = ("bea", "Bea Barstaff")  # made here: the next person on VENUE's shared tablet
COULD_NOT_REACH = "No answer from the server"


def static_caches(page: Page) -> list[str]:
    return page.evaluate(
        "async () => (await caches.keys()).filter((n) => n.startsWith('lantern-static-'))"
    )


def sw_version(page: Page) -> str:
    """The version the server's /sw.js carries now."""
    found = re.search(r'"version": "([0-9a-f]+)"', page.request.get("/sw.js").text())
    assert found, "no version in /sw.js"
    return found.group(1)


def idle_out(app, username: str) -> None:
    """Make this person's sessions look unused for longer than the idle timeout."""

    def age() -> None:
        minutes = app.config["IDLE_TIMEOUT_MINUTES"] + 1
        mine = select(User.id).filter_by(username=username).scalar_subquery()
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == mine)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()

    on_server(app, age)


def test_a_new_version_waits_and_the_outbox_survives_it(browsing, server, live_app):
    """Must show 4: a deploy while records wait. The new worker installs and waits behind
    "Reload for the new version" while the old one keeps control; after the reload the
    records are still there and are stored once, and the work pages still open offline
    (enketo/enketo#986)."""
    staff = user_id(live_app, "staff")
    page = browsing.page()
    sign_in(page, "staff")
    old = pages_kept(page, staff, 5)  # home, a visit, the directory, the outbox, offline
    page.goto("/visits/new")
    saved = save_offline(page, 2)
    server.unavailable = True  # the server is being deployed: syncs are answered 503
    page.context.set_offline(False)
    expect(outbox_status(page)).to_contain_text(COULD_NOT_REACH)

    live_app.config["RELEASE"] = "next"
    new = sw_version(page)
    assert new != old
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    expect(page.locator("#update-banner")).to_be_visible()
    state = page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.getRegistration();
            return {waiting: registration.waiting?.state, active: registration.active?.state,
                    controlled: navigator.serviceWorker.controller !== null};
        }"""
    )
    assert state == {"waiting": "installed", "active": "activated", "controlled": True}
    assert sorted(static_caches(page)) == sorted([f"lantern-static-{old}", f"lantern-static-{new}"])
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]

    with page.expect_navigation():
        page.get_by_role("button", name="Reload for the new version", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(page.locator("#update-banner")).to_be_hidden()
    assert static_caches(page) == [f"lantern-static-{new}"]  # the old worker is gone
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]
    expect(outbox_status(page)).to_contain_text(waits(2))

    server.unavailable = False  # deployed
    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(outbox_status(page)).to_have_text(ALL_SENT)
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.receipts == Counter({entry["id"]: 1 for entry in saved})
    delivered = [hit.ops for hit in server.syncs() if hit.status == "200"]
    assert len(delivered) == 1, f"stored by {len(delivered)} requests"

    # The new version keeps the work pages too (the old version's stay until it has), and
    # they open offline.
    assert pages_kept(page, staff, 5, version=new) == new
    go_offline(page)
    for path, title in (("/visits/new", "Log a visit"), ("/outbox", "Outbox")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(outbox_status(page)).to_contain_text("Offline")  # its script runs
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "18px"
    accept_failed_loads(browsing, "status of 503")
    browsing.assert_no_errors()


def test_records_wait_through_an_expired_session_and_keep_their_author(browsing, server, live_app):
    """Must show 5: the session times out while the device is offline. Nothing is sent or
    lost; the status bar asks to sign in; after signing in the records go, credited to
    their author."""
    staff = user_id(live_app, "staff")
    page = browsing.page()
    sign_in(page, "staff")
    page.goto("/visits/new")
    saved = save_offline(page, 2)
    idle_out(live_app, "staff")

    page.context.set_offline(False)
    expect_signed_out(page)
    expect(outbox_status(page)).to_contain_text(waits(2))
    assert server.syncs() == []
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]

    page.get_by_role("link", name="Sign in to send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username or email", exact=True).fill("staff")
    page.get_by_label("Password", exact=True).fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(outbox_status(page)).to_have_text(ALL_SENT)
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.authors == {(staff, staff)}
    accept_failed_loads(browsing, "status of 401")
    browsing.assert_no_errors()


def test_the_app_is_installable(browsing, tmp_path):
    """Must show 7: Chromium's own installability check finds nothing missing. (The same
    check in an incognito context reports "in-incognito": the answer is not vacuous.)"""
    context, page = persistent(browsing, tmp_path / "profile")
    page.goto("/signin")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")

    incognito = browsing.page()
    incognito.goto("/signin")
    incognito.wait_for_function("() => navigator.serviceWorker.controller !== null")
    errors = incognito.context.new_cdp_session(incognito).send("Page.getInstallabilityErrors")
    assert [e["errorId"] for e in errors["installabilityErrors"]] == ["in-incognito"]
    browsing.assert_no_errors()


def test_the_next_person_on_a_shared_tablet_sees_only_a_count(browsing, server, live_app):
    """A saves offline and signs out with her records unsent; B signs in on the same
    browser. B's outbox shows how many of A's records wait, never what they say, and when
    B's session sends them they are credited to A."""
    staff = user_id(live_app, "staff")
    bea = add_person(live_app, SECOND)
    page = browsing.page()
    sign_in(page, "staff")
    page.goto("/visits/new")
    go_offline(page)
    note = "Blue coat, waited by the window"
    page.get_by_label("Note", exact=True).fill(note)
    save_visit(page, 1)
    save_visit(page, 2, help_given="Phone charged")
    saved = outbox(page)
    server.unavailable = True  # back online, but the server cannot take them yet
    page.context.set_offline(False)
    expect(outbox_status(page)).to_contain_text(COULD_NOT_REACH)
    sign_out(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]

    sign_in_as(page, SECOND)
    expect(outbox_status(page)).to_have_text(ALL_SENT)  # B has nothing of her own waiting
    page.goto("/outbox")
    expect(page.locator("#outbox-others")).to_have_text(
        "2 records saved by someone else wait to be sent."
    )
    expect(page.locator("#outbox-waiting-list")).to_have_text("Nothing is waiting.")
    expect(page.locator("#outbox-attention-list")).to_have_text("Nothing needs attention.")
    expect(page.locator("main")).not_to_contain_text("Blue coat")
    # Nor can B open one of A's records to fix it.
    page.goto(f"/visits/new?fix={saved[0]['op']}")
    expect(page.locator("div.flashes")).to_contain_text("This record is no longer in the outbox.")
    expect(page.get_by_label("Note", exact=True)).to_have_value("")

    server.unavailable = False
    page.goto("/outbox")
    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(page.locator("#outbox-others")).to_be_hidden()
    expect(page.locator("#outbox-sent-list")).to_have_text(
        "Nothing was sent from this device in the last 24 hours."  # none of them were B's
    )
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.authors == {(staff, bea)}  # written by A, sent by B
    accept_failed_loads(browsing, "status of 503")
    browsing.assert_no_errors()


def test_a_venue_asking_for_help_offline_is_given_the_duty_phones(browsing, server, live_app):
    """With no connection a call for help cannot go. Sending it, or opening the page,
    gives the staff the person's kept offline page, with every team's duty phone and 999,
    not the browser's own error; and nothing reached the server."""
    staff = user_id(live_app, "staff")
    page = browsing.page()
    sign_in(page, "staff")
    pages_kept(page, staff, 5)
    page.goto("/help/new")
    chip(page, "What do you need help with?", "Someone unwell").click()
    offline(page.context)
    mark = server.mark()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    phones = page.get_by_role("region", name="Need the Street Pastors?")
    for number in ("07700 900123", "07700 900456"):
        expect(phones.get_by_role("link", name=number)).to_have_attribute(
            "href", "tel:" + number.replace(" ", "")
        )
    expect(phones.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")

    page.goto("/help/new")  # the tile on the home page, tapped offline
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_role("region", name="Need the Street Pastors?")).to_be_visible()
    assert server.since(mark) == []
    assert on_server(live_app, lambda: db.session.scalar(select(func.count(HelpRequest.id)))) == 0
    browsing.assert_no_errors()


def enrol_tablet(app, page: Page) -> None:
    """A coordinator's code for VENUE, opened and accepted on this browser."""

    def make() -> str:
        coordinator = db.session.scalar(select(User).filter_by(username="coordinator"))
        venue = db.session.scalar(select(Venue).filter_by(name=VENUE))
        token = enrolment.make_code(coordinator.scheme_id, "Bar tablet", coordinator, venue.id)
        db.session.commit()
        return token

    page.goto(f"/enrol/{on_server(app, make)}")
    page.get_by_role("button", name="Enrol this device", exact=True).click()
    expect(page.get_by_text("This device is enrolled as Bar tablet.")).to_be_visible()


def revoke_tablets(app) -> None:
    def revoke() -> None:
        coordinator = db.session.scalar(select(User).filter_by(username="coordinator"))
        for device in db.session.scalars(select(Device).filter_by(revoked_at=None)):
            enrolment.revoke(device, coordinator)
        db.session.commit()

    on_server(app, revoke)


def test_a_revoked_tablet_enrolled_again_sends_what_waited(browsing, server, live_app):
    """A revoked tablet keeps its records, flagged. Enrolled again, the flags go; a record
    saved under the revoked tablet's word is not taken on it, but waits for its author to
    check and save it again, and is then stored once."""
    page = browsing.page()
    enrol_tablet(live_app, page)
    sign_in(page, "staff")
    page.goto("/visits/new")
    saved = save_offline(page, 1)
    revoke_tablets(live_app)

    page.context.set_offline(False)
    settle(page)
    expect(outbox_status(page)).to_contain_text("Your coordinator has revoked this device")
    assert [entry.get("revoked") for entry in outbox(page)] == [True]
    assert stored(live_app, [saved[0]["id"]]).visits == {}

    enrol_tablet(live_app, page)
    sign_in(page, "staff")
    page.goto("/visits/new")
    attention = page.locator("#outbox-attention")
    expect(attention).to_have_text("1 record needs attention")
    expect(outbox_status(page)).not_to_contain_text("revoked")
    assert [entry.get("revoked") for entry in outbox(page)] == [None]

    attention.click()
    page.get_by_role("link", name="Fix", exact=True).click()
    expect(chip(page, "Help given", "Water").locator("input")).to_be_checked()
    page.get_by_role("button", name="Save visit", exact=True).click()
    expect(page.locator("#outbox-attention-list")).to_have_text("Nothing needs attention.")
    expect(outbox_status(page)).to_have_text(ALL_SENT)
    on = stored(live_app, [saved[0]["id"]])
    assert on.visits == {saved[0]["id"]: user_id(live_app, "staff")}
    assert on.receipts == Counter({saved[0]["id"]: 1})
    accept_failed_loads(browsing, "status of 403")
    browsing.assert_no_errors()
