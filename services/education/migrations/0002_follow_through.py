"""follow-through: every settlement's status and open items (revision 0002).

Made 2026-12-02: the shared follow-through tables (`shared.follow_through`).
"""

from shared.migrations import create_follow_through_tables, drop_follow_through_tables

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_follow_through_tables()


def downgrade() -> None:
    drop_follow_through_tables()
