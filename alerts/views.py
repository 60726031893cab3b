"""Pages: one's alerts (everything a push said, for devices without push), and the
alerts on one's devices in the account settings."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete

from alerts import keys, services
from alerts.models import PushSubscription
from alerts.texts import words
from core.access import signed_in
from core.database import rows_changed
from core.services import audit
from extensions import db


@signed_in
def alerts():
    listed = [(alert, mark, words(alert)) for alert, mark in services.alerts_for(current_user)]
    unread = {alert.id for alert, mark, _words in listed if mark.read_at is None}
    if unread:
        # Reading the list is what marks them read: a write of its own after the reading
        # (as accounts.sessions.touch() does).
        user = current_user._get_current_object()
        db.session.commit()
        services.mark_read(user)
        db.session.commit()
    return render_template("alerts/alerts.html", listed=listed, unread=unread)


@signed_in
def devices():
    return render_template(
        "alerts/devices.html",
        subscriptions=services.subscriptions_of(current_user),
        application_key=keys.public_key(),
        form=FlaskForm(),
    )


@signed_in
def remove(subscription_id: int):
    # Only one's own; any other id is simply not found (CSRFProtect checked the token).
    stmt = delete(PushSubscription).filter_by(id=subscription_id, user_id=current_user.id)
    if rows_changed(stmt):
        audit("push_unsubscribed", None, scheme_id=current_user.scheme_id)
        db.session.commit()
        flash(_("Alerts are off on that device."), "info")
    return redirect(url_for("alerts.devices"))


def alert_badge() -> dict:
    """The nav's count of unread alerts, asked for only by pages that show the nav."""

    def unread_alerts() -> int:
        return services.unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_alerts": unread_alerts}
