"""housing assessments, applications and waiting lists

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:07:15.015796

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
        "housing_assessments",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("monthly_rental_subsidy_fen", sa.Integer(), nullable=True),
        sa.Column("information_needed", sa.JSON(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("parameters_used", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("assessed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_housing_assessments")),
    )
    with op.batch_alter_table("housing_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_housing_assessments_outcome"), ["outcome"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_housing_assessments_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "housing_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("form", sa.String(length=30), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("queue_number", sa.Integer(), nullable=True),
        sa.Column("applied_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("monthly_subsidy_fen", sa.Integer(), nullable=True),
        sa.Column("unit_reference", sa.String(length=100), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["housing_assessments.settlement_id"],
            name=op.f("fk_housing_applications_settlement_id_housing_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_applications")),
        sa.UniqueConstraint("region_code", "queue_number", name="uq_housing_applications_queue"),
    )
    with op.batch_alter_table("housing_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_housing_applications_settlement_id"), ["settlement_id"], unique=False
        )
        batch_op.create_index(
            "ix_housing_applications_waiting",
            ["region_code", "status", "queue_number"],
            unique=False,
        )

    op.create_table(
        "held_applications",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["housing_applications.id"],
            name=op.f("fk_held_applications_application_id_housing_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["housing_assessments.settlement_id"],
            name=op.f("fk_held_applications_settlement_id_housing_assessments"),
        ),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_held_applications")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("held_applications")
    with op.batch_alter_table("housing_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_housing_applications_waiting")
        batch_op.drop_index(batch_op.f("ix_housing_applications_settlement_id"))

    op.drop_table("housing_applications")
    with op.batch_alter_table("housing_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_assessments_region_code"))
        batch_op.drop_index(batch_op.f("ix_housing_assessments_outcome"))

    op.drop_table("housing_assessments")
    drop_platform_tables()
