"""Web push in a real browser: the service worker shows a pushed alert, and opening it
lands on its screen; the "Turn on alerts" control asks only when tapped.

No push service is reachable here, so the push is delivered through the DevTools protocol
(`ServiceWorker.deliverPushMessage`) with the very payload the server would encrypt, and
the control runs against a stubbed `PushManager`. The DevTools protocol cannot click a
notification either: the test reads the real notification back with
`registration.getNotifications()` and dispatches a `notificationclick` event carrying it
inside the worker, so the worker's own listener runs unchanged. What this cannot show is
the browser's part: that a click on the system notification fires the event, and that a
real (trusted) event may focus a window.
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from accounts.models import User
from alerts import push, services
from alerts.models import PushSubscription
from extensions import db
from havens.models import Venue
from tests.browser.pages import TIMEOUT_MS, TOUCH_MIN, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

VENUE = "The Pantiles Tap"


def controlled(page: Page) -> None:
    """Wait until the worker controls the page. The first worker claims open pages when it
    activates, but a page whose navigation was still under way at that moment (the one
    signing in leads to) is not claimed: like a person's next page, a reload is."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    if page.evaluate("() => navigator.serviceWorker.controller === null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def pushed_alert(app, username: str, kind: str, url: str, **fields) -> tuple[int, str]:
    """An alert to this person, as the part that tells them makes it: its id and payload."""
    with app.app_context():
        person = db.session.scalar(select(User).filter_by(username=username))
        venue = db.session.scalar(select(Venue).filter_by(name=VENUE))
        alert = services.notify(
            person.scheme_id, kind, [person], url=url, ttl_seconds=600, venue=venue, **fields
        )
        db.session.commit()
        body = push.payload(alert, person.locale)
        db.session.remove()
        return alert.id, body


def registration_id(page: Page, origin: str) -> str:
    """The service worker registration's id, from the DevTools protocol's events."""
    cdp = page.context.new_cdp_session(page)
    found: dict[str, str] = {}

    def updated(event) -> None:
        for reg in event["registrations"]:
            if reg["scopeURL"] == f"{origin}/" and not reg.get("isDeleted"):
                found["id"] = reg["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if "id" in found:
            break
        page.wait_for_timeout(50)
    assert "id" in found, "no service worker registration reported"
    page.cdp = cdp  # keep the session (and its events) alive for the push
    return found["id"]


NOTIFICATIONS = """async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => (
        {title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, icon: n.icon}));
}"""


WORKER_STATE = """async () => {
    const registration = await navigator.serviceWorker.getRegistration("/");
    return {permission: Notification.permission, worker: registration?.active?.state,
            controlled: navigator.serviceWorker.controller !== null};
}"""


def shown_notifications(page: Page, count: int) -> list[dict]:
    """The notifications on show, once there are `count` of them."""
    for _ in range(TIMEOUT_MS // 100):
        shown = page.evaluate(NOTIFICATIONS)
        if len(shown) == count:
            return shown
        page.wait_for_timeout(100)
    # What a failure needs to be understood: may the worker show notifications, and is it on?
    state = page.evaluate(WORKER_STATE)
    raise AssertionError(f"{count} notifications expected, {len(shown)} shown: {shown}; {state}")


# The click, inside the worker: the real notification, handed to the worker's own listener.
CLICK = """async () => {
    const [notification] = await self.registration.getNotifications();
    self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
    return notification.title;
}"""


def deliver(page: Page, base_url: str, payload: str) -> None:
    """Hand the worker a push, as the push service would (unencrypted: the DevTools way)."""
    reg = registration_id(page, base_url)
    page.cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base_url, "registrationId": reg, "data": payload},
    )


def test_a_pushed_alert_is_shown_and_opening_it_lands_on_its_screen(browsing, live_app):
    """The screen is the alert's own (not the /alerts fallback), #fragment and all: a
    worker that ignored data.url, or dropped the hash, would land elsewhere."""
    page = browsing.page()
    page.context.grant_permissions(["notifications"])
    sign_in(page, "staff")
    controlled(page)
    expect(page.locator("#alerts-link")).to_have_text("Alerts")
    alert_id, payload = pushed_alert(
        live_app, "staff", "handover", "/visits#handovers", topic="handover-test"
    )
    sent = json.loads(payload)
    assert (sent["alert"], sent["url"]) == (alert_id, "/visits#handovers")
    deliver(page, browsing.base_url, payload)
    [shown] = shown_notifications(page, 1)
    assert shown == {
        "title": sent["title"],
        "body": sent["body"],
        "tag": "handover-test",
        "url": "/visits#handovers",
        "icon": f"{browsing.base_url}/static/icons/icon-192.png",
    }
    assert sent["title"] == "Street Pastors are bringing someone to you"
    # The worker told the open page, which fetched the new count.
    expect(page.locator("#alerts-link")).to_have_text("Alerts (1)")
    expect(page.locator("#alerts-badge")).to_have_text("1")  # on the closed menu's button
    expect(page.locator("#alerts-live")).to_have_text("1 unread alert")
    [worker] = page.context.service_workers
    assert worker.evaluate(CLICK) == sent["title"]
    expect(page).to_have_url(re.compile(r"/visits#handovers$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits")
    assert shown_notifications(page, 0) == []  # opening it closed it
    page.cdp.send("ServiceWorker.disable")
    page.cdp.detach()
    browsing.assert_no_errors()


def test_a_pushed_address_elsewhere_opens_the_alerts_list(browsing, live_app):
    """A push never sends anyone to another site: its url is replaced by /alerts."""
    page = browsing.page()
    page.context.grant_permissions(["notifications"])
    sign_in(page, "pastor")
    controlled(page)
    _alert_id, payload = pushed_alert(
        live_app, "pastor", "help_request", "/alerts", urgency="high", reason="unwell"
    )
    payload = json.dumps(json.loads(payload) | {"url": "https://evil.example/help#x"})
    deliver(page, browsing.base_url, payload)
    [shown] = shown_notifications(page, 1)
    assert (shown["title"], shown["url"]) == (f"Help asked: {VENUE}", "/alerts")
    [worker] = page.context.service_workers
    worker.evaluate(CLICK)
    expect(page).to_have_url(re.compile(r"^" + re.escape(browsing.base_url) + r"/alerts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    expect(page.get_by_role("link", name=f"New Help asked: {VENUE}")).to_be_visible()
    page.cdp.send("ServiceWorker.disable")
    page.cdp.detach()
    browsing.assert_no_errors()


# A PushManager that never reaches a push service: it makes a subscription on the spot.
STUB_PUSH = """(() => {
    const KEY = "stub-push-subscription";
    const wrap = (json) => ({
        endpoint: json.endpoint, options: {applicationServerKey: null}, toJSON: () => json,
        unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
    });
    PushManager.prototype.subscribe = async function (options) {
        localStorage.setItem("stub-key-bytes", new Uint8Array(options.applicationServerKey).length);
        localStorage.setItem("stub-visible-only", String(options.userVisibleOnly));
        const json = {endpoint: "https://push.example.invalid/send/" + crypto.randomUUID(),
                      expirationTime: null, keys: {p256dh: "BStubStubStub", auth: "c3R1Yg"}};
        localStorage.setItem(KEY, JSON.stringify(json));
        return wrap(json);
    };
    PushManager.prototype.getSubscription = async function () {
        const json = localStorage.getItem(KEY);
        return json ? wrap(JSON.parse(json)) : null;
    };
    const ask = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = (...args) => {
        localStorage.setItem("asked", String(Number(localStorage.getItem("asked") || 0) + 1));
        return ask(...args);
    };
})();"""


def test_turning_alerts_on_asks_only_on_tap_and_lists_the_device(browsing, live_app):
    live_app.config["PUSH_SERVICES"] = ["https://push.example.invalid"]  # the stub's service
    page = browsing.page()
    page.add_init_script(STUB_PUSH)
    sign_in(page, "staff")
    controlled(page)
    page.goto("/account")
    page.get_by_role("link", name="Alerts on your devices").click()
    expect(page.locator("#alerts-state")).to_have_text("Alerts are off on this device.")
    expect(page.get_by_text("No device has alerts on.")).to_be_visible()
    assert page.evaluate("localStorage.getItem('asked')") is None  # not asked on opening
    page.context.grant_permissions(["notifications"])  # what the person answers when asked
    page.get_by_role("button", name="Turn on alerts").click()
    expect(page.locator("#alerts-state")).to_have_text("Alerts are on for this device.")
    expect(page.get_by_role("button", name="Turn off alerts on this device")).to_be_visible()
    screenshot(page, "alerts-devices", "phone")
    assert page.evaluate("localStorage.getItem('asked')") == "1"
    assert page.evaluate("localStorage.getItem('stub-key-bytes')") == "65"
    assert page.evaluate("localStorage.getItem('stub-visible-only')") == "true"
    device_id = page.evaluate("import('/static/js/outbox.js').then((m) => m.deviceId())")
    with live_app.app_context():
        [row] = db.session.scalars(select(PushSubscription)).all()
        assert (row.user.username, row.device_id) == ("staff", device_id)
        assert row.endpoint.startswith("https://push.example.invalid/send/")
        label = row.label
        db.session.remove()
    assert label == "Chrome · Linux"
    remove = page.get_by_role("button", name=f"Remove alerts on {label}")
    expect(remove).to_be_visible()
    box = remove.bounding_box()
    assert box["height"] >= TOUCH_MIN
    remove.click()
    expect(page.get_by_text("Alerts are off on that device.")).to_be_visible()
    expect(page.get_by_text("No device has alerts on.")).to_be_visible()
    with live_app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
        db.session.remove()
    # On again, then signing out: alerts stop on this browser (it is no enrolled tablet).
    page.evaluate("localStorage.removeItem('stub-push-subscription')")
    page.reload()
    page.get_by_role("button", name="Turn on alerts").click()
    expect(page.get_by_text("Turned on")).to_be_visible()
    field = page.locator('form.signout input[name="push_endpoint"]')
    expect(field).to_have_value(re.compile(r"^https://push\.example\.invalid/send/"))
    sign_out(page)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    with live_app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
        db.session.remove()
    browsing.assert_no_errors()
