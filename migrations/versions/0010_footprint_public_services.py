"""footprint: the fixed part of a result in its own column

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 10:00:00

The calculator now shows public services and infrastructure (the part no personal choice
changes) as a category of its own, ``public_services_kg``. Results saved before this revision
with factor set 2026.1 counted that part inside goods and services: 800 kg in Germany (the
Umweltbundesamt's public emissions) and nothing in Finland. Here the German 800 kg move to the
new column, so total_kg - public_services_kg is the lifestyle footprint of every result, old
and new. The downgrade moves them back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_PUBLIC_KG = {"DE": 800.0}  # factor set 2026.1: public_services per country (FI: 0)
OLD_VERSION = "2026.1+%"


def _table():
    return sa.table(
        "footprint_result",
        sa.column("country", sa.String),
        sa.column("factor_version", sa.String),
        sa.column("goods_services_kg", sa.Float),
        sa.column("public_services_kg", sa.Float),
    )


def upgrade() -> None:
    with op.batch_alter_table("footprint_result", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_services_kg", sa.Float(), nullable=False, server_default="0")
        )
    table = _table()
    for country, kg in OLD_PUBLIC_KG.items():
        op.execute(
            table.update()
            .where(table.c.country == country, table.c.factor_version.like(OLD_VERSION))
            .values(
                public_services_kg=kg,
                goods_services_kg=table.c.goods_services_kg - kg,
            )
        )


def downgrade() -> None:
    table = _table()
    # Results of the new factor sets keep their fixed part inside goods and services.
    op.execute(
        table.update().values(
            goods_services_kg=table.c.goods_services_kg + table.c.public_services_kg
        )
    )
    with op.batch_alter_table("footprint_result", schema=None) as batch_op:
        batch_op.drop_column("public_services_kg")
