"""Lantern in a real browser: Debian's Chromium driven through Playwright.

Each test gets a fresh database with the demo scheme, served by a live Werkzeug server
on a free port. Every page a test opens has its console and page errors collected; any
message of type "error" (a Content-Security-Policy violation among them) fails the test.

Screenshots land in tests/artifacts/screenshots/ (gitignored) for a person to look at.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import WSGIRequestHandler, make_server

from extensions import db
from schemes import demo
from tests.conftest import base_config, unavailable
from wsgi import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "artifacts" / "screenshots"
SIZES = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}
NAMES = {username: name for username, name, _role in demo.PEOPLE}
TOUCH_MIN = 48  # CSS px: the app's own minimum for anything tapped
TIMEOUT_MS = 10_000
HOME_URL = re.compile(r"^http://127\.0\.0\.1:\d+/$")
SIGN_IN_URL = re.compile(r"^http://127\.0\.0\.1:\d+/signin(\?next=[^&]*)?$")


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def live_app(db_url, tmp_path):
    """The app the live server serves, with the demo scheme (a test may change its config)."""
    app = create_app(base_config(db_url, tmp_path))
    with app.app_context():
        demo.load()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


RESPONSE = "tests.response"  # where the live server keeps each request's response


class ClosingHandler(WSGIRequestHandler):
    """Werkzeug's handler, closing the response of a client that hung up. Werkzeug (3.1.9)
    skips the close when the connection resets while it drains the request, so a static
    file stays open, and its ResourceWarning fails whichever test runs next."""

    def connection_dropped(self, error, environ=None) -> None:
        response = (environ or {}).get(RESPONSE)
        if hasattr(response, "close"):
            response.close()


def keeping_responses(app):
    def serve(environ, start_response):
        environ[RESPONSE] = response = app(environ, start_response)
        return response

    return serve


@pytest.fixture
def live_server(live_app):
    """The app with the demo scheme, served on 127.0.0.1 at a free port; yields its URL."""
    app = keeping_responses(live_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=ClosingHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module; missing or broken fails under CI and skips elsewhere."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        playwright.stop()
        unavailable(f"Chromium at {CHROMIUM} failed to launch: {error}")
    yield chromium
    chromium.close()
    playwright.stop()


class Browsing:
    """Opens pages in fresh contexts and records every console error and page error."""

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.messages: list[ConsoleMessage] = []  # all of them, for debugging
        self.errors: list[str] = []  # in the order they happened
        self.accepted = 0  # errors[:accepted] were asserted on already

    def page(self, **context_options) -> Page:
        """A page in a new browser context (its own cookies), at the live server."""
        context_options.setdefault("viewport", SIZES["tablet"])
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        self.messages.append(message)
        if message.type == "error":
            self.errors.append(f"console error: {message.text} (at {message.location['url']})")

    def _page_error(self, error: PlaywrightError) -> None:
        self.errors.append(f"page error: {error}")

    def wait_for_errors(self, page: Page, count: int) -> None:
        """Give the browser up to TIMEOUT_MS to report `count` new errors."""
        for _ in range(TIMEOUT_MS // 100):
            if len(self.errors) - self.accepted >= count:
                return
            page.wait_for_timeout(100)

    def assert_no_errors(self) -> None:
        """Call at the end of a test: no console errors (CSP violations included)."""
        new = self.errors[self.accepted :]
        self.accepted = len(self.errors)
        assert not new, "the browser reported errors:\n" + "\n".join(new)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    """Pages for one test; errors that came after the test's own check fail at teardown."""
    session = Browsing(browser, live_server)
    yield session
    session.close()
    late = session.errors[session.accepted :]
    if late:
        pytest.fail("the browser reported errors:\n" + "\n".join(late), pytrace=False)


# ----------------------------------------------------------------------------- helpers


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


def expect_home(page: Page, username: str) -> None:
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAMES[username]}")


def screenshot(page: Page, name: str, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    # Let the page lay itself out at the new width before anything is measured.
    page.wait_for_function(f"window.innerWidth === {SIZES[size]['width']}")
    page.evaluate(
        "new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png", full_page=True)


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

    page.get_by_role("button", name="Sign out", exact=True).click()
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
