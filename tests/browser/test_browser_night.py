"""The night as staff and pastors live it, in Chromium with touch: nothing covered, each
role's main action first, the taps counted from home, the chrome above each page's
heading, the patrol list, records waiting behind a sign-in, pages kept in the person's
language, and a shift signing in from one address. Each at tablet and phone size, in the
light palette and the dark one."""

import re
import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from accounts import services as accounts
from accounts.models import User
from core.timeutil import utcnow
from extensions import db
from havens.models import Venue, Visit
from patrols import services as patrols
from patrols.models import Contact, Team
from schemes import demo
from tests import journeys
from tests.browser.offline import (
    go_offline,
    offline,
    on_server,
    outbox,
    pages_kept,
    persistent,
    settle,
    user_id,
)
from tests.browser.pages import SIZES, device, menu_link, sign_in, sign_out

pytestmark = pytest.mark.browser

LOOKS = [(size, palette) for size in SIZES for palette in ("light", "dark")]
LOOK_IDS = [f"{size}-{palette}" for size, palette in LOOKS]
CHROME_MAX = 0.15  # of a phone's height, above the page heading


def page_for(browsing, size: str, palette: str) -> Page:
    """A page as the night's people have it: touch, at this size, in this palette."""
    return browsing.page(**device(size) | {"has_touch": True, "color_scheme": palette})


def start_patrol(app, team: str = "Friday team", username: str = "pastor") -> str:
    """The team out on patrol, started an hour ago by `username`; the patrol's id."""

    def start() -> str:
        pastor = db.session.scalar(select(User).filter_by(username=username))
        team_id = db.session.scalar(select(Team.id).filter_by(name=team))
        values = {
            "team_id": team_id,
            "area_id": None,
            "route": "",
            "started_at": utcnow().replace(second=0, microsecond=0) - timedelta(hours=1),
        }
        patrol, _created = patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
        db.session.commit()
        return patrol.id

    return on_server(app, start)


# ----------------------------------------------------- 1. no control sits under another

# Every control on the page, and whether a tap at its centre reaches it: at the top of
# the page, for those on the first screen, then each scrolled to. A chip's input lies
# over its label (opacity 0), so the label is what is checked.
COVERED = """() => {
    const scroller =
        document.querySelector("body.with-save-bar > .page") || document.scrollingElement;
    document.querySelectorAll("main details.more").forEach((d) => (d.open = true));
    const controls = [...document.querySelectorAll(
        "main label.chip, main input:not([type=hidden]), main select, main textarea, " +
        "main button, main a.button, main summary, .save-bar button")]
        .filter((el) => !el.closest("label.chip") || el.matches("label.chip"))
        .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden");
    const name = (el) =>
        `${el.tagName.toLowerCase()} "${(el.textContent || el.name || "").trim().slice(0, 40)}"`;
    const reached = (el) => {
        const rect = el.getBoundingClientRect();
        const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
        // Off screen: outside the window, or scrolled out of the page's own box.
        const page = scroller !== document.scrollingElement && !el.closest(".save-bar");
        const box = page ? scroller.getBoundingClientRect() : { top: 0, bottom: innerHeight };
        const view = { top: Math.max(0, box.top), bottom: Math.min(innerHeight, box.bottom) };
        if (x < 0 || x > innerWidth || y < view.top || y > view.bottom) return null;
        const hit = document.elementFromPoint(x, y);
        const label = el.closest("label");
        return Boolean(hit) && (el.contains(hit) || (label && hit.closest("label") === label));
    };
    const covered = [];
    scroller.scrollTo(0, 0);
    for (const el of controls) if (reached(el) === false) covered.push(`at the top: ${name(el)}`);
    for (const el of controls) {
        el.scrollIntoView({ block: "nearest" });
        if (reached(el) !== true) covered.push(`scrolled to: ${name(el)}`);
    }
    return { checked: controls.length, covered };
}"""


def record_forms(app) -> dict[str, list[str]]:
    """The record forms each role fills in, by address."""
    patrol = start_patrol(app)

    def ids():
        staff = select(User.id).filter_by(username="staff").scalar_subquery()
        latest = select(Visit.id).where(Visit.created_by_id == staff)
        visit = db.session.scalar(latest.order_by(Visit.arrived_at.desc()).limit(1))
        old = select(Contact.id, Contact.patrol_id).where(Contact.patrol_id != patrol)
        return visit, *db.session.execute(old.limit(1)).one()

    visit, contact, old_patrol = on_server(app, ids)
    return {
        "staff": ["/visits/new", f"/visits/{visit}"],
        "pastor": [
            "/",
            f"/patrols/{patrol}/contacts/new",
            f"/patrols/{patrol}/end",
            f"/patrols/{old_patrol}/contacts/{contact}",
        ],
        "coordinator": ["/patrols/start"],
    }


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_no_control_sits_under_another(browsing, live_app, size, palette):
    forms = record_forms(live_app)
    for username, paths in forms.items():
        page = page_for(browsing, size, palette)
        sign_in(page, username)
        for path in paths:
            page.goto(path)
            found = page.evaluate(COVERED)
            assert found["checked"] >= 3, f"{path}: only {found['checked']} controls found"
            assert found["covered"] == [], f"{path} at {size}, {palette}: {found['covered']}"
        page.context.close()
    browsing.assert_no_errors()


# ------------------------------------------------------ 2. home leads with the main action

# The largest control on the first screen (links, buttons, chips), and where it leads.
LARGEST = """() => {
    const seen = [...document.querySelectorAll("a, button, label.chip, summary")]
        .filter((el) => el.getClientRects().length)
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.bottom > 0 && box.top < innerHeight && box.width && box.height);
    seen.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    const { el, box } = seen[0];
    return { text: el.textContent.trim(), href: el.getAttribute("href"), bottom: box.bottom };
}"""


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_home_leads_with_each_roles_main_action(browsing, live_app, size, palette):
    # The demo's pastor leads the Friday team, and nobody is out yet: Start a patrol.
    page = page_for(browsing, size, palette)
    sign_in(page, "pastor")
    largest = page.evaluate(LARGEST)
    assert (largest["text"], largest["href"]) == ("Start a patrol", "/patrols/start"), largest

    # Staff: Log a visit, then the hand-over on its way ("Log their visit"), in sight.
    page = page_for(browsing, size, palette)
    sign_in(page, "staff")
    largest = page.evaluate(LARGEST)
    assert (largest["text"], largest["href"]) == ("Log a visit", "/visits/new"), largest
    their_visit = page.get_by_role("link", name="Log their visit")
    expect(their_visit.first).to_be_in_viewport()
    # Calling for help is one tap away, but nowhere near the main action.
    call = page.locator("main").get_by_role("link", name="Ask Street Pastors for help")
    expect(call).to_have_count(1)
    gap = call.bounding_box()["y"] - page.locator("a.button.huge").bounding_box()["y"]
    assert gap > 150, f"calling for help sits {gap}px below Log a visit"

    # A pastor whose team is out: the contact form itself, its Save bar always in sight.
    start_patrol(live_app)
    page = page_for(browsing, size, palette)
    sign_in(page, "pastor")
    expect(page.get_by_role("heading", name=re.compile("^Log a contact"))).to_be_in_viewport()
    largest = page.evaluate(LARGEST)
    assert largest["text"] == "Save contact: 1 person", largest

    # The coordinator: what needs them first, with the demo's registration and lapsing venue.
    page = page_for(browsing, size, palette)
    sign_in(page, "coordinator")
    needs = page.get_by_role("region", name="Needs you")
    expect(needs).to_be_in_viewport()
    expect(needs).to_contain_text("1 registration to decide on")
    expect(needs).to_contain_text("The Grove Tavern")
    browsing.assert_no_errors()


# ------------------------------------------------------------- 3. taps counted from home


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_the_common_visit_and_contact_in_few_taps_from_home(browsing, live_app, size, palette):
    page = page_for(browsing, size, palette)
    sign_in(page, "staff")
    taps = journeys.common_visit(page)
    assert taps <= 5, f"the common visit took {taps} taps from home"
    expect(page.locator("div.flashes")).to_contain_text("Visit saved.")

    start_patrol(live_app)
    page = page_for(browsing, size, palette)
    sign_in(page, "pastor")
    taps = journeys.common_contact(page)
    assert taps <= 3, f"water for 2 people took {taps} taps from home"
    expect(page.locator("div.flashes")).to_contain_text("Contact saved.")

    def newest():
        visit = db.session.scalar(select(Visit).order_by(Visit.created_at.desc()).limit(1))
        contact = db.session.scalar(select(Contact).order_by(Contact.created_at.desc()).limit(1))
        return (visit.help, visit.age_band, visit.company), (contact.people, contact.given)

    for _ in range(50):
        visit, contact = on_server(live_app, newest)
        if contact == (2, ["water"]):
            break
        page.wait_for_timeout(100)
    assert visit == (["seat"], "18_24", "alone")
    assert contact == (2, ["water"])
    browsing.assert_no_errors()


# ------------------------------------------------------- 4. the chrome above the heading


def pages_of(page: Page) -> list[str]:
    """Every page the role reaches from home and its menu."""
    page.goto("/")
    links = page.locator("header details.menu nav a, main a.tile, main a.button")
    paths = {href for href in links.evaluate_all("els => els.map((a) => a.getAttribute('href'))")}
    return sorted(p for p in paths if p and p.startswith("/") and not p.startswith("/help/new"))


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("username", ["staff", "pastor", "coordinator", "partner"])
def test_the_chrome_takes_at_most_15_percent_of_a_phone(browsing, username, palette):
    page = page_for(browsing, "phone", palette)
    sign_in(page, username)
    heights = {}
    for path in ["/", *pages_of(page)]:
        page.goto(path)
        top = page.evaluate("document.querySelector('main h1').getBoundingClientRect().top")
        heights[path] = top / SIZES["phone"]["height"]
    over = {path: f"{share:.0%}" for path, share in heights.items() if share > CHROME_MAX}
    assert len(heights) >= 4 and not over, f"chrome above the heading: {over}"
    browsing.assert_no_errors()


# --------------------------------------------------------------------- 5. the patrol list


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_the_patrol_list_leads_with_the_open_patrol_and_stays_short(
    browsing, live_app, size, palette
):
    patrol = start_patrol(live_app)
    page = page_for(browsing, size, palette)
    sign_in(page, "pastor")
    menu_link(page, "Patrols").tap()
    open_now = page.get_by_role("region", name=re.compile("^On patrol now"))
    expect(open_now).to_be_in_viewport()
    expect(open_now.get_by_role("link", name="Log a contact")).to_have_attribute(
        "href", f"/patrols/{patrol}/contacts/new"
    )
    # Two weeks of the demo's half year of Friday and Saturday nights, then months.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4 * SIZES[size]["height"], f"the patrol list is {height}px tall"
    months = page.get_by_role("navigation", name="Earlier patrols, by month").get_by_role("link")
    assert months.count() >= 6
    months.last.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Patrols in "))
    assert page.locator("ul.visits > li").count() >= 1
    browsing.assert_no_errors()


# ------------------------------------------------ 6. records waiting behind a sign-in page


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_the_sign_in_page_says_what_waits_and_signing_in_sends_it(
    browsing, live_app, tmp_path, size, palette
):
    patrol = start_patrol(live_app)
    pastor = user_id(live_app, "pastor")
    profile = tmp_path / "profile"
    options = device(size) | {"has_touch": True, "color_scheme": palette}
    context, page = persistent(browsing, profile, **options)
    sign_in(page, "pastor")
    pages_kept(page, pastor, 7)  # home, start, contact, end, directory, outbox, offline
    go_offline(page)
    page.goto(f"/patrols/{patrol}/contacts/new")
    for saved in (1, 2):
        journeys.chip(page, "Given or done", "Water").tap()
        page.get_by_role("button", name=re.compile("^Save contact")).tap()
        expect(page.locator("#outbox-text")).to_contain_text(
            "1 record waiting" if saved == 1 else "2 records waiting"
        )
    assert len(outbox(page)) == 2
    context.close()  # the phone goes in a pocket; the session ends with the browser

    # Opened again with no signal: the worker's copy of the sign-in page says it.
    context, page = persistent(browsing, profile, **options)
    context.set_offline(True)
    page.goto("/signin")
    note = page.locator("#device-outbox")
    expect(note).to_contain_text("2 records wait on this device to be sent.")
    expect(note).to_contain_text("The oldest was saved")
    expect(note).not_to_contain_text("Water")  # a count, nothing of what they say

    # Online again: the server's sign-in page says the same, and signing in sends them.
    context.set_offline(False)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(note).to_contain_text("2 records wait on this device to be sent.")
    page.get_by_label("Username or email", exact=True).fill("pastor")
    page.get_by_label("Password", exact=True).fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).tap()

    def stored() -> int:
        return db.session.scalar(select(func.count(Contact.id)).filter_by(patrol_id=patrol))

    for _ in range(100):
        if on_server(live_app, stored) == 2:
            break
        page.wait_for_timeout(100)
    assert on_server(live_app, stored) == 2
    page.wait_for_timeout(500)
    assert on_server(live_app, stored) == 2  # exactly once
    browsing.assert_no_errors()


# -------------------------------------------------- 7. pages kept in the person's language


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_a_change_of_language_reaches_the_pages_kept_offline(browsing, live_app, size, palette):
    staff = user_id(live_app, "staff")
    page = page_for(browsing, size, palette)
    sign_in(page, "staff")
    pages_kept(page, staff, 5)
    with live_app.test_request_context(), force_locale("pl"):
        polish = gettext("Log a visit")
    assert polish != "Log a visit"
    page.get_by_label("Language").select_option("pl")
    page.locator("form.language button").tap()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    # The worker fetches this person's pages again, in Polish, at once.
    pages_kept(page, staff, 5, lang="pl")
    settle(page)
    offline(page.context)
    page.goto("/visits/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(polish)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    browsing.assert_no_errors()


# ------------------------------------------------- 8. a shift signing in from one address


@pytest.mark.parametrize(("size", "palette"), LOOKS, ids=LOOK_IDS)
def test_six_people_sign_in_one_after_another_on_one_address(browsing, live_app, size, palette):
    def shift() -> list[str]:
        scheme = db.session.scalar(select(User).filter_by(username="staff")).scheme
        venue = db.session.scalar(select(Venue).filter_by(name="The Pantiles Tap"))
        names = [f"barstaff{n}" for n in range(6)]
        for n, username in enumerate(names):
            accounts.create_person(
                scheme, f"Bar Staff {n}", username, demo.PASSWORD, roles={"venue_staff"},
                venues=[venue],
            )  # fmt: skip
        db.session.commit()
        return names

    page = page_for(browsing, size, palette)  # one tablet, so one address
    for n, username in enumerate(on_server(live_app, shift)):
        page.goto("/signin")
        page.get_by_label("Username or email", exact=True).fill(username)
        page.get_by_label("Password", exact=True).fill(demo.PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).tap()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, Bar Staff {n}")
        sign_out(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    browsing.assert_no_errors()
