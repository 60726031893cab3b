"""What each person may see of teams and their patrols."""

from sqlalchemy import Select, false, select

from accounts.models import TeamMember, User
from extensions import db
from patrols.models import Patrol, Team


def teams_for(user: User) -> Select:
    """The pastor teams whose patrols this person may see."""
    stmt = select(Team).where(Team.scheme_id == user.scheme_id)
    if user.has_role("coordinator"):
        return stmt
    if user.has_role("pastor"):
        mine = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
        return stmt.where(Team.id.in_(mine))
    return stmt.where(false())


def patrols_for(user: User) -> Select:
    """The patrols this person may see: their teams', or the whole scheme's."""
    teams = teams_for(user).with_only_columns(Team.id)
    return select(Patrol).where(Patrol.team_id.in_(teams))


def may_see_team(user: User, team_id: int | None) -> bool:
    """True when the team is one whose patrols this person may see (teams_for)."""
    stmt = teams_for(user).where(Team.id == team_id).with_only_columns(Team.id)
    return db.session.scalar(stmt) is not None
