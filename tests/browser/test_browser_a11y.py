"""Accessibility: axe-core audits every HTML page each role can open, in a real browser.

The pages come from the app's url_map, as tests/test_access.py walks it: every GET route,
its arguments filled from the demo scheme (plus an open patrol, a call for help, a notice,
an enrolment code and a reset link made here), is fetched as each role, and every answer
that is a 200 HTML page is audited. A new page is therefore audited without being listed.
Pages are audited in the light palette and again in the dark one (prefers-color-scheme),
in which venue staff and Street Pastors work at night.

axe-core is injected with page.evaluate, through the DevTools protocol, which the
Content-Security-Policy does not govern: the pages are audited under the app's own CSP.
"""

import uuid
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from sqlalchemy import select

from accounts import enrolment
from accounts import services as accounts
from accounts.models import Scheme, User
from alerts import help_requests, notices
from core.timeutil import utcnow
from extensions import db
from havens.models import SupportService, Venue, Visit
from patrols import services as patrols
from patrols.models import Contact, Patrol, PatrolArea, Team
from places.models import Eva, UnsafePlaceReport
from schemes import demo
from tests.access_table import ANON, EXPECTED
from tests.browser.pages import SIZES, sign_in

pytestmark = pytest.mark.browser

USERNAMES = {role: username for username, _name, role in demo.PEOPLE}
# Every impact axe reports except "minor": the app is kept clean of these.
FAILING_IMPACTS = {"moderate", "serious", "critical"}
ALL_RULES = {"resultTypes": ["violations"]}
# The palettes differ only in colour, so the dark one needs only the rules about colour.
COLOUR_RULES = ALL_RULES | {"runOnly": ["color-contrast", "link-in-text-block"]}
# Street Pastors and the public (scanning a venue's sign) use phones; the rest, tablets.
VIEWPORTS = {"pastor": "phone", ANON: "phone"}
# Pages reachable only with ids from the demo data: a broken sample must not skip them.
NEEDS_IDS = {
    ANON: {"havens.venue_page", "havens.register_interest", "accounts.enrol"},
    "coordinator": {
        "havens.venue",
        "havens.edit_service",
        "accounts.edit_person",
        "alerts.notice",
        "patrols.edit_area",
        "places.report_page",
        "places.eva",
        "places.edit_eva",
        "reports.eva_report",
    },
    "venue_staff": {"havens.visit", "alerts.help_request"},
    "pastor": {
        "patrols.patrol",
        "patrols.log_contact",
        "patrols.contact",
        "patrols.end_patrol",
        "patrols.summary",
        "alerts.help_request",
        "alerts.notice",
    },
    "partner": {"reports.eva_report"},
}


@pytest.fixture
def samples(live_app) -> list[dict]:
    """Values for the url_map's arguments from the demo scheme, after adding what it lacks.

    Two sets, since one argument name serves pages that need different records: a patrol
    that is open (to log a contact or end it) and one that has ended (its summary)."""
    with live_app.app_context():
        scheme = db.session.scalar(select(Scheme).filter_by(name=demo.SCHEME))
        people = {p.username: p for p in db.session.scalars(select(User))}
        venue = db.session.scalar(select(Venue).filter_by(name=demo.VENUES[0][0]))
        team = db.session.scalar(select(Team).filter_by(name="Friday team"))
        ended = db.session.scalar(
            select(Patrol).filter_by(team_id=team.id).order_by(Patrol.ended_at.desc())
        )
        values = {"team_id": team.id, "area_id": None, "route": "", "started_at": utcnow()}
        patrol, _created = patrols.start_patrol(
            str(uuid.uuid4()), values, [people["pastor"]], people["pastor"]
        )
        help_request = help_requests.ask(venue, "unwell", people["staff"])
        # send_notice reads only the submitted values of the coordinator's form.
        form = SimpleNamespace(
            audience=SimpleNamespace(data="team"),
            team_id=SimpleNamespace(data=team.id),
            text=SimpleNamespace(data="Road closed by the station tonight."),
        )
        notice = notices.send_notice(form, people["coordinator"])
        common = {
            "person_id": people["staff"].id,
            "venue_id": venue.id,
            "scheme_id": scheme.id,
            "code": venue.public_code,
            "visit_id": db.session.scalar(
                select(Visit.id).filter_by(venue_id=venue.id).order_by(Visit.arrived_at.desc())
            ),
            "service_id": db.session.scalar(
                select(SupportService.id).filter_by(scheme_id=scheme.id)
            ),
            "contact_id": db.session.scalar(select(Contact.id).filter_by(patrol_id=ended.id)),
            "help_id": help_request.id,
            "notice_id": notice.id,
            # The demo's unsafe-place reports and EVA (schemes/demo.py).
            "report_id": db.session.scalar(
                select(UnsafePlaceReport.id).order_by(UnsafePlaceReport.number)
            ),
            "eva_id": db.session.scalar(select(Eva.id)),
            "area_id": db.session.scalar(select(PatrolArea.id).filter_by(scheme_id=scheme.id)),
        }
        tablet = enrolment.make_code(
            scheme.id, "Bar tablet", people["coordinator"], venue_id=venue.id
        )
        reset = accounts.issue_reset(people["partner"], people["coordinator"])
        db.session.commit()
        sets = [
            common | {"patrol_id": patrol.id, "token": tablet},
            common | {"patrol_id": ended.id, "token": reset},
        ]
        db.session.remove()
    return sets


def page_urls(app, samples: list[dict], sample_url) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route, once per distinct URL the samples give."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for values in samples:
            found.setdefault(sample_url(app, rule, **values), rule.endpoint)
    return sorted((endpoint, url) for url, endpoint in found.items())


def answers(page: Page, urls: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The (endpoint, URL)s that answer this person 200: "html" are the pages to audit,
    "other" the rest (JSON, PDF, CSV, the service worker)."""
    found = {"html": [], "other": []}
    for endpoint, url in urls:
        response = page.request.get(url, max_redirects=0)
        if response.status == 200:
            html = response.headers.get("content-type", "").startswith("text/html")
            found["html" if html else "other"].append((endpoint, url))
        response.dispose()
    return found


def violations(page: Page, axe: Axe, where: str, options: dict) -> list[str]:
    """axe-core's findings at FAILING_IMPACTS on the page as it is now, one line each."""
    results = axe.run(page, options=options)
    return [
        f"{where}: {v['id']} ({v['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def duplicate_ids(page: Page, where: str) -> list[str]:
    """axe-core 4.12 no longer checks ids are unique (WCAG 2.2 dropped 4.1.1), but a
    repeated id still makes a <label for> name the wrong field. Hidden inputs (each form's
    CSRF token) are never labelled nor announced, so theirs are left out."""
    repeated = page.evaluate(
        """() => {
            const seen = new Set(), twice = new Set();
            for (const el of document.querySelectorAll("[id]:not(input[type=hidden])")) {
                (seen.has(el.id) ? twice : seen).add(el.id);
            }
            return [...twice];
        }"""
    )
    return [f"{where}: duplicate id: #{name}" for name in repeated]


def audit(page: Page, axe: Axe, endpoint: str, url: str) -> list[str]:
    """One page in both palettes, with its folded-away parts opened."""
    page.emulate_media(color_scheme="light")
    page.goto(url)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found = duplicate_ids(page, f"{url} ({endpoint})")
    found += violations(page, axe, f"{url} ({endpoint}, light)", ALL_RULES)
    page.emulate_media(color_scheme="dark")
    return found + violations(page, axe, f"{url} ({endpoint}, dark)", COLOUR_RULES)


@pytest.mark.parametrize("role", [ANON, *USERNAMES])
def test_every_page_passes_axe(live_app, browsing, samples, sample_url, role):
    page = browsing.page(viewport=SIZES[VIEWPORTS.get(role, "tablet")])
    if role != ANON:
        sign_in(page, USERNAMES[role])
    found = answers(page, page_urls(live_app, samples, sample_url))
    # A wrong sample id must not quietly leave a page out of the audit.
    opened = {e for e, (method, by) in EXPECTED.items() if method == "GET" and by[role] == 200}
    expected = opened - {"static"}  # files, not pages
    answered = {endpoint for endpoint, _url in found["html"] + found["other"]}
    assert expected - answered == set(), "pages the access walk opens answered otherwise here"
    audited = {endpoint for endpoint, _url in found["html"]}
    assert NEEDS_IDS[role] - audited == set(), "pages behind the demo's ids were not reached"

    axe = Axe()
    problems = [p for endpoint, url in found["html"] for p in audit(page, axe, endpoint, url)]
    browsing.assert_no_errors()
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


# The colour a keyboard user sees at the focused control's edge, and the page behind it:
# the box-shadow ring drawn inside the yellow outline, else the outline itself.
FOCUS_RING = """() => {
    const style = getComputedStyle(document.activeElement);
    const ring = style.boxShadow.match(/rgba?\\([^)]*\\)/);
    return {ring: ring ? ring[0] : style.outlineColor,
            behind: getComputedStyle(document.body).backgroundColor};
}"""


def luminance(css: str) -> float:
    """WCAG relative luminance of an rgb()/rgba() colour."""
    inside = css[css.index("(") + 1 : css.index(")")]
    red, green, blue = (int(part) / 255 for part in inside.split(",")[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_from_the_page(browsing, scheme):
    """WCAG 1.4.11: a focus indicator needs 3:1 against what is behind it. axe does not
    check this; the yellow outline alone is 1.7:1 on the light palette's white."""
    page = browsing.page(color_scheme=scheme)
    page.goto("/signin")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    seen = page.evaluate(FOCUS_RING)
    assert contrast(seen["ring"], seen["behind"]) >= 3, seen
    browsing.assert_no_errors()
