"""Whom the server pushes to, and with what key: the VAPID key and its rotation, and only
ever the push services the browsers use (PUSH_SERVICES), never a redirect.

Pushes go to the fake push service of tests/alerts/push_service.py, on 127.0.0.1, which
checks the VAPID header and decrypts each payload.
"""

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from alerts import keys
from alerts.models import PushSubscription
from alerts.push import allowed_endpoint, deliver_due
from core.models import AuditEvent
from core.timeutil import utcnow
from extensions import db
from wsgi import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------------- the key


def test_push_keys_prints_the_public_key_and_makes_the_file_private(app, runner, tmp_path):
    first = runner.invoke(args=["push", "keys"])
    assert first.exit_code == 0, first.output
    key_file = Path(app.config["VAPID_KEY_FILE"])
    assert key_file.parent == tmp_path
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.output.strip() == keys.public_key()
    assert runner.invoke(args=["push", "keys"]).output == first.output
    assert len(first.output.strip()) == 87  # 65 bytes, unpadded URL-safe base64


def test_rotating_the_key_removes_subscriptions_and_is_audited(app, runner, pastor, subscribe):
    old = keys.public_key()
    subscribe(pastor, "ann")
    result = runner.invoke(args=["push", "keys", "--rotate"])
    assert result.exit_code == 0, result.output
    assert "subscribe" in result.output
    new = result.output.strip().splitlines()[-1]
    assert new == keys.public_key() != old
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    event = db.session.scalar(select(AuditEvent).filter_by(action="push_keys_rotated"))
    assert event.detail == {"removed_subscriptions": 1}


def test_the_key_is_never_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert not [name for name in tracked.splitlines() if name.endswith((".pem", ".key"))]
    ignored = subprocess.run(["git", "check-ignore", "-q", "instance/vapid_private.pem"], cwd=ROOT)
    assert ignored.returncode == 0, "instance/ must be ignored by git"
    for path in (ROOT / "alerts").glob("*.py"):
        assert "BEGIN PRIVATE KEY" not in path.read_text()


def test_push_send_delivers_what_is_due(app, runner, pastor, subscribe, tell):
    subscribe(pastor, "ann")
    tell([pastor], kind="notice")
    result = runner.invoke(args=["push", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 1"
    assert runner.invoke(args=["push", "send"]).output.strip() == "nothing due"


def test_key_file_setting_defaults_to_the_instance_folder(app):
    app.config["VAPID_KEY_FILE"] = None
    assert keys.key_path() == Path(app.instance_path) / "vapid_private.pem"
    assert not os.path.exists(ROOT / "alerts" / "vapid_private.pem")


# ---------------------------------------------------------- only ever to a push service


def test_the_default_push_services_are_those_the_browsers_use(app):
    app.config["PUSH_SERVICES"] = DEFAULTS["PUSH_SERVICES"]
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",  # Chrome, Edge on Android...
        "https://fcm.googleapis.com/wp/dGVzdA",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl",  # Firefox
        "https://web.push.apple.com/QGVzdA",  # Safari on macOS and iOS
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA%2b",  # Edge on Windows
    ):
        assert allowed_endpoint(endpoint), endpoint
    for endpoint in (
        "http://fcm.googleapis.com/fcm/send/x",  # not HTTPS
        "https://fcm.googleapis.com:8443/fcm/send/x",  # another port
        "https://fcm.googleapis.com./fcm/send/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://fcm.googleapis.com@evil.example/x",
        "https://evil.example\\@fcm.googleapis.com/x",
        "https://evil.example/fcm.googleapis.com",
        "https://push.apple.com/x",  # "*." is a name under it, not the name itself
        "https://push.apple.com.evil.example/x",
        "https://evilnotify.windows.com/x",
        "https://web.push.apple.com /x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
    ):
        assert not allowed_endpoint(endpoint), endpoint


def test_push_services_may_be_one_string_from_the_environment(app):
    app.config["PUSH_SERVICES"] = "https://fcm.googleapis.com, https://*.push.apple.com"
    assert allowed_endpoint("https://web.push.apple.com/x")
    assert allowed_endpoint("https://fcm.googleapis.com/x")
    assert not allowed_endpoint("https://updates.push.services.mozilla.com/x")


def test_a_push_service_no_longer_listed_is_not_sent_to(
    app, push_service, pastor, caplog, subscribe, tell, deliveries
):
    subscribe(pastor, "ann")
    app.config["PUSH_SERVICES"] = ["https://fcm.googleapis.com"]  # the list changed since
    tell([pastor], kind="notice")
    assert deliver_due() == {"failed": 1}
    assert push_service.received_by("ann") == []
    assert deliveries()[0].last_status is None
    assert "/push/ann" not in caplog.text


@pytest.mark.parametrize("redirect", [301, 302, 307, 308])
def test_a_redirect_is_never_followed_nor_retried(
    app, push_service, pastor, subscribe, tell, deliveries, another_push_service, redirect
):
    subscribe(pastor, "ann")
    with another_push_service() as elsewhere:  # listed too: only the redirect leads there
        elsewhere.subscribe("bob")
        push_service.script("ann", (redirect, {"Location": elsewhere.endpoint("bob")}))
        tell([pastor], kind="notice")
        now = utcnow()
        assert deliver_due(now=now) == {"failed": 1}
        assert elsewhere.received == []
    assert [m.status for m in push_service.received_by("ann")] == [redirect]
    assert deliveries()[0].last_status == redirect
    assert deliver_due(now=now + timedelta(hours=1)) == {}
