"""The home page: each role's main action first, and what is waiting for them."""

import uuid
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from accounts.models import User
from alerts.models import HelpRequest
from core.access import signed_in
from core.timeutil import london_now_minute
from extensions import db
from havens.access import venues_for
from havens.handovers import pending_handovers
from havens.models import Registration, Venue
from havens.services import lapsing_venues
from patrols import services as patrols
from patrols.access import teams_for
from patrols.forms import ContactForm, contact_form_for
from patrols.models import Patrol, Team
from places.models import UnsafePlaceReport
from sync.models import SyncConflict


@dataclass
class Waiting:
    """What needs a coordinator: each a count, shown only when there is something."""

    registrations: int = 0
    lapsing: list = field(default_factory=list)
    conflicts: int = 0
    calls_for_help: int = 0
    unsafe_places: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.registrations
            or self.lapsing
            or self.conflicts
            or self.calls_for_help
            or self.unsafe_places
        )


def coordinator_waiting(scheme_id: int) -> Waiting:
    """Registrations to decide on, lapsing training, sync conflicts, open calls for help,
    and new reports of unsafe places."""

    def count(model, **filters) -> int:
        stmt = select(func.count()).select_from(model).filter_by(scheme_id=scheme_id, **filters)
        return db.session.scalar(stmt) or 0

    return Waiting(
        registrations=count(Registration, handled_at=None),
        lapsing=lapsing_venues(scheme_id, current_app.config["LAPSE_WARNING_DAYS"]),
        conflicts=count(SyncConflict, resolution=None),
        calls_for_help=count(HelpRequest, outcome="open"),
        unsafe_places=count(UnsafePlaceReport, status="new", merged_into_id=None),
    )


def open_patrols(user: User) -> list[Patrol]:
    """The open patrols of the teams this person patrols with."""
    teams = teams_for(user).with_only_columns(Team.id)
    stmt = select(Patrol).where(Patrol.team_id.in_(teams), Patrol.ended_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Patrol.started_at.desc())))


def quick_contact(user: User) -> ContactForm:
    """A fresh contact form, for the home screen of a pastor whose team is out."""
    form = contact_form_for(user, by_use=True, formdata=None)
    form.id.data, form.at.data = str(uuid.uuid4()), london_now_minute()
    return form


@signed_in
def home():
    user = current_user
    venues = list(db.session.scalars(venues_for(user).order_by(Venue.name)))
    teams = list(db.session.scalars(teams_for(user).order_by(Team.name)))
    patrolling = open_patrols(user) if user.has_role("pastor") else []
    contact = patrolling[0] if len(patrolling) == 1 else None
    return render_template(
        "core/home.html",
        venues=venues,
        teams=teams,
        handovers=pending_handovers(user) if user.has_role("venue_staff") else [],
        patrols=patrolling,
        contact_patrol=contact,
        form=quick_contact(user) if contact is not None else None,
        leading=[team for team in teams if patrols.leads(user, team.id)],
        waiting=coordinator_waiting(user.scheme_id) if user.has_role("coordinator") else None,
    )
