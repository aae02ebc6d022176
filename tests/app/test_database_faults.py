"""A database that drops connections in the middle of voting (a restart, a failover, an
administrator terminating sessions): taps go through the pages' one way to the core
(ui.database.run_use_case), which tries once more on a fresh connection. Every tap that was
answered is counted exactly once, and nothing but the page's own DatabaseInterrupted ever
reaches a page. On PostgreSQL, where connections can be terminated from outside."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa

from sparcs_engage import workshops as ws
from sparcs_engage.db import session_scope
from sparcs_engage.ui.database import DatabaseInterrupted, run_use_case, safe_to_repeat

FAC = "fac.faults"
APP_NAME = "sparcs_fault_test"
PARTICIPANTS = 40
TAPS = 6


@pytest.fixture
def pg_engine(engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("connections are terminated from outside only on PostgreSQL")
    faulty = sa.create_engine(
        database_url,
        pool_pre_ping=True,
        pool_size=16,
        max_overflow=0,
        connect_args={"application_name": APP_NAME},
    )
    yield faulty
    faulty.dispose()


def _terminate(database_url: str, stop: threading.Event) -> int:
    """Terminate every connection of the voting pool, again and again, until told to stop."""
    killed = 0
    admin = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    while not stop.is_set():
        with admin.begin() as connection:
            killed += len(
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": APP_NAME},
                ).all()
            )
        time.sleep(0.05)
    admin.dispose()
    return killed


def test_dots_survive_connections_killed_mid_vote_each_counted_once(
    pg_engine, engine, database_url
):
    safe_to_repeat(ws.cast_vote)
    with session_scope(engine) as session:
        info = ws.create_workshop(
            session=session,
            facilitator=FAC,
            title="Katkos",
            city="espoo",
            held_on=date(2026, 3, 14),
            dots_per_participant=TAPS,
            max_dots_per_card=TAPS,
        )
        ws.open_workshop(session=session, workshop_id=info.id, facilitator=FAC)
        cards = [
            ws.add_facilitator_card(
                session=session,
                workshop_id=info.id,
                theme=info.themes[0],
                text=f"Visio {i}",
                facilitator=FAC,
            ).id
            for i in range(8)
        ]
        tokens = [
            ws.join_workshop(session=session, code=info.join_code).token
            for _ in range(PARTICIPANTS)
        ]
        ws.set_phase(session=session, workshop_id=info.id, phase="voting", facilitator=FAC)

    answered: list[str] = []
    interrupted: list[str] = []
    others: list[BaseException] = []
    lock = threading.Lock()

    def resident(index: int) -> None:
        rng = random.Random(index)
        for n in range(TAPS):
            tap = f"r{index}-t{n}"
            try:
                run_use_case(
                    pg_engine, ws.cast_vote, token=tokens[index], card_id=rng.choice(cards), tap=tap
                )
            except DatabaseInterrupted:
                with lock:
                    interrupted.append(tap)
            except BaseException as exc:  # anything else would be an exception box
                with lock:
                    others.append(exc)
            else:
                with lock:
                    answered.append(tap)

    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as killer_pool:
        killer = killer_pool.submit(_terminate, database_url, stop)
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(resident, range(PARTICIPANTS)))
        stop.set()
        killed = killer.result()

    assert others == []
    assert killed > 0, "no connection was terminated: the test did not test anything"
    with engine.connect() as connection:
        stored = (
            connection.execute(
                sa.text("SELECT tap_id FROM workshop_vote WHERE workshop_id = :id"),
                {"id": info.id.hex if engine.dialect.name == "sqlite" else info.id},
            )
            .scalars()
            .all()
        )
    assert len(stored) == len(set(stored))  # no tap placed two dots
    assert set(answered) <= set(stored)  # every answered tap is there
    # A tap given up after two drops may have landed or not, but never twice.
    assert set(stored) <= set(answered) | set(interrupted)
    assert len(answered) > PARTICIPANTS * TAPS // 2
