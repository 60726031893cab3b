"""What a phone downloads: the public sign page loads only its HTML, stylesheet and icon,
compressed, and registers no service worker; a returning tablet gets its app's files from
its own cache."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from havens.models import Venue
from tests.browser.offline import on_server, pages_kept, user_id
from tests.browser.pages import device, sign_in

pytestmark = pytest.mark.browser


def sign_code(app) -> str:
    return on_server(
        app, lambda: db.session.scalar(select(Venue.public_code).filter_by(name="The Pantiles Tap"))
    )


def test_the_public_sign_page_loads_only_what_it_uses(browsing, live_app):
    page = browsing.page(**device("phone"))
    loaded = []
    page.on("response", lambda r: loaded.append((r.request.resource_type, r.url, r.headers)))
    code = sign_code(live_app)
    page.goto(f"/v/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This is a Safe Haven")
    paths = {urlsplit(url).path for _kind, url, _headers in loaded}
    assert {f"/v/{code}", "/static/css/app.css"} <= paths
    assert paths <= {f"/v/{code}", "/static/css/app.css", "/static/icons/lantern.svg"}, paths
    for kind, url, headers in loaded:
        if kind in ("document", "stylesheet"):
            assert headers.get("content-encoding") == "br", url
    registrations = page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)")
    assert registrations == 0
    browsing.assert_no_errors()


def test_the_public_sign_page_works_without_javascript(browsing, live_app):
    page = browsing.page(**device("phone"), java_script_enabled=False)
    page.goto(f"/v/{sign_code(live_app)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This is a Safe Haven")
    expect(page.get_by_role("link", name="Call 999").first).to_have_attribute("href", "tel:999")
    browsing.assert_no_errors()


def test_a_returning_tablet_downloads_none_of_its_app_files_again(browsing, live_app, server):
    staff = user_id(live_app, "staff")
    page = browsing.page(**device("tablet"))
    sign_in(page, "staff")
    pages_kept(page, staff, 5)  # the worker is installed and keeps the shell
    page.goto("/visits/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    mark = server.mark()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    fetched = [hit.path for hit in server.since(mark) if hit.path.startswith("/static/")]
    assert fetched == [], f"asked the server again for {fetched}"
    browsing.assert_no_errors()
