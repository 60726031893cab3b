"""What each person may see of unsafe-place reports and EVAs.

The reports are the public's words about places, sometimes with an email address:
coordinators of the scheme see them, nobody else (staff and Street Pastors have no part in
triage; partners see counts only, through the reports package). An EVA is written to be
shared: coordinators and partners of the scheme read it.
"""

from sqlalchemy import Select, false, select

from accounts.models import User
from places.models import Eva, UnsafePlaceReport


def reports_for(user: User) -> Select:
    """The unsafe-place reports this person may see."""
    stmt = select(UnsafePlaceReport).where(UnsafePlaceReport.scheme_id == user.scheme_id)
    return stmt if user.has_role("coordinator") else stmt.where(false())


def evas_for(user: User) -> Select:
    """The EVAs this person may read."""
    stmt = select(Eva).where(Eva.scheme_id == user.scheme_id)
    return stmt if user.has_role("coordinator", "partner") else stmt.where(false())
