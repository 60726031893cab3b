"""A venue's call for help in a real browser: the venue's page follows the request by
itself (static/js/help.js), through a server that fails now and then.

The fixtures are in tests/browser/conftest.py.
"""

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from accounts.models import User
from alerts.models import HelpRequest
from core.timeutil import utcnow
from extensions import db
from patrols.models import Patrol, Team
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


def on_patrol(team, *pastors) -> Patrol:
    """A patrol of this team, started an hour ago, in the live server's database."""
    patrol = Patrol(
        id=str(uuid.uuid4()),
        team_id=team.id,
        started_at=utcnow() - timedelta(hours=1),
        pastors=list(pastors),
    )
    db.session.add(patrol)
    db.session.commit()
    return patrol


def test_the_venues_page_follows_the_request(live_app, browsing):
    from alerts import help_requests

    with live_app.app_context():
        pastor = db.session.scalar(select(User).filter_by(username="pastor"))
        team = db.session.scalar(select(Team).filter_by(name="Friday team"))
        on_patrol(team, pastor)
        team_name, pastor_id = team.name, pastor.id
        db.session.remove()
    page = browsing.page()
    sign_in(page, "staff")
    page.get_by_role("link", name="Ask Street Pastors for help").first.click()
    reasons = page.get_by_role("group", name="What do you need help with?")
    reasons.locator("label.chip").filter(has_text="Someone unwell").click()
    page.get_by_role("button", name="Send", exact=True).click()
    status = page.get_by_role("status").filter(has_text="Asked")
    expect(status).to_contain_text("Asked 1 Street Pastor, waiting for an answer.")
    help_id = page.url.rsplit("/", 1)[1]
    # The minutes since asking are beside the live region, not in it.
    expect(page.locator("#help-age")).to_contain_text("ago.")
    expect(page.locator("#help-status")).not_to_contain_text("ago")
    page.evaluate(
        """() => {
          window.regionChanges = 0;
          new MutationObserver((records) => { window.regionChanges += records.length; })
            .observe(document.getElementById("help-status"),
                     { childList: true, subtree: true, characterData: true });
        }"""
    )
    # The server fails twice (a 503, then no answer at all): the page keeps asking.
    failures = ["503", "abort"]

    def flaky(route):
        if not failures:
            route.continue_()
        elif failures.pop(0) == "abort":
            route.abort()
        else:
            route.fulfill(status=503, body="Service Unavailable")

    page.route("**/api/help/*", flaky)
    with live_app.app_context():
        req = db.session.get(HelpRequest, help_id)
        assert help_requests.accept(req, db.session.get(User, pastor_id), 10)
        db.session.commit()
        db.session.remove()
    # Within one 5-second poll of the server answering again, without a reload, the live
    # region says who is coming; the forms go, and focus moves to the status.
    expect(page.locator("#help-status")).to_contain_text(
        f"Pat ({team_name}) is on the way, about 10 minutes.", timeout=25_000
    )
    assert failures == []
    expect(page.locator("#help-cancel")).to_have_count(0)
    expect(page.locator("#help-age")).to_have_count(0)
    expect(page.locator("#help-status")).to_be_focused()
    page.wait_for_timeout(6_000)  # one more poll would find it closed: it has stopped
    assert page.evaluate("window.regionChanges") == 1  # replaced once, when it changed
    errors = browsing.errors[browsing.accepted :]
    assert all("Failed to load resource" in error for error in errors), errors
    browsing.accepted = len(browsing.errors)
    browsing.assert_no_errors()
