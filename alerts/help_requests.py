"""A venue's call for help: who is asked, the first pastor to accept claims it, the
others are told it is taken, and a request nobody accepts in time is timed out.

Each state change flushes and audits; the caller commits.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from accounts.models import User, venue_staff
from alerts.choices import HELP_REASONS
from alerts.models import Alert, AlertRecipient, HelpRequest
from alerts.services import notify, venue_subscriptions
from core.database import rows_changed
from core.services import audit
from core.timeutil import utcnow
from extensions import db
from havens.models import Venue
from patrols.models import Patrol, Team, patrol_pastor

REASONS = dict(HELP_REASONS)
TIMED_OUT_TTL = 30 * 60  # "phone instead" is for now, not for later tonight
OUTCOMES = {
    # Translators: what became of a venue's call for help.
    "open": _l("Waiting"),
    "accepted": _l("Accepted"),
    "timed_out": _l("Nobody accepted in time"),
    "cancelled": _l("Cancelled"),
    "no_patrol": _l("No patrol on duty"),
}


def topic_of(req: HelpRequest) -> str:
    """The push Topic of a request's alerts, so a later one replaces the earlier on a
    phone. Web Push allows 32 URL-safe characters: the id as base64, not as hex."""
    short = base64.urlsafe_b64encode(uuid.UUID(req.id).bytes).rstrip(b"=").decode()
    return f"help-{short}"


# Who is asked, who is told, and which number to phone.


def pastors_on_patrol(scheme_id: int) -> list[User]:
    """Active pastors on any open patrol of the scheme."""
    stmt = (
        select(User)
        .join(patrol_pastor, patrol_pastor.c.user_id == User.id)
        .join(Patrol, Patrol.id == patrol_pastor.c.patrol_id)
        .join(Team, Team.id == Patrol.team_id)
        .where(Team.scheme_id == scheme_id, Patrol.ended_at.is_(None), User.active.is_(True))
        .distinct()
    )
    return list(db.session.scalars(stmt))


def venue_people(venue: Venue) -> list[User]:
    """The venue's active staff: who hears a pastor's answer or a hand-over."""
    stmt = (
        select(User)
        .join(venue_staff, venue_staff.c.user_id == User.id)
        .where(venue_staff.c.venue_id == venue.id, User.active.is_(True))
    )
    return list(db.session.scalars(stmt))


def duty_phones(scheme_id: int) -> list[tuple[str, str]]:
    """(team, number) to phone: the teams on patrol's, else every team's that has one."""
    teams = _with_phone(scheme_id)
    on_patrol = teams.join(Patrol, Patrol.team_id == Team.id).where(Patrol.ended_at.is_(None))
    return _numbers(on_patrol) or _numbers(teams)


def team_phones(scheme_id: int) -> list[tuple[str, str]]:
    """(team, number) of every team with a duty phone: what a device offline can offer,
    not knowing who is on patrol."""
    return _numbers(_with_phone(scheme_id))


def _with_phone(scheme_id: int):
    return (
        select(Team).where(Team.scheme_id == scheme_id, Team.duty_phone != "").order_by(Team.name)
    )


def _numbers(teams) -> list[tuple[str, str]]:
    return [(team.name, team.duty_phone) for team in db.session.scalars(teams)]


def team_of(pastor: User, scheme_id: int) -> str:
    """The team a pastor is on patrol with now, else their first team's name."""
    stmt = (
        select(Team.name)
        .join(Patrol, Patrol.team_id == Team.id)
        .join(patrol_pastor, patrol_pastor.c.patrol_id == Patrol.id)
        .where(patrol_pastor.c.user_id == pastor.id, Team.scheme_id == scheme_id)
        .order_by(Patrol.ended_at.is_not(None), Patrol.started_at.desc())
    )
    name = db.session.scalar(stmt.limit(1))
    return name or next((team.name for team in pastor.teams), "")


def first_name(person: User | None) -> str:
    """How a pastor is named to a venue: by first name only."""
    return (person.name.split() or [""])[0] if person else ""


def asked(req: HelpRequest) -> list[User]:
    """The pastors this request was pushed to."""
    stmt = (
        select(User)
        .join(AlertRecipient, AlertRecipient.user_id == User.id)
        .join(Alert, Alert.id == AlertRecipient.alert_id)
        .where(Alert.kind == "help_request", Alert.subject_id == req.id)
    )
    return list(db.session.scalars(stmt))


# State changes: each flushes and audits; the caller commits.


def ask(venue: Venue, reason: str, by: User, now: datetime | None = None) -> HelpRequest:
    """Record a call for help and push it to the pastors on patrol, if any."""
    now = now or utcnow()
    minutes = int(current_app.config["HELP_REQUEST_MINUTES"])
    req = HelpRequest(
        id=str(uuid.uuid4()),
        scheme_id=venue.scheme_id,
        venue_id=venue.id,
        reason=reason,
        asked_by_id=by.id,
        asked_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    db.session.add(req)
    pastors = pastors_on_patrol(venue.scheme_id)
    req.asked_pastors = len(pastors)
    if not pastors:
        req.outcome, req.closed_at = "no_patrol", now
    db.session.flush()
    audit("help_requested", req, actor=by, venue=venue.id, reason=reason, asked=len(pastors))
    if pastors:
        notify(
            venue.scheme_id,
            "help_request",
            pastors,
            url=f"/help/{req.id}",
            ttl_seconds=minutes * 60,
            urgency="high",
            venue=venue,
            reason=reason,
            subject_id=req.id,
            topic=topic_of(req),
        )
    return req


def accept(req: HelpRequest, pastor: User, eta: int, now: datetime | None = None) -> bool:
    """Claim an open request. One conditional UPDATE, so of two accepts at once exactly
    one wins; False for the other, and for a request closed or expired meanwhile."""
    now = now or utcnow()
    won = rows_changed(
        update(HelpRequest)
        .where(
            HelpRequest.id == req.id,
            HelpRequest.outcome == "open",
            HelpRequest.accepted_by_id.is_(None),
            HelpRequest.expires_at > now,
        )
        .values(outcome="accepted", accepted_by_id=pastor.id, accepted_at=now, eta_minutes=eta)
        .execution_options(synchronize_session=False)
    )
    if won != 1:
        return False
    db.session.refresh(req)
    audit("help_accepted", req, actor=pastor, eta=eta)
    left = max(60, int((req.expires_at - now).total_seconds()))
    venue, url, topic = req.venue, f"/help/{req.id}", topic_of(req)
    notify(
        req.scheme_id,
        "help_accepted",
        venue_people(venue),
        url=url,
        ttl_seconds=3600,
        urgency="high",
        venue=venue,
        reason=req.reason,
        subject_id=req.id,
        subscriptions=venue_subscriptions(venue),
    )
    others = [p for p in asked(req) if p.id != pastor.id]
    if others:
        notify(
            req.scheme_id,
            "help_taken",
            others,
            url=url,
            ttl_seconds=left,
            venue=venue,
            reason=req.reason,
            subject_id=req.id,
            topic=topic,
        )
    return True


def cancel(req: HelpRequest, by: User, now: datetime | None = None) -> bool:
    """The venue no longer needs help: close an open request and tell those asked."""
    now = now or utcnow()
    done = rows_changed(
        update(HelpRequest)
        .where(HelpRequest.id == req.id, HelpRequest.outcome == "open")
        .values(outcome="cancelled", closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if done != 1:
        return False
    db.session.refresh(req)
    audit("help_cancelled", req, actor=by)
    pastors = asked(req)
    if pastors:
        notify(
            req.scheme_id,
            "help_cancelled",
            pastors,
            url=f"/help/{req.id}",
            ttl_seconds=max(60, int((req.expires_at - now).total_seconds())),
            venue=req.venue,
            reason=req.reason,
            subject_id=req.id,
            topic=topic_of(req),
        )
    return True


def time_out(help_id: str, now: datetime | None = None) -> bool:
    """Close a request nobody accepted in time, and tell its venue to phone instead.

    Exactly once, whichever path gets there first (the page, the API's poll, the `push
    send` sweep): the conditional UPDATE decides, and only its winner audits and alerts.
    It is the first statement, so that on a GET's own transaction SQLite takes the write
    lock before anything is read (core/database.py); the caller ends any reading first,
    and commits."""
    now = now or utcnow()
    done = rows_changed(
        update(HelpRequest)
        .where(
            HelpRequest.id == help_id,
            HelpRequest.outcome == "open",
            HelpRequest.expires_at <= now,
        )
        .values(outcome="timed_out", closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if done != 1:
        return False
    req = db.session.get_one(HelpRequest, help_id, populate_existing=True)
    audit("help_timed_out", req, actor=None, scheme_id=req.scheme_id)
    venue = req.venue
    notify(
        req.scheme_id,
        "help_timed_out",
        venue_people(venue),
        url=f"/help/{req.id}",
        ttl_seconds=TIMED_OUT_TTL,
        urgency="high",
        venue=venue,
        reason=req.reason,
        subject_id=req.id,
        subscriptions=venue_subscriptions(venue),
    )
    return True


def time_out_expired(now: datetime | None = None) -> int:
    """Time out every request past its time (the sweep of `push send` and `push remind`)."""
    now = now or utcnow()
    stmt = select(HelpRequest.id).where(
        HelpRequest.outcome == "open", HelpRequest.expires_at <= now
    )
    return sum(time_out(help_id, now) for help_id in db.session.scalars(stmt).all())


def open_request(venue: Venue, now: datetime | None = None) -> HelpRequest | None:
    """The venue's request still waiting for an answer, if any. The venue's row is locked
    first (PostgreSQL; SQLite's write transaction is already exclusive), so that of two
    Sends at once the second waits for the first and finds its request."""
    db.session.execute(select(Venue.id).where(Venue.id == venue.id).with_for_update())
    stmt = select(HelpRequest).where(
        HelpRequest.venue_id == venue.id,
        HelpRequest.outcome == "open",
        HelpRequest.expires_at > (now or utcnow()),
    )
    return db.session.scalar(stmt.order_by(HelpRequest.asked_at.desc()).limit(1))


# Access.


def may_act_for_venue(req: HelpRequest, user: User) -> bool:
    """The venue's staff, and the scheme's coordinators."""
    if req.scheme_id != user.scheme_id:
        return False
    if user.has_role("coordinator"):
        return True
    return user.has_role("venue_staff") and any(v.id == req.venue_id for v in user.venues)


def may_answer(req: HelpRequest, user: User) -> bool:
    """Pastors of the scheme who were asked, or are on patrol while it is open."""
    if req.scheme_id != user.scheme_id or not user.has_role("pastor"):
        return False
    if req.accepted_by_id == user.id or any(p.id == user.id for p in asked(req)):
        return True
    return req.outcome == "open" and any(p.id == user.id for p in pastors_on_patrol(user.scheme_id))
