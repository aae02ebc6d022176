"""The data layer: migrations create every table, SQLite runs with WAL and foreign keys, and an
unreachable or outdated database gives a clear message."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from sparcs_engage.db import (
    DatabaseBehind,
    DatabaseUnavailable,
    check_schema,
    head_revision,
    make_engine,
    upgrade,
)
from sparcs_engage.models import AuditEvent


def test_migrations_create_every_table_of_the_models(engine):
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    check_schema(engine)  # at head: no exception


def test_upgrading_twice_changes_nothing(database_url):
    upgrade(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    check_schema(engine)
    engine.dispose()


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_empty_database_is_reported_as_behind(database_url):
    engine = make_engine(database_url)
    with pytest.raises(DatabaseBehind, match="sparcs-engage db upgrade"):
        check_schema(engine)
    engine.dispose()


def test_an_unreachable_database_gives_a_one_line_reason():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DatabaseUnavailable) as caught:
        check_schema(engine)
    assert "cannot reach the database" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unreachable_database_cannot_be_upgraded_either():
    with pytest.raises(DatabaseUnavailable):
        upgrade("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_the_migrations_form_one_chain_ending_at_head():
    from alembic.script import ScriptDirectory

    from sparcs_engage.db import MIGRATIONS_DIR, alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    chain = list(script.walk_revisions())
    assert chain[0].revision == head_revision()
    assert chain[-1].down_revision is None
    assert len(chain) == len(list((MIGRATIONS_DIR / "versions").glob("*.py")))


def test_timestamps_come_back_timezone_aware_in_utc(engine):
    helsinki = timezone(timedelta(hours=2))
    written = datetime(2026, 1, 5, 12, 0, tzinfo=helsinki)
    with Session(engine) as session:
        session.add(AuditEvent(at=written, actor="x", action="test"))
        session.commit()
    with Session(engine) as session:
        read = session.exec(select(AuditEvent)).one().at
    assert read == written and read.tzinfo is not None
    assert read.astimezone(UTC).hour == 10


def test_naive_timestamps_are_refused(engine):
    with Session(engine) as session:
        session.add(AuditEvent(at=datetime(2026, 1, 1), actor="x", action="test"))
        with pytest.raises(sa.exc.StatementError):
            session.commit()
