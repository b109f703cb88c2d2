"""settled families, placements and student transfers

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:08:12.953154

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
        "settled_families",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("destination_region_code", sa.String(length=6), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("school_year_start", sa.Date(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("information_needed", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("processed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_settled_families")),
    )
    with op.batch_alter_table("settled_families", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settled_families_destination_region_code"),
            ["destination_region_code"],
            unique=False,
        )

    op.create_table(
        "placements",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("age_at_start", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("notice_text", sa.Text(), nullable=True),
        sa.Column("notice_sent_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settled_families.settlement_id"],
            name=op.f("fk_placements_settlement_id_settled_families"),
        ),
        sa.PrimaryKeyConstraint("settlement_id", "member_index", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_placements_county_school_year", ["county", "school_year"], unique=False
        )

    op.create_table(
        "student_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("from_region_code", sa.String(length=6), nullable=False),
        sa.Column("to_region_code", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.Column("receiving_school", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settled_families.settlement_id"],
            name=op.f("fk_student_transfers_settlement_id_settled_families"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_transfers")),
        sa.UniqueConstraint(
            "settlement_id", "member_index", name=op.f("uq_student_transfers_settlement_id")
        ),
    )
    with op.batch_alter_table("student_transfers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_student_transfers_to_region_status_requested",
            ["to_region_code", "status", "requested_at"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("student_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_student_transfers_to_region_status_requested")

    op.drop_table("student_transfers")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index("ix_placements_county_school_year")

    op.drop_table("placements")
    with op.batch_alter_table("settled_families", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settled_families_destination_region_code"))

    op.drop_table("settled_families")
    drop_platform_tables()
