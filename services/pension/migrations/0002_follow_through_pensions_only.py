"""follow-through, pensions only (revision 0002).

Made 2026-12-02: the minimum living guarantee leaves pension for civil affairs, so its
assessments go; the origin's confirmation is kept in columns of its own (every decision reads
it); and the shared follow-through tables (CONTRACT.md, "Follow-through").
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_follow_through_tables, drop_follow_through_tables

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("minimum_living_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minimum_living_assessments_outcome"))
    op.drop_table("minimum_living_assessments")
    with op.batch_alter_table("pension_continuations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_months", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("confirmed_origin_region_code", sa.String(length=6), nullable=True)
        )
    # A confirmation recorded before this revision set the months and the origin it confirmed.
    op.execute(
        "UPDATE pension_continuations SET confirmed_months = months_carried_over, "
        "confirmed_origin_region_code = origin_region_code WHERE confirmed_at IS NOT NULL"
    )
    create_follow_through_tables()


def downgrade() -> None:
    drop_follow_through_tables()
    with op.batch_alter_table("pension_continuations", schema=None) as batch_op:
        batch_op.drop_column("confirmed_origin_region_code")
        batch_op.drop_column("confirmed_months")
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
