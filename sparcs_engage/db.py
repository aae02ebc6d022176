"""The database engine, sessions and the schema check; migrations run through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sparcs_engage.settings import REPO_ROOT, load_settings

MIGRATIONS_DIR = REPO_ROOT / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be used now; the message says why without a traceback."""


class DatabaseUnavailable(DatabaseError):
    """The database server or file cannot be reached."""


class DatabaseBehind(DatabaseError):
    """The database exists but its tables are behind the code's migrations."""


# A connection dropped, refused or timed out (a database restart, a failover, a proxy timeout,
# connections terminated by an administrator, no connection free in the pool in time).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
)


def is_connection_error(exc: BaseException) -> bool:
    """Whether an error means the connection, not the statement, failed."""
    if isinstance(exc, CONNECTION_ERRORS):
        return True
    return isinstance(exc, sa.exc.DBAPIError) and bool(exc.connection_invalidated)


# PostgreSQL pool, per app process: Streamlit runs every visitor's script in a thread of its
# own, so a burst of taps needs more than a handful of connections; a caller that finds none
# free gives up after POOL_TIMEOUT_S (the page then says the connection was lost and tries
# again) instead of waiting the whole burst. 3 processes x 30 stay under PostgreSQL's default
# max_connections of 100.
POOL_SIZE = 15
POOL_OVERFLOW = 15
POOL_TIMEOUT_S = 5


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """A new engine: WAL, busy timeout and foreign keys on SQLite; pre-ping and recycle on
    PostgreSQL."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_recycle=1800,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
    )


@cache
def get_engine(url: str | None = None) -> Engine:
    """The process's one engine per URL (the configured one by default)."""
    return make_engine(url or load_settings().database_url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(_describe(engine, exc)) from exc


def _describe(engine: Engine, exc: Exception) -> str:
    where = engine.url.render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    return f"cannot reach the database at {where}: {reason}"


def check_schema(engine: Engine) -> None:
    """Raise DatabaseUnavailable or DatabaseBehind unless the database is usable."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise DatabaseBehind(
            f"the database is at revision {current or 'none'}, the code needs {head}; "
            "run `sparcs-engage db upgrade`"
        )


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database's tables up to the given migration."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(_describe(engine, exc)) from exc
    finally:
        engine.dispose()
