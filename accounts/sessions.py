"""Server-side sessions, so signing out or disabling a person ends them everywhere."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from accounts.models import User, UserSession
from core.access import PUBLIC, access_rule
from core.errors import wants_json
from core.timeutil import utcnow
from extensions import db, login

# Writing last_seen on every request would make every page view a write.
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    """The form a token is stored in: a leaked table gives no usable cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a new session for this person and return its token; the caller commits."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=token_hash(token), user_id=user.id))
    user.session_token = token
    return token


@cache
def session_with_user() -> Select:
    """A session row by its token's hash, with its person, their roles and their scheme in
    the same query: nearly every signed-in page asks for all three, which were a query
    each. Built once, the hash a parameter: building it took longer than running it."""
    with_user = joinedload(UserSession.user).options(
        joinedload(User.role_rows), joinedload(User.scheme)
    )
    return select(UserSession).where(UserSession.token_hash == bindparam("hash")).options(with_user)


def load_session_user(token: str) -> User | None:
    """The person a session token belongs to, if the session is still open."""
    found = db.session.scalars(session_with_user(), {"hash": token_hash(token)})
    row = found.unique().one_or_none()
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    config = current_app.config
    if now - row.last_seen_at > timedelta(minutes=config["IDLE_TIMEOUT_MINUTES"]):
        end_session(row, "idle")
        return None
    if now - row.created_at > timedelta(hours=config["SESSION_MAX_HOURS"]):
        end_session(row, "expired")
        return None
    if not row.user.active:
        end_session(row, "disabled")
        return None
    user = row.user
    if now - row.last_seen_at > TOUCH_EVERY and is_activity():
        touch(row.id, now)
    user.session_token = token
    return user


def is_activity() -> bool:
    """Whether this request shows a person at the device, so extends the idle timeout.

    The outbox talks to the API in the background (on a timer, on coming online); that
    must not keep a shared tablet signed in. A sync right after someone saves says so.
    """
    if not request.path.startswith("/api/"):
        return True
    return request.method == "POST" and request.headers.get("X-Lantern-Activity") == "1"


def touch(session_id: int, now) -> None:
    """Record that a session was used: end the reading first, then write on its own.

    On a GET the transaction so far only read; writing in it could fail on SQLite if
    another request wrote meanwhile, so the write starts a transaction of its own.
    """
    db.session.commit()
    db.session.execute(
        update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
    )
    db.session.commit()


def end_session(row: UserSession, reason: str) -> None:
    """Close one session now, and remember why for the sign-in page's message."""
    session_id = row.id
    db.session.commit()  # end the reading first, as in touch()
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id)
        .values(ended_at=utcnow(), end_reason=reason)
    )
    db.session.commit()
    g.session_end_reason = reason


def current_session(user: User) -> UserSession | None:
    """The session row of this request."""
    if not user.session_token:
        return None
    return db.session.scalar(
        select(UserSession).filter_by(token_hash=token_hash(user.session_token))
    )


def end_all_sessions(user: User, reason: str) -> None:
    """Close every open session of this person, on every device; the caller commits."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def sign_in_first():
    """Before the CSRF check: a view that is not public answers someone not signed in
    as unauthorized() does (401 from the API), whatever else is wrong with the request."""
    if request.endpoint is None or current_user.is_authenticated:
        return None
    if PUBLIC in (access_rule(request.endpoint) or frozenset()):
        return None
    return login.unauthorized()


def unauthorized():
    """Send someone who is not signed in to the sign-in page, saying why when we know."""
    reason = g.get("session_end_reason")
    if wants_json():
        # The outbox keeps its records and waits for someone to sign in again.
        return {"error": _("Sign in to send your records."), "signed_in": False}, 401
    if reason == "idle":
        minutes = current_app.config["IDLE_TIMEOUT_MINUTES"]
        message = ngettext(
            "You were signed out after %(num)d minute without use.",
            "You were signed out after %(num)d minutes without use.",
            minutes,
        )
        flash(message, "info")
    elif reason == "expired":
        flash(_("You were signed out at the end of the shift. Sign in again."), "info")
    elif request.path == url_for("core.home"):
        return redirect(url_for("accounts.sign_in"))  # opening the app: nothing to explain
    else:
        flash(_("Sign in to open this page."), "info")
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
