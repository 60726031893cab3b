"""Who may use each view, declared on the view, and the scoping queries behind it."""

from collections.abc import Callable
from datetime import timedelta

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, false, select

from accounts.models import TeamMember, User, venue_staff
from core.timeutil import utcnow
from extensions import db, login
from havens.models import Venue, Visit
from patrols.models import Contact, Patrol, Team

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: Callable) -> Callable:
    """Anyone may use this view, signed in or not."""
    view.access = frozenset({PUBLIC})
    return view


def signed_in(view: Callable) -> Callable:
    """Anyone signed in may use this view, whatever their roles."""
    view.access = frozenset({SIGNED_IN})
    return view


def roles(*names: str) -> Callable[[Callable], Callable]:
    """Only people holding one of these roles may use this view."""

    def mark(view: Callable) -> Callable:
        view.access = frozenset(names)
        return view

    return mark


def access_rule(endpoint: str) -> frozenset[str] | None:
    """The declared rule of an endpoint; static files are public."""
    if endpoint == "static":
        return frozenset({PUBLIC})
    return getattr(current_app.view_functions[endpoint], "access", None)


def check_declared(app) -> None:
    """Refuse to start when a view has no access rule, so none is open by mistake."""
    with app.app_context():
        missing = [e for e in app.view_functions if access_rule(e) is None]
    if missing:
        raise RuntimeError(f"views without an access rule: {', '.join(sorted(missing))}")


def enforce():
    """Before each request: apply the endpoint's rule."""
    if request.endpoint is None:
        return None  # no route matched; Flask answers 404 or 405
    rule = access_rule(request.endpoint) or frozenset()
    if PUBLIC in rule:
        return None
    if not current_user.is_authenticated:
        return login.unauthorized()
    if SIGNED_IN in rule or current_user.has_role(*rule):
        return None
    abort(403)


def in_my_scheme_or_404(model, row_id: int):
    """A row of a scheme-owned table, if it belongs to the signed-in person's scheme.

    Another scheme's row is "not found", never "forbidden": a 403 would confirm the id.
    """
    row = db.session.get(model, row_id)
    if row is None or row.scheme_id != current_user.scheme_id:
        abort(404)
    return row


def venues_for(user: User) -> Select:
    """The venues this person may act for."""
    stmt = select(Venue).where(Venue.scheme_id == user.scheme_id)
    if user.has_role("coordinator"):
        return stmt
    if user.has_role("venue_staff"):
        mine = select(venue_staff.c.venue_id).where(venue_staff.c.user_id == user.id)
        return stmt.where(Venue.id.in_(mine))
    return stmt.where(false())


def teams_for(user: User) -> Select:
    """The pastor teams whose patrols this person may see."""
    stmt = select(Team).where(Team.scheme_id == user.scheme_id)
    if user.has_role("coordinator"):
        return stmt
    if user.has_role("pastor"):
        mine = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
        return stmt.where(Team.id.in_(mine))
    return stmt.where(false())


def people_for(user: User) -> Select:
    """The people this person may manage: coordinators manage their scheme."""
    stmt = select(User).where(User.scheme_id == user.scheme_id)
    return stmt if user.has_role("coordinator") else stmt.where(false())


# Venue staff see their venue's visits of the last week; older ones are the coordinator's.
STAFF_VISIT_DAYS = 7


def visits_for(user: User) -> Select:
    """The visits this person may see."""
    venues = venues_for(user).with_only_columns(Venue.id)
    stmt = select(Visit).where(Visit.venue_id.in_(venues))
    if user.has_role("coordinator"):
        return stmt
    if user.has_role("venue_staff"):
        return stmt.where(Visit.arrived_at >= utcnow() - timedelta(days=STAFF_VISIT_DAYS))
    return stmt.where(false())


def patrols_for(user: User) -> Select:
    """The patrols this person may see: their teams', or the whole scheme's."""
    teams = teams_for(user).with_only_columns(Team.id)
    return select(Patrol).where(Patrol.team_id.in_(teams))


def handovers_for(user: User) -> Select:
    """Contacts handed over to the venues this person may act for."""
    venues = venues_for(user).with_only_columns(Venue.id)
    return select(Contact).where(Contact.handover_venue_id.in_(venues))
