"""push subscriptions, alerts and their deliveries, help requests, notices; a team's duty phone

Revision ID: f3a4b5c6d7e8
Revises: e2b3c4d5f6a7
Create Date: 2026-11-23 15:34:11.235554

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3a4b5c6d7e8"
down_revision = "e2b3c4d5f6a7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("url", sa.String(length=200), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_alert_scheme_id_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_alert_venue_id_venue"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alert_dedupe_key")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_scheme_id"), ["scheme_id"], unique=False)

    op.create_table(
        "help_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("eta_minutes", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("asked_pastors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["user.id"],
            name=op.f("fk_help_request_accepted_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["user.id"],
            name=op.f("fk_help_request_asked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_help_request_scheme_id_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_help_request_venue_id_venue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_request")),
    )
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_help_request_scheme_id_asked_at", ["scheme_id", "asked_at"], unique=False
        )
        batch_op.create_index(
            "ix_help_request_venue_id_asked_at", ["venue_id", "asked_at"], unique=False
        )

    op.create_table(
        "alert_recipient",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
            name=op.f("fk_alert_recipient_alert_id_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_alert_recipient_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", "user_id", name=op.f("pk_alert_recipient")),
    )
    with op.batch_alter_table("alert_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_recipient_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_notice_alert_id_alert"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_notice_scheme_id_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["user.id"], name=op.f("fk_notice_sent_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_notice_team_id_team"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_scheme_id"), ["scheme_id"], unique=False)

    op.create_table(
        "push_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("enrolled_device_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("outbox_waiting", sa.Integer(), nullable=False),
        sa.Column("outbox_oldest_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolled_device_id"],
            ["device.id"],
            name=op.f("fk_push_subscription_enrolled_device_id_device"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_push_subscription_scheme_id_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_push_subscription_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscription")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscription_endpoint")),
    )
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_push_subscription_device_id"), ["device_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_push_subscription_scheme_id"), ["scheme_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_push_subscription_user_id"), ["user_id"], unique=False)

    op.create_table(
        "push_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
            name=op.f("fk_push_delivery_alert_id_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["push_subscription.id"],
            name=op.f("fk_push_delivery_subscription_id_push_subscription"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_push_delivery_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_delivery")),
    )
    with op.batch_alter_table("push_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_delivery_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(
            "ix_push_delivery_status_next_try_at", ["status", "next_try_at"], unique=False
        )

    # SQLite adds the column in place; were the table rebuilt, migrations/env.py turns
    # foreign keys off first, so the rows of team_member, patrol and the rest survive.
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("duty_phone", sa.String(length=40), server_default="", nullable=False)
        )


def downgrade():
    # Rebuilds `team` on SQLite, with foreign keys off (migrations/env.py): nothing cascades.
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("duty_phone")

    with op.batch_alter_table("push_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_push_delivery_status_next_try_at")
        batch_op.drop_index(batch_op.f("ix_push_delivery_alert_id"))

    op.drop_table("push_delivery")
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscription_user_id"))
        batch_op.drop_index(batch_op.f("ix_push_subscription_scheme_id"))
        batch_op.drop_index(batch_op.f("ix_push_subscription_device_id"))

    op.drop_table("push_subscription")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_scheme_id"))

    op.drop_table("notice")
    with op.batch_alter_table("alert_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_recipient_user_id"))

    op.drop_table("alert_recipient")
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.drop_index("ix_help_request_venue_id_asked_at")
        batch_op.drop_index("ix_help_request_scheme_id_asked_at")

    op.drop_table("help_request")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_scheme_id"))

    op.drop_table("alert")
