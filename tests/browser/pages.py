"""What a person does on a page, for the browser tests: sign in, tap a chip, wait for
the outbox; and the sizes, browser and waits the pages are opened with.

Plain functions of a Playwright page, not fixtures: the tests' own helpers call them.
Screenshots land in tests/artifacts/screenshots/ (gitignored) for a person to look at.
"""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from schemes import demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent.parent / "artifacts" / "screenshots"
SIZES = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}
NAMES = {username: name for username, name, _role in demo.PEOPLE}
TOUCH_MIN = 48  # CSS px: the app's own minimum for anything tapped
TIMEOUT_MS = 10_000
HOME_URL = re.compile(r"^http://127\.0\.0\.1:\d+/$")


# ----------------------------------------------------------------------------- signing in


def fill_sign_in(page: Page, username: str, password: str = demo.PASSWORD) -> None:
    """Open the sign-in page and fill the form by its labels, as a person would."""
    page.goto("/signin")
    page.get_by_label("Username or email", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)


def sign_in(page: Page, username: str) -> None:
    """Sign in through the real form and land on the home page."""
    fill_sign_in(page, username)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_home(page, username)


def menu_link(page: Page, name: str) -> Locator:
    """A page in the header's Menu, which is opened first if it is closed."""
    menu = page.locator("header details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu.locator("nav").get_by_role("link", name=name, exact=True)


def sign_out(page: Page) -> None:
    """Sign out from the header's Menu, as a person would."""
    menu = page.locator("header details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    menu.get_by_role("button", name="Sign out", exact=True).click()


def expect_home(page: Page, username: str) -> None:
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAMES[username]}")


# ------------------------------------------------------------------------ sizes and looks


def screenshot(page: Page, name: str, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    # Let the page lay itself out at the new width before anything is measured.
    page.wait_for_function(f"window.innerWidth === {SIZES[size]['width']}")
    page.evaluate(
        "new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png", full_page=True)


def device(size: str) -> dict:
    """Context options for a British tablet or phone (phones are touch screens)."""
    touch = size == "phone"
    return {"viewport": SIZES[size], "has_touch": touch, "is_mobile": touch, "locale": "en-GB"}


def sideways(page: Page, size: str) -> int:
    """How far the page scrolls sideways at a size, in CSS px (0 when it fits).

    Measured against the size itself: with is_mobile, Chromium widens the layout viewport
    to fit wide content, so window.innerWidth grows with the overflow and hides it.
    """
    return page.evaluate("document.documentElement.scrollWidth") - SIZES[size]["width"]


def focused(page: Page) -> str:
    """A short description of the focused element: tag, then id, name or text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "body";
            const what = el.id || el.getAttribute("name") || el.textContent.trim();
            return `${el.tagName.toLowerCase()}:${what}`;
        }"""
    )


# ----------------------------------------------------------------------- forms and outbox


def chip(page: Page, group: str, label: str) -> Locator:
    """The tappable label of one option, inside the fieldset whose legend is `group`."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return (
        page.get_by_role("group", name=group, exact=True)
        .locator("label.chip")
        .filter(has_text=exact)
    )


def chip_input(page: Page, group: str, label: str) -> Locator:
    return chip(page, group, label).locator("input")


def outbox_status(page: Page) -> Locator:
    return page.locator("#outbox-text")


# Whether this device's outbox holds nothing waiting to be sent (rejected entries stay).
# It never creates the database: an open that would create it is aborted.
NOTHING_WAITS = """() => new Promise((resolve) => {
    const open = indexedDB.open("lantern");
    open.onupgradeneeded = () => open.transaction.abort();
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
        const all = open.result.transaction("outbox").objectStore("outbox").getAll();
        all.onsuccess = () => {
            open.result.close();
            resolve(all.result.every((entry) => entry.state !== "waiting"));
        };
    };
})"""


def wait_until_sent(page: Page) -> None:
    """The device's outbox has sent everything, and its status bar says so."""
    for _ in range(100):
        if page.evaluate(NOTHING_WAITS):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("records still wait in the outbox after 10 seconds")
    expect(outbox_status(page)).to_have_text("All your records are sent.")
