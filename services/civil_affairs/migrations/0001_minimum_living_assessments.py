"""minimum living guarantee assessments and their follow-through: the baseline (revision 0001).

Made 2026-12-02: the platform tables, the shared follow-through tables (CONTRACT.md,
"Follow-through"), then the service's own, as its models declare them.
"""

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.migrations import (
    create_follow_through_tables,
    create_platform_tables,
    drop_follow_through_tables,
    drop_platform_tables,
)

revision = "0001"  # the baseline
down_revision = None


def upgrade() -> None:
    """Upgrade schema."""
    create_platform_tables()
    create_follow_through_tables()
    op.create_table(
        "minimum_living_assessments",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("per_capita_income_fen", sa.Integer(), nullable=True),
        sa.Column("standard_fen", sa.Integer(), nullable=True),
        sa.Column("information_needed", sa.JSON(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("parameters_used", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("assessed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_minimum_living_assessments")),
    )
    with op.batch_alter_table("minimum_living_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minimum_living_assessments_outcome"), ["outcome"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_minimum_living_assessments_region_code"), ["region_code"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("minimum_living_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minimum_living_assessments_region_code"))
        batch_op.drop_index(batch_op.f("ix_minimum_living_assessments_outcome"))

    op.drop_table("minimum_living_assessments")
    drop_follow_through_tables()
    drop_platform_tables()
