"""settlement applications

Revision ID: 0001
Revises:
Create Date: 2026-11-26 05:59:36.560001

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.migrations import create_platform_tables, drop_platform_tables

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    create_platform_tables()
    op.create_table(
        "settlement_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("destination_region_code", sa.String(length=6), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("approved_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("rejected_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.String(length=100), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("settled_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_applications")),
    )
    with op.batch_alter_table("settlement_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_applications_approved_at"), ["approved_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_settlement_applications_channel"), ["channel"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_settlement_applications_destination_region_code"),
            ["destination_region_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_settlement_applications_status"), ["status"], unique=False
        )
        batch_op.create_index(
            "ix_settlement_applications_status_destination",
            ["status", "destination_region_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_settlement_applications_submitted_at"), ["submitted_at"], unique=False
        )

    op.create_table(
        "settlement_targets",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("target_persons", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", "region_code", name=op.f("pk_settlement_targets")),
    )
    op.create_table(
        "fanout_statuses",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["settlement_applications.id"],
            name=op.f("fk_fanout_statuses_application_id_settlement_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", "service", name=op.f("pk_fanout_statuses")),
    )
    op.create_table(
        "household_members",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("hukou_region_code", sa.String(length=6), nullable=False),
        sa.Column("hukou_type", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["settlement_applications.id"],
            name=op.f("fk_household_members_application_id_settlement_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", "position", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_members_id_number"), ["id_number"], unique=False
        )

    op.create_table(
        "open_claims",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["settlement_applications.id"],
            name=op.f("fk_open_claims_application_id_settlement_applications"),
        ),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_open_claims")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("open_claims")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_members_id_number"))

    op.drop_table("household_members")
    op.drop_table("fanout_statuses")
    op.drop_table("settlement_targets")
    with op.batch_alter_table("settlement_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_applications_submitted_at"))
        batch_op.drop_index("ix_settlement_applications_status_destination")
        batch_op.drop_index(batch_op.f("ix_settlement_applications_status"))
        batch_op.drop_index(batch_op.f("ix_settlement_applications_destination_region_code"))
        batch_op.drop_index(batch_op.f("ix_settlement_applications_channel"))
        batch_op.drop_index(batch_op.f("ix_settlement_applications_approved_at"))

    op.drop_table("settlement_applications")
    drop_platform_tables()
