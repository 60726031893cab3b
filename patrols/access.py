"""What each person may see of teams and their patrols."""

from functools import cache

from sqlalchemy import Select, bindparam, false, select

from accounts.models import TeamMember, User
from extensions import db
from patrols.models import Patrol, Team


def team_access(user: User) -> str | None:
    """Whose patrols this person may see: "scheme" (every team of their scheme, as a
    coordinator), "own" (their teams'), or None."""
    if user.has_role("coordinator"):
        return "scheme"
    if user.has_role("pastor"):
        return "own"
    return None


def member_of(user_id) -> Select:
    """The ids of the teams a person is on: `user_id` is their id, or a bindparam."""
    return select(TeamMember.team_id).where(TeamMember.user_id == user_id)


def teams_for(user: User) -> Select:
    """The pastor teams whose patrols this person may see."""
    stmt = select(Team).where(Team.scheme_id == user.scheme_id)
    access = team_access(user)
    if access == "scheme":
        return stmt
    if access == "own":
        return stmt.where(Team.id.in_(member_of(user.id)))
    return stmt.where(false())


def patrols_for(user: User) -> Select:
    """The patrols this person may see: their teams', or the whole scheme's."""
    teams = teams_for(user).with_only_columns(Team.id)
    return select(Patrol).where(Patrol.team_id.in_(teams))


@cache
def _one_patrol(access: str) -> Select:
    """patrol_for's statement for one kind of access, built once (every patrol page and
    contact form runs it), the scheme, the person and the patrol its parameters."""
    teams = select(Team.id).where(Team.scheme_id == bindparam("scheme_id"))
    if access == "own":
        teams = teams.where(Team.id.in_(member_of(bindparam("user_id"))))
    return select(Patrol).where(Patrol.team_id.in_(teams), Patrol.id == bindparam("patrol_id"))


def patrol_for(user: User, patrol_id: str) -> Patrol | None:
    """One of the patrols this person may see (patrols_for), by its id."""
    access = team_access(user)
    if access is None:
        return None
    whose = {"scheme_id": user.scheme_id, "user_id": user.id, "patrol_id": patrol_id}
    return db.session.scalar(_one_patrol(access), whose)


def may_see_team(user: User, team_id: int | None) -> bool:
    """True when the team is one whose patrols this person may see (teams_for)."""
    stmt = teams_for(user).where(Team.id == team_id).with_only_columns(Team.id)
    return db.session.scalar(stmt) is not None
