"""The survey's results for the public page: counts, shares and means per question, with
groups of fewer than ``MIN_GROUP`` respondents suppressed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.models import SurveyAnswer, SurveyResponse
from sparcs_engage.surveys.definition import SURVEY_ID, Question
from sparcs_engage.surveys.structure import load_survey

# Results and breakdowns of fewer respondents than this are never shown.
MIN_GROUP = 5


@dataclass(frozen=True)
class QuestionResult:
    """Results of one closed question; everything is empty when ``suppressed``.

    ``counts`` maps an option (a scale value "1".."5" for likert; a district for the map) to
    the respondents who chose it, ``shares`` to their share of ``respondents``. ``means`` is the
    mean position per item (ranking), mean points (budget) or mean per row (matrix); ``mean``
    the mean on the scale (likert). ``rows`` holds one likert result per matrix row.
    """

    question_id: str
    type: str
    respondents: int | None
    suppressed: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    shares: Mapping[str, float] = field(default_factory=dict)
    mean: float | None = None
    means: Mapping[str, float] = field(default_factory=dict)
    rows: Mapping[str, QuestionResult] = field(default_factory=dict)


@dataclass(frozen=True)
class SurveyResults:
    """What a city's residents answered, ready to publish (small groups already suppressed)."""

    city: str
    survey_id: str
    respondents: int
    questions: Mapping[str, QuestionResult]
    top_places: Sequence[tuple[str, int, float]]  # (district id, respondents, share)
    open_answers: Mapping[str, Sequence[str]]


def _suppressed(q: Question) -> QuestionResult:
    return QuestionResult(question_id=q.id, type=q.type, respondents=None, suppressed=True)


def _scale_result(q: Question, n: int, by_value: Mapping[float, int]) -> QuestionResult:
    if n < MIN_GROUP:
        return _suppressed(q)
    low, high = q.scale_range or (1, 5)
    counts = {str(v): by_value.get(float(v), 0) for v in range(low, high + 1)}
    mean = sum(v * c for v, c in by_value.items()) / n
    return QuestionResult(
        question_id=q.id,
        type="likert",
        respondents=n,
        suppressed=False,
        counts=counts,
        shares={k: c / n for k, c in counts.items()},
        mean=mean,
    )


def _question_result(
    q: Question, n: int, groups: Mapping[tuple[str | None, float | None], int]
) -> QuestionResult:
    """One question's result from its (item, value) -> count groups and its respondents n."""
    if n < MIN_GROUP:
        return _suppressed(q)
    if q.type == "likert":
        return _scale_result(q, n, {v: c for (_, v), c in groups.items() if v is not None})
    if q.type == "matrix":
        rows = {}
        for item in q.items:
            by_value = {v: c for (i, v), c in groups.items() if i == item and v is not None}
            rows[item] = _scale_result(q, sum(by_value.values()), by_value)
        return QuestionResult(
            question_id=q.id,
            type=q.type,
            respondents=n,
            suppressed=False,
            means={i: r.mean for i, r in rows.items() if r.mean is not None},
            rows=rows,
        )
    options = list(q.options)
    counts = dict.fromkeys(options, 0)
    sums: dict[str, float] = dict.fromkeys(options, 0.0)
    for (item, value), count in groups.items():
        if item is None:
            continue
        if item not in counts:
            counts[item] = 0
            sums[item] = 0.0
        if q.type == "budget":
            counts[item] += count if value else 0
        else:
            counts[item] += count
        sums[item] += (value or 0) * count
    means: dict[str, float] = {}
    shares = {k: c / n for k, c in counts.items()}
    if q.type == "ranking":
        means = {k: sums[k] / c for k, c in counts.items() if c}
    elif q.type == "budget":
        means = {k: sums[k] / n for k in counts}
        shares = {k: means[k] / (q.total or 100) for k in counts}
    return QuestionResult(
        question_id=q.id,
        type=q.type,
        respondents=n,
        suppressed=False,
        counts=counts,
        shares=shares,
        means=means,
    )


def results(
    *,
    session: Session,
    city: str,
    survey_id: str = SURVEY_ID,
    where: tuple[str, str] | None = None,
    include_demo: bool = True,
    top: int = 10,
    open_answers_limit: int = 50,
) -> SurveyResults | None:
    """Counts and shares per closed question, the most wanted places and approved open answers.

    ``where=(question_id, option_id)`` narrows to the respondents who chose that option (a
    breakdown, e.g. one district). None when fewer than MIN_GROUP respondents are in the group.
    """
    survey = load_survey(city, survey_id)
    filters = [
        SurveyResponse.city == city,
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.status == "submitted",
    ]
    if not include_demo:
        filters.append(SurveyResponse.is_demo.is_(False))
    if where is not None:
        question_id, option_id = where
        survey.question(question_id)  # KeyError for an unknown question
        chosen = sa.select(SurveyAnswer.response_id).where(
            SurveyAnswer.question_id == question_id, SurveyAnswer.item == option_id
        )
        filters.append(SurveyResponse.id.in_(chosen))

    respondents = session.execute(sa.select(sa.func.count()).where(*filters)).scalar_one()
    if respondents < MIN_GROUP:
        return None

    on_response = SurveyResponse.id == SurveyAnswer.response_id
    per_question = dict(
        session.execute(
            sa.select(
                SurveyAnswer.question_id, sa.func.count(sa.distinct(SurveyAnswer.response_id))
            )
            .join(SurveyResponse, on_response)
            .where(*filters, SurveyAnswer.text.is_(None))
            .group_by(SurveyAnswer.question_id)
        ).all()
    )
    groups: dict[str, dict[tuple[str | None, float | None], int]] = defaultdict(dict)
    for question_id, item, value, count in session.execute(
        sa.select(SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value, sa.func.count())
        .join(SurveyResponse, on_response)
        .where(*filters, SurveyAnswer.text.is_(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value)
    ).all():
        groups[question_id][(item, value)] = count

    questions: dict[str, QuestionResult] = {}
    top_places: list[tuple[str, int, float]] = []
    for q in survey.questions:
        if q.type == "text":
            continue
        result = _question_result(q, per_question.get(q.id, 0), groups.get(q.id, {}))
        questions[q.id] = result
        if q.type == "place" and not result.suppressed and result.respondents:
            ranked = sorted(
                ((d, c) for d, c in result.counts.items() if c), key=lambda dc: (-dc[1], dc[0])
            )
            top_places = [(d, c, c / result.respondents) for d, c in ranked[:top]]

    open_answers: dict[str, list[str]] = {}
    text_ids = [q.id for q in survey.questions if q.type == "text"]
    for question_id in text_ids:
        texts = session.execute(
            sa.select(SurveyAnswer.text)
            .join(SurveyResponse, on_response)
            .where(
                *filters,
                SurveyAnswer.question_id == question_id,
                SurveyAnswer.moderation == "approved",
            )
            .order_by(SurveyResponse.submitted_at.desc(), SurveyAnswer.id.desc())
            .limit(open_answers_limit)
        ).scalars()
        open_answers[question_id] = [t for t in texts if t]

    return SurveyResults(
        city=city,
        survey_id=survey.id,
        respondents=respondents,
        questions=questions,
        top_places=top_places,
        open_answers=open_answers,
    )
