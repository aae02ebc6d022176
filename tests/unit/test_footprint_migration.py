"""Migration 0010: results saved before it stay readable, and their fixed part moves to the new
column (the German 800 kg of public emissions counted in goods and services until then)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from sparcs_engage.db import alembic_config, make_engine, upgrade


def _insert_old(connection, country: str, goods: float) -> uuid.UUID:
    respondent = uuid.uuid4()
    now = datetime(2026, 5, 1, tzinfo=UTC)
    connection.execute(
        sa.text(
            "INSERT INTO respondent (id, code_hash, city, created_at, is_demo) "
            "VALUES (:id, :hash, 'x', :at, false)"
        ),
        {"id": respondent.hex, "hash": uuid.uuid4().hex, "at": now},
    )
    record = uuid.uuid4()
    connection.execute(
        sa.text(
            "INSERT INTO footprint_result (id, respondent_id, city, country, answers, total_kg, "
            "housing_kg, mobility_kg, food_kg, goods_services_kg, factor_version, "
            "consent_version, created_at, is_demo) VALUES (:id, :r, 'x', :c, '{}', :total, 1000, "
            "2000, 1700, :goods, '2026.1+abcdefabcdef', 'v', :at, false)"
        ),
        {
            "id": record.hex,
            "r": respondent.hex,
            "c": country,
            "total": 4700 + goods,
            "goods": goods,
            "at": now,
        },
    )
    return record


def _row(connection, record: uuid.UUID) -> dict:
    row = (
        connection.execute(
            sa.text("SELECT * FROM footprint_result WHERE id = :id"), {"id": record.hex}
        )
        .mappings()
        .one()
    )
    return dict(row)


def test_old_results_keep_their_total_and_get_their_fixed_part(database_url):
    url = database_url
    upgrade(url, "0006")
    engine = make_engine(url)
    with engine.begin() as connection:
        german = _insert_old(connection, "DE", 4200)  # 3,400 goods + 800 public (2026.1)
        finnish = _insert_old(connection, "FI", 4750)
    upgrade(url, "0010")
    with engine.begin() as connection:
        de, fi = _row(connection, german), _row(connection, finnish)
    assert (de["goods_services_kg"], de["public_services_kg"]) == (3400, 800)
    assert de["total_kg"] == 4700 + 4200
    assert (fi["goods_services_kg"], fi["public_services_kg"]) == (4750, 0)
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with engine.begin() as connection:
        de = _row(connection, german)
    assert de["goods_services_kg"] == 4200 and "public_services_kg" not in de
    engine.dispose()
