"""Set-up shared by the benchmarks: scratch folders, a migrated scratch database, and
environment variables set for one script run."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from sparcs_engage.db import upgrade

# Objects a bench hands to a script it runs under AppTest (same process, one module instance).
HELD: dict = {}


def scratch(prefix: str) -> Path:
    """A temporary folder, removed when the bench process ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def scratch_database() -> str:
    """A migrated, empty SQLite database for pages that need one."""
    url = f"sqlite:///{scratch('bench-db-') / 'bench.db'}"
    upgrade(url)
    return url


@contextlib.contextmanager
def app_environment(data_dir: Path) -> Iterator[None]:
    """SPARCS_DATA_DIR and SPARCS_DATABASE_URL for one script run, restored afterwards."""
    wanted = {"SPARCS_DATA_DIR": str(data_dir), "SPARCS_DATABASE_URL": scratch_database()}
    previous = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def reachable_postgres(label: str) -> str | None:
    """The PostgreSQL server of the tests (SPARCS_TEST_DATABASE_URL, or the local one), or None
    with a note on stderr when there is none: the PostgreSQL cases are then skipped."""
    import sqlalchemy as sa

    url = os.environ.get("SPARCS_TEST_DATABASE_URL", "").strip() or LOCAL_POSTGRES
    try:
        probe = sa.create_engine(url, connect_args={"connect_timeout": 2})
        with probe.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        probe.dispose()
    except Exception as exc:  # no server, no driver, no permission
        print(f"  {label}: PostgreSQL skipped ({type(exc).__name__})", file=sys.stderr)
        return None
    return url


def postgres_schema(label: str, prefix: str) -> str | None:
    """A migrated, empty schema of its own in the reachable server, dropped when the run ends."""
    import uuid

    import sqlalchemy as sa

    admin_url = reachable_postgres(label)
    if admin_url is None:
        return None
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    atexit.register(drop)
    url = sa.engine.make_url(admin_url)
    options = url.query.get("options", "")
    url = url.update_query_dict({"options": f"{options} -csearch_path={schema}".strip()})
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    return rendered
