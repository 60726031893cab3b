"""Who wrote an entry: a token the device got while its author was signed in, kept with
every record they save on it, so that a shared tablet can send records for someone who
has since signed out.

The token is bound to three things, and stops working when any of them changes: the
author's credentials (a generation that a password change or disabling the person ends,
accounts.services), the outbox that asked for it (the device id every batch carries),
and the enrolled tablet it was made on, if any (revoking the tablet ends it).
"""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from accounts import enrolment
from accounts.models import User
from extensions import db
from sync.entries import record_error


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lantern-author")


def author_token(user: User, device_id: str) -> str:
    """A token the outbox with this device id stores with every record this person saves
    on it; made on an enrolled tablet, it names the tablet too."""
    tablet = enrolment.current_device()
    claims = {
        "user": user.id,
        "generation": user.credentials_generation,
        "device": device_id,
        "tablet": tablet.id if tablet is not None else None,
    }
    return _signer().dumps(claims)


def unproven() -> Exception:
    return record_error(
        _("This device could not show who wrote this. Open it, check it and save it again.")
    )


def author_of(token: str, sender: User, device_id: str) -> User:
    """The person who wrote an entry, who may differ from the one sending it now (a
    shared tablet): proven by a token made for this outbox, under their current
    credentials, on this tablet if on one; and active, and of the sender's scheme."""
    max_age = current_app.config["AUTHOR_TOKEN_DAYS"] * 86400
    try:
        claims = _signer().loads(token, max_age=max_age)
    except BadSignature:
        raise unproven() from None
    if not isinstance(claims, dict) or not isinstance(claims.get("user"), int):
        raise unproven()  # a token of the earlier kind, which named only the person
    author = db.session.get(User, claims["user"])
    if author is None or not author.active or author.scheme_id != sender.scheme_id:
        raise record_error(
            _("The person who wrote this can no longer send records. Ask your coordinator.")
        )
    if claims.get("generation") != author.credentials_generation:
        raise unproven()  # the password changed, or the person was disabled, since
    if claims.get("device") != device_id or not on_its_tablet(claims.get("tablet")):
        raise unproven()  # another device's token
    return author


def on_its_tablet(tablet_id) -> bool:
    """True when the token names no tablet, or this request comes from that tablet and it
    has not been revoked."""
    if tablet_id is None:
        return True
    tablet = enrolment.current_device()
    return tablet is not None and tablet.id == tablet_id and tablet.revoked_at is None
