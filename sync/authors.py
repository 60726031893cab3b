"""Who wrote an entry: a token the device got while its author was signed in, kept with
every record they save on it, so that a shared tablet can send records for someone who
has since signed out."""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from accounts.models import User
from extensions import db
from sync.entries import record_error


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lantern-author")


def author_token(user: User) -> str:
    """A token the device stores with every record this person saves on it."""
    return _signer().dumps(user.id)


def author_of(token: str, sender: User) -> User:
    """The person who wrote an entry, who may differ from the one sending it now (a
    shared tablet): proven by their token, active, and of the sender's scheme."""
    max_age = current_app.config["AUTHOR_TOKEN_DAYS"] * 86400
    try:
        user_id = _signer().loads(token, max_age=max_age)
    except BadSignature:
        raise record_error(
            _("This device could not show who wrote this. Open it, check it and save it again.")
        ) from None
    author = db.session.get(User, user_id)
    if author is None or not author.active or author.scheme_id != sender.scheme_id:
        raise record_error(
            _("The person who wrote this can no longer send records. Ask your coordinator.")
        )
    return author
