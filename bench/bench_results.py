"""/results at city scale: one city with 1,000,000 submitted respondents (about 29 million
answers), on SQLite and PostgreSQL. results() reads the running totals (survey_total) and the
newest published open answers; the goal is under 200 ms. Submitting one more response (which
adds it to the totals in its own transaction) is timed beside it.

The million is made fast, in the database: 2,000 plausible respondents from the demo generator
(answers, totals and all, through the same code as `sparcs-engage demo-data`), then copied
with INSERT ... SELECT under new ids until there are a million; indexes and the answers'
foreign key are made again after the copy, as a bulk load does. The copies answer alike, so
their totals are the seed's times the number of copies, and are set so; the bench checks the
number of respondents against a count of the responses. SPARCS_BENCH_RESULTS_RESPONDENTS
changes the million.
"""

from __future__ import annotations

import os
import sys
import time
from functools import cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.run import Case
from bench.support import postgres_schema, scratch
from sparcs_engage.db import make_engine, upgrade
from sparcs_engage.surveys import demo_responses, load_survey, results, save_step, start, submit

RESPONDENTS = int(os.environ.get("SPARCS_BENCH_RESULTS_RESPONDENTS", "1000000"))
SEED = min(2000, RESPONDENTS)
COPIES = max(1, RESPONDENTS // SEED)
CITY = "espoo"
NOTES: list[str] = []

# Rebuilt after the copy: one sort each instead of millions of inserts into a b-tree.
ANSWER_INDEXES = {
    "ix_survey_answer_response_id": "(response_id)",
    "ix_survey_answer_question_id_item": "(question_id, item)",
    "ix_survey_answer_open": "(question_id, moderation, id) WHERE text IS NOT NULL",
}
ANSWER_COLUMNS = "question_id, item, value, text, lat, lon, moderation"
RESPONSE_COLUMNS = (
    "city, survey_id, survey_version, consent_version, lang, status, current_section, "
    "started_at, updated_at, submitted_at, is_demo"
)


def _copied(column: str, dialect: str) -> str:
    """A copy's id: the original's with its last 8 hex digits replaced by the copy's number."""
    if dialect == "sqlite":  # a UUID is stored as 32 hex digits
        return f"substr({column}, 1, 24) || printf('%08x', c.k)"
    return f"CAST(substr(CAST({column} AS TEXT), 1, 28) || lpad(to_hex(c.k), 8, '0') AS UUID)"


def _copy(engine: Engine) -> None:
    dialect = engine.dialect.name
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("CREATE TEMP TABLE copies (k INTEGER PRIMARY KEY)")
        if dialect == "sqlite":
            run(
                "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n "
                f"WHERE k < {COPIES - 1}) INSERT INTO copies SELECT k FROM n"
            )
            code = "substr(r.code_hash, 1, 56) || printf('%08x', c.k)"
        else:
            run(f"INSERT INTO copies SELECT generate_series(1, {COPIES - 1})")
            run("SET LOCAL maintenance_work_mem = '512MB'")  # the index builds, in memory
            code = "substr(r.code_hash, 1, 56) || lpad(to_hex(c.k), 8, '0')"
            run(
                "ALTER TABLE survey_answer DROP CONSTRAINT "
                "fk_survey_answer_response_id_survey_response"
            )
        for index in ANSWER_INDEXES:
            run(f"DROP INDEX {index}")
        run(
            "INSERT INTO respondent (id, code_hash, city, created_at, is_demo) "
            f"SELECT {_copied('r.id', dialect)}, {code}, r.city, r.created_at, r.is_demo "
            "FROM copies c CROSS JOIN respondent r"
        )
        run(
            f"INSERT INTO survey_response (id, respondent_id, {RESPONSE_COLUMNS}) "
            f"SELECT {_copied('r.id', dialect)}, {_copied('r.respondent_id', dialect)}, "
            f"{RESPONSE_COLUMNS} FROM copies c CROSS JOIN survey_response r"
        )
        run(
            f"INSERT INTO survey_answer (response_id, {ANSWER_COLUMNS}) "
            f"SELECT {_copied('a.response_id', dialect)}, {ANSWER_COLUMNS} "
            "FROM copies c CROSS JOIN survey_answer a ORDER BY c.k, a.id"
        )
        for index, columns in ANSWER_INDEXES.items():
            run(f"CREATE INDEX {index} ON survey_answer {columns}")
        if dialect == "postgresql":
            run(
                "ALTER TABLE survey_answer ADD CONSTRAINT "
                "fk_survey_answer_response_id_survey_response FOREIGN KEY (response_id) "
                "REFERENCES survey_response (id) ON DELETE CASCADE"
            )
        # Every copy answered as its original: the totals are the seed's times the copies.
        run(f"UPDATE survey_total SET n = n * {COPIES}, total = total * {COPIES}")
        run("DROP TABLE copies")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


def _fill(url: str, label: str) -> Engine:
    engine = make_engine(url)
    began = time.perf_counter()
    with Session(engine) as session:
        demo_responses(session=session, city=CITY, n=SEED, seed=2050)
        session.commit()
    if COPIES > 1:
        _copy(engine)
    with engine.connect() as connection:
        responses = connection.exec_driver_sql(
            "SELECT count(*) FROM survey_response WHERE status = 'submitted'"
        ).scalar()
        answers = connection.exec_driver_sql("SELECT count(*) FROM survey_answer").scalar()
    with Session(engine) as session:
        shown = results(session=session, city=CITY)
    if shown is None or shown.respondents != responses:
        raise RuntimeError(f"the totals say {shown and shown.respondents}, not {responses}")
    seconds = time.perf_counter() - began
    NOTES.append(
        f"results ({label}): {responses:,} respondents and {answers:,} answers made in "
        f"{seconds:.0f} s ({SEED:,} from the demo generator, copied {COPIES}x in the database)"
    )
    print(f"  {NOTES[-1]}", file=sys.stderr, flush=True)
    return engine


@cache
def _sqlite() -> Engine:
    url = f"sqlite:///{scratch('bench-results-') / 'results.db'}"
    upgrade(url)
    return _fill(url, "SQLite")


@cache
def _postgres() -> Engine | None:
    url = postgres_schema("results", "bench_results")
    return _fill(url, "PostgreSQL") if url else None


def _engine(backend: str) -> Engine:
    return _sqlite() if backend == "sqlite" else _postgres()


def _results(backend: str):
    engine = _engine(backend)

    def run():
        with Session(engine) as session:
            found = results(session=session, city=CITY)
        assert found.respondents >= RESPONDENTS and any(found.open_answers.values())

    return run


def _answers() -> list[tuple[str, dict]]:
    """Every section of one plausible Espoo response, drawn by the demo generator."""
    import random

    from sparcs_engage.surveys import survey_texts
    from sparcs_engage.surveys.demo import _DemoResident

    survey = load_survey(CITY)
    given = _DemoResident(survey, random.Random(16)).answers(survey_texts("fi"))
    return [
        (s.id, {q.id: given[q.id] for q in s.questions if q.id in given}) for s in survey.sections
    ]


def _submit(backend: str):
    """start, save every section, submit: the submit's transaction adds to the totals."""
    engine = _engine(backend)
    sections = _answers()

    def run():
        with Session(engine) as session:
            started = start(session=session, city=CITY, lang="fi", consented=True)
            for section_id, raw in sections:
                step = save_step(
                    session=session,
                    response_id=started.response_id,
                    section_id=section_id,
                    raw_answers=raw,
                )
                assert step.ok, step
            session.commit()
            assert submit(session=session, response_id=started.response_id).ok
            session.commit()

    return run


def cases() -> list[Case]:
    label = f"{RESPONDENTS // 1000}k resp." if RESPONDENTS < 10**6 else f"{RESPONDENTS / 1e6:g}M"
    found = [
        Case(
            f"results: /results figures, SQLite ({label})",
            lambda: _results("sqlite"),
            goal_ms=200,
        ),
        Case(f"results: a survey sent, SQLite ({label})", lambda: _submit("sqlite"), repeat=10),
    ]
    if _postgres() is not None:
        found += [
            Case(f"results: /results figures, PG ({label})", lambda: _results("pg"), goal_ms=200),
            Case(f"results: a survey sent, PG ({label})", lambda: _submit("pg"), repeat=10),
        ]
    return found


def notes() -> list[str]:
    return NOTES
