"""Shared fixtures: databases (SQLite always, PostgreSQL when SPARCS_TEST_DATABASE_URL is set)
and an app database for the page tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sparcs_engage.db import make_engine, upgrade

PG_URL = os.environ.get("SPARCS_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _fresh_postgres_schema() -> str:
    """A URL whose connections use a new, empty schema of their own."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = sa.engine.make_url(PG_URL)
    options = url.query.get("options", "")
    url = url.update_query_dict({"options": f"{options} -csearch_path={schema}".strip()})
    return url.render_as_string(hide_password=False)


def _drop_postgres_schema(url: str) -> None:
    schema = sa.engine.make_url(url).query["options"].split("search_path=")[1]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path) -> Iterator[str]:
    """An empty database, on every backend the run has (the test runs once per backend)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = _fresh_postgres_schema()
    try:
        yield url
    finally:
        _drop_postgres_schema(url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database with every table, on every backend the run has."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
