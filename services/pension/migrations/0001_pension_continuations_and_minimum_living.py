"""pension continuations and minimum living

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:08:01.053691

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
        "pension_settlements",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("destination_region_code", sa.String(length=6), nullable=False),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("processed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_pension_settlements")),
    )
    with op.batch_alter_table("pension_settlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pension_settlements_destination_region_code"),
            ["destination_region_code"],
            unique=False,
        )

    op.create_table(
        "minimum_living_assessments",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("monthly_household_income", sa.Float(), nullable=True),
        sa.Column("per_capita_income", sa.Float(), nullable=True),
        sa.Column("standard", sa.Float(), nullable=True),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["pension_settlements.settlement_id"],
            name=op.f("fk_minimum_living_assessments_settlement_id_pension_settlements"),
        ),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_minimum_living_assessments")),
    )
    with op.batch_alter_table("minimum_living_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minimum_living_assessments_outcome"), ["outcome"], unique=False
        )

    op.create_table(
        "pension_continuations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("age_on_decision_date", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=30), nullable=False),
        sa.Column("months_stated", sa.Integer(), nullable=True),
        sa.Column("months_carried_over", sa.Integer(), nullable=True),
        sa.Column("months_source", sa.String(length=30), nullable=True),
        sa.Column("origin_region_code", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("pension_age", sa.String(length=40), nullable=True),
        sa.Column("pension_age_reached_on", sa.Date(), nullable=True),
        sa.Column("confirmed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmation_reference", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["pension_settlements.settlement_id"],
            name=op.f("fk_pension_continuations_settlement_id_pension_settlements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pension_continuations")),
        sa.UniqueConstraint(
            "settlement_id", "member_index", name=op.f("uq_pension_continuations_settlement_id")
        ),
    )
    with op.batch_alter_table("pension_continuations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pension_continuations_settlement_id"), ["settlement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pension_continuations_status"), ["status"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("pension_continuations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pension_continuations_status"))
        batch_op.drop_index(batch_op.f("ix_pension_continuations_settlement_id"))

    op.drop_table("pension_continuations")
    with op.batch_alter_table("minimum_living_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minimum_living_assessments_outcome"))

    op.drop_table("minimum_living_assessments")
    with op.batch_alter_table("pension_settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pension_settlements_destination_region_code"))

    op.drop_table("pension_settlements")
    drop_platform_tables()
