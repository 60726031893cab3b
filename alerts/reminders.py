"""`flask --app wsgi push remind`, run by cron every 15 minutes: remind devices whose
outbox has waited too long, tell coordinators of venues whose training lapses soon, time
out calls for help nobody accepted (`push send` does that too, every minute), then push
what is due."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from sqlalchemy import or_, select

from accounts.models import Scheme, User, UserRole
from alerts.help_requests import time_out_expired
from alerts.models import PushSubscription
from alerts.push import deliver_due
from alerts.services import notify
from core.timeutil import london_today, utcnow
from extensions import db
from havens.services import lapsing_venues

REMIND_EVERY = timedelta(hours=24)  # a device is reminded at most once a day
OUTBOX_TTL = 12 * 3600
LAPSE_TTL = 24 * 3600


def remind_outboxes(now: datetime) -> int:
    """Remind each device whose oldest waiting record is older than the configured hours."""
    hours = current_app.config["OUTBOX_REMINDER_HOURS"]
    stmt = select(PushSubscription).where(
        PushSubscription.outbox_waiting > 0,
        PushSubscription.outbox_oldest_at <= now - timedelta(hours=hours),
        or_(
            PushSubscription.reminded_at.is_(None),
            PushSubscription.reminded_at <= now - REMIND_EVERY,
        ),
    )
    count = 0
    for sub in db.session.scalars(stmt).all():
        # To this device only: notify() would push to each of the person's devices, and
        # the app's own outbox bar says the same on this one once it is opened.
        alert = notify(
            sub.scheme_id,
            "outbox_reminder",
            [],
            url="/outbox",
            ttl_seconds=OUTBOX_TTL,
            dedupe_key=f"outbox-{sub.id}-{london_today().isoformat()}",
            subscriptions=[sub],
        )
        sub.reminded_at = now
        count += alert is not None
    return count


def coordinators(scheme_id: int) -> list[User]:
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.scheme_id == scheme_id, UserRole.role == "coordinator", User.active.is_(True))
    )
    return list(db.session.scalars(stmt))


def warn_lapses() -> int:
    """Tell each scheme's coordinators, once per venue and lapse date, of training that
    lapses within the warning days (or has lapsed)."""
    days = current_app.config["LAPSE_WARNING_DAYS"]
    count = 0
    for scheme in db.session.scalars(select(Scheme)).all():
        lapsing = lapsing_venues(scheme.id, days)
        people = coordinators(scheme.id) if lapsing else []
        for venue, until in lapsing:
            alert = notify(
                scheme.id,
                "training_lapse",
                people,
                url=f"/venues/{venue.id}",
                ttl_seconds=LAPSE_TTL,
                venue=venue,
                subject_id=str(venue.id),
                dedupe_key=f"lapse-{venue.id}-{until.isoformat() if until else 'none'}",
            )
            count += alert is not None
    return count


@click.command("remind")
def remind_command() -> None:
    """Send outbox reminders and training-lapse notices, time out calls for help, push."""
    now = utcnow()
    outboxes = remind_outboxes(now)
    lapses = warn_lapses()
    timed_out = time_out_expired(now)
    db.session.commit()
    pushed = deliver_due()
    click.echo(f"outbox reminders: {outboxes}")
    click.echo(f"training lapse notices: {lapses}")
    click.echo(f"calls for help timed out: {timed_out}")
    click.echo(f"pushes: {pushed}")
