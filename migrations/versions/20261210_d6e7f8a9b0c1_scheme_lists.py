"""each scheme's own lists (help, how they left, seen, given) and their main language

A scheme keeps Lantern's default lists until its coordinator first changes one; nothing is
copied for existing schemes.

Revision ID: d6e7f8a9b0c1
Revises: c4d5e6f7a8b9
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d6e7f8a9b0c1"
down_revision = "c4d5e6f7a8b9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "list_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["scheme.id"],
            name=op.f("fk_list_item_scheme_id_scheme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_item")),
        sa.UniqueConstraint("scheme_id", "list_name", "code", name=op.f("uq_list_item_scheme_id")),
    )
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=10), server_default="en_GB", nullable=False)
        )
        batch_op.add_column(
            sa.Column("lists_by_use", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.drop_column("lists_by_use")
        batch_op.drop_column("language")
    op.drop_table("list_item")
