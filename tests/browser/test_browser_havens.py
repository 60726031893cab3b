"""Safe Havens in a real browser: logging a visit by taps, by keyboard, the public sign page.

The fixtures are in tests/browser/conftest.py: a live server with the demo scheme, one
Chromium per module, and `browsing`, whose pages fail the test on any console error
(a Content-Security-Policy violation among them). Screenshots land in
tests/artifacts/screenshots/ for a person to look at.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from extensions import db
from havens.models import Venue
from tests.browser.pages import (
    SCREENSHOTS,
    SIZES,
    chip,
    chip_input,
    device,
    focused,
    screenshot,
    sideways,
    sign_in,
    wait_until_sent,
)

pytestmark = pytest.mark.browser

VENUE = "The Pantiles Tap"  # where the demo's `staff` works; active, with in-date training
VISITS = "ul.visits > li"
# The common case: two kinds of help, an age band, alone, how they left.
COMMON = {
    "Help given": ["Seat and calm space", "Called a taxi"],
    "Age": ["25–34"],
    "Alone or with others": ["Alone"],
    "How they left": ["By taxi"],
}
MOST_TAPS = 8  # "one screen, one hand, under a minute in the common case, mostly taps"


# ----------------------------------------------------------------------------- helpers


def visit_count(page: Page) -> int:
    page.goto("/visits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits")
    return page.locator(VISITS).count()


def open_visit_form(page: Page, press) -> None:
    """Open the form from home, where it is the main action; `press` is click or tap."""
    page.goto("/")
    press(page.locator("main").get_by_role("link", name="Log a visit", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")


def flash(page: Page) -> Locator:
    """The flash messages (the outbox's status bar is a role=status region too)."""
    return page.locator("div.flashes")


def expect_fresh_visit_form(page: Page, old_id: str) -> None:
    """After a save the form stays, empty, for the next visit, with a new record id."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(page.locator("input[name=help]:checked")).to_have_count(0)
    expect(page.locator("input[name=id]")).not_to_have_value(old_id)
    expect(page.locator("input[name=id]")).to_have_value(re.compile(r"^[0-9a-f-]{36}$"))


def call_999(page: Page) -> Locator:
    """The big emergency button (the directory lists 999 too, further down)."""
    return page.get_by_role("region", name="In an emergency").get_by_role("link", name="Call 999")


def accept_status_log(browsing, status: int, path: str) -> None:
    """Drop Chromium's own log line for a page served on purpose with an error status.

    Chromium logs "Failed to load resource: ... status of 404" for the main document too;
    that is the browser reporting the status the server meant to send, not a page error.
    """
    line = f"the server responded with a status of {status} "
    browsing.errors[browsing.accepted :] = [
        error
        for error in browsing.errors[browsing.accepted :]
        if not (line in error and f"{path})" in error)
    ]


def venue_code(live_app, name: str = VENUE) -> str:
    """A venue's public code, read from the live server's database."""
    with live_app.app_context():
        code = db.session.scalar(select(Venue.public_code).filter_by(name=name))
        db.session.remove()
    assert code, f"no venue called {name!r} in the demo"
    return code


# ------------------------------------------------------------- logging a visit by taps


@pytest.mark.parametrize("size", list(SIZES))
def test_staff_log_a_visit_with_taps_only(browsing, size):
    touch = size == "phone"
    page = browsing.page(**device(size))
    sign_in(page, "staff")  # typing the password is the only typing, and it comes first
    before = visit_count(page)  # the demo's two visits at The Pantiles Tap

    taps = 0

    def press(target: Locator) -> None:
        nonlocal taps
        taps += 1
        target.tap() if touch else target.click()

    open_visit_form(page, press)
    for group, labels in COMMON.items():
        for label in labels:
            press(chip(page, group, label))
            expect(chip_input(page, group, label)).to_be_checked()
    # Nothing else was chosen: radios are single, and no other help is ticked.
    expect(page.locator("input[name=help]:checked")).to_have_count(2)
    expect(page.locator("input[name=age_band]:checked")).to_have_count(1)
    screenshot(page, "visit-form", size)
    overflow = sideways(page, size)
    assert overflow <= 0, f"the visit form scrolls sideways by {overflow}px at {size} size"

    first_id = page.locator("input[name=id]").input_value()
    press(page.get_by_role("button", name="Save visit", exact=True))
    # Saved on the device, a fresh form for the next person, and sent in the background.
    expect(flash(page)).to_contain_text("Visit saved.")
    expect_fresh_visit_form(page, first_id)
    wait_until_sent(page)
    assert visit_count(page) == before + 1
    newest = page.locator(VISITS).first  # newest first: arrived "now"
    expect(newest).to_contain_text("Seat and calm space, Called a taxi")

    # Counted: 1 (home's "Log a visit") + 2 help + 1 age + 1 alone + 1 how they left
    # + 1 "Save visit" = 7 taps, at both sizes.
    assert taps == 7
    assert taps <= MOST_TAPS
    browsing.assert_no_errors()


def test_visit_form_chips_are_big_enough_to_tap(browsing):
    page = browsing.page(**device("phone"))
    sign_in(page, "staff")
    page.goto("/visits/new")
    small = []
    for label in page.locator("label.chip").all():
        if not label.is_visible():
            continue  # the services inside the closed <details>
        box = label.bounding_box()
        if box["height"] < 48 or box["width"] < 48:
            small.append(f"{box['width']:.0f}x{box['height']:.0f}: {label.inner_text()}")
    assert not small, "chips smaller than 48px:\n" + "\n".join(small)
    browsing.assert_no_errors()


# ---------------------------------------------------------------------------- keyboard


def tab_to(page: Page, selector: str, most: int = 40) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; stopped at {focused(page)}")


def focus_ring(page: Page) -> dict:
    """The outline of the focused input's visible chip (the span after it)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement.nextElementSibling);
            return {style: style.outlineStyle, width: style.outlineWidth,
                    color: style.outlineColor};
        }"""
    )


def test_chips_work_by_keyboard(browsing):
    page = browsing.page(**device("tablet"))
    sign_in(page, "staff")
    page.goto("/visits/new")

    tab_to(page, "input[name=help]")
    seat = chip_input(page, "Help given", "Seat and calm space")
    expect(seat).to_be_focused()  # the first help chip is the first stop in the form
    ring = focus_ring(page)
    assert ring["style"] == "solid" and ring["width"] == "3px", f"no visible focus: {ring}"
    expect(seat).not_to_be_checked()
    page.keyboard.press("Space")
    expect(seat).to_be_checked()
    page.keyboard.press("Space")
    expect(seat).not_to_be_checked()
    page.keyboard.press("Space")

    page.keyboard.press("Tab")  # each checkbox is its own stop
    phone = chip_input(page, "Help given", "Phone charged")
    expect(phone).to_be_focused()
    assert focus_ring(page)["style"] == "solid"
    page.keyboard.press("Space")
    expect(phone).to_be_checked()

    # A radio group is one stop: Space picks the focused option, arrows move the choice.
    tab_to(page, "input[name=age_band]")
    under_18 = chip_input(page, "Age", "Under 18")
    expect(under_18).to_be_focused()
    assert focus_ring(page)["style"] == "solid"
    page.keyboard.press("Space")
    expect(under_18).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(chip_input(page, "Age", "18–24")).to_be_checked()
    expect(under_18).not_to_be_checked()

    tab_to(page, "input[name=company]")
    page.keyboard.press("Space")
    expect(chip_input(page, "Alone or with others", "Alone")).to_be_checked()

    tab_to(page, "button[type=submit]:not(.secondary)")
    page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("Visit saved.")
    wait_until_sent(page)
    page.goto("/visits")
    expect(page.locator(VISITS).first).to_contain_text("Seat and calm space, Phone charged")
    browsing.assert_no_errors()


# ------------------------------------------------------------------------------ resend


def fill_common(page: Page) -> None:
    for group, labels in COMMON.items():
        for label in labels:
            chip(page, group, label).click()


def test_the_same_form_sent_twice_is_saved_once(browsing):
    """Server side: the outbox's batch, sent again as it was (a retry after a lost answer),
    is answered duplicate and adds nothing."""
    page = browsing.page(**device("tablet"))
    sign_in(page, "staff")
    before = visit_count(page)
    page.goto("/visits/new")
    fill_common(page)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/api/sync")) as sent:
        page.get_by_role("button", name="Save visit", exact=True).click()
    expect(flash(page)).to_contain_text("Visit saved.")
    wait_until_sent(page)
    assert visit_count(page) == before + 1

    # The very same request again (a double tap, a retry after a dropped connection).
    body = sent.value.post_data
    assert re.search(r'"id": ?"[0-9a-f-]{36}"', body), body
    response = page.request.post(
        "/api/sync",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": sent.value.headers["x-csrftoken"],
        },
    )
    assert response.ok
    assert [r["status"] for r in response.json()["results"]] == ["duplicate"]
    assert visit_count(page) == before + 1
    browsing.assert_no_errors()


def test_back_and_save_again_does_not_duplicate(browsing):
    """Browser side: Save, Back, Forward, Save again. The list must not gain a second copy."""
    page = browsing.page(**device("tablet"))
    sign_in(page, "staff")
    before = visit_count(page)
    page.goto("/visits/new")
    first_id = page.locator("input[name=id]").input_value()
    fill_common(page)
    page.get_by_role("button", name="Save visit", exact=True).click()
    expect(flash(page)).to_contain_text("Visit saved.")
    expect_fresh_visit_form(page, first_id)
    wait_until_sent(page)

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits")
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    second_id = page.locator("input[name=id]").input_value()
    restored = page.locator("input[name=help]:checked").count()
    # The form is new (autocomplete="off": nothing is restored), or it is the same record.
    assert restored == 0 or second_id == first_id
    page.get_by_role("button", name="Save visit", exact=True).click()
    if restored:
        expect(flash(page)).to_contain_text("Visit saved.")
    else:
        expect(page.get_by_text("Choose at least one kind of help.")).to_be_visible()
    page.goto("/visits")
    assert page.locator(VISITS).count() == before + 1, "Back then Save added a second copy"
    browsing.assert_no_errors()


# -------------------------------------------------------------------------- validation


def test_a_missing_answer_keeps_what_was_valid(browsing):
    page = browsing.page(**device("phone"))
    sign_in(page, "staff")
    before = visit_count(page)
    page.goto("/visits/new")
    chip(page, "Age", "25–34").tap()
    chip(page, "How they left", "Walked on").tap()
    page.get_by_role("button", name="Save visit", exact=True).tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(page.get_by_role("alert").first).to_contain_text("Some answers need another look.")
    help_group = page.get_by_role("group", name="Help given", exact=True)
    expect(help_group.locator(".error")).to_have_text("Choose at least one kind of help.")
    expect(help_group).to_have_attribute("aria-describedby", "help-error")
    expect(chip_input(page, "Age", "25–34")).to_be_checked()
    expect(chip_input(page, "How they left", "Walked on")).to_be_checked()
    expect(page.locator("input[name=help]:checked")).to_have_count(0)

    # Put right with one more tap, and it saves: the same record, sent once.
    record = page.locator("input[name=id]").input_value()
    chip(page, "Help given", "Water").tap()
    page.get_by_role("button", name="Save visit", exact=True).tap()
    expect(flash(page)).to_contain_text("Visit saved.")
    expect_fresh_visit_form(page, record)
    wait_until_sent(page)
    expect(page.locator("#outbox-attention")).to_be_hidden()  # nothing left needing attention
    assert visit_count(page) == before + 1
    browsing.assert_no_errors()


# ------------------------------------------------------------------ the public sign page


def test_public_page_of_an_active_venue(browsing, live_app):
    code = venue_code(live_app)
    page = browsing.page(**device("phone"))
    response = page.goto(f"/v/{code}")
    assert response.status == 200
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("This is a Safe Haven")
    expect(page.locator("main")).to_contain_text(VENUE)
    expect(page.locator("header nav")).to_have_count(0)  # nobody is signed in
    expect(call_999(page)).to_have_attribute("href", "tel:999")
    directory = page.locator("ul.directory > li")
    assert directory.count() >= 10, "the seeded support directory is missing"
    expect(directory.filter(has_text="National Domestic Abuse Helpline")).to_have_count(1)
    # The numbers the council page gives (seed 001), each a link that dials it.
    calls = page.locator('ul.directory a[href^="tel:"]')
    hrefs = calls.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"tel:999", "tel:08081689276", "tel:08082000247"} <= set(hrefs), hrefs
    for href in hrefs:
        assert re.fullmatch(r"tel:\+?[0-9()-]+", href), f"not a dialable link: {href}"
    expect(
        directory.filter(has_text="Victim Support").get_by_role("link", name="Call 0808 168 9276")
    ).to_have_attribute("href", "tel:08081689276")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "public-venue-en.png", full_page=True)

    polish = browsing.page(
        **device("phone") | {"locale": "pl-PL"}, extra_http_headers={"Accept-Language": "pl"}
    )
    polish.goto(f"/v/{code}")
    expect(polish.locator("html")).to_have_attribute("lang", "pl")
    polish.screenshot(path=SCREENSHOTS / "public-venue-pl.png", full_page=True)
    # The catalogue has "This is a Safe Haven" in Polish ("To jest lokal Safe Haven").
    expect(polish.get_by_role("heading", level=1)).not_to_have_text("This is a Safe Haven")
    expect(polish.locator('a[href="tel:999"]').first).to_be_visible()
    browsing.assert_no_errors()


def test_public_page_fits_a_phone(browsing, live_app):
    page = browsing.page(**device("phone"))
    page.goto(f"/v/{venue_code(live_app)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This is a Safe Haven")
    browsing.assert_no_errors()
    overflow = sideways(page, "phone")
    assert overflow <= 0, f"the public page scrolls sideways by {overflow}px on a phone"


def test_public_page_of_an_unknown_code(browsing):
    page = browsing.page(**device("phone"))
    response = page.goto("/v/nope")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find this sign")
    expect(call_999(page)).to_have_attribute("href", "tel:999")
    expect(page.locator("ul.directory > li").first).to_be_visible()  # one-town deployment
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "public-venue-invalid.png", full_page=True)
    accept_status_log(browsing, 404, "/v/nope")
    browsing.assert_no_errors()
