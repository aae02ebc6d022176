"""The City Vision 2050 survey with 50,000 respondents in the database (SQLite): saving one
step against a plain insert of the same rows, and the results query (what /results shows)
against one plain scan of the answers table. SPARCS_BENCH_RESPONDENTS changes the count."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from bench.run import Case
from sparcs_engage.db import make_engine, upgrade
from sparcs_engage.models.surveys import SurveyAnswer
from sparcs_engage.surveys import demo_responses, load_survey, results, save_step, start

RESPONDENTS = int(os.environ.get("SPARCS_BENCH_RESPONDENTS", "50000"))


@cache
def _engine():
    folder = Path(tempfile.mkdtemp(prefix="bench-survey-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'survey.db'}"
    upgrade(url)
    engine = make_engine(url)
    began = time.perf_counter()
    with Session(engine) as session:
        demo_responses(session=session, city="espoo", n=RESPONDENTS, seed=7)
        session.commit()
    print(f"  made {RESPONDENTS} respondents in {time.perf_counter() - began:.1f} s", flush=True)
    return engine


def _first_section_answers() -> tuple[str, dict]:
    survey = load_survey("espoo")
    section = survey.sections[0]
    raw = {}
    for q in section.questions:
        if q.type == "single":
            raw[q.id] = q.options[0]
        elif q.type == "likert":
            raw[q.id] = 4
        elif q.type == "multiple":
            raw[q.id] = list(q.options[: max(1, q.min or 1)])
    return section.id, raw


def _save_step():
    engine = _engine()
    section_id, raw = _first_section_answers()
    with Session(engine) as session:
        started = start(session=session, city="espoo", lang="fi", consented=True)
        session.commit()

    def run():
        with Session(engine) as session:
            result = save_step(
                session=session,
                response_id=started.response_id,
                section_id=section_id,
                raw_answers=raw,
            )
            session.commit()
        assert result.ok, result

    return run


def _plain_insert():
    engine = _engine()
    _section_id, raw = _first_section_answers()
    rows = len(raw) + sum(len(v) - 1 for v in raw.values() if isinstance(v, list))
    response_id = uuid.uuid4()

    def run():
        with engine.begin() as connection:
            connection.execute(
                sa.insert(SurveyAnswer.__table__),
                [
                    {"response_id": response_id, "question_id": "bench", "item": str(i)}
                    for i in range(rows)
                ],
            )

    # The rows point at no response: foreign keys off for this baseline connection only.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    return run


def _results():
    engine = _engine()

    def run():
        with Session(engine) as session:
            found = results(session=session, city="espoo")
        assert found is not None and found.respondents >= RESPONDENTS

    return run


def _scan():
    engine = _engine()

    def run():
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT question_id, item, count(*), avg(value) FROM survey_answer "
                "GROUP BY question_id, item"
            ).all()

    return run


def cases() -> list[Case]:
    label = f"{RESPONDENTS // 1000}k respondents"
    return [
        Case(f"survey: plain insert of a step ({label})", _plain_insert, repeat=30),
        Case(
            f"survey: save_step ({label})",
            _save_step,
            baseline=f"survey: plain insert of a step ({label})",
            repeat=30,
        ),
        Case(f"survey: one scan of answers ({label})", _scan, repeat=5, warmup=1),
        Case(
            f"survey: results() for /results ({label})",
            _results,
            baseline=f"survey: one scan of answers ({label})",
            repeat=5,
            warmup=1,
        ),
    ]
