"""Dot voting under load: 300 participants tap at once from threads, each trying to spend more
dots than they have (double taps included), and every dot is counted exactly once, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sparcs_engage import workshops as ws
from sparcs_engage.db import _sqlite_pragmas, session_scope
from sparcs_engage.models import WorkshopVote
from sparcs_engage.workshops.locking import _writer_queue

PARTICIPANTS = 300
WORKERS = 32
DOTS = 5
PER_CARD = 2
CARDS = 12
FACILITATOR = "fac.load"


@pytest.fixture
def busy_engine(engine: Engine, database_url: str) -> Iterator[Engine]:
    """The migrated test database, through a pool with a connection for every worker."""
    if database_url.startswith("sqlite"):
        busy = sa.create_engine(
            database_url, connect_args={"timeout": 10}, pool_size=WORKERS + 4, max_overflow=0
        )
        sa.event.listen(busy, "connect", _sqlite_pragmas)
    else:
        busy = sa.create_engine(database_url, pool_size=WORKERS + 4, max_overflow=0)
    yield busy
    busy.dispose()


def _voting_workshop(engine: Engine) -> tuple[ws.WorkshopInfo, list[int], list[str]]:
    with session_scope(engine) as session:
        info = ws.create_workshop(
            session=session,
            facilitator=FACILITATOR,
            title="Kuormitustesti",
            city="espoo",
            held_on=date(2026, 3, 14),
            dots_per_participant=DOTS,
            max_dots_per_card=PER_CARD,
        )
        ws.open_workshop(session=session, workshop_id=info.id, facilitator=FACILITATOR)
        cards = [
            ws.add_facilitator_card(
                session=session,
                workshop_id=info.id,
                theme=info.themes[i % len(info.themes)],
                text=f"Visio {i}",
                facilitator=FACILITATOR,
            ).id
            for i in range(CARDS)
        ]
        tokens = [
            ws.join_workshop(session=session, code=info.join_code, name=f"Osallistuja {i}").token
            for i in range(PARTICIPANTS)
        ]
        ws.set_phase(session=session, workshop_id=info.id, phase="voting", facilitator=FACILITATOR)
    return info, cards, tokens


def _taps(rng: random.Random, cards: list[int]) -> list[int]:
    """More taps than dots: a double tap on one card, more on others, in a burst."""
    double = rng.choice(cards)
    taps = [double, double] + [rng.choice(cards) for _ in range(rng.randint(4, 8))]
    return taps


def _expected(taps: list[int]) -> int:
    """What a participant ends with, whatever the order: the budget, or every card full."""
    return min(DOTS, sum(min(PER_CARD, n) for n in Counter(taps).values()))


def _tap(engine: Engine, token: str, card_id: int) -> str:
    try:
        with session_scope(engine) as session:
            ws.cast_vote(session=session, token=token, card_id=card_id)
    except ws.WorkshopError as refused:
        return refused.code
    return "ok"


def _votes(engine: Engine, workshop_id) -> list[tuple]:
    v = WorkshopVote.__table__.c
    with engine.connect() as connection:
        return connection.execute(
            sa.select(v.participant_id, v.card_id).where(v.workshop_id == workshop_id)
        ).all()


def test_300_participants_tapping_at_once_get_every_dot_counted_exactly_once(busy_engine):
    info, cards, tokens = _voting_workshop(busy_engine)
    rng = random.Random(2050)
    plan = {token: _taps(rng, cards) for token in tokens}
    # Each participant's taps side by side, so that several of them run at the same moment.
    jobs = [(token, card) for token, taps in plan.items() for card in taps]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda job: _tap(busy_engine, *job), jobs))

    assert set(outcomes) <= {"ok", ws.NO_DOTS_LEFT, ws.CARD_FULL}
    votes = _votes(busy_engine, info.id)
    expected = sum(_expected(taps) for taps in plan.values())
    assert len(votes) == outcomes.count("ok") == expected
    with session_scope(busy_engine) as session:
        ids = {
            ws.participant_state(session=session, token=t).participant_id: t for t in tokens[:20]
        }
        assert ws.board(session=session, workshop_id=info.id).dots_cast == expected
    per_participant = Counter(p for p, _ in votes)
    assert max(per_participant.values()) <= DOTS
    assert max(Counter(votes).values()) <= PER_CARD
    for participant_id, token in ids.items():
        assert per_participant[participant_id] == _expected(plan[token])


def test_no_dot_lands_after_the_facilitator_closes_voting_mid_burst(busy_engine):
    info, cards, tokens = _voting_workshop(busy_engine)
    rng = random.Random(7)
    jobs = [(token, card) for token in tokens for card in _taps(rng, cards)]
    started = threading.Semaphore(0)

    def tap(job):
        started.release()
        return _tap(busy_engine, *job)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(tap, job) for job in jobs]
        for _ in range(len(jobs) // 3):
            started.acquire()
        with session_scope(busy_engine) as session:
            ws.set_phase(
                session=session, workshop_id=info.id, phase="results", facilitator=FACILITATOR
            )
        at_close = len(_votes(busy_engine, info.id))
        outcomes = [f.result() for f in futures]

    votes = _votes(busy_engine, info.id)
    assert len(votes) == at_close == outcomes.count("ok")
    assert at_close > 0
    assert outcomes.count(ws.NOT_VOTING) > 0
    assert set(outcomes) <= {"ok", ws.NO_DOTS_LEFT, ws.CARD_FULL, ws.NOT_VOTING}
    assert max(Counter(p for p, _ in votes).values()) <= DOTS


def test_every_transaction_gives_up_its_place_in_the_sqlite_write_queue(engine, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the queue is for SQLite's single writer")
    info, cards, tokens = _voting_workshop(engine)
    queue = _writer_queue(engine.url.database)
    assert _tap(engine, tokens[0], cards[0]) == "ok"
    assert not queue._lock.locked()
    assert _tap(engine, tokens[0], 999_999) == ws.UNKNOWN_CARD  # refused: rolled back
    assert not queue._lock.locked()
    with Session(engine) as session:  # a session closed without commit or rollback
        ws.cast_vote(session=session, token=tokens[1], card_id=cards[0])
        assert queue._lock.locked()
    assert not queue._lock.locked()
    assert len(_votes(engine, info.id)) == 1
