"""A coordinator's own list reaching the pastors (issue 19), in Chromium: Water moved to
the end of "What pastors gave or did" and Lollipop hidden; a pastor's contact form shows
the new order online and, after one online open, offline; an older contact with Lollipop
still shows it; a contact saved offline with an item hidden meanwhile still syncs; and
water for two people stays three taps from home."""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from accounts.models import User
from core.timeutil import utcnow
from extensions import db
from lists.items import stamp
from patrols import services as patrols
from patrols.models import Contact, Team
from tests import journeys
from tests.browser.offline import go_offline, on_server, outbox, persistent, settle
from tests.browser.pages import device, menu_link, sign_in
from tests.fixtures.records import contact_values

pytestmark = pytest.mark.browser

GIVEN = "Given or done"


def start_patrol_with_lollipop(app) -> tuple[str, str]:
    """The pastor's team out an hour ago, with one contact given a lollipop: its ids."""

    def start() -> tuple[str, str]:
        pastor = db.session.scalar(select(User).filter_by(username="pastor"))
        team_id = db.session.scalar(select(Team.id).filter_by(name="Friday team"))
        began = utcnow().replace(second=0, microsecond=0) - timedelta(hours=1)
        values = {"team_id": team_id, "area_id": None, "route": "", "started_at": began}
        patrol, _ = patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
        contact = contact_values(began + timedelta(minutes=20), given=["lollipop"])
        old, _ = patrols.save_contact(str(uuid.uuid4()), patrol, contact, pastor)
        db.session.commit()
        return patrol.id, old.id

    return on_server(app, start)


def chips_of(page: Page, group: str = GIVEN) -> list[str]:
    fieldset = page.get_by_role("group", name=group, exact=True)
    return [text.strip() for text in fieldset.locator("label.chip").all_inner_texts()]


# Resolves to the fingerprint of the lists the worker's kept pages were fetched with.
KEPT_LISTS = """() => {
    const found = window.__keptLists;
    window.__keptLists = undefined;
    caches.match("/__lantern/pages.json", {cacheName: "lantern-pages"})
        .then((index) => (index ? index.json() : null))
        .then((index) => { window.__keptLists = index ? index.lists : null; });
    return found || false;
}"""


def kept_lists(page: Page, wanted: str) -> None:
    """Wait until the worker keeps pages fetched with the lists as `wanted`."""
    page.wait_for_function(
        f"() => {{ const f = ({KEPT_LISTS})(); return f === {wanted!r}; }}", polling=100
    )


def scheme_stamp(app) -> str:
    def read() -> str:
        scheme_id = db.session.scalar(select(User.scheme_id).filter_by(username="pastor"))
        return stamp(scheme_id)

    return on_server(app, read)


def coordinator_changes_the_list(page: Page) -> None:
    """Water to the end (a number after every other), Lollipop hidden, through the page."""
    sign_in(page, "coordinator")
    menu_link(page, "Lists").click()
    page.get_by_role("link", name="What pastors gave or did", exact=True).click()
    page.get_by_label("Order of Water", exact=True).fill("99")
    page.get_by_label("Hide Lollipop", exact=True).check()
    page.get_by_role("button", name="Save the list", exact=True).click()
    expect(page.locator("div.flashes")).to_contain_text("The list is saved.")


def test_a_coordinator_s_order_and_hidden_item_reach_the_contact_form_online_and_offline(
    browsing, live_app, tmp_path
):
    patrol, old = start_patrol_with_lollipop(live_app)
    before = scheme_stamp(live_app)
    context, phone = persistent(browsing, tmp_path / "phone", **device("phone"))
    sign_in(phone, "pastor")
    kept_lists(phone, before)
    phone.goto(f"/patrols/{patrol}/contacts/new")
    shown = chips_of(phone)
    assert shown[0] == "Water" and "Lollipop" in shown

    coordinator_changes_the_list(browsing.page())
    after = scheme_stamp(live_app)
    assert after != before

    # Online: the form has the new order at once, and the worker fetches its copies again.
    phone.goto(f"/patrols/{patrol}/contacts/new")
    shown = chips_of(phone)
    assert shown[-1] == "Water" and "Lollipop" not in shown
    kept_lists(phone, after)
    page = phone.goto(f"/patrols/{patrol}/contacts/{old}")
    assert page is not None and page.ok
    expect(phone.locator("main")).to_contain_text("Lollipop")  # the older contact keeps it

    # Offline, after that one online open: the kept form has the new list too.
    go_offline(phone)
    phone.goto(f"/patrols/{patrol}/contacts/new")
    offline_chips = chips_of(phone)
    assert offline_chips == shown
    context.close()
    browsing.assert_no_errors()


def test_a_contact_saved_offline_syncs_after_its_item_was_hidden(browsing, live_app, tmp_path):
    patrol, _old = start_patrol_with_lollipop(live_app)
    context, phone = persistent(browsing, tmp_path / "phone", **device("phone"))
    sign_in(phone, "pastor")
    kept_lists(phone, scheme_stamp(live_app))
    go_offline(phone)
    phone.goto(f"/patrols/{patrol}/contacts/new")
    journeys.chip(phone, GIVEN, "Lollipop").tap()
    phone.get_by_role("button", name=re.compile("^Save contact")).tap()
    expect(phone.locator("#outbox-text")).to_contain_text("1 record waiting")
    saved = outbox(phone)[0]["id"]

    coordinator_changes_the_list(browsing.page())  # Lollipop hidden while the phone is out

    context.set_offline(False)
    phone.goto("/")
    settle(phone)

    def given() -> list | None:
        contact = db.session.get(Contact, saved)
        return contact.given if contact else None

    for _ in range(100):
        if on_server(live_app, given) is not None:
            break
        phone.wait_for_timeout(100)
    assert on_server(live_app, given) == ["lollipop"]
    assert outbox(phone) == []
    context.close()
    browsing.assert_no_errors()


def test_water_for_two_is_still_three_taps_with_water_last(browsing, live_app):
    start_patrol_with_lollipop(live_app)
    coordinator_changes_the_list(browsing.page())
    phone = browsing.page(**device("phone"))
    sign_in(phone, "pastor")
    assert chips_of(phone)[-1] == "Water"
    taps = journeys.common_contact(phone)
    assert taps <= 3, f"water for 2 people took {taps} taps from home"
    expect(phone.locator("div.flashes")).to_contain_text("Contact saved.")

    def newest() -> tuple:
        contact = db.session.scalar(select(Contact).order_by(Contact.created_at.desc()).limit(1))
        return contact.people, contact.given

    for _ in range(50):
        if on_server(live_app, newest) == (2, ["water"]):
            break
        phone.wait_for_timeout(100)
    assert on_server(live_app, newest) == (2, ["water"])
    browsing.assert_no_errors()
