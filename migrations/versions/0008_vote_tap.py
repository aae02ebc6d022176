"""vote tap ids

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:30:00

A dot remembers the tap that placed it (workshop_vote.tap_id, unique per participant), so that
a tap whose callback runs twice, or a write retried after a dropped connection, places one dot.
Dots placed before this revision have none.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop_vote", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tap_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.create_index(
            "ux_workshop_vote_participant_id_tap_id", ["participant_id", "tap_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("workshop_vote", schema=None) as batch_op:
        batch_op.drop_index("ux_workshop_vote_participant_id_tap_id")
        batch_op.drop_column("tap_id")
