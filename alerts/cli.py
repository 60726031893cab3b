"""`flask --app wsgi push ...`: the VAPID key, and sending the pushes that are due."""

import click
from flask.cli import AppGroup
from sqlalchemy import delete, func, select

from alerts import keys
from alerts.help_requests import time_out_expired
from alerts.models import PushSubscription
from alerts.push import deliver_due
from core.services import audit
from extensions import db

push_cli = AppGroup("push", help="Web push: the VAPID key and sending alerts.")


@push_cli.command("keys")
@click.option(
    "--rotate", is_flag=True, help="Make a new key pair; every browser must subscribe again."
)
def keys_command(rotate: bool) -> None:
    """Print the public VAPID key (made on first use); --rotate replaces the pair."""
    if rotate:
        keys.rotate()
        # Subscriptions were made for the old key: the push services would refuse them.
        count = db.session.scalar(select(func.count()).select_from(PushSubscription)) or 0
        db.session.execute(delete(PushSubscription))
        audit("push_keys_rotated", None, removed_subscriptions=count)
        db.session.commit()
        click.echo(
            f"New VAPID key pair made. {count} subscriptions made for the old key were removed: "
            "each person must subscribe again (Turn on alerts) on each of their devices."
        )
    click.echo(keys.public_key())


@push_cli.command("send")
@click.option("--limit", default=200, show_default=True, help="Most deliveries to try in one run.")
def send_command(limit: int) -> None:
    """Time out calls for help nobody accepted, then send every push that is due, retries
    included (run from cron every minute)."""
    timed_out = time_out_expired()  # its venue is told now, not at the next `push remind`
    db.session.commit()
    if timed_out:
        click.echo(f"calls for help timed out: {timed_out}")
    counts = deliver_due(limit=limit)
    summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "nothing due"
    click.echo(summary)
