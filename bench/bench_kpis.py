"""The staff side with 50,000 respondents (about 1,470,000 answers, made like
`sparcs-engage demo-data --respondents 50000`): all KPIs of one city against one plain scan of
the answers table, on SQLite and PostgreSQL; the CSV export of one city's answers against the
sqlite3 command-line tool writing the same rows as CSV; and the export's peak memory, measured
in a separate `sparcs-engage export` process. SPARCS_BENCH_RESPONDENTS changes the count."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.run import Case
from bench.support import postgres_schema, scratch
from sparcs_engage import kpis
from sparcs_engage.answer_export import _select, _where, export_answers
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


def _export_csv():
    _url, engine = _sqlite()
    target = scratch("bench-export-") / "answers.csv"

    def run():
        with Session(engine) as session, target.open("wb") as out:
            result = export_answers(session, kpis.KpiFilter(CITY), fmt="csv", shape="long", out=out)
        assert result.rows > 0

    return run


# Run the command line in a fresh process and print its own peak resident memory (VmHWM) at
# the end. Not the rusage of the child: on Linux that counts the memory of this (large) bench
# process, which the child shares between fork and exec.
_PEAK = (
    "import sys\n"
    "from sparcs_engage.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "with open('/proc/self/status') as fh:\n"
    "    peak = [line.split()[1] for line in fh if line.startswith('VmHWM')][0]\n"
    "print(peak, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _peak_memory():
    """Peak resident memory of `sparcs-engage export` writing the same CSV (MB)."""
    url = _sqlite()[0]
    target = scratch("bench-export-mem-") / "answers.csv"
    command = [
        sys.executable,
        "-c",
        _PEAK,
        "export",
        "--city",
        CITY,
        "--format",
        "csv",
        "--out",
        str(target),
    ]

    def run():
        done = subprocess.run(
            command,
            env={**os.environ, "SPARCS_DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        peak = int(done.stderr.strip().splitlines()[-1]) / 1024  # kB
        with Path(target).open("rb") as fh:
            rows = sum(1 for _ in fh) - 1
        NOTES.append(
            f"export: peak memory of `sparcs-engage export --format csv` ({rows} rows): "
            f"{peak:.0f} MB (target < 250 MB)"
        )

    return run


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
    found += [
        Case(f"export: sqlite3 tool, city CSV ({label})", _cli_csv, repeat=5, warmup=1),
        Case(
            f"export: CSV long, streamed ({label})",
            _export_csv,
            baseline=f"export: sqlite3 tool, city CSV ({label})",
            repeat=5,
            warmup=1,
        ),
        Case(f"export: CLI process, peak memory ({label})", _peak_memory, repeat=1, warmup=0),
    ]
    return found


def notes() -> list[str]:
    return NOTES
