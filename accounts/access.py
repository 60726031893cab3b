"""The people a person may manage."""

from sqlalchemy import Select, false, select

from accounts.models import User


def people_for(user: User) -> Select:
    """The people this person may manage: coordinators manage their scheme."""
    stmt = select(User).where(User.scheme_id == user.scheme_id)
    return stmt if user.has_role("coordinator") else stmt.where(false())
