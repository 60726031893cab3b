"""The offline outbox from both sides, for the browser tests: the server's database (read
and changed through the live app), and the browser's outbox, service worker and network.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from accounts import services as accounts
from accounts.models import User
from extensions import db
from havens.models import Venue, Visit
from patrols.models import Contact, Team
from schemes import demo
from sync.models import Receipt, SyncConflict
from tests.browser.pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SIZES,
    TIMEOUT_MS,
    chip,
    fill_sign_in,
    outbox_status,
)

VENUE = "The Pantiles Tap"  # where the demo's `staff` works
ALL_SENT = "All your records are sent."


def waits(count: int) -> str:
    """The status bar's count of this person's waiting records."""
    if count == 1:
        return "1 record waiting"
    return f"{count} records waiting"


def expect_signed_out(page: Page) -> None:
    """The status bar offers to sign in, so that the waiting records can go."""
    expect(page.get_by_role("link", name="Sign in to send", exact=True)).to_be_visible()


# ------------------------------------------------------------------ the server's database


def on_server(app, work):
    """Run `work()` against the live server's database, in an app context of its own."""
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


def user_id(app, username: str) -> int:
    return on_server(app, lambda: db.session.scalar(select(User.id).filter_by(username=username)))


def add_person(app, who: tuple[str, str], venue: bool = True, leads: str | None = None) -> int:
    """A person with the demo password: staff at VENUE, and leader of a team if named."""

    def make() -> int:
        scheme = db.session.scalar(select(User).filter_by(username="staff")).scheme
        venues = db.session.scalars(select(Venue).filter_by(name=VENUE)).all() if venue else []
        teams = db.session.scalars(select(Team).filter_by(name=leads)).all() if leads else []
        roles = {"venue_staff"} | ({"pastor"} if leads else set())
        username, name = who
        person = accounts.create_person(
            scheme, name, username, demo.PASSWORD, roles=roles, venues=venues, leads=teams
        )
        db.session.commit()
        return person.id

    return on_server(app, make)


@dataclass
class Stored:
    """What the server holds for some record ids."""

    visits: dict[str, int | None]  # id: created_by_id
    contacts: dict[str, int | None]
    receipts: Counter  # record id: how many receipts
    authors: set  # (author_id, sender_id) of those receipts
    conflicts: int  # sync conflicts for any record


def stored(app, ids) -> Stored:
    def read() -> Stored:
        ids_ = list(ids)
        visits = db.session.execute(select(Visit.id, Visit.created_by_id).where(Visit.id.in_(ids_)))
        contacts = db.session.execute(
            select(Contact.id, Contact.created_by_id).where(Contact.id.in_(ids_))
        )
        receipts = db.session.execute(
            select(Receipt.record_id, Receipt.author_id, Receipt.sender_id).where(
                Receipt.record_id.in_(ids_)
            )
        ).all()
        return Stored(
            visits=dict(visits.all()),
            contacts=dict(contacts.all()),
            receipts=Counter(row.record_id for row in receipts),
            authors={(row.author_id, row.sender_id) for row in receipts},
            conflicts=db.session.scalar(select(func.count(SyncConflict.id))),
        )

    return on_server(app, read)


# --------------------------------------------------------------------- the browser's side


def persistent(browsing, profile: Path, **options) -> tuple[BrowserContext, Page]:
    """A browser with a profile on disk, as a tablet has: closed and opened again, it keeps
    its service worker, caches and IndexedDB. Its console errors fail the test as
    `browsing`'s pages do."""
    options = {"base_url": browsing.base_url, "viewport": SIZES["tablet"], **options}
    context = browsing.browser.browser_type.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    browsing.contexts.append(context)  # closed at the end of the test, if still open
    context.on("console", browsing._console)
    context.on("weberror", lambda error: browsing._page_error(error.error))
    return context, context.pages[0] if context.pages else context.new_page()


def accept_failed_loads(browsing, *reasons: str) -> None:
    """Drop Chromium's "Failed to load resource" lines for answers a test caused on purpose
    (a status such as "status of 503", or a network error such as "ERR_EMPTY_RESPONSE")."""
    browsing.errors[browsing.accepted :] = [
        error
        for error in browsing.errors[browsing.accepted :]
        if not ("Failed to load resource" in error and any(r in error for r in reasons))
    ]


def sign_in_as(page: Page, who: tuple[str, str]) -> None:
    """Sign in through the real form as a person made here (not one of the demo's)."""
    fill_sign_in(page, who[0])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {who[1]}")


# Whether the service worker keeps this person's work pages, and from which version. A
# wait_for_function predicate must answer at once, and caches answer later: each call
# starts a read of the worker's index and answers with what the previous read found.
PAGES_KEPT = """([user, count, lang, version]) => {
    const found = window.__pagesKept;
    window.__pagesKept = undefined;
    caches.match("/__lantern/pages.json", {cacheName: "lantern-pages"})
        .then((index) => (index ? index.json() : null))
        .then((index) => {
            const all = index && index.user === user && index.pages.length === count;
            const spoken = !lang || (index && index.lang === lang);
            const current = !version || (index && index.version === version);
            window.__pagesKept = all && spoken && current ? index.version : null;
        });
    return found || false;
}"""


def pages_kept(
    page: Page, user: int, count: int, lang: str | None = None, version: str | None = None
) -> str:
    """Wait until the service worker keeps `count` work pages for `user` (in `lang`, the
    page's language, and from `version` of the app, when given); their version. Pages kept
    by an earlier version stay until the new one has fetched its own."""
    arg = [user, count, lang, version]
    return page.wait_for_function(PAGES_KEPT, arg=arg, polling=100).json_value()


def outbox(page: Page, store: str = "outbox") -> list[dict]:
    """This device's outbox (or its "sent" store), read through the app's own module."""
    return page.evaluate(
        """async (store) => {
            const outbox = await import("/static/js/outbox.js");
            return store === "sent" ? outbox.sent() : outbox.waiting();
        }""",
        store,
    )


def save_visit(page: Page, count: int, help_given: str = "Water") -> None:
    """Save a visit on the open form; `count` records of this person then wait."""
    record = page.locator("input[name=id]")
    before = record.input_value()
    chip(page, "Help given", help_given).click()
    page.get_by_role("button", name="Save visit", exact=True).click()
    expect(record).not_to_have_value(before)  # a fresh form: the record is kept
    expect(outbox_status(page)).to_contain_text(waits(count))


def settle(page: Page) -> None:
    """Wait until the page's outbox has finished the syncs it started (on open, say)."""
    page.evaluate("async () => (await import('/static/js/outbox.js')).sync()")


# Resolves once this service worker is offline too (it may take a moment to hear).
WORKER_OFFLINE = """() => new Promise((resolve, reject) => {
    const until = Date.now() + 5000;
    const check = () => {
        if (!navigator.onLine) resolve();
        else if (Date.now() > until) reject(new Error("the service worker is still online"));
        else setTimeout(check, 20);
    };
    check();
})"""


def offline(context: BrowserContext) -> None:
    """Take the whole browser offline, its running service worker included: Playwright
    (1.65) tells a worker that is already running only a moment after set_offline returns."""
    context.set_offline(True)
    for worker in context.service_workers:
        worker.evaluate(WORKER_OFFLINE)


def go_offline(page: Page) -> None:
    """Take the browser offline once its outbox is quiet, so no sync is cut half-way."""
    settle(page)
    offline(page.context)
    expect(outbox_status(page)).to_contain_text("Offline")


def save_offline(page: Page, visits: int) -> list[dict]:
    """Go offline on the open visit form, save `visits` visits; the entries saved."""
    go_offline(page)
    for count in range(1, visits + 1):
        save_visit(page, count)
    return outbox(page)
