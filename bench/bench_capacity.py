"""Capacity: how many residents one app process holds, and three behind nginx, on PostgreSQL.

Real Streamlit sessions over the websocket (bench/streamlit_client.py, Streamlit's own protocol
classes), against the production layout that `make cluster` starts (scripts/cluster.py), on a
database of its own with the demo data, dropped afterwards. For one process (straight to its
port) and for three processes behind nginx, it reports:

- sessions held: idle sessions on the home page open at once, and memory per session (the
  growth of the app processes' resident memory, divided by the sessions);
- the p50 and p95 time of a survey step ("Next": the part's answers checked and saved) while N
  residents answer the survey, each acting every 2-6 s (one widget or one "Next");
- the N at which the p95 passes 1 s (levels tried in turn, stopping at the first that fails);
- once each, through nginx: the other common paths (home, footprint, a workshop vote).

Needs PostgreSQL (SPARCS_TEST_DATABASE_URL, or postgres@127.0.0.1:5432) and nginx (installed
when missing). Takes about 8 minutes; SPARCS_BENCH_CAPACITY_S sets the seconds per level.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bench import resident_paths as paths
from bench.streamlit_client import SessionError, StreamlitSession
from bench.support import reachable_postgres
from scripts.cluster import Cluster, ClusterError, drop_database, ensure_database

LEVEL_S = float(os.environ.get("SPARCS_BENCH_CAPACITY_S", "30"))
WARMUP_S = 8
IDLE_SESSIONS = 150
THINK = (2.0, 6.0)
LEVELS_ONE = (10, 20, 40, 60, 80, 100)
LEVELS_THREE = (20, 40, 60, 80, 100, 130, 160)
SURVEY = ("vision", "lang=en&city=espoo")
RESULTS: list[dict] = []


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _cpu_s(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# ------------------------------------------------------------------------------ measurements


async def _idle(base: str, pids: list[int], n: int) -> dict:
    """n visitors who opened the home page and stay: held sessions and memory per session."""
    before = _rss_kb(pids)
    sessions: list[StreamlitSession] = []
    failed = 0
    for start in range(0, n, 15):
        batch = [StreamlitSession(base, "", "lang=en&city=espoo") for _ in range(start, start + 15)]
        done = await asyncio.gather(*(s.connect() for s in batch), return_exceptions=True)
        for s, result in zip(batch, done, strict=True):
            if isinstance(result, BaseException):
                failed += 1
            else:
                sessions.append(s)
    await asyncio.sleep(2)
    after = _rss_kb(pids)
    # A step of one resident while they are all open: is the process still responsive?
    probe = paths.Timings()
    s = StreamlitSession(base, *SURVEY)
    await s.connect()
    with_idle = await s.change("sv_consent", True)
    probe.add("widgets", with_idle)
    await s.close()
    await asyncio.gather(*(s.close() for s in sessions))
    return {
        "held": len(sessions),
        "failed": failed,
        "rss_before_mb": before / 1024,
        "rss_after_mb": after / 1024,
        "kb_per_session": (after - before) / max(1, len(sessions)),
        "probe_run_s": with_idle.seconds,
    }


async def _resident(base: str, rng: random.Random, stop: float, timings: paths.Timings) -> None:
    think = paths.thinker(*THINK, rng)
    await asyncio.sleep(rng.uniform(0, 5))  # they do not all arrive in the same second
    while time.monotonic() < stop:
        s = StreamlitSession(base, *SURVEY, timeout=60)
        try:
            await s.connect()
            await paths.answer_survey(s, timings, think)
        except (SessionError, OSError, KeyError) as exc:
            timings.exceptions.append(f"{type(exc).__name__}: {exc}"[:200])
            await asyncio.sleep(1)
        finally:
            await s.close()


async def _level(base: str, pids: list[int], n: int) -> dict:
    timings = [paths.Timings() for _ in range(n)]
    stop = time.monotonic() + WARMUP_S + LEVEL_S
    tasks = [
        asyncio.create_task(_resident(base, random.Random(i), stop, timings[i])) for i in range(n)
    ]
    await asyncio.sleep(WARMUP_S)
    marks = [(len(t.steps), len(t.widgets)) for t in timings]
    cpu0, wall0 = _cpu_s(pids), time.monotonic()
    await asyncio.sleep(LEVEL_S)
    cpu = (_cpu_s(pids) - cpu0) / (time.monotonic() - wall0)
    steps = [x for t, (s, _) in zip(timings, marks, strict=True) for x in t.steps[s:]]
    widgets = [x for t, (_, w) in zip(timings, marks, strict=True) for x in t.widgets[w:]]
    await asyncio.gather(*tasks, return_exceptions=True)
    errors = [e for t in timings for e in t.exceptions]
    return {
        "residents": n,
        "steps": len(steps),
        "step_p50": _pct(steps, 0.5),
        "step_p95": _pct(steps, 0.95),
        "widget_p50": _pct(widgets, 0.5),
        "widget_p95": _pct(widgets, 0.95),
        "cpu_cores": cpu,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


async def _ladder(label: str, base: str, pids: list[int], levels: tuple[int, ...]) -> dict:
    _say(f"{label}: {IDLE_SESSIONS} idle sessions ...")
    idle = await _idle(base, pids, IDLE_SESSIONS)
    _say(
        f"{label}: held {idle['held']} ({idle['failed']} failed), "
        f"{idle['kb_per_session']:.0f} KB per session, a run beside them "
        f"{idle['probe_run_s'] * 1000:.0f} ms"
    )
    rows = []
    for n in levels:
        row = await _level(base, pids, n)
        rows.append(row)
        _say(
            f"{label}: {n} residents: step p50 {row['step_p50'] * 1000:.0f} ms, p95 "
            f"{row['step_p95'] * 1000:.0f} ms ({row['steps']} steps), widget p95 "
            f"{row['widget_p95'] * 1000:.0f} ms, CPU {row['cpu_cores']:.2f} cores, "
            f"errors {row['errors']} {row['first_error']}"
        )
        if row["step_p95"] > 1.0:
            break
    passing = [r["residents"] for r in rows if r["step_p95"] <= 1.0]
    failing = [r["residents"] for r in rows if r["step_p95"] > 1.0]
    return {
        "label": label,
        "idle": idle,
        "levels": rows,
        "holds": max(passing) if passing else 0,
        "breaks_at": failing[0] if failing else None,
    }


async def _other_paths(base: str, engine_url: str) -> dict:
    """Once each through nginx: home, a footprint saved, ten tablets voting in a workshop."""
    from sparcs_engage import workshops as ws
    from sparcs_engage.db import get_engine, session_scope

    out: dict[str, float] = {}
    t = paths.Timings()
    s = StreamlitSession(base, "", "lang=en&city=espoo")
    await paths.open_home(s, t)
    await s.close()
    out["home_s"] = t.other[0]
    t = paths.Timings()
    s = StreamlitSession(base, "footprint", "lang=en&city=espoo")
    await s.connect()
    code = await paths.compute_footprint(s, t)
    await s.close()
    out["footprint_step_p50_s"] = statistics.median(t.steps)
    out["footprint_saved"] = bool(code)

    engine = get_engine(engine_url)
    with session_scope(engine) as session:
        info = ws.create_workshop(
            session=session,
            facilitator="demo.facilitator",
            title="Capacity bench",
            city="espoo",
            held_on=date.today(),
        )
        ws.open_workshop(session=session, workshop_id=info.id, facilitator="demo.facilitator")
        writer = ws.join_workshop(session=session, code=info.join_code, name="Writer")
    with session_scope(engine) as session:
        for text in ("Solar roofs", "Trams every five minutes", "Trees on every street"):
            ws.add_card(session=session, token=writer.token, theme=info.themes[0], text=text)
    tablets = [
        StreamlitSession(base, "workshop", f"code={info.join_code}&lang=en", follow_fragments=True)
        for _ in range(10)
    ]
    t = paths.Timings()
    await asyncio.gather(*(tab.connect() for tab in tablets))
    await asyncio.gather(*(paths.join_workshop(tab, t, f"T{i}") for i, tab in enumerate(tablets)))
    with session_scope(engine) as session:
        ws.set_phase(
            session=session, workshop_id=info.id, phase="voting", facilitator="demo.facilitator"
        )
    await asyncio.sleep(6)  # the tablets follow the phase by themselves (their fragment)
    cards = paths.card_ids(tablets[0])
    if cards:
        await asyncio.gather(*(paths.vote(tab, t, cards[0]) for tab in tablets))
    await asyncio.gather(*(tab.close() for tab in tablets))
    with engine.connect() as connection:
        votes = connection.scalar(
            sa.text("SELECT count(*) FROM workshop_vote WHERE workshop_id = :w"),
            {"w": info.id},
        )
    out["tablets_followed_phase"] = bool(cards)
    out["vote_p50_s"] = statistics.median(t.steps) if t.steps else float("nan")
    out["votes_counted"] = votes
    return out


# ------------------------------------------------------------------------------ the report


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run() -> list[dict]:
    server = reachable_postgres("capacity")
    if server is None:
        return []
    url = (
        sa.engine.make_url(server)
        .set(database=f"sparcs_bench_{uuid.uuid4().hex[:8]}")
        .render_as_string(hide_password=False)
    )
    ensure_database(url)
    ports = sorted({_free_port() for _ in range(3)})
    folder = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    cluster = Cluster(folder, url, app_ports=ports, proxy_port=_free_port())
    try:
        cluster.start()
        one = ports[0]
        single = asyncio.run(
            _ladder("1 process", f"http://127.0.0.1:{one}", [cluster.app_pid(one)], LEVELS_ONE)
        )
        cluster.rolling_restart(pause_s=1)  # the three start equal, as after a deploy
        pids = [cluster.app_pid(p) for p in ports]
        three = asyncio.run(_ladder("3 processes + nginx", cluster.url, pids, LEVELS_THREE))
        others = asyncio.run(_other_paths(cluster.url, url))
        _say(f"other paths through nginx: {others}")
        RESULTS.extend([single, three, {"label": "other paths", **others}])
    except ClusterError as exc:
        _say(f"capacity skipped: {exc}")
    finally:
        cluster.stop()
        drop_database(url)
    return RESULTS


def cases() -> list:
    return []


def report() -> list[str]:
    """Lines for the bench's output (bench/run.py prints them after the table)."""
    results = run()
    if not results:
        return ["capacity: skipped (no PostgreSQL)"]
    lines = [
        "",
        f"capacity (residents acting every {THINK[0]:.0f}-{THINK[1]:.0f} s; step = survey 'Next'; "
        f"{LEVEL_S:.0f} s per level)",
        f"{'layout':<22} {'held':>5} {'KB/sess':>8} {'N':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'CPU':>6} {'errors':>6}",
    ]
    for result in results[:2]:
        idle = result["idle"]
        for row in result["levels"]:
            lines.append(
                f"{result['label']:<22} {idle['held']:>5} {idle['kb_per_session']:>8.0f} "
                f"{row['residents']:>5} {row['step_p50'] * 1000:>8.0f} "
                f"{row['step_p95'] * 1000:>8.0f} {row['cpu_cores']:>6.2f} {row['errors']:>6}"
            )
        lines.append(
            f"{result['label']}: holds {result['holds']} active residents with a step p95 "
            f"under 1 s; p95 passes 1 s at {result['breaks_at'] or 'none of the levels'}"
        )
    lines.append(f"other paths through nginx: {results[2]}")
    return lines
