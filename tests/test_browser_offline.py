"""Offline, the outbox and sync in a real browser: issue 5's "Must show" list.

The fixtures come from tests/test_browser.py: a live server with the demo scheme, one
Chromium per module, and `browsing`, whose pages fail the test on any console error.
`server` wraps the live server's app in a WSGI middleware that records every request it
receives (so a test can prove the server heard nothing while the browser was offline) and
plays faults on the next POST /api/sync: a 500, a slow answer, or a stored batch whose
answer is lost because the connection is cut. The database is read through the live app.

Chromium logs "Failed to load resource" for an answer of 401, 500 or 503 and for a cut
connection; where a test causes one on purpose it accepts exactly those lines.
"""

import io
import json
import re
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select, update

from accounts import services as accounts
from accounts.models import User, UserSession
from alerts.models import HelpRequest
from core.forms import LOCAL_MINUTE
from core.timeutil import to_london, utcnow
from extensions import db
from havens.models import Venue, Visit
from patrols import services as patrols
from patrols.models import Contact, PatrolArea, Team
from schemes import demo
from sync.models import Receipt, SyncConflict
from tests import test_browser
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SIZES, TIMEOUT_MS, fill_sign_in, sign_in
from tests.test_browser_havens import chip, outbox_status

pytestmark = pytest.mark.browser

# The fixtures of tests/test_browser.py: pytest finds fixtures among a module's globals.
live_app = test_browser.live_app
live_server = test_browser.live_server
browser = test_browser.browser
browsing = test_browser.browsing

VENUE = "The Pantiles Tap"  # where the demo's `staff` works
LEADER = ("lee", "Lee Leader")  # made here: staff at VENUE, and leader of the Saturday team
SECOND = ("bea", "Bea Barstaff")  # made here: the next person on VENUE's shared tablet
ALL_SENT = "All your records are sent."
SIGNED_OUT = "You are signed out. Records wait on this device until you sign in."
COULD_NOT_REACH = "The server could not be reached."
SYNC = ("POST", "/api/sync")


def waits(count: int) -> str:
    """The status bar's count of this person's waiting records."""
    if count == 1:
        return "1 record waits to be sent."
    return f"{count} records wait to be sent."


# ----------------------------------------------------------- the server, as it was heard


@dataclass
class Hit:
    """One request as the server received it."""

    at: float  # time.monotonic() on arrival
    method: str
    path: str
    ops: list[str] = field(default_factory=list)  # the outbox entries a sync carried
    fault: str | None = None  # the fault played on it, if any
    status: str = ""  # the status the app answered (perhaps never delivered)


class ServerLog:
    """WSGI middleware: records every request, and plays faults on POST /api/sync.

    `faults` are used up one per sync request, in order: "500" (answered 500, nothing
    stored), "slow" (stored, then answered `slow_seconds` later, when the browser has given
    up), "drop" (stored, then the connection is cut before any answer). With `unavailable`
    set, every sync without a queued fault is answered 503.
    """

    def __init__(self, app):
        self.app = app.wsgi_app
        self.hits: list[Hit] = []
        self.faults: list[str] = []
        self.unavailable = False
        self.slow_seconds = 0.0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        hit = Hit(time.monotonic(), environ["REQUEST_METHOD"], environ["PATH_INFO"])
        with self.lock:
            self.hits.append(hit)
        if (hit.method, hit.path) != SYNC:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            hit.ops = [entry["op"] for entry in json.loads(body)["records"]]
        except (ValueError, KeyError, TypeError):
            hit.ops = []
        with self.lock:
            hit.fault = self.faults.pop(0) if self.faults else None
            if hit.fault is None and self.unavailable:
                hit.fault = "503"
        return self.answer(hit, environ, start_response)

    def answer(self, hit: Hit, environ, start_response):
        def heard(status, headers, exc_info=None):
            hit.status = status.split()[0]
            return start_response(status, headers, exc_info)

        if hit.fault in ("500", "503"):
            heard(f"{hit.fault} FAULT", [("Content-Type", "text/plain")])
            return [b"a fault played by the test"]
        if hit.fault == "slow":
            answer = self.app(environ, heard)  # stored and committed
            time.sleep(self.slow_seconds)  # the browser gives up meanwhile
            return answer
        if hit.fault == "drop":
            answer = self.app(environ, heard)  # stored and committed
            if hasattr(answer, "close"):
                answer.close()
            # The answer is lost on the way back: the browser sees an empty response.
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            raise ConnectionResetError("the test cut the connection")
        return self.app(environ, heard)

    def mark(self) -> float:
        return time.monotonic()

    def since(self, mark: float) -> list[Hit]:
        with self.lock:
            return [hit for hit in self.hits if hit.at >= mark]

    def syncs(self, mark: float = 0.0) -> list[Hit]:
        return [hit for hit in self.since(mark) if (hit.method, hit.path) == SYNC]


@pytest.fixture
def server(live_app, live_server) -> ServerLog:
    """The live server's app, wrapped so that what it hears is recorded."""
    log = ServerLog(live_app)
    live_app.wsgi_app = log
    return log


class Cable:
    """The tablet's network cable: a TCP pipe to the live server that the test can unplug.

    Playwright's offline mode does not reach everything a browser does. Chromium checks
    /sw.js from its own process, and starts Lantern's worker with the browser when a
    Background Sync is pending, before Playwright is attached to it; that worker's fetches
    escape offline mode. A browser that reaches the server only through this cable is
    offline in every process once it is unplugged: connections are refused, and the ones
    open are cut.
    """

    def __init__(self, target: str):
        self.target = ("127.0.0.1", int(target.rsplit(":", 1)[1]))
        self.port = 0
        self.listener: socket.socket | None = None
        self.pipes: list[socket.socket] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plug(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def unplug(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            pipes, self.pipes = self.pipes, []
        if listener is not None:
            listener.close()
        for end in pipes:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _address = listener.accept()
            except OSError:
                return  # unplugged
            try:
                far = socket.create_connection(self.target)
            except OSError:
                near.close()
                continue
            with self.lock:
                if self.listener is not listener:
                    near.close()
                    far.close()
                    return
                self.pipes += [near, far]
            for source, sink in ((near, far), (far, near)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # unplugged, or the other side closed


@pytest.fixture
def cable(live_server):
    line = Cable(live_server)
    line.plug()
    yield line
    line.unplug()


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


def start_patrol(app, username: str, team: str) -> str:
    """A patrol of `team`, started half an hour ago by `username`; returns its id."""

    def start() -> str:
        leader = db.session.scalar(select(User).filter_by(username=username))
        team_id = db.session.scalar(select(Team.id).filter_by(name=team))
        area_id = db.session.scalar(select(PatrolArea.id).order_by(PatrolArea.position))
        started = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=30)
        values = {"team_id": team_id, "area_id": area_id, "route": "", "started_at": started}
        patrol, _created = patrols.start_patrol(str(uuid.uuid4()), values, [leader], leader)
        db.session.commit()
        return patrol.id

    return on_server(app, start)


def idle_out(app, username: str) -> None:
    """Make this person's sessions look unused for longer than the idle timeout."""

    def age() -> None:
        minutes = app.config["IDLE_TIMEOUT_MINUTES"] + 1
        mine = select(User.id).filter_by(username=username).scalar_subquery()
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == mine)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()

    on_server(app, age)


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
    options = {"base_url": browsing.base_url, **options}
    context = browsing.browser.browser_type.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport=SIZES["tablet"],
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    browsing.contexts.append(context)  # closed at the end of the test, if still open
    context.on("console", browsing._console)
    context.on("weberror", lambda error: browsing._page_error(error.error))
    return context, context.pages[0] if context.pages else context.new_page()


def another_tab(browsing, page: Page) -> Page:
    """A second page in the same browser context (same cookies, same IndexedDB)."""
    tab = page.context.new_page()
    tab.on("console", browsing._console)
    tab.on("pageerror", browsing._page_error)
    return tab


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
PAGES_KEPT = """([user, count]) => {
    const found = window.__pagesKept;
    window.__pagesKept = undefined;
    caches.match("/__lantern/pages.json", {cacheName: "lantern-pages"})
        .then((index) => (index ? index.json() : null))
        .then((index) => {
            const all = index && index.user === user && index.pages.length === count;
            window.__pagesKept = all ? index.version : null;
        });
    return found || false;
}"""


def pages_kept(page: Page, user: int, count: int) -> str:
    """Wait until the service worker keeps `count` work pages for `user`; their version."""
    return page.wait_for_function(PAGES_KEPT, arg=[user, count], polling=100).json_value()


def outbox(page: Page, store: str = "outbox") -> list[dict]:
    """This device's outbox (or its "sent" store), read through the app's own module."""
    return page.evaluate(
        """async (store) => {
            const outbox = await import("/static/js/outbox.js");
            return store === "sent" ? outbox.sent() : outbox.waiting();
        }""",
        store,
    )


def static_caches(page: Page) -> list[str]:
    return page.evaluate(
        "async () => (await caches.keys()).filter((n) => n.startsWith('lantern-static-'))"
    )


def save_visit(page: Page, count: int, help_given: str = "Water") -> None:
    """Save a visit on the open form; `count` records of this person then wait."""
    record = page.locator("input[name=id]")
    before = record.input_value()
    chip(page, "Help given", help_given).click()
    page.get_by_role("button", name="Save visit", exact=True).click()
    expect(record).not_to_have_value(before)  # a fresh form: the record is kept
    expect(outbox_status(page)).to_contain_text(waits(count))


def save_contact(page: Page, count: int) -> None:
    record = page.locator("input[name=id]")
    before = record.input_value()
    chip(page, "Given or done", "Water").click()
    page.get_by_role("button", name="Save contact", exact=True).click()
    expect(record).not_to_have_value(before)
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


def london(minutes_from_now: int) -> str:
    """London wall-clock time, as a datetime-local field wants it."""
    now = utcnow().replace(second=0, microsecond=0)
    return to_london(now + timedelta(minutes=minutes_from_now)).strftime(LOCAL_MINUTE)


def sw_version(page: Page) -> str:
    """The version the server's /sw.js carries now."""
    found = re.search(r'"version": "([0-9a-f]+)"', page.request.get("/sw.js").text())
    assert found, "no version in /sw.js"
    return found.group(1)


# ------------------------------------------------------------------------------- tests


def test_offline_records_survive_a_reload_and_a_restart_and_arrive_once(
    browsing, server, live_app, cable, tmp_path
):
    """Must show 1: offline, 3 visits and 2 contacts; reload; close and reopen the browser;
    back online they arrive, exactly 5, credited to their author, and the server heard
    nothing while the browser was offline."""
    leader = add_person(live_app, LEADER, leads="Saturday team")
    patrol = start_patrol(live_app, LEADER[0], "Saturday team")
    profile = tmp_path / "profile"
    context, page = persistent(browsing, profile, base_url=cable.url)
    sign_in_as(page, LEADER)
    # A leader who is also venue staff keeps 7 pages: a visit, start, contact, end, the
    # directory, the outbox and the offline page.
    pages_kept(page, leader, 7)

    go_offline(page)
    quiet_from = server.mark()
    page.goto("/visits/new")  # answered by the service worker
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    for count in (1, 2, 3):
        save_visit(page, count)
    page.goto(f"/patrols/{patrol}/contacts/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    for count in (4, 5):
        save_contact(page, count)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    expect(outbox_status(page)).to_contain_text(waits(5))
    saved = {entry["id"]: entry["kind"] for entry in outbox(page)}
    assert sorted(saved.values()) == ["contact", "contact", "visit", "visit", "visit"]

    context.close()  # the tablet is switched off, and comes back on with no network
    cable.unplug()
    context, page = persistent(browsing, profile, base_url=cable.url)
    context.set_offline(True)  # and the browser knows it
    page.goto("/outbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    expect(page.locator("#outbox-waiting-list > li")).to_have_count(5)
    page.goto("/visits/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(outbox_status(page)).to_contain_text(waits(5))
    # Chromium checks /sw.js for an update after a navigation, even offline, from the
    # browser process, which Playwright's offline mode does not cover; it sends nothing of
    # the outbox. Every other request while offline would be a leak.
    heard = [f"{h.method} {h.path}" for h in server.since(quiet_from) if h.path != "/sw.js"]
    assert heard == [], f"the server heard these while the browser was offline: {heard}"

    # Online again, without the session: it ended when the browser closed.
    cable.plug()
    context.set_offline(False)
    expect(outbox_status(page)).to_contain_text(SIGNED_OUT)
    expect(outbox_status(page)).to_contain_text(waits(5))
    assert server.syncs() == [], "records were sent without a session"
    page.get_by_role("link", name="Sign in to send", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fvisits%2Fnew$"))
    page.get_by_label("Username or email", exact=True).fill(LEADER[0])
    page.get_by_label("Password", exact=True).fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(outbox_status(page)).to_have_text(ALL_SENT)

    on = stored(live_app, saved)
    assert set(on.visits) | set(on.contacts) == set(saved)
    assert sorted(on.visits.values()) + sorted(on.contacts.values()) == [leader] * 5
    assert on.receipts == Counter(dict.fromkeys(saved, 1))
    assert on.authors == {(leader, leader)}
    assert on.conflicts == 0
    sent = [hit.ops for hit in server.syncs()]
    assert len(sent) == 1 and len(sent[0]) == 5, f"sent as {sent}"
    accept_failed_loads(browsing, "status of 401")
    browsing.assert_no_errors()


# The faults played on a batch, and what the browser finally hears for its records. A 500
# comes twice: Chromium's Background Sync, registered by the saves made offline, asks for
# a sync as the device comes online, so one retry follows the first failure at once; the
# next can only come from the outbox's own backoff timer (enketo/enketo#1180).
FAULTS = {
    "500": (["500", "500"], "created"),
    "slow": (["slow"], "duplicate"),
    "drop": (["drop"], "duplicate"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_batch_that_fails_is_sent_again_and_stored_once(browsing, server, live_app, fault):
    """Must show 2: a 500 (nothing stored); a server that stores the batch but answers
    after the browser's timeout; a stored batch whose answer is lost to a cut connection.
    The outbox keeps the batch and sends it again by itself (no reload); the resend of a
    stored batch is answered duplicate, and the server holds each record once."""
    faults, answer = FAULTS[fault]
    if fault == "slow":
        live_app.config["SYNC_TIMEOUT_SECONDS"] = 2
        server.slow_seconds = 3  # longer than the browser waits
    page = browsing.page()
    sign_in(page, "staff")
    page.goto("/visits/new")
    saved = save_offline(page, 3)

    server.faults.extend(faults)
    page.context.set_offline(False)
    expect(outbox_status(page)).to_have_text(ALL_SENT, timeout=20_000)

    ops = sorted(entry["op"] for entry in saved)
    syncs = server.syncs()
    assert [(hit.fault, sorted(hit.ops)) for hit in syncs] == [
        *((played, ops) for played in faults),
        (None, ops),
    ]
    if fault == "500":
        waited = syncs[-1].at - syncs[-2].at
        assert waited > 2, f"sent again after {waited:.1f} s: not by the backoff timer"
    answers = {entry["op"]: entry["status"] for entry in outbox(page, "sent")}
    assert answers == dict.fromkeys(ops, answer)
    on = stored(live_app, [entry["id"] for entry in saved])
    staff = user_id(live_app, "staff")
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.receipts == Counter({entry["id"]: 1 for entry in saved})
    assert on.conflicts == 0
    accept_failed_loads(browsing, "status of 500", "ERR_EMPTY_RESPONSE")
    browsing.assert_no_errors()


def test_an_invalid_record_waits_to_be_fixed_and_the_others_go(browsing, server, live_app):
    """Must show 3: one record the server refuses does not hold up the others; the outbox
    shows it under "Needs attention" with the server's error, and "Fix" sends it."""
    page = browsing.page()
    sign_in(page, "staff")
    page.goto("/visits/new")
    go_offline(page)
    save_visit(page, 1)
    # The form has no browser validation: an arrival tomorrow is saved, for the server to refuse.
    tomorrow = london(24 * 60)
    page.get_by_label("Arrival time", exact=True).fill(tomorrow)
    save_visit(page, 2)
    save_visit(page, 3)
    saved = outbox(page)
    bad = next(entry for entry in saved if entry["data"]["arrived_at"] == tomorrow)
    good = [entry["id"] for entry in saved if entry is not bad]

    page.context.set_offline(False)
    attention = page.locator("#outbox-attention")
    expect(attention).to_have_text("1 record needs attention")
    on = stored(live_app, [entry["id"] for entry in saved])
    assert sorted(on.visits) == sorted(good)
    assert [(e["op"], e["state"]) for e in outbox(page)] == [(bad["op"], "rejected")]

    attention.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    listed = page.locator("#outbox-attention-list > li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Arrival time")
    expect(listed).to_contain_text("The arrival time is in the future.")
    expect(page.locator("#outbox-waiting-list")).to_have_text("Nothing is waiting.")
    listed.get_by_role("link", name="Fix", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/visits/new\?fix={bad['op']}$"))
    arrival = page.get_by_label("Arrival time", exact=True)
    expect(arrival).to_have_value(tomorrow)  # the entry's own answers, with the error by them
    expect(page.locator("#arrived_at-error")).to_have_text("The arrival time is in the future.")
    expect(chip(page, "Help given", "Water").locator("input")).to_be_checked()
    now = london(0)
    arrival.fill(now)
    page.get_by_role("button", name="Save visit", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    expect(page.locator("#outbox-attention-list")).to_have_text("Nothing needs attention.")
    expect(page.locator("#outbox-sent-list > li")).to_have_count(3)
    expect(page.locator("#outbox-sent-list .receipt")).to_have_count(3)
    expect(outbox_status(page)).to_have_text(ALL_SENT)
    on = stored(live_app, [entry["id"] for entry in saved])
    assert sorted(on.visits) == sorted(entry["id"] for entry in saved)
    assert on.receipts == Counter({entry["id"]: 1 for entry in saved})
    fixed = on_server(live_app, lambda: db.session.get(Visit, bad["id"]).arrived_at)
    assert to_london(fixed).strftime(LOCAL_MINUTE) == now
    browsing.assert_no_errors()


def test_a_new_version_waits_and_the_outbox_survives_it(browsing, server, live_app):
    """Must show 4: a deploy while records wait. The new worker installs and waits behind
    "Reload for the new version" while the old one keeps control; after the reload the
    records are still there and are stored once, and the work pages still open offline
    (enketo/enketo#986)."""
    staff = user_id(live_app, "staff")
    page = browsing.page()
    sign_in(page, "staff")
    old = pages_kept(page, staff, 4)  # a visit, the directory, the outbox, the offline page
    page.goto("/visits/new")
    saved = save_offline(page, 2)
    server.unavailable = True  # the server is being deployed: syncs are answered 503
    page.context.set_offline(False)
    expect(outbox_status(page)).to_contain_text(COULD_NOT_REACH)

    live_app.config["RELEASE"] = "next"
    new = sw_version(page)
    assert new != old
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    expect(page.locator("#update-banner")).to_be_visible()
    state = page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.getRegistration();
            return {waiting: registration.waiting?.state, active: registration.active?.state,
                    controlled: navigator.serviceWorker.controller !== null};
        }"""
    )
    assert state == {"waiting": "installed", "active": "activated", "controlled": True}
    assert sorted(static_caches(page)) == sorted([f"lantern-static-{old}", f"lantern-static-{new}"])
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]

    with page.expect_navigation():
        page.get_by_role("button", name="Reload for the new version", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(page.locator("#update-banner")).to_be_hidden()
    assert static_caches(page) == [f"lantern-static-{new}"]  # the old worker is gone
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]
    expect(outbox_status(page)).to_contain_text(waits(2))

    server.unavailable = False  # deployed
    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(outbox_status(page)).to_have_text(ALL_SENT)
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.receipts == Counter({entry["id"]: 1 for entry in saved})
    delivered = [hit.ops for hit in server.syncs() if hit.status == "200"]
    assert len(delivered) == 1, f"stored by {len(delivered)} requests"

    # The new version keeps the work pages too, and they open offline.
    assert pages_kept(page, staff, 4) == new
    go_offline(page)
    for path, title in (("/visits/new", "Log a visit"), ("/outbox", "Outbox")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(outbox_status(page)).to_contain_text("Offline.")  # its script runs
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "18px"
    accept_failed_loads(browsing, "status of 503")
    browsing.assert_no_errors()


def test_records_wait_through_an_expired_session_and_keep_their_author(browsing, server, live_app):
    """Must show 5: the session times out while the device is offline. Nothing is sent or
    lost; the status bar asks to sign in; after signing in the records go, credited to
    their author."""
    staff = user_id(live_app, "staff")
    page = browsing.page()
    sign_in(page, "staff")
    page.goto("/visits/new")
    saved = save_offline(page, 2)
    idle_out(live_app, "staff")

    page.context.set_offline(False)
    expect(outbox_status(page)).to_contain_text(SIGNED_OUT)
    expect(outbox_status(page)).to_contain_text(waits(2))
    assert server.syncs() == []
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]

    page.get_by_role("link", name="Sign in to send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username or email", exact=True).fill("staff")
    page.get_by_label("Password", exact=True).fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit")
    expect(outbox_status(page)).to_have_text(ALL_SENT)
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.authors == {(staff, staff)}
    accept_failed_loads(browsing, "status of 401")
    browsing.assert_no_errors()


def test_two_tabs_never_send_the_same_record(browsing, server, live_app):
    """Must show 6: two tabs with records waiting come online together; the sync lock lets
    one send, and every record goes in exactly one request."""
    first = browsing.page()
    sign_in(first, "staff")
    first.goto("/visits/new")
    second = another_tab(browsing, first)
    second.goto("/visits/new")
    expect(outbox_status(second)).to_have_text(ALL_SENT)
    first.bring_to_front()
    save_offline(first, 2)
    second.bring_to_front()
    for count in (3, 4):
        save_visit(second, count)
    expect(outbox_status(first)).to_contain_text(waits(4))  # told by the other tab
    saved = outbox(first)

    first.context.set_offline(False)  # both tabs hear "online" and sync at once
    for tab in (first, second):
        expect(outbox_status(tab)).to_have_text(ALL_SENT)
    sends = Counter(op for hit in server.syncs() for op in hit.ops)
    assert sends == Counter({entry["op"]: 1 for entry in saved}), "a record was sent twice"
    answers = {entry["op"]: entry["status"] for entry in outbox(second, "sent")}
    assert answers == {entry["op"]: "created" for entry in saved}
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.receipts == Counter({entry["id"]: 1 for entry in saved})
    assert on.conflicts == 0
    browsing.assert_no_errors()


def test_the_app_is_installable(browsing, tmp_path):
    """Must show 7: Chromium's own installability check finds nothing missing. (The same
    check in an incognito context reports "in-incognito": the answer is not vacuous.)"""
    context, page = persistent(browsing, tmp_path / "profile")
    page.goto("/signin")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")

    incognito = browsing.page()
    incognito.goto("/signin")
    incognito.wait_for_function("() => navigator.serviceWorker.controller !== null")
    errors = incognito.context.new_cdp_session(incognito).send("Page.getInstallabilityErrors")
    assert [e["errorId"] for e in errors["installabilityErrors"]] == ["in-incognito"]
    browsing.assert_no_errors()


def test_the_next_person_on_a_shared_tablet_sees_only_a_count(browsing, server, live_app):
    """A saves offline and signs out with her records unsent; B signs in on the same
    browser. B's outbox shows how many of A's records wait, never what they say, and when
    B's session sends them they are credited to A."""
    staff = user_id(live_app, "staff")
    bea = add_person(live_app, SECOND)
    page = browsing.page()
    sign_in(page, "staff")
    page.goto("/visits/new")
    go_offline(page)
    note = "Blue coat, waited by the window"
    page.get_by_label("Note", exact=True).fill(note)
    save_visit(page, 1)
    save_visit(page, 2, help_given="Phone charged")
    saved = outbox(page)
    server.unavailable = True  # back online, but the server cannot take them yet
    page.context.set_offline(False)
    expect(outbox_status(page)).to_contain_text(COULD_NOT_REACH)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert [entry["op"] for entry in outbox(page)] == [entry["op"] for entry in saved]

    sign_in_as(page, SECOND)
    expect(outbox_status(page)).to_have_text(ALL_SENT)  # B has nothing of her own waiting
    page.goto("/outbox")
    expect(page.locator("#outbox-others")).to_have_text(
        "2 records saved by someone else wait to be sent."
    )
    expect(page.locator("#outbox-waiting-list")).to_have_text("Nothing is waiting.")
    expect(page.locator("#outbox-attention-list")).to_have_text("Nothing needs attention.")
    expect(page.locator("main")).not_to_contain_text("Blue coat")
    # Nor can B open one of A's records to fix it.
    page.goto(f"/visits/new?fix={saved[0]['op']}")
    expect(page.locator("div.flashes")).to_contain_text("This record is no longer in the outbox.")
    expect(page.get_by_label("Note", exact=True)).to_have_value("")

    server.unavailable = False
    page.goto("/outbox")
    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(page.locator("#outbox-others")).to_be_hidden()
    expect(page.locator("#outbox-sent-list")).to_have_text(
        "Nothing was sent from this device in the last 24 hours."  # none of them were B's
    )
    on = stored(live_app, [entry["id"] for entry in saved])
    assert on.visits == {entry["id"]: staff for entry in saved}
    assert on.authors == {(staff, bea)}  # written by A, sent by B
    accept_failed_loads(browsing, "status of 503")
    browsing.assert_no_errors()


def test_a_venue_asking_for_help_offline_is_given_the_duty_phones(browsing, server, live_app):
    """With no connection a call for help cannot go. Sending it, or opening the page,
    gives the staff the person's kept offline page, with every team's duty phone and 999,
    not the browser's own error; and nothing reached the server."""
    staff = user_id(live_app, "staff")
    page = browsing.page()
    sign_in(page, "staff")
    pages_kept(page, staff, 4)
    page.goto("/help/new")
    chip(page, "What do you need help with?", "Someone unwell").click()
    offline(page.context)
    mark = server.mark()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    phones = page.get_by_role("region", name="Need the Street Pastors?")
    for number in ("07700 900123", "07700 900456"):
        expect(phones.get_by_role("link", name=number)).to_have_attribute(
            "href", "tel:" + number.replace(" ", "")
        )
    expect(phones.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")

    page.goto("/help/new")  # the tile on the home page, tapped offline
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_role("region", name="Need the Street Pastors?")).to_be_visible()
    assert server.since(mark) == []
    assert on_server(live_app, lambda: db.session.scalar(select(func.count(HelpRequest.id)))) == 0
    browsing.assert_no_errors()
