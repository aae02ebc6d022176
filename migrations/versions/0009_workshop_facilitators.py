"""workshop facilitators

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 00:40:00

A workshop is run by the facilitator who created it and by those it was given to
(workshop_facilitator); no other facilitator may open, move, tidy or export it.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sparcs_engage.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_facilitator",
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("given_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("given_at", sparcs_engage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_workshop_facilitator_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", "username", name=op.f("pk_workshop_facilitator")),
    )


def downgrade() -> None:
    op.drop_table("workshop_facilitator")
