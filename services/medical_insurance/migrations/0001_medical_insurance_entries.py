"""medical insurance entries

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:07:33.510755

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
        "settlements",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("destination_region_code", sa.String(length=6), nullable=False),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("acted_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_settlements")),
    )
    op.create_table(
        "member_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("previous_region_code", sa.String(length=6), nullable=False),
        sa.Column("previous_hukou_type", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facts_basis", sa.String(length=20), nullable=True),
        sa.Column("from_region_code", sa.String(length=6), nullable=True),
        sa.Column("from_scheme", sa.String(length=30), nullable=True),
        sa.Column("to_scheme", sa.String(length=30), nullable=True),
        sa.Column("months_declared", sa.Integer(), nullable=True),
        sa.Column("months_carried_over", sa.Integer(), nullable=True),
        sa.Column("coverage_start", sa.Date(), nullable=True),
        sa.Column("confirmation_deadline", sa.Date(), nullable=True),
        sa.Column("origin_coverage_end", sa.Date(), nullable=True),
        sa.Column("continuous", sa.Boolean(), nullable=True),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("supplied_insurance", sa.JSON(), nullable=True),
        sa.Column("origin_answer", sa.JSON(), nullable=True),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.settlement_id"],
            name=op.f("fk_member_entries_settlement_id_settlements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_entries")),
        sa.UniqueConstraint(
            "settlement_id", "member_index", name=op.f("uq_member_entries_settlement_id")
        ),
    )
    with op.batch_alter_table("member_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_entries_status_deadline", ["status", "confirmation_deadline"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("member_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_member_entries_status_deadline")

    op.drop_table("member_entries")
    op.drop_table("settlements")
    drop_platform_tables()
