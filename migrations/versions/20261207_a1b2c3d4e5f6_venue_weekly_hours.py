"""a venue's weekly opening hours, as days and times

Revision ID: a1b2c3d4e5f6
Revises: a7c1e9d2b4f0
Create Date: 2026-12-07 16:00:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1b2c3d4e5f6"
down_revision = "a7c1e9d2b4f0"
branch_labels = None
depends_on = None


def daily(text: str):
    """ "Daily 11:00 to 23:00", the one form of the old free text that says days and times."""
    words = (text or "").strip().split()
    if len(words) == 4 and words[0].lower() == "daily" and words[2].lower() == "to":
        opens, closes = words[1], words[3]
        if all(
            len(t) == 5 and t[2] == ":" and t.replace(":", "").isdigit() for t in (opens, closes)
        ):
            return [[opens, closes]] * 7
    return None


def upgrade():
    with op.batch_alter_table("venue") as batch:
        batch.add_column(sa.Column("weekly_hours", sa.JSON(), nullable=True))
    venue = sa.table(
        "venue",
        sa.column("id", sa.Integer),
        sa.column("opening_hours", sa.String),
        sa.column("weekly_hours", sa.JSON),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(venue.c.id, venue.c.opening_hours)):
        hours = daily(row.opening_hours)
        if hours is not None:
            connection.execute(
                venue.update()
                .where(venue.c.id == row.id)
                .values(weekly_hours=json.loads(json.dumps(hours)), opening_hours="")
            )


def downgrade():
    with op.batch_alter_table("venue") as batch:
        batch.drop_column("weekly_hours")
