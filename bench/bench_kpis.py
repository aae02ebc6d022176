"""The staff side with 50,000 respondents (about 1,470,000 answers, made like
`sparcs-engage demo-data --respondents 50000`): all KPIs of one city against one plain scan of
the answers table, on SQLite and PostgreSQL; every export format and shape of one city's
answers, each in its own `sparcs-engage export` process (its time after the imports, and its
peak memory), against the sqlite3 command-line tool writing the long rows as CSV.
SPARCS_BENCH_RESPONDENTS changes the count."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from functools import cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.run import Case
from bench.support import postgres_schema, scratch
from sparcs_engage import kpis
from sparcs_engage.answer_export import _select, _where
from sparcs_engage.db import make_engine, upgrade
from sparcs_engage.demo import DemoOptions, load_demo_data

RESPONDENTS = int(os.environ.get("SPARCS_BENCH_RESPONDENTS", "50000"))
CITY = "espoo"
NOTES: list[str] = []


def _fill(url: str, label: str) -> Engine:
    engine = make_engine(url)
    began = time.perf_counter()
    load_demo_data(engine, DemoOptions(respondents=RESPONDENTS))
    with engine.connect() as connection:
        answers = connection.exec_driver_sql("SELECT count(*) FROM survey_answer").scalar()
    print(
        f"  kpis ({label}): {RESPONDENTS} respondents, {answers} answers made in "
        f"{time.perf_counter() - began:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return engine


@cache
def _sqlite() -> tuple[str, Engine]:
    url = f"sqlite:///{scratch('bench-kpis-') / 'kpis.db'}"
    upgrade(url)
    return url, _fill(url, "SQLite")


@cache
def _postgres() -> Engine | None:
    url = postgres_schema("kpis", "bench_kpis")
    return _fill(url, "PostgreSQL") if url else None


def _engine(backend: str) -> Engine:
    return _sqlite()[1] if backend == "sqlite" else _postgres()


def _scan(backend: str):
    engine = _engine(backend)

    def run():
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT count(*), sum(value), count(item), count(text) FROM survey_answer"
            ).one()

    return run


def _kpis(backend: str):
    engine = _engine(backend)
    flt = kpis.KpiFilter(CITY)

    def run():
        with Session(engine) as session:
            report = kpis.compute(session, flt)
        assert report.get("energy_awareness").n >= RESPONDENTS // 3

    return run


def _export_sql() -> str:
    _sqlite()
    where, params = _where(kpis.KpiFilter(CITY))
    sql = _select("sqlite", where, neutral=True)
    return sql.replace(":city", f"'{params['city']}'")


def _cli_csv():
    url = _sqlite()[0]
    path = url.removeprefix("sqlite:///")
    sql = _export_sql()
    target = scratch("bench-cli-") / "cli.csv"
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise RuntimeError("the sqlite3 command-line tool is needed for this baseline")

    def run():
        with target.open("wb") as out:
            subprocess.run([sqlite3, "-csv", "-header", path, sql], stdout=out, check=True)

    return run


# Run the command line in a fresh process, as staff and cities do, and print the export's own
# time (after the imports) and the process's peak resident memory (VmHWM). Not the rusage of
# the child: on Linux that counts the memory of this (large) bench process, which the child
# shares between fork and exec.
_TIMED = (
    "import sys, time\n"
    "from sparcs_engage.cli import main\n"
    "began = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "elapsed = time.perf_counter() - began\n"
    "with open('/proc/self/status') as fh:\n"
    "    peak = [line.split()[1] for line in fh if line.startswith('VmHWM')][0]\n"
    "print(elapsed, peak, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
# Every format and shape of `sparcs-engage export`; the long ones (the large files) three
# times, the wide ones once. Goals from issue #16, against the sqlite3 tool's CSV.
EXPORTS = [
    ("csv", "long", 3, None),
    ("csv_local", "long", 3, None),
    ("xlsx", "long", 3, 5.0),
    ("json", "long", 3, 2.0),
    ("geojson", "long", 3, None),
    ("csv", "wide", 1, None),
    ("csv_local", "wide", 1, None),
    ("xlsx", "wide", 1, None),
    ("json", "wide", 1, None),
]
MEMORY_GOAL_MB = 250


def _cli_export(fmt: str, shape: str) -> tuple[float, float, int]:
    """One `sparcs-engage export` process: (seconds, peak MB, bytes written)."""
    url = _sqlite()[0]
    target = scratch("bench-export-") / f"answers.{fmt}"
    command = [sys.executable, "-c", _TIMED, "export", "--city", CITY, "--format", fmt]
    command += ["--shape", shape, "--out", str(target)]
    done = subprocess.run(
        command,
        env={**os.environ, "SPARCS_DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, peak = done.stderr.strip().splitlines()[-1].split()
    return float(elapsed), int(peak) / 1024, target.stat().st_size


def measured() -> list[dict]:
    """Each export format's time (against the sqlite3 tool's CSV) and peak memory."""
    label = f"{RESPONDENTS // 1000}k resp."
    baseline = f"export: sqlite3 tool, city CSV ({label})"
    rows = []
    for fmt, shape, repeat, goal in EXPORTS:
        print(f"measuring export {fmt} {shape} ...", file=sys.stderr, flush=True)
        runs = [_cli_export(fmt, shape) for _ in range(repeat)]
        times = sorted(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        name = f"export: {fmt} {shape}, CLI process ({label})"
        rows.append(
            {
                "name": name,
                "median_ms": statistics.median(times) * 1000,
                "p95_ms": times[-1] * 1000,
                "runs": repeat,
                "baseline": baseline,
                "goal_ratio": goal,
            }
        )
        rows.append(
            {
                "name": f"export: {fmt} {shape}, peak memory",
                "median_ms": peak,
                "p95_ms": peak,
                "runs": repeat,
                "unit": "MB",
                "goal_ms": MEMORY_GOAL_MB,
            }
        )
        NOTES.append(f"export {fmt} {shape}: {runs[0][2] / 1e6:.0f} MB written")
    return rows


def cases() -> list[Case]:
    label = f"{RESPONDENTS // 1000}k resp."
    found = [
        Case(f"kpis: one scan of answers, SQLite ({label})", lambda: _scan("sqlite"), repeat=7),
        Case(
            f"kpis: all KPIs of a city, SQLite ({label})",
            lambda: _kpis("sqlite"),
            baseline=f"kpis: one scan of answers, SQLite ({label})",
            repeat=7,
        ),
    ]
    if _postgres() is not None:
        found += [
            Case(f"kpis: one scan of answers, PG ({label})", lambda: _scan("pg"), repeat=7),
            Case(
                f"kpis: all KPIs of a city, PG ({label})",
                lambda: _kpis("pg"),
                baseline=f"kpis: one scan of answers, PG ({label})",
                repeat=7,
            ),
        ]
    found.append(Case(f"export: sqlite3 tool, city CSV ({label})", _cli_csv, repeat=3, warmup=1))
    return found


def notes() -> list[str]:
    return NOTES
