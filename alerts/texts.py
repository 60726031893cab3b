"""The words of each kind of alert, in the reader's language.

They name a venue and a reason at most: a push passes through a push service that is no
part of the scheme, so nothing in it may identify a person, and a notice's own text is
read only in the app.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _

from alerts.choices import HELP_REASON_LABELS
from alerts.models import Alert

DEFAULT_LOCALE = "en_GB"


def _venue(alert: Alert) -> str:
    return alert.venue.name if alert.venue is not None else ""


def _reason(alert: Alert) -> str:
    return str(HELP_REASON_LABELS.get(alert.reason or "", HELP_REASON_LABELS["other"]))


def _help_request(alert: Alert) -> tuple[str, str]:
    return _("Help asked: %(venue)s", venue=_venue(alert)), _reason(alert)


def _help_taken(alert: Alert) -> tuple[str, str]:
    return (
        _("Help at %(venue)s is taken", venue=_venue(alert)),
        _("Another Street Pastor is on their way."),
    )


def _help_accepted(alert: Alert) -> tuple[str, str]:
    return _("Street Pastors are on their way"), _("Open Lantern to see who is coming.")


def _help_cancelled(alert: Alert) -> tuple[str, str]:
    return (
        _("Help at %(venue)s is no longer needed", venue=_venue(alert)),
        _("The venue cancelled its request."),
    )


def _help_timed_out(alert: Alert) -> tuple[str, str]:
    return (
        _("Nobody could come to %(venue)s", venue=_venue(alert)),
        _("Phone the Street Pastors' duty phone instead."),
    )


def _handover(alert: Alert) -> tuple[str, str]:
    return _("Street Pastors are bringing someone to you"), _("Open Lantern for the details.")


def _notice(alert: Alert) -> tuple[str, str]:
    return _("Notice from your coordinator"), _("Open Lantern to read it.")


def _outbox_reminder(alert: Alert) -> tuple[str, str]:
    return _("Records are waiting on this device"), _("Connect and sign in to send them.")


def _training_lapse(alert: Alert) -> tuple[str, str]:
    return (
        _("Training lapses soon: %(venue)s", venue=_venue(alert)),
        _("Book a refresher so the venue can stay a Safe Haven."),
    )


WORDS: dict[str, Callable[[Alert], tuple[str, str]]] = {
    "help_request": _help_request,
    "help_taken": _help_taken,
    "help_accepted": _help_accepted,
    "help_cancelled": _help_cancelled,
    "help_timed_out": _help_timed_out,
    "handover": _handover,
    "notice": _notice,
    "outbox_reminder": _outbox_reminder,
    "training_lapse": _training_lapse,
}


def words(alert: Alert, locale: str | None = None) -> tuple[str, str]:
    """The alert's title and body, in `locale` (None: the current request's language)."""
    if locale is None:
        return WORDS[alert.kind](alert)
    with force_locale(locale or DEFAULT_LOCALE):
        return WORDS[alert.kind](alert)


def alert_texts(samples, t) -> dict:
    """The texts of static/js/alerts.js on every page: the nav's count of unread alerts,
    sent with the outbox's texts (sync.texts)."""
    return {
        "nav": _("Alerts"),
        "nav_count": _("Alerts (%(num)d)"),
        "unread": {
            category: t.ngettext("%(num)d unread alert", "%(num)d unread alerts", n)
            for category, n in samples
        },
    }


def control_texts() -> dict:
    """The texts of the "Turn on alerts" control: only the alerts page has one."""
    return {
        "unsupported": _(
            "This browser cannot show alerts. Lantern's alerts list still has them all."
        ),
        "ios_install": _(
            "On iPhone and iPad, alerts work only after you add Lantern to the Home Screen "
            "and open it from there."
        ),
        "denied": _(
            "Alerts are blocked for Lantern in this browser. To allow them, open the site's "
            "settings (the icon beside the address, or Settings, then Notifications) and "
            "allow notifications, then reload this page."
        ),
        "off": _("Alerts are off on this device."),
        "on": _("Alerts are on for this device."),
        "working": _("Turning on alerts…"),
        "failed": _("Alerts could not be turned on. Check the connection and try again."),
    }
