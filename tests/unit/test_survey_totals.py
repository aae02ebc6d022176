"""The running totals of the survey's results (survey_total): after any sequence of submissions,
drafts, deletions by every path, moderation and purges they equal a full recount from the
answers, and /results built from them equals the results counted from the answers."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage import privacy
from sparcs_engage.models import Respondent, SurveyAnswer, SurveyResponse, SurveyTotal, utcnow
from sparcs_engage.respondents import delete_respondent
from sparcs_engage.surveys import (
    MIN_GROUP,
    delete_response,
    demo_responses,
    load_survey,
    moderate,
    results,
    save_step,
    start,
    submit,
    survey_texts,
)
from sparcs_engage.surveys.demo import _DemoResident
from sparcs_engage.surveys.totals import rebuild, recounted, stored

CITIES = ("espoo", "leipzig")


class Residents:
    """Plausible answers per city, drawn from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = {city: _DemoResident(load_survey(city), rng) for city in CITIES}
        self.texts = survey_texts("en")
        self.codes: list[str] = []

    def answer(self, session: Session, city: str, send: bool) -> None:
        survey = load_survey(city)
        started = start(session=session, city=city, lang="en", consented=True)
        assert started.ok
        given = self.people[city].answers(self.texts)
        for section in survey.sections:
            raw = {q.id: given[q.id] for q in section.questions if q.id in given}
            step = save_step(
                session=session,
                response_id=started.response_id,
                section_id=section.id,
                raw_answers=raw,
            )
            assert step.ok, step
        if send:
            assert submit(session=session, response_id=started.response_id).ok
        self.codes.append(started.code)

    def take_code(self) -> str | None:
        if not self.codes:
            return None
        return self.codes.pop(self.rng.randrange(len(self.codes)))


def _step(session: Session, people: Residents, rng: random.Random) -> str:
    """One random thing that happens on a live site; returns its name (for a failure's note)."""
    action = rng.choices(
        [
            "submit",
            "draft",
            "delete_response",
            "delete_respondent",
            "delete_by_code",
            "moderate",
            "purge",
            "demo",
        ],
        [8, 2, 2, 1, 1, 4, 1, 1],
    )[0]
    city = rng.choice(CITIES)
    if action in ("submit", "draft"):
        people.answer(session, city, send=action == "submit")
    elif action == "delete_response":
        delete_response(session=session, code=people.take_code())
    elif action == "delete_respondent":
        delete_respondent(session=session, code=people.take_code())
    elif action == "delete_by_code":
        privacy.delete_by_code(session=session, code=people.take_code(), actor="test")
    elif action == "moderate":
        texts = session.execute(
            sa.select(SurveyAnswer.id).where(SurveyAnswer.text.is_not(None))
        ).scalars()
        ids = list(texts)
        if ids:
            decision = rng.choice(["approved", "approved", "rejected"])
            moderate(session=session, answer_id=rng.choice(ids), decision=decision, moderator="m")
    elif action == "purge":
        # Some respondents took part long ago: the purge takes exactly those.
        everyone = list(session.execute(sa.select(Respondent.id)).scalars())
        old = rng.sample(everyone, k=min(len(everyone), rng.randint(1, 3)))
        session.execute(
            sa.update(Respondent)
            .where(Respondent.id.in_(old))
            .values(created_at=utcnow() - timedelta(days=400))
        )
        privacy.purge(session=session, older_than_days=365, actor="test")
    else:
        demo_responses(session=session, city=city, n=rng.randint(1, 6), seed=rng.randrange(99))
    return action


def _same_results(session: Session) -> None:
    for city in CITIES:
        for include_demo in (True, False):
            kept = results(session=session, city=city, include_demo=include_demo)
            counted = results(
                session=session, city=city, include_demo=include_demo, from_answers=True
            )
            assert kept == counted, (city, include_demo)


@pytest.mark.postgres
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_running_totals_equal_a_full_recount_after_random_changes(engine, seed):
    rng = random.Random(seed)
    people = Residents(rng)
    done = []
    with Session(engine) as session:
        for _ in range(3 * MIN_GROUP):  # enough people that results are shown
            people.answer(session, rng.choice(CITIES), send=True)
        session.commit()
        for n in range(45):
            done.append(_step(session, people, rng))
            session.commit()
            if n % 15 == 14:
                assert stored(session) == recounted(session), done
                _same_results(session)
        assert stored(session) == recounted(session), done
        _same_results(session)
        assert {"submit", "moderate"} <= set(done)


@pytest.mark.postgres
def test_rebuild_restores_totals_that_went_wrong(engine):
    with Session(engine) as session:
        demo_responses(session=session, city="espoo", n=20, seed=5)
        demo_responses(session=session, city="leipzig", n=8, seed=6)
        session.commit()
        right = stored(session)
        assert right == recounted(session)
        session.execute(sa.update(SurveyTotal).values(n=SurveyTotal.n + 7))
        session.execute(sa.delete(SurveyTotal).where(SurveyTotal.kind == "approved"))
        assert stored(session) != right
        assert rebuild(session, city="espoo") > 0
        assert stored(session, "espoo") == recounted(session, "espoo")
        assert stored(session, "leipzig") != recounted(session, "leipzig")
        rebuild(session)
        session.commit()
        assert stored(session) == right


@pytest.mark.postgres
def test_results_read_only_the_totals(engine):
    """With the answers gone behind its back, /results still shows what the totals say."""
    with Session(engine) as session:
        demo_responses(session=session, city="espoo", n=12, seed=9)
        session.commit()
        before = results(session=session, city="espoo")
        assert before.respondents == 12 and before.demo == 12
        session.execute(sa.delete(SurveyAnswer).where(SurveyAnswer.text.is_(None)))
        after = results(session=session, city="espoo")
        assert after.questions == before.questions and after.top_places == before.top_places
        assert results(session=session, city="espoo", from_answers=True).questions != (
            before.questions
        )


@pytest.mark.postgres
def test_a_draft_and_a_moderated_draft_are_not_counted_until_sent(engine):
    rng = random.Random(4)
    people = Residents(rng)
    with Session(engine) as session:
        people.answer(session, "espoo", send=False)
        session.commit()
        assert stored(session) == {}
        text = session.execute(
            sa.select(SurveyAnswer).where(SurveyAnswer.text.is_not(None))
        ).scalar()
        if text is not None:
            moderate(session=session, answer_id=text.id, decision="approved", moderator="m")
        assert stored(session) == {}
        response = session.execute(sa.select(SurveyResponse)).scalar_one()
        assert submit(session=session, response_id=response.id).ok
        assert stored(session) == recounted(session) != {}
