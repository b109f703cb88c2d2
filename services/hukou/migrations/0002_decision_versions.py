"""decision versions and honest fan-out (revision 0002).

Made 2026-12-02: every decision on an application is kept as a version (the current one is the
latest), and each department's fan-out column holds the status, open items and decision version
it last reported (CONTRACT.md, "Follow-through"). Existing applications get their decision as
version 1.
"""

import sqlalchemy as sa
from alembic import op

import shared.db

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "decision_versions",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rules_version", sa.String(length=60), nullable=True),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("supplied", sa.JSON(), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["settlement_applications.id"],
            name=op.f("fk_decision_versions_application_id_settlement_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", "version", name=op.f("pk_decision_versions")),
    )
    with op.batch_alter_table("settlement_applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_version", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("fanout_statuses", schema=None) as batch_op:
        batch_op.alter_column(
            "status", existing_type=sa.String(length=10), type_=sa.String(length=20)
        )
        batch_op.add_column(sa.Column("open_items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
    op.execute("UPDATE fanout_statuses SET open_items = '[]' WHERE open_items IS NULL")
    with op.batch_alter_table("fanout_statuses", schema=None) as batch_op:
        batch_op.alter_column("open_items", existing_type=sa.JSON(), nullable=False)
    op.execute(
        "INSERT INTO decision_versions (application_id, version, trigger, status, "
        "rules_version, eligibility, request, supplied, decided_at, decided_by) "
        "SELECT id, 1, 'submitted', status, rules_version, eligibility, request, '[]', "
        "COALESCE(decided_at, submitted_at), submitted_by FROM settlement_applications"
    )


def downgrade() -> None:
    with op.batch_alter_table("fanout_statuses", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("open_items")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=20), type_=sa.String(length=10)
        )
    with op.batch_alter_table("settlement_applications", schema=None) as batch_op:
        batch_op.drop_column("decision_version")
    op.drop_table("decision_versions")
