"""security: rate limits in the database, a hash-chained audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 20:10:00

- rate_limit: attempt counters (failed sign-ins per user name and per client, wrong codes per
  client, submissions per client) shared by every app process;
- audit_event.prev_hash / entry_hash: each entry is chained to the one before it; the entries
  written before this revision are chained here, in their order;
- staff_session: a signed-in browser of staff or a facilitator (the HttpOnly cookie points to
  it; sign-out and the idle timeout end it);
- account.failed_logins / locked_until are gone: sign-in failures are counted in rate_limit,
  for known and unknown user names alike.
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sparcs_engage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _chain_existing() -> None:
    """The same hash as sparcs_engage.auth._chain_hash, written out so the migration does not
    change when the app's code does."""
    connection = op.get_bind()
    table = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("at", sparcs_engage.models.UTCDateTime(timezone=True)),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("detail", sa.String),
        sa.column("prev_hash", sa.String),
        sa.column("entry_hash", sa.String),
    )
    prev = GENESIS
    rows = connection.execute(
        sa.select(table.c.id, table.c.at, table.c.actor, table.c.action, table.c.detail).order_by(
            table.c.id
        )
    ).all()
    for row in rows:
        at = row.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        payload = json.dumps(
            [row.id, at, row.actor, row.action, row.detail, prev], ensure_ascii=False
        )
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        connection.execute(
            table.update().where(table.c.id == row.id).values(prev_hash=prev, entry_hash=digest)
        )
        prev = digest


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sparcs_engage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sparcs_engage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sparcs_engage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handoff_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_username"), ["username"], unique=False)
    op.create_table(
        "rate_limit",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "prev_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "entry_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
    _chain_existing()
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", server_default=None)
        batch_op.alter_column("entry_hash", server_default=None)
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "locked_until", sparcs_engage.models.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
    op.drop_table("rate_limit")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_username"))
    op.drop_table("staff_session")
