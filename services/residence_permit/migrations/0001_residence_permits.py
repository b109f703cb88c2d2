"""residence permits

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:08:53.153846

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
        "residence_permits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("hukou_region_code", sa.String(length=6), nullable=False),
        sa.Column("resident_since", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.String(length=500), nullable=True),
        sa.Column("guardian", sa.JSON(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("years_in_period", sa.Integer(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=20), nullable=True),
        sa.Column("closed_by_settlement_id", sa.String(length=64), nullable=True),
        sa.Column("superseded_by", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residence_permits")),
    )
    with op.batch_alter_table("residence_permits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_residence_permits_closed_by_settlement_id"),
            ["closed_by_settlement_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_residence_permits_closed_on"), ["closed_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_residence_permits_id_number"), ["id_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_residence_permits_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            "ix_residence_permits_region_valid_to", ["region_code", "valid_to"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_residence_permits_valid_to"), ["valid_to"], unique=False
        )

    op.create_table(
        "settlements",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("destination_region_code", sa.String(length=6), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("processed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_settlements")),
    )
    op.create_table(
        "endorsements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("permit_id", sa.String(length=36), nullable=False),
        sa.Column("endorsed_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("previous_valid_to", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["residence_permits.id"],
            name=op.f("fk_endorsements_permit_id_residence_permits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_endorsements_permit_id"), ["permit_id"], unique=False)

    op.create_table(
        "open_permits",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("permit_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["residence_permits.id"],
            name=op.f("fk_open_permits_permit_id_residence_permits"),
        ),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_open_permits")),
        sa.UniqueConstraint("permit_id", name=op.f("uq_open_permits_permit_id")),
    )
    op.create_table(
        "permit_closures",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("permit_id", sa.String(length=36), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("status_before", sa.String(length=10), nullable=False),
        sa.Column("closed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["residence_permits.id"],
            name=op.f("fk_permit_closures_permit_id_residence_permits"),
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.settlement_id"],
            name=op.f("fk_permit_closures_settlement_id_settlements"),
        ),
        sa.PrimaryKeyConstraint("settlement_id", "permit_id", name=op.f("pk_permit_closures")),
        sa.UniqueConstraint("permit_id", name=op.f("uq_permit_closures_permit_id")),
    )
    op.create_table(
        "settled_persons",
        sa.Column("settlement_id", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.settlement_id"],
            name=op.f("fk_settled_persons_settlement_id_settlements"),
        ),
        sa.PrimaryKeyConstraint("settlement_id", "id_number", name=op.f("pk_settled_persons")),
    )
    with op.batch_alter_table("settled_persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settled_persons_id_number"), ["id_number"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("settled_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settled_persons_id_number"))

    op.drop_table("settled_persons")
    op.drop_table("permit_closures")
    op.drop_table("open_permits")
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_endorsements_permit_id"))

    op.drop_table("endorsements")
    op.drop_table("settlements")
    with op.batch_alter_table("residence_permits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residence_permits_valid_to"))
        batch_op.drop_index("ix_residence_permits_region_valid_to")
        batch_op.drop_index(batch_op.f("ix_residence_permits_region_code"))
        batch_op.drop_index(batch_op.f("ix_residence_permits_id_number"))
        batch_op.drop_index(batch_op.f("ix_residence_permits_closed_on"))
        batch_op.drop_index(batch_op.f("ix_residence_permits_closed_by_settlement_id"))

    op.drop_table("residence_permits")
    drop_platform_tables()
