"""Alembic environment: runs the migrations on the connection the CLI hands over, or on the
configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import sparcs_engage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from sparcs_engage.settings import load_settings

config = context.config
target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode copies the table. No effect on PostgreSQL.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    # Run by hand (`alembic ...`): the same database the app uses.
    engine = create_engine(load_settings().database_url)
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
