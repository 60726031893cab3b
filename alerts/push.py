"""Sending pushes: every delivery that is due, to the push service of its subscription.

A delivery is claimed for a lease long enough for the whole batch before the network is
used, so a cron run and a request's sender never push the same one twice, and no
database lock is held while a push service answers. An outcome is written only while
the delivery still holds that lease, so a late sender never overwrites a newer outcome.
The server POSTs only to the push services in PUSH_SERVICES, checked again before each
push, and never follows a redirect. Endpoints are capabilities: logs show only their host.
"""

from __future__ import annotations

import binascii
import json
import logging
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from flask import current_app
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select, update

from alerts import keys
from alerts.models import Alert, PushDelivery, PushSubscription
from alerts.texts import DEFAULT_LOCALE, words
from core.database import rows_changed
from core.timeutil import utcnow
from extensions import db

log = logging.getLogger("lantern.push")

LEASE = timedelta(minutes=2)  # a claimed batch is tried again after this (plus its
# PUSH_TIMEOUT_SECONDS each) if the sender died
BACKOFF_FIRST_SECONDS = 30
BACKOFF_CAP_SECONDS = 10 * 60
GONE = {404, 410}  # the subscription no longer exists: delete it
REFUSED = {400, 413}  # this message can never be accepted as it is
UNUSABLE = -1  # the subscription's keys are not a P-256 point and secret: nothing can be sent
RETRY_AFTER_CAP_SECONDS = 60 * 60  # a push service asking for longer is asked again by then
DEFAULT_PORTS = {"https": 443, "http": 80}
# What an endpoint may hold: URL characters only (no spaces, backslashes or controls), so
# that this check and requests read the same host from it.
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]!$&'()*+,;=%]+")
HOST = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*")


def _origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of a URL without user info; None for anything else."""
    if not URL_CHARACTERS.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in DEFAULT_PORTS or "@" in parts.netloc:
        return None
    return parts.scheme, host, port or DEFAULT_PORTS[parts.scheme]


def push_services() -> list[str]:
    """PUSH_SERVICES as a list (from the environment it may be one comma-separated string)."""
    listed = current_app.config["PUSH_SERVICES"] or []
    if isinstance(listed, str):
        listed = listed.replace(",", " ").split()
    return [str(entry).strip().rstrip("/") for entry in listed]


def allowed_endpoint(endpoint: str) -> bool:
    """Whether an endpoint is at one of the push services in PUSH_SERVICES: the same
    scheme, port and host ("https://*.push.apple.com": any name under push.apple.com)."""
    origin = _origin(endpoint) if isinstance(endpoint, str) else None
    if origin is None or not HOST.fullmatch(origin[1]):
        return False  # an address literal in brackets, a trailing dot, an empty label...
    scheme, host, port = origin
    for entry in push_services():
        wildcard = entry.startswith(f"{scheme}://*.")
        allowed = _origin(entry.replace("*.", "", 1) if wildcard else entry)
        if allowed is None or (allowed[0], allowed[2]) != (scheme, port):
            continue
        if host == allowed[1] and not wildcard:
            return True
        if wildcard and host.endswith("." + allowed[1]):
            return True
    return False


@dataclass
class Job:
    """What one push needs, read before the network is used."""

    delivery_id: int
    subscription_id: int
    info: dict
    payload: str
    ttl: int
    headers: dict
    attempts: int = 0  # as claimed
    leased_until: datetime | None = None  # the delivery's next_try_at while this job holds it


@dataclass
class Outcome:
    """What a push service answered: its status (0: unreachable, UNUSABLE: bad keys), and
    the seconds it asked to wait (Retry-After), if it did."""

    status: int
    retry_after: int | None = None


def backoff(attempts: int) -> timedelta:
    """30 s doubling with each try, with jitter, at most 10 minutes."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS * 2**attempts)
    return timedelta(seconds=ceiling / 2 + random.random() * ceiling / 2)


def host_of(endpoint: str) -> str:
    return urlsplit(endpoint).netloc or "?"


def payload(alert: Alert, locale: str | None) -> str:
    """The JSON a push carries: the alert's words in the reader's language, and where to go."""
    title, body = words(alert, locale or DEFAULT_LOCALE)
    tag = alert.topic or f"alert-{alert.id}"
    data = {"alert": alert.id, "kind": alert.kind, "title": title, "body": body}
    return json.dumps(data | {"url": alert.url, "tag": tag}, ensure_ascii=False)


def claim(now: datetime, limit: int, ids=None) -> tuple[list[Job], dict[str, int]]:
    """Take due deliveries for a lease that covers sending them all, one after another, each
    to its time limit; expired ones, and those to a push service no longer allowed, are
    closed here (and counted). Commits."""
    stmt = (
        select(PushDelivery)
        .where(PushDelivery.status == "pending", PushDelivery.next_try_at <= now)
        .order_by(PushDelivery.next_try_at, PushDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        stmt = stmt.where(PushDelivery.id.in_(list(ids)))
    jobs, leased = [], []
    closed: dict[str, int] = {}
    for delivery in db.session.scalars(stmt).all():
        job = _job(delivery, now)
        if job is None:
            closed[delivery.status] = closed.get(delivery.status, 0) + 1
        else:
            jobs.append(job)
            leased.append(delivery)
    timeout = current_app.config["PUSH_TIMEOUT_SECONDS"]
    until = now + LEASE + timedelta(seconds=len(jobs) * timeout)
    for job, delivery in zip(jobs, leased, strict=True):
        delivery.next_try_at = job.leased_until = until
    db.session.commit()
    return jobs, closed


def _job(delivery: PushDelivery, now: datetime) -> Job | None:
    alert, subscription = delivery.alert, delivery.subscription
    if subscription is None:
        delivery.status = "gone"
        return None
    if not allowed_endpoint(subscription.endpoint):
        # Stored before PUSH_SERVICES changed, or by other means: never POSTed to.
        delivery.status = "failed"
        log.warning(
            "push %s not sent: %s is not in PUSH_SERVICES",
            delivery.id,
            host_of(subscription.endpoint),
        )
        return None
    ttl = int((alert.expires_at - now).total_seconds())
    if ttl <= 0:  # tonight's alert never arrives tomorrow; a TTL of 0 would mean "now or never"
        delivery.status = "expired"
        return None
    headers = {"Urgency": alert.urgency}
    if alert.topic:
        headers["Topic"] = alert.topic
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    text = payload(alert, subscription.user.locale if subscription.user else None)
    return Job(delivery.id, subscription.id, info, text, ttl, headers, delivery.attempts)


class NoRedirects(requests.Session):
    """A session that never follows a redirect: a push service's answer is final, and a
    redirect could lead the server anywhere."""

    max_redirects = 0

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def retry_after(response) -> int | None:
    """Retry-After in its seconds form; the date form is left to the backoff."""
    value = (response.headers.get("Retry-After") or "").strip() if response is not None else ""
    return min(int(value), RETRY_AFTER_CAP_SECONDS) if value.isdigit() else None


def send(job: Job) -> Outcome:
    """Push one message: what the push service said, 0 when it could not be reached, or
    UNUSABLE when the subscription's keys cannot encrypt anything."""
    config = current_app.config
    session = NoRedirects()
    try:
        response = webpush(
            job.info,
            job.payload,
            vapid_private_key=keys.vapid(),
            # webpush() writes aud and exp into the dict it gets: a fresh one every time.
            vapid_claims={"sub": config["PUSH_CONTACT"]},
            ttl=job.ttl,
            headers=dict(job.headers),
            timeout=config["PUSH_TIMEOUT_SECONDS"],
            requests_session=session,
        )
        return Outcome(response.status_code)
    except WebPushException as error:
        answer = error.response
        if answer is None:
            return Outcome(0)
        return Outcome(answer.status_code, retry_after(answer))
    except requests.TooManyRedirects as error:
        return Outcome(error.response.status_code if error.response is not None else 300)
    except requests.RequestException:
        return Outcome(0)
    except (ValueError, TypeError, binascii.Error):  # from the encryption: keys are garbage
        return Outcome(UNUSABLE)
    finally:
        session.close()


def record(job: Job, outcome: Outcome | int, now: datetime | None = None) -> str:
    """Write what the push service said, at the time it is written (`now` for tests), if
    the delivery still holds this job's lease: otherwise another sender has taken it since,
    and its outcome stands ("stale" is returned). Returns the delivery's new status. Commits."""
    if isinstance(outcome, int):
        outcome = Outcome(outcome)
    now = now or utcnow()
    status, host = outcome.status, host_of(job.info["endpoint"])
    values: dict = {"last_status": status if status > 0 else None}
    gone = False
    if 200 <= status < 300:
        values |= {"status": "sent", "sent_at": now}
    elif status in GONE:
        values["status"], gone = "gone", True
    elif status in REFUSED or status == UNUSABLE or 300 <= status < 400:
        values["status"] = "failed"  # a redirect is never followed, nor tried again
        log.warning("push %s refused by %s (%s)", job.delivery_id, host, status)
    else:
        attempts = job.attempts + 1
        values["attempts"] = attempts
        if attempts >= current_app.config["PUSH_MAX_ATTEMPTS"]:
            values["status"] = "failed"
            log.warning(
                "push %s to %s failed %d times (%s): given up",
                job.delivery_id,
                host,
                attempts,
                status or "no answer",
            )
        else:
            wait = backoff(attempts)
            if status == 429 and outcome.retry_after is not None:
                wait = timedelta(seconds=outcome.retry_after)  # as the push service asked
            values |= {"status": "pending", "next_try_at": now + wait}
            log.info(
                "push %s to %s failed (%s): retry %d",
                job.delivery_id,
                host,
                status or "no answer",
                attempts,
            )
    stmt = (
        update(PushDelivery)
        .where(
            PushDelivery.id == job.delivery_id,
            PushDelivery.status == "pending",
            PushDelivery.attempts == job.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if job.leased_until is not None:
        stmt = stmt.where(PushDelivery.next_try_at == job.leased_until)
    if rows_changed(stmt) != 1:
        db.session.rollback()
        log.info("push %s: outcome %s came after its lease; not recorded", job.delivery_id, status)
        return "stale"
    if gone:
        db.session.execute(
            delete(PushSubscription).where(PushSubscription.id == job.subscription_id)
        )
        log.info(
            "push subscription %s at %s is gone (%s): removed", job.subscription_id, host, status
        )
    elif values["status"] == "sent":
        db.session.execute(
            update(PushSubscription)
            .where(PushSubscription.id == job.subscription_id)
            .values(last_sent_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return values["status"]


def deliver_due(now: datetime | None = None, limit: int = 200, ids=None) -> dict:
    """Send every pending delivery whose time has come (only `ids`, when given); returns
    how many ended in each status, "pending" counting those left to retry."""
    jobs, counts = claim(now or utcnow(), limit, ids)
    for job in jobs:
        # Written at the time the answer came (`now` stands for it only in tests).
        status = record(job, send(job), now)
        counts[status] = counts.get(status, 0) + 1
    return counts
