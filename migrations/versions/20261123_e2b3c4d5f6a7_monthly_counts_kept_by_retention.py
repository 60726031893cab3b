"""monthly counts kept by retention when it folds and deletes old records

Revision ID: e2b3c4d5f6a7
Revises: d1a2b3c4e5f6
Create Date: 2026-11-23 13:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e2b3c4d5f6a7"
down_revision = "d1a2b3c4e5f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_monthly_count_scheme_id_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_monthly_count_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_monthly_count_venue_id_venue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_count")),
    )
    with op.batch_alter_table("monthly_count", schema=None) as batch_op:
        batch_op.create_index("ix_monthly_count_scheme_month", ["scheme_id", "month"], unique=False)


def downgrade():
    with op.batch_alter_table("monthly_count", schema=None) as batch_op:
        batch_op.drop_index("ix_monthly_count_scheme_month")
    op.drop_table("monthly_count")
