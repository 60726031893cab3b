"""What alerts does when lower packages announce something (core.signals)."""

from accounts import enrolment
from accounts.models import User
from alerts.handovers import handover_alert
from alerts.services import remove_all_of, remove_own
from core import signals
from core.services import audit
from patrols.models import Contact


def on_person_disabled(user: User, **_extra) -> None:
    """A disabled person is told nothing more, on any device."""
    remove_all_of(user)


def on_browser_signed_out(user: User, push_endpoint: str = "", **_extra) -> None:
    """Remove the person's subscription on the browser signed out of, unless it is a tablet
    enrolled for a venue, which goes on getting the venue's alerts between shifts."""
    if not push_endpoint or len(push_endpoint) > 1000:
        return
    device = enrolment.current_device()
    if (
        device is not None
        and device.revoked_at is None
        and device.venue_id is not None
        and device.scheme_id == user.scheme_id
    ):
        return
    if remove_own(user, push_endpoint):
        audit("push_unsubscribed", None, scheme_id=user.scheme_id)


def on_contact_handed_over(contact: Contact, **_extra) -> None:
    """Pastors bringing someone to a Safe Haven tell its staff before they arrive."""
    handover_alert(contact)


def connect() -> None:
    """Listen to the signals; connecting again (another app in the same process) is harmless."""
    signals.person_disabled.connect(on_person_disabled)
    signals.browser_signed_out.connect(on_browser_signed_out)
    signals.contact_handed_over.connect(on_contact_handed_over)
