"""Tablets that wait (issue #20, point 3): how much one app process pays for the residents'
tablets of one workshop in voting, and how long a dot takes to reach the facilitator's board.

One `streamlit run server.py` (started as scripts/cluster.py starts its processes, no nginx),
on PostgreSQL in a schema of its own, with a workshop in voting (30 cards, 200 residents joined
through the core). Real Streamlit sessions over the websocket (bench/streamlit_client.py) open
/workshop?code=..&p=<token> as the residents' tablets, each following its fragment as a tablet
left open does, and are added in levels (LEVELS, kept open from one level to the next, up to
the first level that saturates the process: over 90 % of a core, or no board in 20 s). At each
level:

- memory per session: the growth of the process's resident memory over the sessions added;
- CPU of the process while the tablets wait IDLE_S seconds (nobody taps): the goal is 200
  tablets under 50 % of a core;
- vote to board: one facilitator's session on /facilitate?code=.. showing the live board (signed
  in with a staff-session cookie), and VOTES dots placed through the core (cast_vote) one at a
  time; the time from each commit to the board's "Dots placed" showing it (goal: within one
  refresh of the board, p95 under 2 s).

The bench process plays every tablet on the same 2 cores, so the process's CPU is read from
/proc for its pid only. Takes 1-4 minutes; SPARCS_BENCH_TABLETS_IDLE_S sets the wait.
"""

import asyncio
import os
import re
import socket
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench.streamlit_client import SessionError, StreamlitSession
from bench.support import postgres_schema
from scripts.cluster import Cluster, ClusterError
from sparcs_engage import workshops as ws
from sparcs_engage.db import get_engine, session_scope

LEVELS = (10, 25, 50, 100, 200)
SATURATED = 0.9  # of a core: a level this busy ends the ladder
IDLE_S = float(os.environ.get("SPARCS_BENCH_TABLETS_IDLE_S", "30"))
VOTES = 8
CARDS = 30
FACILITATOR = "bench.tablets.facilitator"
RESULTS: list[dict] = []


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------ set-up


def _workshop(url: str) -> tuple[ws.WorkshopInfo, list[str], str]:
    """A workshop in voting with CARDS cards and max(LEVELS) residents; a facilitator's cookie."""
    from sparcs_engage import staff_sessions
    from sparcs_engage.auth import Identity, create_account

    engine = get_engine(url)
    with session_scope(engine) as session:
        create_account(
            session=session,
            username=FACILITATOR,
            password="sparcs-bench-password",
            role="facilitator",
        )
    with session_scope(engine) as session:
        info = ws.create_workshop(
            session=session,
            facilitator=FACILITATOR,
            title="Tablets",
            city="espoo",
            held_on=date.today(),
            dots_per_participant=VOTES + 2,
            max_dots_per_card=VOTES + 2,
        )
        ws.open_workshop(session=session, workshop_id=info.id, facilitator=FACILITATOR)
        for i in range(CARDS):
            ws.add_facilitator_card(
                session=session,
                workshop_id=info.id,
                theme=info.themes[i % len(info.themes)],
                text=f"Idea {i}: trams every five minutes and trees on every street",
                facilitator=FACILITATOR,
            )
    tokens = []
    for _ in range(max(LEVELS) + len(LEVELS)):  # a voter of its own per level
        with session_scope(engine) as session:
            tokens.append(ws.join_workshop(session=session, code=info.join_code).token)
    with session_scope(engine) as session:
        ws.set_phase(session=session, workshop_id=info.id, phase="voting", facilitator=FACILITATOR)
        opened = staff_sessions.open_session(
            session=session, identity=Identity(FACILITATOR, "facilitator")
        )
    return info, tokens, staff_sessions.cookie_value(opened.session_id)


# ------------------------------------------------------------------------------ measuring


async def _open(base: str, code: str, tokens: list[str]) -> tuple[list[StreamlitSession], int]:
    sessions, failed = [], 0
    for start in range(0, len(tokens), 10):
        batch = [
            StreamlitSession(
                base, "workshop", f"code={code}&p={token}&lang=fi", follow_fragments=True
            )
            for token in tokens[start : start + 10]
        ]
        done = await asyncio.gather(*(s.connect() for s in batch), return_exceptions=True)
        for s, result in zip(batch, done, strict=True):
            if isinstance(result, BaseException) or result.exceptions or not _has_voting(s):
                failed += 1
            sessions.append(s)
    return sessions, failed


def _has_voting(tablet: StreamlitSession) -> bool:
    """What a tablet in voting shows: the dot buttons."""
    return any(key.startswith("wk_vote_") for key in tablet.widget_keys())


def _dots_shown(board: StreamlitSession) -> int | None:
    for element in board.elements.values():
        if element.kind == "metric" and element.proto.label == "Dots placed":
            return int(re.sub(r"\D", "", element.proto.body) or 0)
    return None


async def _vote_to_board(url: str, board: StreamlitSession, token: str, cards: list[int]) -> list:
    """VOTES dots, one at a time: seconds from each commit to the board showing it."""
    engine = get_engine(url)
    seconds = []
    for i in range(VOTES):
        shown_before = _dots_shown(board) or 0
        await asyncio.sleep(0.7 + (i % 3) * 0.6)  # not in step with the board's refresh

        def tap(card: int) -> None:
            with session_scope(engine) as session:
                ws.cast_vote(session=session, token=token, card_id=card, tap=uuid.uuid4().hex)

        await asyncio.to_thread(tap, cards[i % len(cards)])
        committed = time.perf_counter()
        while (_dots_shown(board) or 0) <= shown_before:
            if time.perf_counter() - committed > 20:
                break
            await asyncio.sleep(0.02)
        seconds.append(time.perf_counter() - committed)
    return seconds


async def _levels(base: str, url: str, pid: int, info, tokens: list[str], cookie: str) -> list:
    from sparcs_engage.staff_sessions import COOKIE

    rows = []
    tablets: list[StreamlitSession] = []
    # Warm-up, not measured: the first sessions of a process import and cache the pages.
    warm, _ = await _open(base, info.join_code, tokens[-1:])
    await asyncio.gather(*(t.close() for t in warm))
    for level, n in enumerate(LEVELS):
        await asyncio.sleep(2)
        rss0 = _rss_kb(pid)
        added, failed = await _open(base, info.join_code, tokens[len(tablets) : n])
        tablets += added
        await asyncio.sleep(3)
        rss1 = _rss_kb(pid)
        cpu0, wall0 = _cpu_s(pid), time.monotonic()
        runs0 = sum(t._finished.qsize() for t in tablets)  # fragment runs nobody waits for
        await asyncio.sleep(IDLE_S)
        cpu = (_cpu_s(pid) - cpu0) / (time.monotonic() - wall0)
        fragment_runs = sum(t._finished.qsize() for t in tablets) - runs0
        alive = sum(1 for t in tablets if t.connected)
        board = StreamlitSession(
            base,
            "facilitate",
            f"code={info.join_code}&lang=en&city=espoo",
            cookies={COOKIE: cookie},
            follow_fragments=True,
            timeout=20,
        )
        try:
            await board.connect()
            if _dots_shown(board) is None:
                await board.change("fc_view", "board")
            cards = [int(k.rsplit("_", 1)[1]) for k in board.container_keys("fc_card_")]
            seconds = await _vote_to_board(url, board, tokens[max(LEVELS) + level], cards)
        except (SessionError, OSError) as exc:  # the process is saturated: no board in time
            _say(f"{n} tablets: the facilitator's board did not load ({type(exc).__name__})")
            seconds = [float("nan")]
        finally:
            await board.close()
        row = {
            "tablets": n,
            "failed": failed,
            "connected": alive,
            "kb_per_session": (rss1 - rss0) / max(1, len(added)),
            "rss_mb": rss1 / 1024,
            "idle_cpu": cpu,
            "idle_s": IDLE_S,
            "fragment_runs_per_s": fragment_runs / IDLE_S,
            "vote_to_board_p50": _pct(seconds, 0.5),
            "vote_to_board_max": _pct(seconds, 1.0),
            "votes": len(seconds),
        }
        rows.append(row)
        _say(
            f"{n} tablets ({failed} failed to open, {alive} connected): "
            f"{row['kb_per_session']:.0f} KB per session, RSS {row['rss_mb']:.0f} MB, "
            f"CPU while waiting {cpu * 100:.0f} % of a core "
            f"({row['fragment_runs_per_s']:.0f} fragment runs/s), vote to board p50 "
            f"{row['vote_to_board_p50']:.2f} s, max {row['vote_to_board_max']:.2f} s"
        )
        if cpu > SATURATED or seconds[0] != seconds[0]:
            _say(f"{n} tablets saturate the process: the levels above are not tried")
            break
    await asyncio.gather(*(t.close() for t in tablets))
    return rows


def run() -> list[dict]:
    url = postgres_schema("tablets", "bench_tab")
    if url is None:
        return []
    info, tokens, cookie = _workshop(url)
    port = _free_port()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="bench-tablets-")), url, app_ports=[port])
    try:
        pid = cluster.start_app(port)
        rows = asyncio.run(_levels(f"http://127.0.0.1:{port}", url, pid, info, tokens, cookie))
        RESULTS.extend(rows)
    except ClusterError as exc:
        _say(f"tablets skipped: {exc}")
    finally:
        cluster.stop_app(port)
    return RESULTS


def cases() -> list:
    return []


def report() -> list[str]:
    rows = run()
    if not rows:
        return ["tablets: skipped (no PostgreSQL)"]
    lines = [
        "",
        f"tablets of one workshop in voting ({CARDS} cards), one app process, PostgreSQL; "
        f"CPU while they wait {IDLE_S:.0f} s",
        f"{'tablets':>7} {'failed':>6} {'KB/sess':>8} {'RSS MB':>7} {'CPU %':>6} {'runs/s':>6} "
        f"{'vote->board p50 s':>18} {'max s':>6}  goal",
    ]
    for r in rows:
        goal = ""
        if r["tablets"] >= 200:
            goal = f"CPU < 50 % {'ok' if r['idle_cpu'] < 0.5 else 'MISSED'}"
        lines.append(
            f"{r['tablets']:>7} {r['failed']:>6} {r['kb_per_session']:>8.0f} {r['rss_mb']:>7.0f} "
            f"{r['idle_cpu'] * 100:>6.0f} {r['fragment_runs_per_s']:>6.0f} "
            f"{r['vote_to_board_p50']:>18.2f} "
            f"{r['vote_to_board_max']:>6.2f}  {goal}"
        )
    if rows[-1]["tablets"] < max(LEVELS):
        lines.append(
            f"tablets: the ladder stopped at {rows[-1]['tablets']}: {max(LEVELS)} tablets under "
            "50 % of a core MISSED"
        )
    return lines
