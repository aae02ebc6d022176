"""Running totals of the survey's public results (the ``survey_total`` table).

/results reads a few hundred rows of totals instead of every answer: the submission adds its
response in its own transaction (``add_responses``), every path that removes a submitted
response takes it away first (``remove_responses``), moderation moves an open answer in or out
of the published count (``moderated``), and ``rebuild`` recomputes the whole table from the
answers (`sparcs-engage results rebuild`). What a response contributes is always computed by
the same query (``contributions``), so adding and taking away can never disagree.

This module reads no survey structure (only tables), so the deletion paths in respondents.py
and privacy.py can use it without importing the rest of the survey package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from sparcs_engage.models import SurveyAnswer, SurveyResponse, SurveyTotal

KEY: tuple[str, ...] = ("city", "survey_id", "is_demo", "kind", "question_id", "item", "value")

Key = tuple[str, str, bool, str, str, str, int]


def contributions(where: sa.ColumnElement[bool] | None = None) -> sa.Select:
    """The totals of the submitted responses that match ``where`` (on survey_response): one row
    per key with ``n`` and ``total``, as survey_total holds them."""
    r = SurveyResponse.__table__
    a = SurveyAnswer.__table__
    conditions = [r.c.status == "submitted"]
    if where is not None:
        conditions.append(where)
    head = (r.c.city, r.c.survey_id, r.c.is_demo)
    empty = sa.literal("", sa.String)
    zero = sa.literal(0, sa.Integer)
    no_total = sa.literal(0.0, sa.Float)
    joined = r.join(a, a.c.response_id == r.c.id)
    closed = a.c.text.is_(None)  # open answers are never counted as choices

    respondents = (
        sa.select(*head, sa.literal("respondents", sa.String), empty, empty, zero)
        .add_columns(sa.func.count().label("n"), no_total)
        .where(*conditions)
        .group_by(*head)
    )
    question = (
        sa.select(*head, sa.literal("question", sa.String), a.c.question_id, empty, zero)
        .add_columns(sa.func.count(sa.distinct(a.c.response_id)), no_total)
        .select_from(joined)
        .where(*conditions, closed)
        .group_by(*head, a.c.question_id)
    )
    item = sa.func.coalesce(a.c.item, "")
    value = sa.cast(sa.func.coalesce(a.c.value, 0), sa.Integer)
    answer = (
        sa.select(*head, sa.literal("answer", sa.String), a.c.question_id, item, value)
        .add_columns(sa.func.count(), sa.func.coalesce(sa.func.sum(a.c.value), 0.0))
        .select_from(joined)
        .where(*conditions, closed)
        .group_by(*head, a.c.question_id, item, value)
    )
    approved = (
        sa.select(*head, sa.literal("approved", sa.String), a.c.question_id, empty, zero)
        .add_columns(sa.func.count(), no_total)
        .select_from(joined)
        .where(*conditions, a.c.text.is_not(None), a.c.moderation == "approved")
        .group_by(*head, a.c.question_id)
    )
    return sa.union_all(respondents, question, answer, approved)


def _insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _apply(session: Session, rows: Iterable[Mapping[str, Any]], sign: int) -> int:
    """Add (sign 1) or take away (sign -1) rows of totals; rows that reach zero go."""
    values = [
        {**{k: row[k] for k in KEY}, "n": sign * int(row["n"]), "total": sign * float(row["total"])}
        for row in rows
    ]
    if not values:
        return 0
    # Always in the same order, so two transactions that lock the same rows never deadlock.
    values.sort(key=lambda v: tuple(v[k] for k in KEY))
    table = SurveyTotal.__table__
    insert = _insert(session)(table).values(values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=list(KEY),
            set_={
                "n": table.c.n + insert.excluded.n,
                "total": table.c.total + insert.excluded.total,
            },
        )
    )
    if sign < 0:
        cities = sorted({v["city"] for v in values})
        session.execute(sa.delete(table).where(table.c.city.in_(cities), table.c.n <= 0))
    return len(values)


def _rows(session: Session, where: sa.ColumnElement[bool]) -> list[Mapping[str, Any]]:
    names = [*KEY, "n", "total"]
    return [dict(zip(names, row, strict=True)) for row in session.execute(contributions(where))]


def add_responses(session: Session, where: sa.ColumnElement[bool]) -> int:
    """Count the submitted responses matching ``where`` (on survey_response) into the totals;
    called in the transaction that submits them."""
    return _apply(session, _rows(session, where), 1)


def remove_responses(session: Session, where: sa.ColumnElement[bool]) -> int:
    """Take the submitted responses matching ``where`` out of the totals; called in the
    transaction that deletes them, before they go."""
    return _apply(session, _rows(session, where), -1)


def moderated(session: Session, answer: SurveyAnswer, before: str | None) -> None:
    """An open answer's moderation changed from ``before``: published answers are counted."""
    now_public, was_public = answer.moderation == "approved", before == "approved"
    if now_public == was_public:
        return
    response = session.get(SurveyResponse, answer.response_id)
    if response is None or response.status != "submitted":
        return  # a draft is counted when it is submitted
    row = {
        "city": response.city,
        "survey_id": response.survey_id,
        "is_demo": response.is_demo,
        "kind": "approved",
        "question_id": answer.question_id,
        "item": "",
        "value": 0,
        "n": 1,
        "total": 0.0,
    }
    _apply(session, [row], 1 if now_public else -1)


def rebuild(session: Session, city: str | None = None) -> int:
    """Recompute the totals from the answers (of one city, or all); the number of rows."""
    table = SurveyTotal.__table__
    where = None if city is None else SurveyResponse.city == city
    session.execute(sa.delete(table).where(table.c.city == city) if city else sa.delete(table))
    session.execute(sa.insert(table).from_select([*KEY, "n", "total"], contributions(where)))
    session.flush()
    return session.execute(
        sa.select(sa.func.count()).select_from(table).where(table.c.city == city)
        if city
        else sa.select(sa.func.count()).select_from(table)
    ).scalar_one()


def stored(session: Session, city: str | None = None) -> dict[Key, tuple[int, float]]:
    """The totals as kept: key -> (n, total)."""
    table = SurveyTotal.__table__
    query = sa.select(*(table.c[k] for k in KEY), table.c.n, table.c.total)
    if city is not None:
        query = query.where(table.c.city == city)
    return {tuple(row[:7]): (row[7], row[8]) for row in session.execute(query)}


def recounted(session: Session, city: str | None = None) -> dict[Key, tuple[int, float]]:
    """The totals recomputed from the answers, in the shape of ``stored``."""
    where = None if city is None else SurveyResponse.city == city
    return {tuple(row[:7]): (row[7], row[8]) for row in session.execute(contributions(where))}
