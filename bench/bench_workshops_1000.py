"""Workshops at 1,000 participants (issue #20, point 3), on SQLite and on PostgreSQL when one is
reachable (SPARCS_TEST_DATABASE_URL, or postgres@127.0.0.1:5432/test), in a schema of its own.

1. A workshop through the core use cases, one transaction per call (``db.session_scope``), from
   WORKERS threads at once: 1,000 residents join (``join_workshop``, a made-up name each), write
   3 cards each (``add_card``, 3,000 cards), and after the phase change place 10 dots each
   (``cast_vote`` with a tap id of its own per tap, 10,000 taps, everyone's first tap, then
   everyone's second...; popular cards get more dots). The voting round is the timed case,
   against 10,000 plain inserts into a table of its own from the same threads (the baseline).
   Each call's time from the start of its transaction to its commit is kept: the table gets
   the p50 / p95 of a join, a card and a dot, and a row "dot commit p99" (the p99 in the median
   column; goal < 1 s). Lost dots: the dots the database holds against the taps that answered
   without an error; both, and the refused or failed taps, are printed under the table.
2. The same workshop's board and summary: ``ws.board`` (goal < 200 ms on PostgreSQL) against a
   plain read of its 3,000 cards, ``ws.summary`` once in results; and the facilitator's page
   drawing the live board (``fc_view='board'``) under AppTest, a full script run, against the
   same page showing its join screen. The presenter view of the issue's point 1
   (sparcs_engage/ui/presenter_view.py, ``/facilitate?code=..&view=present``) is timed when it
   exists; otherwise a note says it was not there.

Takes about 2-3 minutes per database on the shared 2-core machine.
"""

import atexit
import contextlib
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
from sparcs_engage.models import WorkshopCard, WorkshopVote, utcnow

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FACILITATE = "views/facilitator/facilitate.py"
PRESENTER = ROOT / "sparcs_engage" / "ui" / "presenter_view.py"
PARTICIPANTS = 1000
CARDS_EACH = 3
VOTES_EACH = 10
WORKERS = 48  # a room's taps arrive on this many app threads at once
FACILITATOR = "demo.facilitator"
PASSWORD = "sparcs-bench-password"
CITY = "espoo"


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


@cache
def _url(backend: str) -> str | None:
    if backend == "postgres":
        return postgres_schema("workshops 1000", "bench_ws1k")
    folder = Path(tempfile.mkdtemp(prefix="bench-ws1000-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    return url


@cache
def _engine(backend: str) -> Engine:
    """The app's connection settings, with a pooled connection for every worker thread."""
    url = _url(backend)
    if backend == "sqlite":
        engine = sa.create_engine(
            url, connect_args={"timeout": 10}, pool_size=WORKERS + 4, max_overflow=0
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(
            url, pool_size=WORKERS + 4, max_overflow=0, pool_pre_ping=True, pool_timeout=30
        )
    atexit.register(engine.dispose)
    return engine


# --------------------------------------------------------------------------------------------
# 1. A workshop of 1,000 through the core
# --------------------------------------------------------------------------------------------


@dataclass
class Calls:
    """Each call's time to its commit, and the calls that raised."""

    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0


@dataclass
class Workshop1000:
    info: ws.WorkshopInfo
    tokens: list[str]
    cards: list[int]
    joins: Calls
    adds: Calls
    dots: Calls = field(default_factory=Calls)
    dots_counted: int | None = None


DONE: dict[str, Workshop1000] = {}  # by backend, once made
# (No `from __future__ import annotations` here: bench/run.py loads this file without adding it
# to sys.modules, where dataclasses would look string annotations up.)


def _burst(label: str, jobs: list, call: Callable[[object], None]) -> Calls:
    """Every job from WORKERS threads at once, one transaction each."""
    out = Calls()
    guard = threading.Lock()

    def timed(job) -> None:
        start = time.perf_counter()
        try:
            call(job)
        except Exception as exc:  # a refused or failed tap: counted, never retried
            with guard:
                out.errors.append(f"{type(exc).__name__}: {exc}"[:160])
            return
        elapsed = time.perf_counter() - start
        with guard:
            out.seconds.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(timed, jobs))
    out.wall_s = time.perf_counter() - started
    s = out.seconds
    _say(
        f"{label}: {len(s)} commits, {len(out.errors)} errors, in {out.wall_s:.1f} s "
        f"({len(jobs) / out.wall_s:.0f}/s); per commit p50 {_pct(s, 0.5) * 1000:.0f} ms, "
        f"p95 {_pct(s, 0.95) * 1000:.0f} ms, p99 {_pct(s, 0.99) * 1000:.0f} ms, "
        f"max {max(s, default=0) * 1000:.0f} ms"
        + (f"; first error {out.errors[0]}" if out.errors else "")
    )
    return out


def _facilitator_account(engine: Engine) -> None:
    from sparcs_engage.auth import create_account

    with contextlib.suppress(Exception), session_scope(engine) as session:
        create_account(session=session, username=FACILITATOR, password=PASSWORD, role="facilitator")


@cache
def _collected(backend: str) -> Workshop1000:
    """1,000 residents joined and 3,000 cards written, through the core, from WORKERS threads."""
    engine = _engine(backend)
    _facilitator_account(engine)
    with session_scope(engine) as session:
        info = ws.create_workshop(
            session=session,
            facilitator=FACILITATOR,
            title="Espoo 2050: 1000 residents",
            city=CITY,
            held_on=date(2026, 5, 1),
            dots_per_participant=VOTES_EACH,
            max_dots_per_card=2,
        )
        ws.open_workshop(session=session, workshop_id=info.id, facilitator=FACILITATOR)

    def join(_n) -> str:
        with session_scope(engine) as session:
            return ws.join_workshop(session=session, code=info.join_code).token

    tokens: list[str] = []

    def join_and_keep(n) -> None:
        token = join(n)
        tokens.append(token)  # list.append is atomic under the GIL

    joins = _burst(f"{backend} joins", list(range(PARTICIPANTS)), join_and_keep)
    rng = random.Random(1000)
    words = ("aurinko", "tuuli", "metsä", "raitiovaunu", "pyörätie", "puisto", "ranta", "koulu")
    jobs = [
        (token, info.themes[(i + k) % len(info.themes)], " ".join(rng.choices(words, k=8)))
        for k in range(CARDS_EACH)
        for i, token in enumerate(tokens)
    ]

    def add(job) -> None:
        token, theme, text = job
        with session_scope(engine) as session:
            ws.add_card(session=session, token=token, theme=theme, text=text)

    adds = _burst(f"{backend} cards", jobs, add)
    with session_scope(engine) as session:
        ws.set_phase(session=session, workshop_id=info.id, phase="voting", facilitator=FACILITATOR)
    c = WorkshopCard.__table__.c
    with Session(engine) as session:
        cards = list(
            session.execute(
                sa.select(c.id).where(c.workshop_id == info.id).order_by(c.id)
            ).scalars()
        )
    DONE[backend] = Workshop1000(info, tokens, cards, joins, adds)
    return DONE[backend]


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


def _voting(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine = _engine(backend)
        done = _collected(backend)
        rng = random.Random(10)
        # Some cards draw the room: a card's chance falls with its rank (1 / rank^0.7).
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(done.cards))]
        choices = {}
        for token in done.tokens:
            picked: set[int] = set()
            while len(picked) < VOTES_EACH:
                picked.update(rng.choices(done.cards, weights, k=VOTES_EACH - len(picked)))
            choices[token] = list(picked)
        jobs = [
            (token, choices[token][v], uuid.uuid4().hex)
            for v in range(VOTES_EACH)
            for token in done.tokens
        ]

        def cast(job) -> None:
            token, card, tap = job
            with session_scope(engine) as session:
                ws.cast_vote(session=session, token=token, card_id=card, tap=tap)

        def run() -> None:
            done.dots = _burst(f"{backend} dots", jobs, cast)
            v = WorkshopVote.__table__.c
            with Session(engine) as session:
                done.dots_counted = session.execute(
                    sa.select(sa.func.count()).where(v.workshop_id == done.info.id)
                ).scalar_one()
            _say(
                f"{backend}: {len(done.dots.seconds)} taps answered, {done.dots_counted} dots "
                f"in the database, lost {len(done.dots.seconds) - done.dots_counted}"
            )

        return run

    return make


# --------------------------------------------------------------------------------------------
# 2. Its board and summary: built, and drawn on the facilitator's page
# --------------------------------------------------------------------------------------------


def _voted(backend: str) -> Workshop1000:
    done = _collected(backend)
    if done.dots_counted is None:  # the voting case was not run: vote now, untimed
        _voting(backend)()()
    return done


def _read_cards(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine, done = _engine(backend), _voted(backend)
        c = WorkshopCard.__table__.c
        query = sa.select(c.id, c.theme, c.text, c.merged_into_id).where(
            c.workshop_id == done.info.id
        )

        def run() -> None:
            with Session(engine) as session:
                if len(session.execute(query).all()) != PARTICIPANTS * CARDS_EACH:
                    raise RuntimeError("cards missing")

        return run

    return make


def _board(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine, done = _engine(backend), _voted(backend)

        def run() -> None:
            with Session(engine) as session:
                shown = ws.board(session=session, workshop_id=done.info.id)
            if shown.dots_cast != done.dots_counted or shown.participants != PARTICIPANTS:
                raise RuntimeError("the board lost dots or participants")

        return run

    return make


def _summary(backend: str) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        engine, done = _engine(backend), _voted(backend)
        with session_scope(engine) as session:
            if ws.get_workshop(session=session, workshop_id=done.info.id).phase == "voting":
                ws.set_phase(
                    session=session,
                    workshop_id=done.info.id,
                    phase="results",
                    facilitator=FACILITATOR,
                )

        def run() -> None:
            with Session(engine) as session:
                outcome = ws.summary(session=session, workshop_id=done.info.id, lang="fi")
            if outcome.dots_cast != done.dots_counted:
                raise RuntimeError("the summary lost dots")

        return run

    return make


@contextlib.contextmanager
def _app_environment(backend: str) -> Iterator[None]:
    wanted = {"SPARCS_DATA_DIR": str(ROOT / "data"), "SPARCS_DATABASE_URL": _url(backend)}
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


def _facilitator_page(backend: str, view: str, **query: str) -> Callable[[], Callable[[], None]]:
    """/facilitate?code=... of the 1,000 workshop, signed in, showing `view`; a rerun timed."""
    from streamlit.testing.v1 import AppTest

    def make() -> Callable[[], None]:
        done = _voted(backend)
        with _app_environment(backend):
            at = AppTest.from_file(APP, default_timeout=120)
            for key, value in {"lang": "fi", "city": CITY, "code": done.info.join_code}.items():
                at.query_params[key] = value
            at.run()
            at.switch_page("views/account/login.py").run()
            at.text_input(key="username").input(FACILITATOR)
            at.text_input(key="password").input(PASSWORD)
            at.button(key="sign_in_submit").click().run()
            for key, value in query.items():
                at.query_params[key] = value
            at.switch_page(FACILITATE).run()
            if view != "present":
                at.segmented_control(key="fc_view").set_value(view).run()
        if at.exception:
            raise RuntimeError([e.value for e in at.exception])
        if view == "board":
            shown = sum(1 for b in at.get("text") if b.value)
            if shown < PARTICIPANTS * CARDS_EACH:
                raise RuntimeError(f"the board drew {shown} card texts")

        def rerun() -> None:
            with _app_environment(backend):
                at.run()
            if at.exception:
                raise RuntimeError([e.value for e in at.exception])

        return rerun

    return make


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def _backends() -> list[str]:
    return ["sqlite"] + (["postgres"] if _url("postgres") else [])


def _name(backend: str, what: str) -> str:
    return f"ws1000 {backend}: {what}"


def cases() -> list[Case]:
    made = []
    for b in _backends():
        inserts = _name(b, f"{PARTICIPANTS * VOTES_EACH} plain inserts, {WORKERS} threads")
        read = _name(b, "read the 3000 cards (plain select)")
        join_screen = _name(b, "facilitator page, join screen (AppTest rerun)")
        made += [
            Case(inserts, _plain_inserts(b), repeat=1, warmup=0),
            Case(
                _name(b, f"{PARTICIPANTS}x{VOTES_EACH} dots, {WORKERS} threads"),
                _voting(b),
                baseline=inserts,
                repeat=1,
                warmup=0,
            ),
            Case(read, _read_cards(b), repeat=30),
            Case(
                _name(b, "board, 1000 people, 3000 cards"),
                _board(b),
                baseline=read,
                repeat=30,
                goal_ms=200 if b == "postgres" else None,
            ),
            Case(join_screen, _facilitator_page(b, "join"), repeat=5, warmup=1),
            Case(
                _name(b, "facilitator page, live board (AppTest rerun)"),
                _facilitator_page(b, "board"),
                baseline=join_screen,
                repeat=5,
                warmup=1,
            ),
        ]
        if PRESENTER.exists():
            made.append(
                Case(
                    _name(b, "presenter view, voting (AppTest rerun)"),
                    _facilitator_page(b, "present", view="present"),
                    baseline=join_screen,
                    repeat=5,
                    warmup=1,
                )
            )
        made += [
            Case(_name(b, "summary in results"), _summary(b), baseline=read, repeat=30),
            Case(
                _name(b, "facilitator page, outcome in results (AppTest rerun)"),
                _facilitator_page(b, "outcome"),
                baseline=join_screen,
                repeat=5,
                warmup=1,
            ),
        ]
    return made


def measured() -> list[dict]:
    """The per-call times of the core use cases, from the runs above."""
    rows = []
    for b in _backends():
        done = DONE.get(b)
        if done is None or done.dots_counted is None:
            continue
        for what, calls in (("join", done.joins), ("card", done.adds), ("dot", done.dots)):
            s = calls.seconds
            rows.append(
                {
                    "name": _name(b, f"one {what}, begin to commit ({len(s)} calls)"),
                    "median_ms": _pct(s, 0.5) * 1000,
                    "p95_ms": _pct(s, 0.95) * 1000,
                    "runs": len(s),
                }
            )
        s = done.dots.seconds
        rows.append(
            {
                "name": _name(b, "dot commit p99 (in the median column; max as p95)"),
                "median_ms": _pct(s, 0.99) * 1000,
                "p95_ms": max(s, default=float("nan")) * 1000,
                "runs": len(s),
                "goal_ms": 1000,
            }
        )
    return rows


def notes() -> list[str]:
    lines = []
    for b in _backends():
        done = DONE.get(b)
        if done is None or done.dots_counted is None:
            continue
        answered = len(done.dots.seconds)
        lines.append(
            f"ws1000 {b}: {len(done.tokens)} joined ({len(done.joins.errors)} errors), "
            f"{len(done.adds.seconds)} cards ({len(done.adds.errors)} errors), "
            f"{answered} taps answered and {len(done.dots.errors)} refused or failed, "
            f"{done.dots_counted} dots in the database: lost {answered - done.dots_counted}; "
            f"dots p50 / p95 / p99 {_pct(done.dots.seconds, 0.5) * 1000:.0f} / "
            f"{_pct(done.dots.seconds, 0.95) * 1000:.0f} / "
            f"{_pct(done.dots.seconds, 0.99) * 1000:.0f} ms, "
            f"{answered / done.dots.wall_s:.0f} dots/s"
        )
    if not PRESENTER.exists():
        lines.append(
            "ws1000: no presenter view yet (sparcs_engage/ui/presenter_view.py is not in this "
            "tree): only the facilitator's live board was drawn"
        )
    return lines
