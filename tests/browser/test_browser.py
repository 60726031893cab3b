"""Lantern in a real browser: signing in and out as each role, by keyboard and by touch,
at tablet and phone sizes, with no console error (a Content-Security-Policy violation
among them). The fixtures are in tests/browser/conftest.py.

Screenshots land in tests/artifacts/screenshots/ (gitignored) for a person to look at.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from schemes import demo
from tests.browser.pages import (
    NAMES,
    SIZES,
    TOUCH_MIN,
    expect_home,
    focused,
    screenshot,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

SIGN_IN_URL = re.compile(r"^http://127\.0\.0\.1:\d+/signin(\?next=[^&]*)?$")


# ------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("username", list(NAMES))
def test_each_role_signs_in_and_sees_their_home(browsing, username):
    page = browsing.page()
    sign_in(page, username)
    # The stylesheet loaded (the CSP allows it): the root font is 112.5% of 16px.
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "18px"
    for size in SIZES:
        screenshot(page, username, size)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{username} home scrolls sideways by {overflow}px at {size} size"

    if username == "staff":
        dark = browsing.page(color_scheme="dark")
        sign_in(dark, username)
        background = dark.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(16, 18, 20)", "the dark palette was not applied"
        for size in SIZES:
            screenshot(dark, f"{username}-dark", size)
    browsing.assert_no_errors()


def test_sign_in_works_without_javascript(browsing):
    page = browsing.page(java_script_enabled=False)
    sign_in(page, "partner")
    expect(page.get_by_role("heading", name="Partnership reports")).to_be_visible()
    browsing.assert_no_errors()


def test_sign_in_page_by_keyboard(browsing):
    page = browsing.page()
    page.goto("/signin")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # it shows itself when focused

    order = []
    for _ in range(10):
        order.append(focused(page))
        if order[-1] == "button:Sign in":
            break
        page.keyboard.press("Tab")
    wanted = ["input:username", "input:password", "button:Sign in"]
    assert all(name in order for name in wanted), f"Tab order was {order}"
    positions = [order.index(name) for name in wanted]
    assert positions == sorted(positions), f"Tab order was {order}"

    page.get_by_label("Username or email", exact=True).fill("coordinator")
    password = page.get_by_label("Password", exact=True)
    password.fill(demo.PASSWORD)
    expect(password).to_be_focused()
    page.keyboard.press("Enter")
    expect_home(page, "coordinator")
    browsing.assert_no_errors()


def test_skip_link_moves_focus_to_main(browsing):
    page = browsing.page()
    page.goto("/signin")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    browsing.assert_no_errors()


TAPPABLE = ", ".join(
    f"{area} {tag}"
    for area in ("header", "main", "footer")
    for tag in ("a", "button", "input:not([type=checkbox]):not([type=hidden])", "select")
)


def too_small(page: Page) -> list[str]:
    """Every visible tappable element shorter than TOUCH_MIN px, described."""
    elements = page.locator(TAPPABLE).all()
    boxes = [(element, element.bounding_box()) for element in elements if element.is_visible()]
    assert len(boxes) >= 4, f"found only {len(boxes)} tappable elements: wrong selector?"
    return [
        f"{box['width']:.0f}x{box['height']:.0f} px: "
        + element.evaluate("el => el.outerHTML.slice(0, 100)")
        for element, box in boxes
        if box["height"] < TOUCH_MIN
    ]


@pytest.mark.parametrize("username", ["coordinator", "staff"])
def test_touch_targets_at_phone_size(browsing, username):
    page = browsing.page(viewport=SIZES["phone"], has_touch=True)
    page.goto("/signin")
    small = too_small(page)
    assert not small, f"on the sign-in page, shorter than {TOUCH_MIN}px:\n" + "\n".join(small)

    sign_in(page, username)
    page.locator("header details.menu summary").click()  # the menu's links are measured too
    assert page.locator("header nav a").count() >= 2
    small = too_small(page)
    assert not small, f"on the home page, shorter than {TOUCH_MIN}px:\n" + "\n".join(small)
    browsing.assert_no_errors()


def test_console_check_catches_a_csp_violation(browsing):
    """The error check is not vacuous: inline script and style break the app's CSP."""
    page = browsing.page()

    def inject(route):
        response = route.fetch()
        html = response.text().replace(
            "</main>",
            '<style>h1 { color: red; }</style><script>document.title = "x";</script></main>',
        )
        route.fulfill(response=response, body=html)

    page.route("**/signin", inject)
    page.goto("/signin")
    browsing.wait_for_errors(page, 2)
    errors = browsing.errors[browsing.accepted :]
    assert any("Content Security Policy" in e and "style" in e for e in errors), errors
    assert any("Content Security Policy" in e and "script" in e for e in errors), errors
    expect(page).not_to_have_title("x")
    browsing.accepted = len(browsing.errors)


def test_sign_out_ends_the_session(browsing):
    page = browsing.page()
    sign_in(page, "pastor")
    old_cookies = page.context.cookies()

    sign_out(page)
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")

    name = page.get_by_text(NAMES["pastor"])
    page.go_back()
    expect(page).to_have_url(SIGN_IN_URL)  # sent to sign in, perhaps with ?next=
    expect(name).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(name).to_have_count(0)

    # The server ended the session: the old cookie, put back, opens nothing.
    page.context.clear_cookies()
    page.context.add_cookies(old_cookies)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(name).to_have_count(0)
    browsing.assert_no_errors()


# -------------------------------------------------- guards for problems found and fixed


def attributes_valued_none(page: Page) -> list[str]:
    """Form controls carrying a literal "None": a Python None rendered into the HTML."""
    return page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")].flatMap(el =>
            [...el.attributes]
                .filter(attr => attr.value === "None")
                .map(attr => `${el.name}: ${attr.name}="None"`))"""
    )


def test_form_fields_carry_no_python_none(browsing):
    page = browsing.page()
    page.goto("/signin")
    on_sign_in = attributes_valued_none(page)
    sign_in(page, "coordinator")
    page.goto("/people/new")
    on_add_person = attributes_valued_none(page)
    browsing.assert_no_errors()
    assert not on_sign_in, f"sign-in page: {on_sign_in}"
    assert not on_add_person, f"add-person page: {on_add_person}"


def test_people_page_fits_a_phone(browsing):
    page = browsing.page(viewport=SIZES["phone"])
    sign_in(page, "coordinator")
    page.goto("/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    browsing.assert_no_errors()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the People page scrolls sideways by {overflow}px on a phone"
