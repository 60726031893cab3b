"""Lantern in a real browser: Debian's Chromium driven through Playwright.

Each test gets a fresh database with the demo scheme, served by a live Werkzeug server
on a free port. Every page a test opens has its console and page errors collected; any
message of type "error" (a Content-Security-Policy violation among them) fails the test.
For the offline tests, `server` records what the live server hears and plays faults on
its syncs, and `cable` is a network cable to it that a test can unplug.

What a person does on a page (signing in, tapping a chip) is in tests/browser/pages.py.
"""

import io
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import WSGIRequestHandler, make_server

from extensions import db
from schemes import demo
from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, SIZES, TIMEOUT_MS
from wsgi import create_app


@pytest.fixture
def live_app(db_url, app_config):
    """The app the live server serves, with the demo scheme (a test may change its config)."""
    app = create_app(app_config(db_url))
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
def browser(unavailable):
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


# ----------------------------------------------------------- the server, as it was heard

SYNC = ("POST", "/api/sync")


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
