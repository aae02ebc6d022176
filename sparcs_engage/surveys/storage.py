"""Answers <-> rows of ``survey_answer`` (tidy long form), and the one ``survey_summary`` row
per submitted response that the KPIs read."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, select

from sparcs_engage.models import SurveyAnswer, SurveyResponse, SurveySummary, SurveySummaryBudget
from sparcs_engage.models.surveys import SUMMARY_MEASURES
from sparcs_engage.surveys.definition import Question, Survey

ANSWER_COLUMNS = ("question_id", "item", "value", "text", "lat", "lon", "moderation")


def _row(question_id: str, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(ANSWER_COLUMNS)
    row.update(question_id=question_id, **values)
    return row


def answer_rows(question: Question, answer: Any) -> list[dict[str, Any]]:
    """The survey_answer rows (without response_id) that store one answer in tidy long form."""
    qid, kind = question.id, question.type
    if answer is None:
        return []
    if kind == "single":
        return [_row(qid, item=answer)]
    if kind == "multiple":
        return [_row(qid, item=option) for option in answer]
    if kind == "likert":
        return [_row(qid, value=float(answer))]
    if kind == "matrix":
        return [_row(qid, item=item, value=float(v)) for item, v in answer.items()]
    if kind == "ranking":
        return [_row(qid, item=item, value=float(pos)) for pos, item in enumerate(answer, 1)]
    if kind == "budget":
        # Zero points are not stored: a theme's mean is its points over the question's respondents.
        return [_row(qid, item=i, value=float(points)) for i, points in answer.items() if points]
    if kind == "place":
        return [_row(qid, item=answer["district"], lat=answer["lat"], lon=answer["lon"])]
    if kind == "text":
        return [_row(qid, text=answer, moderation="pending")]
    raise ValueError(f"unknown question type {kind}")


def _whole_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def summary_values(answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The survey_summary columns and the budget per theme of one response's answers.

    The KPIs read these (see ``models.surveys.SurveySummary``); they come from the question ids
    of the City Vision 2050 survey and stay empty when a question was not answered.
    """
    acceptance = answers.get("acceptance") or {}
    values: dict[str, Any] = {
        "district": answers.get("district"),
        "age_band": answers.get("age_band"),
        "gender": answers.get("gender"),
        "energy_awareness": _whole_or_none(answers.get("energy_awareness")),
        "sparcs_awareness": _whole_or_none(answers.get("sparcs_awareness")),
    }
    for measure in SUMMARY_MEASURES:
        values[f"accept_{measure}"] = _whole_or_none(acceptance.get(measure))
    budget = {theme: int(points) for theme, points in (answers.get("theme_budget") or {}).items()}
    values["budget_total"] = sum(budget.values()) if budget else None
    return values, {theme: points for theme, points in budget.items() if points > 0}


def _write_summary(session: Session, response: SurveyResponse, answers: Mapping[str, Any]) -> None:
    values, budget = summary_values(answers)
    summary = SurveySummary(
        response_id=response.id,
        city=response.city,
        submitted_at=response.submitted_at,
        is_demo=response.is_demo,
        **values,
    )
    session.add(summary)
    session.flush()
    for theme, points in budget.items():
        session.add(SurveySummaryBudget(summary_id=summary.id, theme=theme, points=points))


def _answers_from_rows(survey: Survey, rows: Iterable[SurveyAnswer]) -> dict[str, Any]:
    """The stored answers back in the shape save_step takes and conditions read."""
    by_question: dict[str, list[SurveyAnswer]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    answers: dict[str, Any] = {}
    for q in survey.questions:
        got = by_question.get(q.id)
        if not got:
            continue
        if q.type == "single":
            answers[q.id] = got[0].item
        elif q.type == "multiple":
            chosen = {r.item for r in got}
            answers[q.id] = [o for o in q.options if o in chosen]
        elif q.type == "likert":
            answers[q.id] = int(got[0].value or 0)
        elif q.type == "matrix":
            values = {r.item: int(r.value or 0) for r in got}
            answers[q.id] = {i: values[i] for i in q.items if i in values}
        elif q.type == "ranking":
            answers[q.id] = [r.item for r in sorted(got, key=lambda r: r.value or 0)]
        elif q.type == "budget":
            values = {r.item: int(r.value or 0) for r in got}
            answers[q.id] = {o: values.get(o, 0) for o in q.options}
        elif q.type == "place":
            answers[q.id] = {"lat": got[0].lat, "lon": got[0].lon, "district": got[0].item}
        elif q.type == "text":
            answers[q.id] = got[0].text
    return answers


def _stored_answers(session: Session, survey: Survey, response_id: uuid.UUID) -> dict[str, Any]:
    rows = session.exec(select(SurveyAnswer).where(SurveyAnswer.response_id == response_id))
    return _answers_from_rows(survey, rows.all())


def visible_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers to questions that are shown, given the answers before them."""
    kept: dict[str, Any] = {}
    for q in survey.questions:
        if q.id in answers and q.visible(kept):
            kept[q.id] = answers[q.id]
    return kept
