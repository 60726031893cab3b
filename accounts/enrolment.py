"""Enrolling tablets and phones with one-time codes, staff PINs on venue tablets, and
revoking a device."""

import secrets
from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import Row, case, select, update

from accounts.models import Device, EnrolmentCode, User, venue_staff
from accounts.passwords import hash_password, verify_password
from accounts.sessions import token_hash
from core.database import rows_changed
from core.services import audit
from core.timeutil import utcnow
from extensions import db

DEVICE_COOKIE = "lantern_device"
# A device's last_seen_at is written at most this often.
SEEN_EVERY = timedelta(minutes=5)


def make_code(scheme_id: int, name: str, by: User, venue_id=None, team_id=None) -> str:
    """A one-time enrolment code for a venue's or a team's device; returns the token."""
    token = secrets.token_urlsafe(24)
    hours = current_app.config["ENROLMENT_CODE_HOURS"]
    code = EnrolmentCode(
        scheme_id=scheme_id,
        token_hash=token_hash(token),
        device_name=name,
        venue_id=venue_id,
        team_id=team_id,
        created_by_id=by.id,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(code)
    db.session.flush()
    audit("enrolment_code_made", code, actor=by, device=name)
    return token


def valid_code(token: str) -> EnrolmentCode | None:
    """The unused, unexpired code with this token, or None."""
    code = db.session.scalar(select(EnrolmentCode).filter_by(token_hash=token_hash(token)))
    if code is None or code.used_at is not None or code.expires_at <= utcnow():
        return None
    return code


def enrol(code: EnrolmentCode) -> tuple[Device, str] | None:
    """Use the code to enrol this browser: returns the device and its cookie token, or
    None when the code was used meanwhile (two scans at once get one device)."""
    now = utcnow()
    taken = rows_changed(
        update(EnrolmentCode)
        .where(EnrolmentCode.id == code.id, EnrolmentCode.used_at.is_(None))
        .values(used_at=now)
    )
    if taken != 1:
        return None
    token = secrets.token_urlsafe(32)
    device = Device(
        scheme_id=code.scheme_id,
        name=code.device_name,
        venue_id=code.venue_id,
        team_id=code.team_id,
        token_hash=token_hash(token),
        enrolled_by_id=code.created_by_id,
        enrolled_at=now,
        last_seen_at=now,
    )
    db.session.add(device)
    db.session.flush()
    code.device_id = device.id
    audit("device_enrolled", device, scheme_id=device.scheme_id, actor=None, name=device.name)
    return device, token


def current_device() -> Device | None:
    """The enrolled device this request comes from, revoked or not; None for any other."""
    if "device" not in g:
        token = request.cookies.get(DEVICE_COOKIE)
        g.device = (
            db.session.scalar(select(Device).filter_by(token_hash=token_hash(token)))
            if token
            else None
        )
    return g.device


def synced(device: Device) -> None:
    """Note, in the sync's own transaction, that the device has just sent its records."""
    device.last_seen_at = device.last_synced_at = utcnow()


def seen(device: Device) -> None:
    """Note that the device was used, at most every few minutes. Like a session's touch,
    the write gets a transaction of its own: the request so far may only have read."""
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at <= SEEN_EVERY:
        return
    device_id = device.id
    db.session.commit()
    db.session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=now))
    db.session.commit()


def revoke(device: Device, by: User) -> None:
    """From now on the device's sync and PIN sign-in are refused."""
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by_id = utcnow(), by.id
        audit("device_revoked", device, actor=by, name=device.name)


# PINs: only on the venue's own enrolled tablet, only for its staff, never a coordinator's.


def set_pin(user: User, pin: str) -> None:
    user.pin_hash = hash_password(pin)
    user.pin_failures, user.pin_locked_at = 0, None
    audit("pin_set", user, actor=user)


def pin_people(device: Device | None) -> list[User]:
    """Who may sign in with a PIN on this device: the venue's active staff who set one
    and hold no role beyond venue staff."""
    if device is None or device.revoked_at is not None or device.venue is None:
        return []
    stmt = (
        select(User)
        .join(venue_staff, venue_staff.c.user_id == User.id)
        .where(venue_staff.c.venue_id == device.venue_id, User.active.is_(True))
        .where(User.pin_hash.is_not(None))
        .order_by(User.name)
    )
    return [u for u in db.session.scalars(stmt) if u.roles == {"venue_staff"}]


def check_pin(device: Device, user_id: int, pin: str) -> tuple[User | None, str]:
    """The person, if this PIN is theirs; else why not: "wrong", "locked" or "unknown"."""
    user = next((u for u in pin_people(device) if u.id == user_id), None)
    if user is None:
        verify_password(None, pin)  # the same time as a real check
        return None, "unknown"
    if user.pin_locked_at is not None:
        return None, "locked"
    if verify_password(user.pin_hash, pin):
        user.pin_failures = 0
        return user, "ok"
    counted = count_failure(user)
    if counted is None:
        return None, "locked"  # another wrong try locked it meanwhile
    if counted.pin_locked_at is None:
        return None, "wrong"
    audit("pin_locked", user, actor=user, device=device.name)
    return None, "locked"


def count_failure(user: User) -> Row | None:
    """Add one wrong PIN in a single statement, locking at the maximum: the new count and
    lock time, or None when the PIN was locked already. Reading the count and writing it
    back loses counts to concurrent tries on PostgreSQL; this UPDATE's row lock does not."""
    failures = User.pin_failures + 1
    locks = failures >= current_app.config["PIN_MAX_FAILURES"]
    stmt = (
        update(User)
        .where(User.id == user.id, User.pin_locked_at.is_(None))
        .values(pin_failures=failures, pin_locked_at=case((locks, utcnow()), else_=None))
        .returning(User.pin_failures, User.pin_locked_at)
    )
    return db.session.execute(stmt).one_or_none()


def unlock_pin(user: User) -> None:
    """A sign-in with the full password, or a coordinator, lifts a PIN lock."""
    user.pin_failures, user.pin_locked_at = 0, None
