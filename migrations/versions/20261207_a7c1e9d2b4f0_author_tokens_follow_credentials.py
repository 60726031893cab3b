"""author tokens follow a person's credentials: a generation ended by a password change
or by disabling them

Revision ID: a7c1e9d2b4f0
Revises: f3a4b5c6d7e8
Create Date: 2026-12-07 14:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c1e9d2b4f0"
down_revision = "f3a4b5c6d7e8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credentials_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("credentials_generation")
