"""A fake Web Push service on 127.0.0.1, for tests that push without the internet.

It receives pywebpush's POST as a real push service would, checks the VAPID
Authorization header (`vapid t=<JWT>,k=<key>`: an ES256 signature by key k, `aud` this
service's origin, `exp` in the future, `sub` the expected contact), decrypts the
aes128gcm body with the test subscriber's own keys, records what arrived, and answers
with the status the test scripted for that subscriber (201 by default).

    def test_something(push_service):
        sub = push_service.subscribe("ann")          # {"endpoint", "keys": {p256dh, auth}}
        push_service.script("ann", 500, 201)         # first try fails, the next works
        ...
        [message] = push_service.received_by("ann")  # .payload, .ttl, .urgency, .topic

A scripted status of "drop" closes the connection without an answer (a network error);
a (status, headers) pair answers with those headers too: (429, {"Retry-After": "120"}),
(302, {"Location": ...}). `push_service.delay` makes every answer that many seconds late.
The `push_service` fixture (tests/alerts/conftest.py) puts the service's origin into the
app's PUSH_SERVICES, as a deployment lists the real push services; `serve(app)` does the
same for a second one.
Anything wrong with a request is kept in `push_service.errors` (and answered 400 or 403);
the fixture fails the test at teardown if any are left unchecked.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

DEFAULT_CONTACT = "mailto:coordinator@lantern.invalid"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    """A browser's side of one push subscription: its own P-256 key and auth secret."""

    name: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)


@dataclass
class Received:
    """One push as the service received it."""

    name: str  # the subscriber's name
    path: str
    status: int | str  # what the service answered
    ttl: int | None
    urgency: str | None
    topic: str | None
    claims: dict
    vapid_key: str  # k= from the Authorization header: the app's public key
    payload: dict | None  # the decrypted JSON (None when there was no body)
    raw: bytes = field(repr=False, default=b"")  # the decrypted bytes


class FakePushService:
    """The service's state: subscribers, scripted answers, what was received."""

    def __init__(self) -> None:
        self.subscribers: dict[str, Subscriber] = {}
        self.scripts: dict[str, deque] = defaultdict(deque)
        self.received: list[Received] = []
        self.errors: list[str] = []
        self.contact = DEFAULT_CONTACT  # the `sub` claim every push must carry
        self.expected_key: str | None = None  # when set, k= must be this public key
        self.lock = threading.Lock()
        self.origin = ""  # set once the server listens
        self.delay = 0.0  # seconds to wait before answering

    # -- what tests call

    def subscribe(self, name: str) -> dict:
        """A new subscriber with its own keys; returns the browser's subscription JSON."""
        sub = Subscriber(name, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.subscribers[name] = sub
        return {
            "endpoint": self.endpoint(name),
            "keys": {"p256dh": sub.p256dh, "auth": b64url(sub.auth_secret)},
        }

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def script(self, name: str, *statuses: int | str) -> None:
        """Answer the next pushes to `name` with these statuses, in order, then 201."""
        with self.lock:
            self.scripts[name].extend(statuses)

    def received_by(self, name: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.name == name]

    def payloads(self) -> list[dict]:
        with self.lock:
            return [r.payload for r in self.received if r.payload is not None]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    # -- what the handler calls

    def next_status(self, name: str) -> int | str | tuple:
        with self.lock:
            queue = self.scripts.get(name)
            return queue.popleft() if queue else 201

    def check_vapid(self, header: str) -> tuple[dict, str]:
        """The claims and key of a valid `vapid t=...,k=...` header; raises ValueError."""
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization scheme is {scheme!r}, not vapid")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        head_b64, claims_b64, sig_b64 = token.split(".")
        head = json.loads(unb64url(head_b64))
        if head.get("alg") != "ES256":
            raise ValueError(f"JWT alg is {head.get('alg')!r}")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        sig = unb64url(sig_b64)
        der = encode_dss_signature(int.from_bytes(sig[:32]), int.from_bytes(sig[32:]))
        try:
            public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as error:
            raise ValueError("VAPID JWT signature does not verify") from error
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            raise ValueError(f"exp {claims.get('exp')!r} is not in the future")
        if claims["exp"] > time.time() + 24 * 3600:
            raise ValueError("exp is more than 24 hours ahead (RFC 8292)")
        if claims.get("sub") != self.contact:
            raise ValueError(f"sub is {claims.get('sub')!r}, not {self.contact!r}")
        if self.expected_key is not None and key != self.expected_key:
            raise ValueError("k is not the app's VAPID public key")
        return claims, key

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Handler(BaseHTTPRequestHandler):
    service: FakePushService  # set on the per-server subclass

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        service = self.service
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        name = self.path.removeprefix("/push/")
        subscriber = service.subscribers.get(name)
        if not self.path.startswith("/push/") or subscriber is None:
            return self.answer(404)
        try:
            claims, key = service.check_vapid(self.headers.get("Authorization", ""))
        except (ValueError, KeyError) as error:
            service.error(f"{name}: bad VAPID header: {error}")
            return self.answer(403)
        raw, payload = b"", None
        if body:
            if self.headers.get("Content-Encoding") != "aes128gcm":
                service.error(f"{name}: Content-Encoding is {self.headers['Content-Encoding']}")
                return self.answer(400)
            try:
                raw = http_ece.decrypt(
                    body,
                    private_key=subscriber.private_key,
                    auth_secret=subscriber.auth_secret,
                    version="aes128gcm",
                )
                payload = json.loads(raw)
            except Exception as error:  # any failure to decrypt or parse is the test's failure
                service.error(f"{name}: payload did not decrypt to JSON: {error!r}")
                return self.answer(400)
        scripted = service.next_status(name)
        status, headers = scripted if isinstance(scripted, tuple) else (scripted, {})
        ttl = self.headers.get("TTL")
        with service.lock:
            service.received.append(
                Received(
                    name=name,
                    path=self.path,
                    status=status,
                    ttl=int(ttl) if ttl is not None else None,
                    urgency=self.headers.get("Urgency"),
                    topic=self.headers.get("Topic"),
                    claims=claims,
                    vapid_key=key,
                    payload=payload,
                    raw=raw,
                )
            )
        if service.delay:
            time.sleep(service.delay)
        if status == "drop":
            self.close_connection = True
            self.connection.close()
            return None
        return self.answer(int(status), headers)

    def answer(self, status: int, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == 201:
            self.send_header("Location", f"{self.service.origin}/message/{time.time_ns()}")
        self.end_headers()


@contextmanager
def serve(app=None):
    """Run a fake push service until the block ends (a second one: a second origin); with
    an app, its origin is added to the app's PUSH_SERVICES meanwhile."""
    service = FakePushService()
    handler = type("BoundHandler", (Handler,), {"service": service})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    service.origin = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="fake-push", daemon=True)
    thread.start()
    if app is not None:
        app.config["PUSH_SERVICES"] = [*app.config["PUSH_SERVICES"], service.origin]
    try:
        yield service
    finally:
        if app is not None:
            listed = app.config["PUSH_SERVICES"]
            app.config["PUSH_SERVICES"] = [o for o in listed if o != service.origin]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    if service.errors:
        pytest.fail("the fake push service refused:\n" + "\n".join(service.errors))
