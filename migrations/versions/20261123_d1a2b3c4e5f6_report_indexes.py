"""indexes for the reports: a venue's visits, a team's patrols, a patrol's contacts and a venue's hand-overs by time

Each replaces the single-column index on the foreign key it starts with, so the foreign
key's lookups keep an index and writes keep the same number of indexes to update. The
contacts' index carries the number of people too, so that the reports' counts of
contacts and people engaged read the index alone. All are plain B-tree indexes, the same
on SQLite and PostgreSQL.

Revision ID: d1a2b3c4e5f6
Revises: c8b1056ab3b9
Create Date: 2026-11-23 13:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d1a2b3c4e5f6"
down_revision = "c8b1056ab3b9"
branch_labels = None
depends_on = None

# (table, the new index, its columns, the index it replaces)
INDEXES = [
    ("visit", "ix_visit_venue_id_arrived_at", ["venue_id", "arrived_at"], "ix_visit_venue_id"),
    ("patrol", "ix_patrol_team_id_started_at", ["team_id", "started_at"], "ix_patrol_team_id"),
    (
        "contact",
        "ix_contact_patrol_id_at_people",
        ["patrol_id", "at", "people"],
        "ix_contact_patrol_id",
    ),
    (
        "contact",
        "ix_contact_handover_venue_id_at",
        ["handover_venue_id", "at"],
        "ix_contact_handover_venue_id",
    ),
]


def upgrade():
    for table, name, columns, replaced in INDEXES:
        op.create_index(name, table, columns, unique=False)
        op.drop_index(replaced, table_name=table)


def downgrade():
    for table, name, columns, replaced in reversed(INDEXES):
        op.create_index(replaced, table, columns[:1], unique=False)
        op.drop_index(name, table_name=table)
