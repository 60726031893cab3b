"""The hand-over alert: pastors bringing someone to a Safe Haven tell its staff before
they arrive."""

from datetime import timedelta

from alerts.help_requests import venue_people
from alerts.services import notify, venue_subscriptions
from core.timeutil import utcnow
from patrols.models import Contact

HANDOVER_TTL = 3600  # a hand-over is for the next few minutes, not for tomorrow


def handover_alert(contact: Contact) -> None:
    """Alert the venue a new contact was handed over to, once per contact: a resent form
    or a duplicate sync finds the alert's key used and sends nothing. A hand-over logged
    more than an hour ago (a phone that was offline) is long over: no alert."""
    venue = contact.handover_venue
    if venue is None or contact.at < utcnow() - timedelta(seconds=HANDOVER_TTL):
        return
    notify(
        venue.scheme_id,
        "handover",
        venue_people(venue),
        url="/visits#handovers",  # the venue's "Street Pastors are bringing someone" list
        ttl_seconds=HANDOVER_TTL,
        urgency="high",
        venue=venue,
        subject_id=contact.id,
        dedupe_key=f"handover-{contact.id}",
        subscriptions=venue_subscriptions(venue),
    )
