"""The survey's results for the public page: counts, shares and means per question, with
groups of fewer than ``MIN_GROUP`` respondents suppressed. The figures come from the running
totals (surveys/totals.py); a breakdown by one answer is counted from the answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.models import SurveyAnswer, SurveyResponse, SurveyTotal
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
    demo: int = 0  # of the respondents, how many are demo data


def _suppressed(q: Question) -> QuestionResult:
    return QuestionResult(question_id=q.id, type=q.type, respondents=None, suppressed=True)


def _scale_result(q: Question, n: int, by_value: Mapping[int, int], total: float) -> QuestionResult:
    if n < MIN_GROUP:
        return _suppressed(q)
    low, high = q.scale_range or (1, 5)
    counts = {str(v): by_value.get(v, 0) for v in range(low, high + 1)}
    return QuestionResult(
        question_id=q.id,
        type="likert",
        respondents=n,
        suppressed=False,
        counts=counts,
        shares={k: c / n for k, c in counts.items()},
        mean=total / n,
    )


# One question's answer groups: (item or "", whole value or 0) -> (answer rows, sum of values).
Groups = Mapping[tuple[str, int], tuple[int, float]]


def _question_result(q: Question, n: int, groups: Groups) -> QuestionResult:
    """One question's result from its answer groups and its respondents n."""
    if n < MIN_GROUP:
        return _suppressed(q)
    if q.type == "likert":
        return _scale_result(
            q,
            n,
            {v: c for (_, v), (c, _) in groups.items()},
            sum(total for _, total in groups.values()),
        )
    if q.type == "matrix":
        rows = {}
        for item in q.items:
            mine = {v: ct for (i, v), ct in groups.items() if i == item}
            by_value = {v: c for v, (c, _) in mine.items()}
            total = sum(t for _, t in mine.values())
            rows[item] = _scale_result(q, sum(by_value.values()), by_value, total)
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
    for (item, _value), (count, total) in groups.items():
        if not item:
            continue
        counts[item] = counts.get(item, 0) + count
        sums[item] = sums.get(item, 0.0) + total
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


@dataclass
class _Counted:
    """What the results are made of, from the running totals or counted from the answers."""

    respondents: int = 0
    demo: int = 0
    per_question: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    groups: dict[str, dict[tuple[str, int], tuple[int, float]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    approved: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _from_totals(session: Session, city: str, survey_id: str, include_demo: bool) -> _Counted:
    """The running totals of a city's survey (survey_total): a few hundred rows."""
    table = SurveyTotal.__table__
    query = sa.select(
        table.c.is_demo,
        table.c.kind,
        table.c.question_id,
        table.c.item,
        table.c.value,
        table.c.n,
        table.c.total,
    ).where(table.c.city == city, table.c.survey_id == survey_id)
    if not include_demo:
        query = query.where(table.c.is_demo.is_(False))
    counted = _Counted()
    for is_demo, kind, question_id, item, value, n, total in session.execute(query):
        if kind == "respondents":
            counted.respondents += n
            counted.demo += n if is_demo else 0
        elif kind == "question":
            counted.per_question[question_id] += n
        elif kind == "approved":
            counted.approved[question_id] += n
        elif kind == "answer":
            groups = counted.groups[question_id]
            before_n, before_total = groups.get((item, value), (0, 0.0))
            groups[(item, value)] = (before_n + n, before_total + total)
    return counted


def _from_answers(session: Session, filters: list) -> _Counted:
    """The same counts from the answer rows: for breakdowns (``where``), which the running
    totals do not keep."""
    counted = _Counted()
    counted.respondents = session.execute(sa.select(sa.func.count()).where(*filters)).scalar_one()
    counted.demo = session.execute(
        sa.select(sa.func.count()).where(*filters, SurveyResponse.is_demo)
    ).scalar_one()
    on_response = SurveyResponse.id == SurveyAnswer.response_id
    closed = SurveyAnswer.text.is_(None)
    for question_id, n in session.execute(
        sa.select(SurveyAnswer.question_id, sa.func.count(sa.distinct(SurveyAnswer.response_id)))
        .join(SurveyResponse, on_response)
        .where(*filters, closed)
        .group_by(SurveyAnswer.question_id)
    ):
        counted.per_question[question_id] = n
    item = sa.func.coalesce(SurveyAnswer.item, "")
    value = sa.cast(sa.func.coalesce(SurveyAnswer.value, 0), sa.Integer)
    for question_id, item_id, whole, n, total in session.execute(
        sa.select(
            SurveyAnswer.question_id,
            item,
            value,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(SurveyAnswer.value), 0.0),
        )
        .join(SurveyResponse, on_response)
        .where(*filters, closed)
        .group_by(SurveyAnswer.question_id, item, value)
    ):
        counted.groups[question_id][(item_id, whole)] = (n, total)
    for question_id, n in session.execute(
        sa.select(SurveyAnswer.question_id, sa.func.count())
        .join(SurveyResponse, on_response)
        .where(*filters, SurveyAnswer.text.is_not(None), SurveyAnswer.moderation == "approved")
        .group_by(SurveyAnswer.question_id)
    ):
        counted.approved[question_id] = n
    return counted


def results(
    *,
    session: Session,
    city: str,
    survey_id: str = SURVEY_ID,
    where: tuple[str, str] | None = None,
    include_demo: bool = True,
    top: int = 10,
    open_answers_limit: int = 50,
    from_answers: bool = False,
) -> SurveyResults | None:
    """Counts and shares per closed question, the most wanted places and approved open answers.

    The figures come from the running totals (surveys/totals.py). ``where=(question_id,
    option_id)`` narrows to the respondents who chose that option (a breakdown, e.g. one
    district), counted from the answers, as is everything with ``from_answers`` (the tests
    compare the two). None when fewer than MIN_GROUP respondents are in the group.
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

    if where is None and not from_answers:
        counted = _from_totals(session, city, survey.id, include_demo)
    else:
        counted = _from_answers(session, filters)
    if counted.respondents < MIN_GROUP:
        return None

    questions: dict[str, QuestionResult] = {}
    top_places: list[tuple[str, int, float]] = []
    for q in survey.questions:
        if q.type == "text":
            continue
        result = _question_result(
            q, counted.per_question.get(q.id, 0), counted.groups.get(q.id, {})
        )
        questions[q.id] = result
        if q.type == "place" and not result.suppressed and result.respondents:
            ranked = sorted(
                ((d, c) for d, c in result.counts.items() if c), key=lambda dc: (-dc[1], dc[0])
            )
            top_places = [(d, c, c / result.respondents) for d, c in ranked[:top]]

    open_answers: dict[str, list[str]] = {}
    for q in survey.questions:
        if q.type != "text":
            continue
        open_answers[q.id] = (
            _published(session, filters, q.id, open_answers_limit)
            if counted.approved.get(q.id)
            else []
        )

    return SurveyResults(
        city=city,
        survey_id=survey.id,
        respondents=counted.respondents,
        questions=questions,
        top_places=top_places,
        open_answers=open_answers,
        demo=counted.demo,
    )


def _published(session: Session, filters: list, question_id: str, limit: int) -> list[str]:
    """The newest approved open answers to one question (asked only when the totals count
    some), newest written first: the index ix_survey_answer_open is walked from its end, so a
    million answers cost about ``limit`` look-ups, not a sort of every published answer."""
    texts = session.execute(
        sa.select(SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            *filters,
            SurveyAnswer.question_id == question_id,
            SurveyAnswer.moderation == "approved",
            SurveyAnswer.text.is_not(None),
        )
        .order_by(SurveyAnswer.id.desc())
        .limit(limit)
    ).scalars()
    return [t for t in texts if t]
