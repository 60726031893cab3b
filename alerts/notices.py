"""Coordinators' notices: a few words to a team, to all venues, or to everyone on duty,
with the record of who got each. The text is read in the app only; no push carries it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select, update

from accounts.models import TeamMember, User, venue_staff
from alerts.forms import AUDIENCES, NoticeForm
from alerts.help_requests import pastors_on_patrol
from alerts.models import AlertRecipient, Notice, PushDelivery
from alerts.services import notify, venue_subscriptions
from core.access import in_my_scheme_or_404, roles, signed_in
from core.forms import options
from core.services import audit
from core.timeutil import to_london, to_utc, utcnow
from extensions import db
from havens.models import Venue
from patrols.models import Team

# A notice is for tonight: it is not pushed after this London hour the next morning.
NOTICE_ENDS = time(6, 0)
DELIVERY_STATES = {
    # Translators: what happened to a notice on one person's device.
    "sent": _l("pushed"),
    "pending": _l("being pushed"),
    "gone": _l("gone (device unsubscribed)"),
    "failed": _l("failed"),
    "expired": _l("expired before it could be pushed"),
}


def ttl_until_morning(now: datetime | None = None) -> int:
    """Seconds until the next 06:00 in London, at least an hour."""
    local = to_london(now or utcnow())
    morning = datetime.combine(local.date(), NOTICE_ENDS)
    if local >= morning:
        morning += timedelta(days=1)
    seconds = (to_utc(morning) - (now or utcnow())).total_seconds()
    return max(3600, int(seconds))


def audience(scheme_id: int, kind: str, team_id: int | None) -> tuple[list[User], list]:
    """The people (and venue devices) a notice goes to."""
    if kind == "team":
        stmt = (
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.id == team_id, Team.scheme_id == scheme_id, User.active.is_(True))
        )
        return list(db.session.scalars(stmt)), []
    if kind == "venues":
        venues = db.session.scalars(
            select(Venue).where(Venue.scheme_id == scheme_id, Venue.status != "left")
        ).all()
        stmt = (
            select(User)
            .join(venue_staff, venue_staff.c.user_id == User.id)
            .where(venue_staff.c.venue_id.in_([v.id for v in venues]), User.active.is_(True))
            .distinct()
        )
        devices = [sub for venue in venues for sub in venue_subscriptions(venue)]
        return list(db.session.scalars(stmt)), devices
    return pastors_on_patrol(scheme_id), []


def send_notice(form: NoticeForm, by: User) -> Notice:
    """Store a notice and alert its audience; the caller commits."""
    team_id = form.team_id.data if form.audience.data == "team" else None
    notice = Notice(
        scheme_id=by.scheme_id,
        audience=form.audience.data,
        team_id=team_id,
        text=form.text.data.strip(),
        sent_by_id=by.id,
    )
    db.session.add(notice)
    db.session.flush()
    people, devices = audience(by.scheme_id, notice.audience, team_id)
    alert = notify(
        by.scheme_id,
        "notice",
        people,
        url=f"/notices/{notice.id}",
        ttl_seconds=ttl_until_morning(),
        subject_id=str(notice.id),
        subscriptions=devices,
    )
    notice.alert_id = alert.id if alert is not None else None
    audit("notice_sent", notice, actor=by, audience=notice.audience, people=len(people))
    return notice


def record(notice: Notice) -> list[tuple[User, list[str], datetime | None]]:
    """Who got a notice: each person, what happened on each of their devices, and when
    they read it in the app."""
    if notice.alert_id is None:
        return []
    rows = db.session.scalars(
        select(AlertRecipient).where(AlertRecipient.alert_id == notice.alert_id)
    ).all()
    deliveries = db.session.scalars(
        select(PushDelivery).where(PushDelivery.alert_id == notice.alert_id)
    ).all()
    found = []
    for row in sorted(rows, key=lambda r: r.user.name):
        states = [
            str(DELIVERY_STATES.get(d.status, d.status))
            for d in deliveries
            if d.user_id == row.user_id
        ]
        found.append((row.user, states or [str(_l("not subscribed"))], row.read_at))
    return found


def notice_form() -> NoticeForm:
    form = NoticeForm()
    teams = db.session.scalars(
        select(Team).filter_by(scheme_id=current_user.scheme_id).order_by(Team.name)
    ).all()
    form.team_id.choices = options([(0, _l("Choose a team"))] + [(t.id, t.name) for t in teams])
    return form


@roles("coordinator")
def notices():
    form = notice_form()
    if form.validate_on_submit():
        notice = send_notice(form, current_user)
        db.session.commit()
        flash(_("Notice sent."), "info")
        return redirect(url_for("alerts.notice", notice_id=notice.id))
    past = db.session.scalars(
        select(Notice)
        .filter_by(scheme_id=current_user.scheme_id)
        .order_by(Notice.sent_at.desc())
        .limit(50)
    ).all()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "alerts/notices.html", form=form, past=past, record=record, audiences=AUDIENCES
    ), status


@signed_in
def notice(notice_id: int):
    notice = in_my_scheme_or_404(Notice, notice_id)
    coordinator = current_user.has_role("coordinator")
    mine = None
    if notice.alert_id is not None:
        mine = db.session.get(AlertRecipient, (notice.alert_id, current_user.id))
    if mine is None and not coordinator:
        abort(404)
    if mine is not None and mine.read_at is None:
        # Reading it marks it read: on a GET, end the reading first and write in a
        # transaction that starts with the UPDATE (as accounts.sessions.touch() does).
        alert_id, user_id = notice.alert_id, current_user.id
        db.session.commit()
        db.session.execute(
            update(AlertRecipient)
            .where(
                AlertRecipient.alert_id == alert_id,
                AlertRecipient.user_id == user_id,
                AlertRecipient.read_at.is_(None),
            )
            .values(read_at=utcnow())
        )
        db.session.commit()
    return render_template(
        "alerts/notice.html",
        notice=notice,
        record=record(notice) if coordinator else None,
        audiences=AUDIENCES,
    )
