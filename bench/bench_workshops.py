"""Workshops under load: 300 participants placing 10 dots each at once (32 threads, one
transaction per tap) against 3,000 plain inserts made the same way, and the live board over
5,000 cards against a plain count of those cards; on SQLite, and on PostgreSQL when one is
reachable (SPARCS_TEST_DATABASE_URL, or postgres@127.0.0.1:5432/test), in a schema of its own.

A voting round is one timed call; the per-tap commit times (p50, p95, max) go to stderr.
"""

from __future__ import annotations

import atexit
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.run import Case
from bench.support import postgres_schema
from sparcs_engage import workshops as ws
from sparcs_engage.db import _sqlite_pragmas, session_scope, upgrade
from sparcs_engage.models import WorkshopCard, WorkshopParticipant, WorkshopVote, utcnow
from sparcs_engage.workshops.codes import _hash_token

PARTICIPANTS = 300
VOTES_EACH = 10
WORKERS = 32
VOTING_CARDS = 60
BOARD_CARDS = 5000
BOARD_VOTES = 15000
ROUNDS = 4  # warm-up and timed runs of a voting round, each with a workshop of its own
FACILITATOR = "bench.facilitator"


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


def _busy_engine(url: str) -> Engine:
    """The app's connection settings, with a pooled connection for every worker thread."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"timeout": 10}, pool_size=WORKERS + 4, max_overflow=0
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_size=WORKERS + 4, max_overflow=0, pool_pre_ping=True)


@cache
def _sqlite_url() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-workshops-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    return url


@cache
def _postgres_url() -> str | None:
    return postgres_schema("workshops", "bench_ws")


@cache
def _engine(backend: str) -> Engine:
    url = _sqlite_url() if backend == "sqlite" else _postgres_url()
    engine = _busy_engine(url)
    atexit.register(engine.dispose)
    return engine


# --------------------------------------------------------------------------------------------
# Set-up: workshops, participants, cards
# --------------------------------------------------------------------------------------------


def _workshop(engine: Engine, phase: str, **rules: int) -> ws.WorkshopInfo:
    with session_scope(engine) as session:
        info = ws.create_workshop(
            session=session,
            facilitator=FACILITATOR,
            title="Bench",
            city="espoo",
            held_on=date(2026, 5, 1),
            **rules,
        )
        ws.open_workshop(session=session, workshop_id=info.id, facilitator=FACILITATOR)
        if phase == "voting":
            ws.set_phase(
                session=session, workshop_id=info.id, phase="voting", facilitator=FACILITATOR
            )
    return info


def _participants(engine: Engine, workshop_id: uuid.UUID, n: int) -> list[str]:
    """n participants in one go (joining one by one is not what is measured here)."""
    tokens = [secrets.token_urlsafe(24) for _ in range(n)]
    rows = [
        {
            "id": uuid.uuid4(),
            "workshop_id": workshop_id,
            "token_hash": _hash_token(token),
            "name": f"Bench {i}",
            "lang": "fi",
            "joined_at": utcnow(),
            "last_seen_at": utcnow(),
        }
        for i, token in enumerate(tokens)
    ]
    with session_scope(engine) as session:
        session.execute(sa.insert(WorkshopParticipant.__table__), rows)
    return tokens


def _cards(engine: Engine, info: ws.WorkshopInfo, n: int) -> list[int]:
    rng = random.Random(n)
    rows = [
        {
            "workshop_id": info.id,
            "theme": info.themes[i % len(info.themes)],
            "text": f"Visio {i}: " + " ".join(rng.choice(("aurinko", "tuuli", "metsä")) * 3),
            "by_facilitator": True,
            "hidden": False,
            "created_at": utcnow(),
        }
        for i in range(n)
    ]
    with session_scope(engine) as session:
        session.execute(sa.insert(WorkshopCard.__table__), rows)
        c = WorkshopCard.__table__.c
        return list(
            session.execute(
                sa.select(c.id).where(c.workshop_id == info.id).order_by(c.id)
            ).scalars()
        )


# --------------------------------------------------------------------------------------------
# A burst of taps
# --------------------------------------------------------------------------------------------


def _burst(label: str, jobs: list, tap: Callable[[object], None]) -> None:
    """Run every job from WORKERS threads at once; report each tap's time to its commit."""

    def timed(job) -> float:
        start = time.perf_counter()
        tap(job)
        return time.perf_counter() - start

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        times = sorted(pool.map(timed, jobs))
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(times, n=100)
    _say(
        f"{label}: {len(jobs)} commits in {wall:.2f} s ({len(jobs) / wall:.0f}/s), per commit "
        f"p50 {cuts[49] * 1000:.1f} ms, p95 {cuts[94] * 1000:.1f} ms, max {times[-1] * 1000:.0f} ms"
    )


def _plain_inserts(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine = _engine(backend)
        scratch = sa.Table(
            f"bench_scratch_{uuid.uuid4().hex[:8]}",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("participant", sa.String(40), nullable=False),
            sa.Column("card_id", sa.Integer, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        scratch.create(engine)
        atexit.register(scratch.drop, engine, checkfirst=True)
        jobs = [(f"p{p}", v) for v in range(VOTES_EACH) for p in range(PARTICIPANTS)]

        def insert(job) -> None:
            with session_scope(engine) as session:
                session.execute(
                    sa.insert(scratch).values(
                        participant=job[0], card_id=job[1], created_at=utcnow()
                    )
                )

        return lambda: _burst(f"{backend} plain inserts", jobs, insert)

    return make


def _voting_round(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine = _engine(backend)
        rounds: Iterator[tuple[ws.WorkshopInfo, list]] = iter(
            [_round(engine, seed) for seed in range(ROUNDS)]
        )

        def cast(job) -> None:
            with session_scope(engine) as session:
                ws.cast_vote(session=session, token=job[0], card_id=job[1])

        def run() -> None:
            info, jobs = next(rounds)
            _burst(f"{backend} votes", jobs, cast)
            with Session(engine) as session:
                v = WorkshopVote.__table__.c
                counted = session.execute(
                    sa.select(sa.func.count()).where(v.workshop_id == info.id)
                ).scalar_one()
            if counted != len(jobs):
                raise RuntimeError(f"{counted} dots counted for {len(jobs)} taps")

        return run

    return make


def _round(engine: Engine, seed: int) -> tuple[ws.WorkshopInfo, list]:
    """A workshop in voting with 300 participants, each about to tap 10 different cards."""
    info = _workshop(engine, "voting", dots_per_participant=VOTES_EACH, max_dots_per_card=2)
    cards = _cards(engine, info, VOTING_CARDS)
    tokens = _participants(engine, info.id, PARTICIPANTS)
    rng = random.Random(seed)
    choices = {token: rng.sample(cards, VOTES_EACH) for token in tokens}
    # Everyone at once: each participant's first tap, then everyone's second, and so on.
    return info, [(token, choices[token][v]) for v in range(VOTES_EACH) for token in tokens]


# --------------------------------------------------------------------------------------------
# The board over 5,000 cards
# --------------------------------------------------------------------------------------------


@cache
def _big_workshop(backend: str) -> ws.WorkshopInfo:
    engine = _engine(backend)
    info = _workshop(engine, "voting", dots_per_participant=50, max_dots_per_card=50)
    cards = _cards(engine, info, BOARD_CARDS)
    tokens = _participants(engine, info.id, PARTICIPANTS)
    with Session(engine) as session:
        p = WorkshopParticipant.__table__.c
        ids = list(session.execute(sa.select(p.id).where(p.workshop_id == info.id)).scalars())
    rng = random.Random(5000)
    votes = [
        {
            "workshop_id": info.id,
            "card_id": rng.choice(cards),
            "participant_id": ids[i % len(ids)],
            "created_at": utcnow(),
        }
        for i in range(BOARD_VOTES)
    ]
    with session_scope(engine) as session:
        session.execute(sa.insert(WorkshopVote.__table__), votes)
        # A few duplicates merged and a few cards hidden, as a real board has.
        c = WorkshopCard.__table__.c
        for i in range(0, 200, 2):
            session.execute(
                sa.update(WorkshopCard.__table__)
                .where(c.id == cards[i + 1])
                .values(merged_into_id=cards[i])
            )
        session.execute(
            sa.update(WorkshopCard.__table__).where(c.id.in_(cards[-20:])).values(hidden=True)
        )
    assert tokens
    return info


def _board(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine, info = _engine(backend), _big_workshop(backend)

        def run() -> None:
            with Session(engine) as session:
                shown = ws.board(session=session, workshop_id=info.id)
            if shown.dots_cast != BOARD_VOTES:
                raise RuntimeError("the board lost dots")

        return run

    return make


def _count(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine, info = _engine(backend), _big_workshop(backend)
        c = WorkshopCard.__table__.c
        query = sa.select(sa.func.count()).where(c.workshop_id == info.id)

        def run() -> None:
            with Session(engine) as session:
                if session.execute(query).scalar_one() != BOARD_CARDS:
                    raise RuntimeError("cards missing")

        return run

    return make


def cases() -> list[Case]:
    backends = ["sqlite"] + (["postgres"] if _postgres_url() else [])
    made = []
    for backend in backends:
        inserts = f"workshops {backend}: 3000 inserts, 32 threads"
        count = f"workshops {backend}: count(*) of 5000 cards"
        made += [
            Case(inserts, _plain_inserts(backend), repeat=ROUNDS - 1, warmup=1),
            Case(
                f"workshops {backend}: 300x10 votes, 32 threads",
                _voting_round(backend),
                baseline=inserts,
                repeat=ROUNDS - 1,
                warmup=1,
            ),
            Case(count, _count(backend), repeat=30),
            Case(
                f"workshops {backend}: board of 5000 cards",
                _board(backend),
                baseline=count,
                repeat=30,
            ),
        ]
    return made
