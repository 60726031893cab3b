"""unsafe-place reports, EVAs and their actions; map positions of venues and patrol
areas; Ask for Angela on venues; the directory's entries from seeds 001 and 002

Existing schemes get the support services the seeded directory gained (the Community
Safety Officer, the Community Trigger, Crimestoppers and Fearless), after their own
entries, unless they have one of that name already.

Revision ID: b7c8d9e0f1a2
Revises: a1b2c3d4e5f6
Create Date: 2026-12-08 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c8d9e0f1a2"
down_revision = "a1b2c3d4e5f6"
branch_labels = None
depends_on = None

# As havens/seed.py has them at this revision: (name, purpose, phone, website, area).
NEW_SERVICES = [
    (
        "Community Safety Officer",
        "Tunbridge Wells Borough Council's Community Safety Unit: anti-social behaviour and "
        "community safety. Call and ask to speak to the Community Safety Officer.",
        "01892 526121",
        "",
        "Tunbridge Wells",
    ),
    (
        "Community Trigger",
        "A case review for anyone who has made three complaints about anti-social behaviour "
        "within 6 months that have not been addressed. Call and ask to speak to the "
        "Community Safety Officer.",
        "01892 526121",
        "",
        "Tunbridge Wells",
    ),
    (
        "Crimestoppers",
        "A safe way to pass on what you know about crime.",
        "0800 555 111",
        "",
        "National",
    ),
    (
        "Fearless",
        "Crimestoppers' service for young people: a safe way to pass on what you know about crime.",
        "",
        "https://fearless.org",
        "National",
    ),
]


def upgrade():
    with op.batch_alter_table("venue") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("ask_for_angela", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("angela_briefed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("patrol_area") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("radius_m", sa.Integer(), server_default="250", nullable=False))
    create_reports()
    create_evas()
    add_services()


def create_reports():
    op.create_table(
        "unsafe_place_report",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("rough_time", sa.String(length=16), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("time_of_day", sa.String(length=8), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.String(length=36), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'reviewed', 'eva_planned', 'eva_done', 'action_taken', 'closed')",
            name=op.f("ck_unsafe_place_report_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["patrol_area.id"],
            name=op.f("fk_unsafe_place_report_area_id_patrol_area"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["unsafe_place_report.id"],
            name=op.f("fk_unsafe_place_report_merged_into_id_unsafe_place_report"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_unsafe_place_report_scheme_id_scheme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsafe_place_report")),
        sa.UniqueConstraint("scheme_id", "number", name=op.f("uq_unsafe_place_report_scheme_id")),
    )
    op.create_index(
        "ix_unsafe_place_report_scheme_id_received_at",
        "unsafe_place_report",
        ["scheme_id", "received_at"],
        unique=False,
    )
    op.create_table(
        "unsafe_place_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["unsafe_place_report.id"],
            name=op.f("fk_unsafe_place_contact_report_id_unsafe_place_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsafe_place_contact")),
        sa.UniqueConstraint("report_id", name=op.f("uq_unsafe_place_contact_report_id")),
    )
    op.create_table(
        "unsafe_place_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["user.id"],
            name=op.f("fk_unsafe_place_step_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["unsafe_place_report.id"],
            name=op.f("fk_unsafe_place_step_report_id_unsafe_place_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsafe_place_step")),
    )
    with op.batch_alter_table("unsafe_place_step") as batch:
        batch.create_index(batch.f("ix_unsafe_place_step_report_id"), ["report_id"], unique=False)


def create_evas():
    op.create_table(
        "eva",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("walked_at", sa.DateTime(), nullable=False),
        sa.Column("organisations", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('planned', 'done')", name=op.f("ck_eva_known_status")),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["patrol_area.id"],
            name=op.f("fk_eva_area_id_patrol_area"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_eva_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], name=op.f("fk_eva_scheme_id_scheme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eva")),
        sa.UniqueConstraint("scheme_id", "number", name=op.f("uq_eva_scheme_id")),
    )
    with op.batch_alter_table("eva") as batch:
        batch.create_index(batch.f("ix_eva_scheme_id"), ["scheme_id"], unique=False)
    op.create_table(
        "eva_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("eva_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done')", name=op.f("ck_eva_action_known_status")
        ),
        sa.ForeignKeyConstraint(
            ["eva_id"], ["eva.id"], name=op.f("fk_eva_action_eva_id_eva"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eva_action")),
    )
    with op.batch_alter_table("eva_action") as batch:
        batch.create_index(batch.f("ix_eva_action_eva_id"), ["eva_id"], unique=False)
    op.create_table(
        "eva_report",
        sa.Column("eva_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["eva_id"], ["eva.id"], name=op.f("fk_eva_report_eva_id_eva"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["unsafe_place_report.id"],
            name=op.f("fk_eva_report_report_id_unsafe_place_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("eva_id", "report_id", name=op.f("pk_eva_report")),
    )


def add_services():
    """The new directory entries for each existing scheme, after its own."""
    conn = op.get_bind()
    scheme = sa.table("scheme", sa.column("id", sa.Integer))
    service = sa.table(
        "support_service",
        sa.column("scheme_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("purpose", sa.String),
        sa.column("phone", sa.String),
        sa.column("website", sa.String),
        sa.column("hours", sa.String),
        sa.column("area", sa.String),
        sa.column("position", sa.Integer),
    )
    for (scheme_id,) in conn.execute(sa.select(scheme.c.id)).all():
        rows = conn.execute(
            sa.select(service.c.name, service.c.position).where(service.c.scheme_id == scheme_id)
        ).all()
        if not rows:
            continue  # a scheme with no directory is seeded whole when it is first used
        names = {row.name for row in rows}
        position = max(row.position for row in rows) + 1
        for name, purpose, phone, website, area in NEW_SERVICES:
            if name in names:
                continue
            conn.execute(
                service.insert().values(
                    scheme_id=scheme_id,
                    name=name,
                    purpose=purpose,
                    phone=phone,
                    website=website,
                    hours="",
                    area=area,
                    position=position,
                )
            )
            position += 1


def downgrade():
    # The directory's new entries stay: coordinators may have edited them since.
    op.drop_table("eva_report")
    with op.batch_alter_table("eva_action") as batch:
        batch.drop_index(batch.f("ix_eva_action_eva_id"))
    op.drop_table("eva_action")
    with op.batch_alter_table("eva") as batch:
        batch.drop_index(batch.f("ix_eva_scheme_id"))
    op.drop_table("eva")
    with op.batch_alter_table("unsafe_place_step") as batch:
        batch.drop_index(batch.f("ix_unsafe_place_step_report_id"))
    op.drop_table("unsafe_place_step")
    op.drop_table("unsafe_place_contact")
    op.drop_index("ix_unsafe_place_report_scheme_id_received_at", table_name="unsafe_place_report")
    op.drop_table("unsafe_place_report")
    with op.batch_alter_table("patrol_area") as batch:
        batch.drop_column("radius_m")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
    with op.batch_alter_table("venue") as batch:
        batch.drop_column("angela_briefed_on")
        batch.drop_column("ask_for_angela")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
