"""Moderation of open answers: the list waiting for a moderator, and their decision (logged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.auth import audit
from sparcs_engage.models import SurveyAnswer, SurveyResponse
from sparcs_engage.surveys.totals import moderated


@dataclass(frozen=True)
class PendingAnswer:
    """An open answer waiting for a moderator; the text is to be shown as text, never markup."""

    answer_id: int
    question_id: str
    text: str
    city: str
    lang: str
    submitted_at: datetime | None


def list_pending(
    *, session: Session, city: str | None = None, limit: int = 100
) -> list[PendingAnswer]:
    """The open answers of submitted responses that no moderator has decided on yet."""
    query = (
        sa.select(
            SurveyAnswer.id,
            SurveyAnswer.question_id,
            SurveyAnswer.text,
            SurveyResponse.city,
            SurveyResponse.lang,
            SurveyResponse.submitted_at,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.status == "submitted", SurveyAnswer.moderation == "pending")
        .order_by(SurveyResponse.submitted_at, SurveyAnswer.id)
        .limit(max(1, limit))
    )
    if city is not None:
        query = query.where(SurveyResponse.city == city)
    return [PendingAnswer(*row) for row in session.execute(query).all()]


def moderate(*, session: Session, answer_id: int, decision: str, moderator: str) -> bool:
    """Approve or reject an open answer (logged); False when there is no such open answer."""
    if decision not in ("approved", "rejected"):
        raise ValueError("decision must be 'approved' or 'rejected'")
    answer = session.get(SurveyAnswer, answer_id) if isinstance(answer_id, int) else None
    if answer is None or answer.text is None:
        return False
    before = answer.moderation
    answer.moderation = decision
    session.add(answer)
    moderated(session, answer, before)
    # Chained to the entry before it, like every audit entry (`sparcs-engage audit verify`).
    audit(
        session=session,
        actor=moderator,
        action="moderate_open_answer",
        detail=f"answer {answer_id} ({answer.question_id}): {decision}",
    )
    return True
